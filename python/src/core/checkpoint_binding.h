// Checkpoints of the Python fits (the file format is emkit/io/checkpoint.h,
// the command's). Every fit function of the module takes an optional
// `checkpoint` dict, built by emkit/_checkpoint.py:
//   "path", "every", "settings", "feature_names"  write the fit's progress to
//       the file at path (atomically) every `every` seconds and when a
//       Python exception (Ctrl-C) ends the fit; settings is the JSON text of
//       the object the file keeps under "settings";
//   "resume"  a Checkpoint (emkit._core.read_checkpoint) to continue from,
//       whose data must be the fit's.
// The settings are the Python side's to write and to check; this side checks
// the data against the checkpoint's fingerprint.
#ifndef EMKIT_PYTHON_CHECKPOINT_BINDING_H_
#define EMKIT_PYTHON_CHECKPOINT_BINDING_H_

#include <functional>
#include <optional>

#include <nanobind/nanobind.h>

#include "emkit/io/checkpoint.h"
#include "emkit/options.h"

namespace emkit::python {

namespace nb = nanobind;

class FitCheckpoint {
 public:
  // Does nothing when `request` is None. Otherwise checks the resumed
  // checkpoint's data against `data` (InvalidDataError "X: not the data
  // that the checkpoint PATH was made from (...)"), sets
  // options->resume_from (the float32 progress when `float_rows`) and
  // attaches a writer to *options. `data` is called once at most: a
  // fingerprint reads every value.
  FitCheckpoint(nb::handle request, const std::function<io::DataFingerprint()>& data,
                bool float_rows, FitOptions* options);

  // After a fit that a Python exception ended: writes the latest progress.
  void Flush();

 private:
  std::optional<io::CheckpointWriter> writer_;
};

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_CHECKPOINT_BINDING_H_
