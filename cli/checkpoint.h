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
#include "emkit/option_table.h"
#include "emkit/report.h"

namespace emkit::cli {

// The settings object of a checkpoint: the options that shape a fit's result.
using CheckpointJson = nlohmann::ordered_json;

// The checkpoint's settings; FileFormatError "PATH: ..." unless they were
// written by `command` ("fit", "hmm fit").
CheckpointJson CheckpointSettings(const io::Checkpoint& checkpoint,
                                  const std::string& command);

// The data-reading options a checkpoint fixes (--header, --no-header,
// --delimiter, --columns), written to and read from its settings.
void WriteDataSettings(const DataOptions& options, CheckpointJson* settings);
void ReadDataSettings(const CheckpointJson& settings, DataOptions* options);

// An option-table entry (emkit/option_table.h) whose value is `text`, as the
// setting named after it: a JSON number (an integer for an Integer option,
// so that a 64-bit seed keeps every digit) or the choice's name. Back from
// the setting's value to the text that SetOption reads.
void WriteOptionSetting(const OptionEntry& entry, const std::string& text,
                        CheckpointJson* settings);
std::string OptionSettingText(const OptionEntry& entry, const CheckpointJson& value);

// Throws InvalidOptionError for the first of `shaping_options` that was
// given: "--seed cannot be given with --resume: the checkpoint CK fixes it".
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
