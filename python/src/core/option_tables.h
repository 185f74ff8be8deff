// Option tables (emkit/option_table.h) in the bindings: an options struct
// filled from a dict of Python values by option name, one generic loop for
// every option its table declares, and emkit._core.engine_options(), the
// engine's table (FitOptions::Describe) for the Python side to check itself
// against.
#ifndef EMKIT_PYTHON_OPTION_TABLES_H_
#define EMKIT_PYTHON_OPTION_TABLES_H_

#include <string>
#include <vector>

#include <nanobind/nanobind.h>

#include "emkit/option_table.h"
#include "emkit/options.h"

namespace emkit::python {

namespace nb = nanobind;

// The text SetOption reads for a Python value of `entry`: a number's for a
// number or an integer (an int's digits, so a 64-bit seed keeps every one;
// a float as Python writes it, shortest round trip, so 2.0 is no integer),
// a str for a choice. Any other type (a bool, a str for a number) is an
// InvalidOptionError naming the option.
std::string OptionText(nb::handle value, const OptionEntry& entry);

// Sets the option `name` of *options from `value`; false when its table has
// no such option. A value that does not fit is an InvalidOptionError naming
// the option.
template <HasOptionTable Options>
bool SetOptionFrom(Options* options, const std::string& name, nb::handle value) {
  for (const OptionEntry& entry : OptionEntries(*options)) {
    if (entry.name == name) return SetOption(options, name, OptionText(value, entry));
  }
  return false;
}

// Sets every option of the table that `given` holds (and is not None) and
// leaves its other keys to the caller: the fit functions' dicts hold the
// engine's options beside others.
template <HasOptionTable Options>
void SetOptionsFrom(Options* options, const nb::dict& given) {
  for (const OptionEntry& entry : OptionEntries(*options)) {
    const char* key = entry.name.c_str();
    if (given.contains(key) && !given[key].is_none()) {
      SetOption(options, entry.name, OptionText(given[key], entry));
    }
  }
}

// The engine's option names, in the table's order.
std::vector<std::string> EngineOptionNames();

void RegisterOptionTables(nb::module_& m);

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_OPTION_TABLES_H_
