// emkit fit: fits a Gaussian mixture to DATA and writes the model.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common.h"
#include "emkit/error.h"
#include "emkit/io/model_file.h"
#include "emkit/io/report_json.h"

namespace emkit::cli {
namespace {

struct FitArgs {
  std::string data;
  DataOptions data_options;
  int k = 0;
  std::string covariance = CovarianceTypeName(GaussianMixtureOptions{}.covariance_type);
  std::string init = InitMethodName(GaussianMixtureOptions{}.init);
  std::string init_model;
  int n_init = FitOptions{}.n_init;
  int max_iter = FitOptions{}.max_iter;
  double tol = FitOptions{}.tol;
  double reg_covar = GaussianOptions{}.reg_covar;
  std::uint64_t seed = FitOptions{}.seed;
  int threads = FitOptions{}.num_threads;
  std::string output;
  std::string report;
  bool json = false;
  bool quiet = false;

  // Which of the model-shaping options were given, to check them against
  // --init-model.
  CLI::Option* k_option = nullptr;
  CLI::Option* covariance_option = nullptr;
  CLI::Option* init_option = nullptr;
  CLI::Option* n_init_option = nullptr;
  CLI::Option* reg_covar_option = nullptr;
};

// Runs `parse` on an option's value, naming the option in its error.
template <class Parse>
auto ParseOption(Parse parse, const std::string& value, const char* option) {
  try {
    return parse(value);
  } catch (const InvalidOptionError& e) {
    throw InvalidOptionError(fmt::format("{}: {}", option, e.what()));
  }
}

[[noreturn]] void Conflict(const std::string& given, const std::string& path,
                           const std::string& model_has) {
  throw InvalidOptionError(fmt::format(
      "{} conflicts with --init-model {}, which has {}; omit {} or make them "
      "agree", given, path, model_has, given.substr(0, given.find(' '))));
}

// The options that shape the model come from the initial model; given ones
// must agree with it.
void CheckAgainstInitModel(const FitArgs& args, const GaussianMixtureModel& model,
                           CovarianceType type) {
  const std::string& path = args.init_model;
  if (args.k_option->count() > 0 && args.k != NumComponents(model)) {
    Conflict(fmt::format("-k {}", args.k), path,
             fmt::format("{} components", NumComponents(model)));
  }
  if (args.covariance_option->count() > 0 && type != CovarianceTypeOf(model)) {
    Conflict(fmt::format("--covariance {}", args.covariance), path,
             fmt::format("covariance type {}",
                         CovarianceTypeName(CovarianceTypeOf(model))));
  }
  const double model_reg_covar = MixtureGaussianOptions(model).reg_covar;
  if (args.reg_covar_option->count() > 0 && args.reg_covar != model_reg_covar) {
    Conflict(fmt::format("--reg-covar {}", args.reg_covar), path,
             fmt::format("reg_covar {}", model_reg_covar));
  }
  if (args.init_option->count() > 0) {
    throw InvalidOptionError(
        "--init does not apply with --init-model: the fit starts from the model");
  }
  if (args.n_init_option->count() > 0 && args.n_init != 1) {
    throw InvalidOptionError(fmt::format(
        "--n-init {} does not apply with --init-model: one fit starts from the "
        "model", args.n_init));
  }
}

// Rewrites one terminal line per iteration.
class ProgressLine {
 public:
  IterationCallback Callback() {
    return [this](const IterationEvent& event) {
      std::fputs(fmt::format("\remkit: restart {} iteration {} mean log-likelihood "
                             "{:.10g}      ",
                             event.restart, event.iteration, event.mean_log_likelihood)
                     .c_str(),
                 stderr);
      std::fflush(stderr);
      shown_ = true;
      return CallbackResult::kContinue;
    };
  }
  // Ends the line, so that what follows starts on a fresh one.
  void Finish() {
    if (shown_) std::fputs("\n", stderr);
    shown_ = false;
  }
  ~ProgressLine() { Finish(); }

 private:
  bool shown_ = false;
};

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

int RunFit(const FitArgs& args) {
  // Everything the command can check is checked before the fit, so that a
  // bad option does not cost a fit and no output is touched.
  const CovarianceType type =
      ParseOption(ParseCovarianceType, args.covariance, "--covariance");
  const InitMethod init = ParseOption(ParseInitMethod, args.init, "--init");
  CheckOutputPath(args.output, "-o");
  CheckOutputPath(args.report, "--report");
  if (!args.output.empty() && args.output == args.report) {
    throw InvalidOptionError("-o and --report name the same file");
  }

  std::optional<GaussianMixtureModel> init_model;
  std::vector<std::string> init_names;
  if (!args.init_model.empty()) {
    init_model = io::LoadModel(args.init_model, &init_names);
    CheckAgainstInitModel(args, *init_model, type);
  } else if (args.k_option->count() == 0) {
    throw InvalidOptionError(
        "-k (the number of components) is required unless --init-model gives it");
  }

  FitOptions fit_options;
  fit_options.max_iter = args.max_iter;
  fit_options.tol = args.tol;
  fit_options.n_init = init_model ? 1 : args.n_init;
  fit_options.seed = args.seed;
  fit_options.num_threads = args.threads;
  GaussianMixtureOptions options;
  options.n_components = init_model ? NumComponents(*init_model) : args.k;
  options.covariance_type = init_model ? CovarianceTypeOf(*init_model) : type;
  options.init = init;
  options.gaussian.reg_covar =
      init_model ? MixtureGaussianOptions(*init_model).reg_covar : args.reg_covar;
  fit_options.Validate();
  options.Validate();

  io::Table table;
  if (init_model) {
    table = ReadDataForModel(args.data, args.data_options, init_names,
                             NumFeatures(*init_model));
  } else {
    table = io::ReadTable(args.data, ToReadOptions(args.data_options));
  }

  ProgressLine progress;
  if (!args.quiet && isatty(STDERR_FILENO)) {
    fit_options.callbacks.push_back(progress.Callback());
  }
  std::optional<Fitted<GaussianMixtureModel>> fitted;
  try {
    fitted = FitGaussianMixture(fit_options, options, ViewOf(table.values), nullptr,
                                init_model ? &*init_model : nullptr);
  } catch (const InvalidDataError& e) {
    throw InvalidDataError(
        fmt::format("{}: {}", args.data == "-" ? "<stdin>" : args.data, e.what()));
  }
  const GaussianMixtureModel& model = fitted->model;
  const FitReport& report = fitted->report;
  progress.Finish();
  if (!args.quiet) PrintHumanReport(report);

  // The report explains a failed fit too, so it is written either way.
  const std::string report_json = io::ReportToJson(report);
  if (!args.report.empty()) {
    WriteOutput(args.report, [&](std::ostream& out) { out << report_json; });
  }
  if (args.json) WriteOutput("-", [&](std::ostream& out) { out << report_json; });
  if (!report.IsUsable()) {
    throw CommandFailure(fmt::format(
        "the fit did not produce a usable model ({}: {}); no model was written",
        TerminationTypeName(report.termination), report.message));
  }

  const std::vector<std::string>& feature_names =
      !table.column_names.empty() ? table.column_names : init_names;
  const std::string model_json = io::ModelToJson(model, feature_names);
  if (!args.output.empty()) {
    WriteOutput(args.output, [&](std::ostream& out) { out << model_json; });
  } else if (!args.json) {
    WriteOutput("-", [&](std::ostream& out) { out << model_json; });
  } else if (!args.quiet) {
    std::fputs("emkit: note: the model was not saved (give -o MODEL.json)\n", stderr);
  }
  return kExitSuccess;
}

}  // namespace

void AddFitCommand(CLI::App* app, std::function<int()>* run) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* command = app->add_subcommand("fit", "Fit a Gaussian mixture to DATA");
  command->add_option("DATA", args->data,
                      "Data file (.csv, .tsv, .txt, .npy), or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  args->k_option = command->add_option("-k,--n-components", args->k,
                                       "Number of components (required unless "
                                       "--init-model gives it)");
  args->covariance_option = command->add_option(
      "--covariance", args->covariance, "full, diag, spherical or tied (default full)");
  args->init_option = command->add_option(
      "--init", args->init, "kmeans++, random or random_from_data (default kmeans++)");
  command->add_option("--init-model", args->init_model,
                      "Start EM from this model file instead of an initialisation");
  args->n_init_option =
      command->add_option("--n-init", args->n_init, "Number of restarts (default 1)");
  command->add_option("--max-iter", args->max_iter,
                      "Maximum EM iterations per restart (default 100)");
  command->add_option("--tol", args->tol,
                      "Convergence tolerance on the mean log-likelihood gain "
                      "(default 1e-3)");
  args->reg_covar_option = command->add_option(
      "--reg-covar", args->reg_covar, "Added to covariance diagonals (default 1e-6)");
  command->add_option("--seed", args->seed, "Random seed (default 0)");
  command->add_option("--threads", args->threads,
                      "Worker threads, 0 for all cores (default 1); results do "
                      "not depend on it");
  command->add_option("-o,--output", args->output,
                      "Write the model here (default: standard output unless --json)");
  command->add_option("--report", args->report, "Write the fit report JSON here");
  command->add_flag("--json", args->json, "Print the fit report JSON on standard output");
  command->add_flag("-q,--quiet", args->quiet, "Print nothing on standard error");
  command->callback([run, args] { *run = [args] { return RunFit(*args); }; });
}

}  // namespace emkit::cli
