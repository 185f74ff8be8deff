// emkit: fit mixtures and hidden Markov models by EM and use them, from the
// shell.
// Exit codes: 0 success, 2 bad input or usage, 1 any other failure.

#include <exception>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "common.h"

namespace emkit::cli {
namespace {

int Main(int argc, char** argv) {
  // The subcommands' options live in `app`, so it outlives the run.
  CLI::App app("Fit mixtures and hidden Markov models by EM and use them", "emkit");
  app.set_version_flag("--version", std::string("emkit ") + EMKIT_VERSION);
  app.require_subcommand(1);
  std::function<int()> run;
  AddFitCommand(&app, &run);
  AddPredictCommand(&app, &run);
  AddScoreCommand(&app, &run);
  AddSampleCommand(&app, &run);
  AddInfoCommand(&app, &run);
  AddHmmCommands(&app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(e.what());
    return kExitUsage;
  }
  if (!run) {
    PrintError("no command given; see emkit --help");
    return kExitUsage;
  }
  return RunReportingErrors(run);
}

}  // namespace
}  // namespace emkit::cli

int main(int argc, char** argv) {
  try {
    return emkit::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    emkit::cli::PrintError(e.what());
  } catch (...) {
    emkit::cli::PrintError("unknown failure");
  }
  return emkit::cli::kExitFailure;
}
