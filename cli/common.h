// What the emkit subcommands share: data options, reading data for a model,
// writing outputs, and turning exceptions into messages and exit codes.
#ifndef EMKIT_CLI_COMMON_H_
#define EMKIT_CLI_COMMON_H_

#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "emkit/gaussian_mixture.h"
#include "emkit/io/table.h"

namespace emkit::cli {

// Exit codes that scripts rely on.
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;  // the work itself failed
inline constexpr int kExitUsage = 2;    // bad input, options or usage

// A failure that is not the input's fault (exit code 1), e.g. a fit that
// produced no usable model.
class CommandFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --header / --no-header, --delimiter and --columns, as given.
struct DataOptions {
  bool header = false;
  bool no_header = false;
  std::string delimiter;
  std::string columns;
};

void AddDataOptions(CLI::App* command, DataOptions* options);

// The reader options the flags describe; throws InvalidOptionError for an
// unknown delimiter.
io::TableReadOptions ToReadOptions(const DataOptions& options);

// "tab", "\t", "\\t", "comma", "space", "semicolon" or a single character.
char ParseDelimiter(const std::string& text);

// Reads DATA for use with a model of `num_features` features. When the
// model has feature names, the data has a header and --columns is not
// given, the columns are picked and ordered by name; a missing name is an
// error that names it. Otherwise the data must have num_features columns.
io::Table ReadDataForModel(const std::string& path, const DataOptions& options,
                           const std::vector<std::string>& feature_names,
                           int num_features);

// ReadDataForModel's choice: whether the columns named `names` (a header)
// are picked by the model's feature names.
bool SelectsColumnsByName(const DataOptions& options,
                          const std::vector<std::string>& feature_names,
                          const std::vector<std::string>& names);
// The index in `names` of each feature name; FileFormatError "PATH: ..."
// naming a feature that is missing or appears more than once.
std::vector<std::size_t> ColumnsByName(const std::string& path,
                                       const std::vector<std::string>& feature_names,
                                       const std::vector<std::string>& names);

// ReadDataForModel's column matching for a table already read.
void MatchModelColumns(const std::string& path, const DataOptions& options,
                       const std::vector<std::string>& feature_names, int num_features,
                       io::Table* table);

// InvalidDataError "PATH: the data has N columns, but the model has M
// features; ..." unless num_columns == num_features.
void CheckModelColumns(const std::string& path, Eigen::Index num_columns, int num_features);

// `path` as messages name it: "<stdin>" for "-".
std::string DisplayPath(const std::string& path);

// Fails with InvalidOptionError unless `path` ("" and "-" mean standard
// output) can be created: its directory exists. Checked before any work so
// that a long fit does not end in an unwritable path.
void CheckOutputPath(const std::string& path, const char* option);

// Writes to `path` atomically, or to standard output for "" and "-".
// Failures to write are CommandFailure naming the path.
void WriteOutput(const std::string& path,
                 const std::function<void(std::ostream&)>& write);

// Runs `command` and maps what it throws to "emkit: error: ..." on standard
// error and an exit code.
int RunReportingErrors(const std::function<int()>& command);

// The message on one line, prefixed "emkit: error: ", on standard error.
void PrintError(const std::string& message);

// Subcommands: each registers its options and sets *run to the action.
void AddFitCommand(CLI::App* app, std::function<int()>* run);
void AddPredictCommand(CLI::App* app, std::function<int()>* run);
void AddScoreCommand(CLI::App* app, std::function<int()>* run);
void AddSampleCommand(CLI::App* app, std::function<int()>* run);
void AddInfoCommand(CLI::App* app, std::function<int()>* run);
// emkit hmm fit | decode | score | sample; AddHmmFitCommand adds fit to the
// hmm command.
void AddHmmCommands(CLI::App* app, std::function<int()>* run);
void AddHmmFitCommand(CLI::App* hmm, std::function<int()>* run);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_COMMON_H_
