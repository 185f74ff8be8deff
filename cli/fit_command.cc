// emkit fit: fits a mixture (Gaussian, Bernoulli, categorical or Poisson) to
// DATA and writes the model.

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
#include "fit_output.h"
#include "model_kinds.h"

namespace emkit::cli {
namespace {

struct FitArgs {
  std::string data;
  DataOptions data_options;
  std::string model = "gaussian";
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
  double pseudo_count = BernoulliOptions{}.pseudo_count;
  double min_rate = PoissonOptions{}.min_rate;
  std::string categorical_layout =
      CategoricalLayoutName(CategoricalOptions{}.layout);
  FitOutputOptions output;

  // Which of the model-shaping options were given, to check them against
  // --init-model.
  CLI::Option* k_option = nullptr;
  CLI::Option* covariance_option = nullptr;
  CLI::Option* init_option = nullptr;
  CLI::Option* n_init_option = nullptr;
  CLI::Option* reg_covar_option = nullptr;
  CLI::Option* pseudo_count_option = nullptr;
  CLI::Option* min_rate_option = nullptr;
  CLI::Option* layout_option = nullptr;
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

// Each option applies to some model kinds only; given for another, it is an
// error rather than silently ignored.
void CheckOptionsApply(const FitArgs& args, MixtureKind kind) {
  const auto reject = [&args](const CLI::Option* option, const char* name,
                              const char* kinds) {
    if (option->count() > 0) {
      throw InvalidOptionError(fmt::format("{} applies to --model {} only, not to {}",
                                           name, kinds, args.model));
    }
  };
  if (kind != MixtureKind::kGaussian) {
    reject(args.covariance_option, "--covariance", "gaussian");
    reject(args.reg_covar_option, "--reg-covar", "gaussian");
    if (!args.init_model.empty()) {
      throw InvalidOptionError(fmt::format(
          "--init-model applies to --model gaussian only, not to {}", args.model));
    }
  }
  if (kind != MixtureKind::kBernoulli && kind != MixtureKind::kCategorical) {
    reject(args.pseudo_count_option, "--pseudo-count", "bernoulli or categorical");
  }
  if (kind != MixtureKind::kCategorical) {
    reject(args.layout_option, "--categorical-layout", "categorical");
  }
  if (kind != MixtureKind::kPoisson) reject(args.min_rate_option, "--min-rate", "poisson");
}

int RunFit(const FitArgs& args) {
  // Everything the command can check is checked before the fit, so that a
  // bad option does not cost a fit and no output is touched.
  const CovarianceType type =
      ParseOption(ParseCovarianceType, args.covariance, "--covariance");
  const InitMethod init = ParseOption(ParseInitMethod, args.init, "--init");
  const MixtureKind kind = ParseOption(ParseMixtureKind, args.model, "--model");
  const CategoricalLayout layout =
      ParseOption(ParseCategoricalLayout, args.categorical_layout, "--categorical-layout");
  CheckOptionsApply(args, kind);
  args.output.Check();

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
  MixtureFitSpec spec;
  spec.kind = kind;
  GaussianMixtureOptions& options = spec.gaussian;
  options.n_components = init_model ? NumComponents(*init_model) : args.k;
  options.covariance_type = init_model ? CovarianceTypeOf(*init_model) : type;
  options.init = init;
  options.gaussian.reg_covar =
      init_model ? MixtureGaussianOptions(*init_model).reg_covar : args.reg_covar;
  spec.init_model = init_model ? &*init_model : nullptr;
  spec.discrete.n_components = args.k;
  spec.discrete.init = init;
  spec.bernoulli.pseudo_count = args.pseudo_count;
  spec.categorical.pseudo_count = args.pseudo_count;
  spec.categorical.layout = layout;
  spec.poisson.min_rate = args.min_rate;
  fit_options.Validate();
  switch (kind) {
    case MixtureKind::kGaussian: options.Validate(); break;
    case MixtureKind::kBernoulli: spec.bernoulli.Validate(); break;
    case MixtureKind::kCategorical: spec.categorical.Validate(); break;
    case MixtureKind::kPoisson: spec.poisson.Validate(); break;
  }
  if (kind != MixtureKind::kGaussian) spec.discrete.Validate();

  io::Table table;
  if (init_model) {
    table = ReadDataForModel(args.data, args.data_options, init_names,
                             NumFeatures(*init_model));
  } else {
    table = io::ReadTable(args.data, ToReadOptions(args.data_options));
  }

  ProgressLine progress;
  progress.Attach(args.output, &fit_options);
  std::optional<Fitted<io::AnyModel>> fitted;
  try {
    fitted = FitMixtureOfKind(fit_options, spec, ViewOf(table.values));
  } catch (const InvalidDataError& e) {
    throw InvalidDataError(
        fmt::format("{}: {}", args.data == "-" ? "<stdin>" : args.data, e.what()));
  }
  progress.Finish();
  const std::vector<std::string>& feature_names =
      !table.column_names.empty() ? table.column_names : init_names;
  WriteFitResults(args.output, fitted->report, fitted->model, feature_names);
  return kExitSuccess;
}

}  // namespace

void AddFitCommand(CLI::App* app, std::function<int()>* run) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* command = app->add_subcommand("fit", "Fit a mixture model to DATA");
  command->add_option("DATA", args->data,
                      "Data file (.csv, .tsv, .txt, .npy), or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  command->add_option("--model", args->model,
                      "gaussian, bernoulli, categorical or poisson (default gaussian)");
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
  args->pseudo_count_option = command->add_option(
      "--pseudo-count", args->pseudo_count,
      "bernoulli, categorical: added to every count in the M-step (default 1e-10)");
  args->min_rate_option = command->add_option(
      "--min-rate", args->min_rate, "poisson: lower bound on every rate (default 1e-10)");
  args->layout_option = command->add_option(
      "--categorical-layout", args->categorical_layout,
      "categorical: a row holds category counts or one symbol (counts|symbols, "
      "default counts)");
  command->add_option("--seed", args->seed, "Random seed (default 0)");
  command->add_option("--threads", args->threads,
                      "Worker threads, 0 for all cores (default 1); results do "
                      "not depend on it");
  AddFitOutputOptions(command, &args->output);
  command->callback([run, args] { *run = [args] { return RunFit(*args); }; });
}

}  // namespace emkit::cli
