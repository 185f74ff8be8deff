// The extension module emkit._core. Errors from the C++ library arrive as
// Python's: invalid options, data and files (std::invalid_argument) as
// ValueError, operating-system failures on files as OSError.
#include <nanobind/nanobind.h>

#include "bindings.h"
#include "emkit/error.h"

namespace emkit::python {

void RegisterErrors(nb::module_& m) {
  (void)m;
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const FileAccessError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });
}

}  // namespace emkit::python

NB_MODULE(_core, m) {
  m.doc() = "emkit's C++ core: Gaussian and discrete mixtures, hidden Markov models, model files.";
  emkit::python::RegisterErrors(m);
  emkit::python::RegisterFit(m);
  emkit::python::RegisterHmm(m);
  emkit::python::RegisterRegistry(m);
  emkit::python::RegisterOptionTables(m);
  emkit::python::RegisterCheckpoints(m);
  emkit::python::RegisterStepwise(m);
}
