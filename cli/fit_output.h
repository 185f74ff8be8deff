// What every fitting command (emkit fit, emkit hmm fit) does around the
// fit: a live progress line, the human report, and writing the report and
// the model.
#ifndef EMKIT_CLI_FIT_OUTPUT_H_
#define EMKIT_CLI_FIT_OUTPUT_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "emkit/fit.h"
#include "emkit/io/model_file.h"

namespace emkit::cli {

// -o, --report, --json and --quiet, as given.
struct FitOutputOptions {
  std::string output;
  std::string report;
  bool json = false;
  bool quiet = false;

  // Fails with InvalidOptionError before any work for an unwritable path or
  // -o and --report naming one file.
  void Check() const;
};

void AddFitOutputOptions(CLI::App* command, FitOutputOptions* options);

// Rewrites one terminal line per iteration.
class ProgressLine {
 public:
  // Adds the progress callback to `fit_options` when stderr is a terminal
  // and the output is not quiet.
  void Attach(const FitOutputOptions& output, FitOptions* fit_options);
  // Ends the line, so that what follows starts on a fresh one.
  void Finish();
  ~ProgressLine() { Finish(); }

 private:
  bool shown_ = false;
};

// Prints the report, writes it (even for an unusable fit, which then throws
// CommandFailure) and writes the model as the options say.
void WriteFitResults(const FitOutputOptions& output, const FitReport& report,
                     const io::AnyModel& model,
                     const std::vector<std::string>& feature_names);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_FIT_OUTPUT_H_
