// The parts of the emkit._core module, each registered by its own file.
#ifndef EMKIT_PYTHON_BINDINGS_H_
#define EMKIT_PYTHON_BINDINGS_H_

#include <nanobind/nanobind.h>

namespace emkit::python {

namespace nb = nanobind;

void RegisterFit(nb::module_& m);      // fit_binding.cc
void RegisterErrors(nb::module_& m);   // module.cc
void RegisterHmm(nb::module_& m);      // hmm_binding.cc
void RegisterRegistry(nb::module_& m);    // registry_binding.cc
void RegisterOptionTables(nb::module_& m);  // option_tables.cc
void RegisterCheckpoints(nb::module_& m);   // checkpoint_binding.cc
void RegisterStepwise(nb::module_& m);      // stepwise_binding.cc

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_BINDINGS_H_
