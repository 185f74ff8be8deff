#include "checkpoint_binding.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "emkit/error.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

template <class T>
T Get(const nb::dict& request, const char* key) {
  if (!request.contains(key)) {
    throw InvalidOptionError(fmt::format("the checkpoint request has no \"{}\"", key));
  }
  return nb::cast<T>(request[key]);
}

std::string FingerprintText(const io::DataFingerprint& data) {
  return fmt::format("{} rows x {} columns, checksum {}", data.rows, data.columns,
                     io::ChecksumText(data.checksum));
}

}  // namespace

FitCheckpoint::FitCheckpoint(nb::handle request_handle,
                             const std::function<io::DataFingerprint()>& data,
                             bool float_rows, FitOptions* options) {
  if (request_handle.is_none()) return;
  const nb::dict request = nb::cast<nb::dict>(request_handle);
  const io::DataFingerprint fingerprint = data();
  if (request.contains("resume") && !request["resume"].is_none()) {
    const io::Checkpoint& resumed = nb::cast<const io::Checkpoint&>(request["resume"]);
    if (resumed.data != fingerprint) {
      throw InvalidDataError(fmt::format(
          "X: not the data that the checkpoint {} was made from ({}; X: {})", resumed.path,
          FingerprintText(resumed.data), FingerprintText(fingerprint)));
    }
    options->resume_from = float_rows ? io::Float32Progress(resumed) : resumed.progress;
  }
  if (request.contains("path") && !request["path"].is_none()) {
    writer_.emplace(Get<std::string>(request, "path"), Get<std::string>(request, "settings"),
                    fingerprint, Get<std::vector<std::string>>(request, "feature_names"),
                    Get<double>(request, "every"));
    writer_->Attach(options);
  }
}

void FitCheckpoint::Flush() {
  if (writer_) writer_->Flush();
}

void RegisterCheckpoints(nb::module_& m) {
  nb::class_<io::Checkpoint>(m, "Checkpoint",
                             "A checkpoint file as read back (emkit/io/checkpoint.h).")
      .def_ro("path", &io::Checkpoint::path)
      .def_ro("settings", &io::Checkpoint::settings, "the \"settings\" object, JSON text")
      .def_ro("feature_names", &io::Checkpoint::feature_names)
      .def_ro("where", &io::Checkpoint::where, "\"restart R, iteration I\" (1-based)")
      .def_prop_ro("rows", [](const io::Checkpoint& c) { return c.data.rows; })
      .def_prop_ro("columns", [](const io::Checkpoint& c) { return c.data.columns; })
      .def_prop_ro("checksum",
                   [](const io::Checkpoint& c) { return io::ChecksumText(c.data.checksum); });
  m.def("read_checkpoint", &io::ReadCheckpoint, "path"_a,
        "Reads and checks a checkpoint file: OSError when it cannot be read, "
        "ValueError naming what is wrong with it.");
  m.def(
      "lengths_fingerprint",
      [](const std::vector<std::int64_t>& lengths, std::int64_t rows) {
        const io::DataFingerprint f = io::FingerprintOfLengths(lengths, rows);
        return std::make_pair(f.rows, io::ChecksumText(f.checksum));
      },
      "lengths"_a, "rows"_a,
      "(count, checksum) of the sequences that `rows` rows are cut into, as the "
      "HMM checkpoints keep them.");
}

}  // namespace emkit::python
