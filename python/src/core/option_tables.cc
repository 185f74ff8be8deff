#include "option_tables.h"

#include <fmt/format.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "emkit/error.h"

namespace emkit::python {

std::string OptionText(nb::handle value, const OptionEntry& entry) {
  PyObject* const p = value.ptr();
  if (entry.kind == OptionKind::kChoice) {
    if (nb::isinstance<nb::str>(value)) return nb::cast<std::string>(value);
  } else if (!PyBool_Check(p)) {  // a bool is an int to Python, not a number here
    if (PyIndex_Check(p)) return nb::cast<std::string>(nb::str(nb::int_(value)));
    double number = 0.0;
    if (nb::try_cast(value, number)) {
      return nb::cast<std::string>(nb::str(nb::float_(number)));
    }
  }
  throw InvalidOptionError(fmt::format("option {} = {} has the wrong type", entry.name,
                                       nb::str(value).c_str()));
}

std::vector<std::string> EngineOptionNames() {
  std::vector<std::string> names;
  for (const OptionEntry& entry : OptionEntries(FitOptions{})) names.push_back(entry.name);
  return names;
}

void RegisterOptionTables(nb::module_& m) {
  m.def(
      "engine_options",
      [] {
        nb::list out;
        for (const OptionEntry& e : OptionEntries(FitOptions{})) {
          nb::dict d;
          d["name"] = e.name;
          d["default"] = e.value;  // as text: "100", "0.001"
          d["help"] = e.help;
          d["kind"] = e.kind == OptionKind::kInteger ? "integer"
                      : e.kind == OptionKind::kNumber ? "number"
                                                      : "choice";
          out.append(d);
        }
        return out;
      },
      "The engine's option table (FitOptions): a dict per option, in order, with its "
      "name (the key of the fit functions' option dicts), default (as text), help and "
      "kind (integer, number or choice).");
}

}  // namespace emkit::python
