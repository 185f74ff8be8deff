// Checkpoint files of `emkit fit --checkpoint FILE`, read back by
// `emkit fit DATA --resume FILE`. One JSON document:
//   {"format": "emkit-checkpoint", "version": 1,
//    "settings": {the fit command's options that shape the result},
//    "data": {"rows": N, "columns": D, "checksum": "16 hex digits"},
//    "feature_names": [...],
//    "finished": [restart records], "best_restart": r,
//    "best_total_log_likelihood": x, "best": model or null,
//    "current": restart record, "model": model or null}
// where a model is the object of an emkit model file and a restart record
// that of the report's "restarts". Numbers are written so that they read
// back as the same doubles: a resumed fit ends bit-identical to one that was
// never stopped.
#ifndef EMKIT_CLI_CHECKPOINT_H_
#define EMKIT_CLI_CHECKPOINT_H_

#include <any>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emkit/matrix.h"
#include "emkit/options.h"

namespace emkit::cli {

using CheckpointJson = nlohmann::ordered_json;

// What identifies a data set: its shape and a checksum of its values' bits.
struct DataFingerprint {
  std::int64_t rows = 0;
  std::int64_t columns = 0;
  std::uint64_t checksum = 0;
  bool operator==(const DataFingerprint&) const = default;
};

DataFingerprint FingerprintOf(const RowMatrix& values);

// A checkpoint as read back.
struct Checkpoint {
  CheckpointJson settings;
  DataFingerprint data;
  std::vector<std::string> feature_names;
  std::any progress;  // a FitProgress<M> of the mixture type that was fitted
  std::string where;  // "restart R, iteration I" (1-based), for messages
};

// Reads and checks a checkpoint file: FileAccessError if it cannot be read,
// FileFormatError "PATH: ..." naming what is wrong.
Checkpoint ReadCheckpoint(const std::string& path);

// Keeps the latest progress of a fit and writes it to the checkpoint file
// (atomically) when `interval_seconds` have passed since the last write, and
// on Flush().
class CheckpointWriter {
 public:
  CheckpointWriter(std::string path, CheckpointJson settings, DataFingerprint data,
                   std::vector<std::string> feature_names, double interval_seconds);

  // Sets fit_options->on_progress.
  void Attach(FitOptions* fit_options);

  // Writes the latest progress if it is not on disk yet; false when the fit
  // has made no progress to save (it stopped during its first iteration).
  bool Flush();

  // Where the latest progress stands, "restart R, iteration I".
  const std::string& where() const { return where_; }

 private:
  void Save();

  std::string path_;
  CheckpointJson settings_;
  DataFingerprint data_;
  std::vector<std::string> feature_names_;
  double interval_seconds_;
  std::chrono::steady_clock::time_point last_write_;
  std::any latest_;
  std::string where_;
  bool written_ = true;
};

}  // namespace emkit::cli

#endif  // EMKIT_CLI_CHECKPOINT_H_
