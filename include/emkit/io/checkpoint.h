// Checkpoint files: the progress of a fit (emkit/fit_progress.h) saved as it
// runs, to be continued later to the very result of a fit never stopped.
// One JSON document (version 1):
//   {"format": "emkit-checkpoint", "version": 1,
//    "settings": {the caller's options that shape the result},
//    "data": {"rows": N, "columns": D, "checksum": "16 hex digits"},
//    "feature_names": [...],
//    "finished": [restart records], "best_restart": r,
//    "best_total_log_likelihood": x, "best": model or null,
//    "current": restart record, "model": model or null}
// where a model is the object of an emkit model file (emkit/io/model_file.h)
// and a restart record that of the report's "restarts"
// (emkit/io/report_json.h). Numbers are written so that they read back as
// the same doubles: a resumed fit ends bit-identical to one that was never
// stopped.
//
// Every model kind of the registry can be checkpointed (every alternative of
// AnyModel, emkit/model_registry.h, with the Gaussian variants flattened to
// their concrete Mixture<F> or HiddenMarkovModel<F>), and so can their
// engine models on float32 rows, Mixture<F, float> (emkit/mixture.h) and
// HiddenMarkovModel<F, float> (emkit/hmm.h), stored as the same parameters
// on double rows. What a model file does not hold cannot be resumed: an
// HMM whose chain has priors or fixed parameters (HmmFitParameters) is
// refused by CheckpointWriter.
#ifndef EMKIT_IO_CHECKPOINT_H_
#define EMKIT_IO_CHECKPOINT_H_

#include <any>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "emkit/matrix.h"
#include "emkit/options.h"

namespace emkit::io {

// The newest checkpoint version this emkit reads and the one it writes.
inline constexpr int kCheckpointVersion = 1;

// What identifies a data set: its shape and a checksum of its values' bits.
struct DataFingerprint {
  std::int64_t rows = 0;
  std::int64_t columns = 0;
  std::uint64_t checksum = 0;
  bool operator==(const DataFingerprint&) const = default;
};

// FNV-1a over the shape and every value's bits, in row-major order: equal
// fingerprints mean the same values with the same bits (up to collisions).
DataFingerprint FingerprintOf(const MatrixView& values);
// The same for float32 rows: the fingerprint of their values widened to
// double, so float32 rows and the float64 rows of the same values have one
// fingerprint (whether a fit ran on float32 is a setting of its own).
DataFingerprint FingerprintOf(const MatrixViewF& values);

// FingerprintOf of rows given a few at a time, in order: for rows that are
// never in memory together (a streamed file, emkit/io/row_stream.h).
class DataFingerprinter {
 public:
  // The fingerprint of `rows` x `columns` values.
  DataFingerprinter(std::int64_t rows, std::int64_t columns);
  // The next rows (`columns` columns each).
  void Add(const MatrixView& rows);
  // After all rows were added: FingerprintOf of all of them.
  DataFingerprint Finish() const;

 private:
  std::int64_t rows_;
  std::int64_t columns_;
  std::uint64_t hash_;
};

// The same for the sequences that `rows` rows are cut into: a column of
// their lengths (rows = the number of sequences, columns = 1). No lengths
// means one sequence of all rows, as the HMM fits take it, and has the
// fingerprint of {rows}.
DataFingerprint FingerprintOfLengths(std::span<const std::int64_t> lengths,
                                     std::int64_t rows);

// The checksum as the 16 lower-case hex digits a checkpoint stores.
std::string ChecksumText(std::uint64_t checksum);

// A checkpoint as read back.
struct Checkpoint {
  std::string path;      // the file it was read from, for messages
  std::string settings;  // the "settings" object as JSON text
  DataFingerprint data;
  std::vector<std::string> feature_names;
  // A FitProgress<M> for FitOptions::resume_from, M the concrete model type
  // of the registry that the checkpoint's models are (Mixture<F> or
  // HiddenMarkovModel<F>); Float32Progress gives the float32 one.
  std::any progress;
  std::string where;  // "restart R, iteration I" (1-based), for messages
};

// Reads and checks a checkpoint file: FileAccessError "PATH: cannot open:
// reason" if it cannot be read, FileFormatError "PATH: ..." naming what is
// wrong.
Checkpoint ReadCheckpoint(const std::string& path);

// The checkpoint's progress for a fit on float32 rows, whose engine model
// is Mixture<F, float> or HiddenMarkovModel<F, float> where the checkpoint
// holds Mixture<F> or HiddenMarkovModel<F>.
std::any Float32Progress(const Checkpoint& checkpoint);

// Keeps the latest progress of a fit and writes it to the checkpoint file
// (atomically, emkit/io/atomic_file.h) when `interval_seconds` have passed
// since the last write, and on Flush().
class CheckpointWriter {
 public:
  // `settings` is the text of a JSON object, stored as it is (its keys in
  // their order) and given back by ReadCheckpoint; InvalidOptionError when
  // it is not one. `feature_names` is empty or has one name per feature.
  CheckpointWriter(std::string path, const std::string& settings, DataFingerprint data,
                   std::vector<std::string> feature_names, double interval_seconds);

  // Sets fit_options->on_progress (calling the one it had first, if any).
  // The writer must outlive the fit.
  void Attach(FitOptions* fit_options);

  // Writes the latest progress if it is not on disk yet; false when the fit
  // has made no progress to save (it stopped during its first iteration).
  bool Flush();

  // Where the latest progress stands, "restart R, iteration I".
  const std::string& where() const { return where_; }

 private:
  void Save();

  std::string path_;
  std::string settings_;
  DataFingerprint data_;
  std::vector<std::string> feature_names_;
  double interval_seconds_;
  std::chrono::steady_clock::time_point last_write_;
  std::any latest_;
  std::string where_;
  bool written_ = true;
};

}  // namespace emkit::io

#endif  // EMKIT_IO_CHECKPOINT_H_
