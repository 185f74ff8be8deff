// The per-iteration hook every fit in the module runs with. It takes the GIL,
// turns a pending Ctrl-C into an aborted fit (the KeyboardInterrupt is kept
// in *pending and raised once the fit has returned, with the GIL held), and
// runs the user's Python callback through `call_user`, whose exceptions are
// kept the same way.
#ifndef EMKIT_PYTHON_ITERATION_HOOK_H_
#define EMKIT_PYTHON_ITERATION_HOOK_H_

#include <optional>
#include <utility>

#include <nanobind/nanobind.h>

#include "emkit/options.h"

namespace emkit::python {

// `call_user(const IterationEvent&) -> CallbackResult` runs with the GIL
// held. It must hold Python objects by reference only: the engine copies
// its callbacks while the GIL is released.
template <class CallUser>
IterationCallback PythonIterationHook(std::optional<nanobind::python_error>* pending,
                                      CallUser call_user) {
  return [pending, call_user](const IterationEvent& e) {
    nanobind::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) {
      pending->emplace();  // takes the raised exception (KeyboardInterrupt)
      return CallbackResult::kAbort;
    }
    try {
      return call_user(e);
    } catch (nanobind::python_error& error) {
      pending->emplace(std::move(error));
      return CallbackResult::kAbort;
    }
  };
}

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_ITERATION_HOOK_H_
