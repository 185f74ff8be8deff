#include "fit_output.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "common.h"
#include "emkit/error.h"
#include "emkit/io/report_json.h"

namespace emkit::cli {
namespace {

void PrintHumanReport(const FitReport& report) {
  std::string text = report.BriefReport() + "\n";
  if (!report.message.empty()) text += "emkit: " + report.message + "\n";
  text += fmt::format("emkit: certificate: {} iterations checked, {} violations\n",
                      report.certificate_checked, report.certificate_violations);
  text += fmt::format(
      "emkit: repairs: {} collapsed components, {} regularized covariances, {} "
      "initial covariances from data\n",
      report.repairs.collapsed_components, report.repairs.regularized_covariances,
      report.repairs.initial_covariances_from_data);
  std::fputs(text.c_str(), stderr);
}

}  // namespace

void AddFitOutputOptions(CLI::App* command, FitOutputOptions* options) {
  command->add_option("-o,--output", options->output,
                      "Write the model here (default: standard output unless --json)");
  command->add_option("--report", options->report, "Write the fit report JSON here");
  command->add_flag("--json", options->json, "Print the fit report JSON on standard output");
  command->add_flag("-q,--quiet", options->quiet, "Print nothing on standard error");
}

void FitOutputOptions::Check() const {
  CheckOutputPath(output, "-o");
  CheckOutputPath(report, "--report");
  if (!output.empty() && output == report) {
    throw InvalidOptionError("-o and --report name the same file");
  }
}

void ProgressLine::Attach(const FitOutputOptions& output, FitOptions* fit_options) {
  if (output.quiet || !isatty(STDERR_FILENO)) return;
  fit_options->callbacks.push_back([this](const IterationEvent& event) {
    std::fputs(fmt::format("\remkit: restart {} iteration {} mean log-likelihood "
                           "{:.10g}      ",
                           event.restart, event.iteration, event.mean_log_likelihood)
                   .c_str(),
               stderr);
    std::fflush(stderr);
    shown_ = true;
    return CallbackResult::kContinue;
  });
}

void ProgressLine::Finish() {
  if (shown_) std::fputs("\n", stderr);
  shown_ = false;
}

void WriteFitResults(const FitOutputOptions& output, const FitReport& report,
                     const io::AnyModel& model,
                     const std::vector<std::string>& feature_names) {
  if (!output.quiet) PrintHumanReport(report);
  // The report explains a failed fit too, so it is written either way.
  const std::string report_json = io::ReportToJson(report);
  if (!output.report.empty()) {
    WriteOutput(output.report, [&](std::ostream& out) { out << report_json; });
  }
  if (output.json) WriteOutput("-", [&](std::ostream& out) { out << report_json; });
  if (!report.IsUsable()) {
    throw CommandFailure(fmt::format(
        "the fit did not produce a usable model ({}: {}); no model was written",
        TerminationTypeName(report.termination), report.message));
  }
  const std::string model_json = io::AnyModelToJson(model, feature_names);
  if (!output.output.empty()) {
    WriteOutput(output.output, [&](std::ostream& out) { out << model_json; });
  } else if (!output.json) {
    WriteOutput("-", [&](std::ostream& out) { out << model_json; });
  } else if (!output.quiet) {
    std::fputs("emkit: note: the model was not saved (give -o MODEL.json)\n", stderr);
  }
}

}  // namespace emkit::cli
