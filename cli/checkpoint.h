// What `emkit fit` and `emkit hmm fit` share around checkpoints
// (emkit/io/checkpoint.h holds the file format): the settings as JSON, the
// checks of a resumed run against its checkpoint, and the message of an
// interrupted fit.
#ifndef EMKIT_CLI_CHECKPOINT_H_
#define EMKIT_CLI_CHECKPOINT_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "emkit/io/checkpoint.h"
#include "common.h"  // DataOptions
#include "emkit/report.h"

namespace emkit::cli {

// The settings object of a checkpoint: the options that shape a fit's result.
using CheckpointJson = nlohmann::ordered_json;

// The checkpoint's settings; FileFormatError "PATH: ..." unless they were
// written by `command` ("fit", "hmm fit").
CheckpointJson CheckpointSettings(const io::Checkpoint& checkpoint,
                                  const std::string& command);

// Throws InvalidOptionError for the first of `shaping_options` that was
// given: "--seed cannot be given with --resume: the checkpoint CK fixes it".
// The data-reading options a checkpoint fixes (--header, --no-header,
// --delimiter, --columns), written to and read from its settings.
void WriteDataSettings(const DataOptions& options, CheckpointJson* settings);
void ReadDataSettings(const CheckpointJson& settings, DataOptions* options);

void RejectShapingOptions(const std::vector<CLI::Option*>& shaping_options,
                          const std::string& checkpoint_path);

// Throws InvalidDataError "DATA: not the data that the checkpoint CK was made
// from (...)" unless `data` has the fingerprint the checkpoint holds.
void CheckSameData(const io::DataFingerprint& saved, const io::DataFingerprint& data,
                   const std::string& data_path, const std::string& checkpoint_path);

// What the command says on standard error and returns when a signal stopped
// the fit: the progress is flushed to the checkpoint (when one is written)
// and `resume_command` is how to continue it.
int ReportInterrupted(int signal_number, const FitReport& report,
                      io::CheckpointWriter* writer, const std::string& checkpoint_path,
                      const std::string& resume_command);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_CHECKPOINT_H_
