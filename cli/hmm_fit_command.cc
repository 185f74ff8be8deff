// emkit hmm fit: fits a hidden Markov model to the sequences in DATA.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "common.h"
#include "emkit/error.h"
#include "fit_output.h"
#include "model_kinds.h"
#include "sequences.h"

namespace emkit::cli {
namespace {

struct HmmFitArgs {
  std::string data;
  DataOptions data_options;
  SequenceOptions sequence_options;
  int k = 0;
  std::string emission = "gaussian";
  std::string covariance = CovarianceTypeName(GaussianHmmOptions{}.covariance_type);
  double reg_covar = GaussianOptions{}.reg_covar;
  double pseudo_count = CategoricalOptions{}.pseudo_count;
  double min_rate = PoissonOptions{}.min_rate;
  int n_init = FitOptions{}.n_init;
  int max_iter = FitOptions{}.max_iter;
  double tol = FitOptions{}.tol;
  std::uint64_t seed = FitOptions{}.seed;
  int threads = FitOptions{}.num_threads;
  FitOutputOptions output;

  CLI::Option* covariance_option = nullptr;
  CLI::Option* reg_covar_option = nullptr;
  CLI::Option* pseudo_count_option = nullptr;
  CLI::Option* min_rate_option = nullptr;
};

void Reject(const CLI::Option* option, const char* name, const char* emission,
            const std::string& given) {
  if (option->count() > 0) {
    throw InvalidOptionError(fmt::format("{} applies to --emission {} only, not to {}",
                                         name, emission, given));
  }
}

int RunHmmFit(const HmmFitArgs& args) {
  EmissionKind emission;
  try {
    emission = ParseEmissionKind(args.emission);
  } catch (const InvalidOptionError& e) {
    throw InvalidOptionError(fmt::format("--emission: {}", e.what()));
  }
  if (emission != EmissionKind::kGaussian) {
    Reject(args.covariance_option, "--covariance", "gaussian", args.emission);
    Reject(args.reg_covar_option, "--reg-covar", "gaussian", args.emission);
  }
  if (emission != EmissionKind::kCategorical) {
    Reject(args.pseudo_count_option, "--pseudo-count", "categorical", args.emission);
  }
  if (emission != EmissionKind::kPoisson) {
    Reject(args.min_rate_option, "--min-rate", "poisson", args.emission);
  }
  args.output.Check();

  HmmFitSpec spec;
  spec.emission = emission;
  try {
    spec.gaussian.covariance_type = ParseCovarianceType(args.covariance);
  } catch (const InvalidOptionError& e) {
    throw InvalidOptionError(fmt::format("--covariance: {}", e.what()));
  }
  spec.gaussian.hmm.n_states = args.k;
  spec.gaussian.gaussian.reg_covar = args.reg_covar;
  spec.categorical.pseudo_count = args.pseudo_count;
  spec.poisson.min_rate = args.min_rate;
  FitOptions fit_options;
  fit_options.n_init = args.n_init;
  fit_options.max_iter = args.max_iter;
  fit_options.tol = args.tol;
  fit_options.seed = args.seed;
  fit_options.num_threads = args.threads;
  fit_options.Validate();
  spec.gaussian.Validate();

  const SequenceData data =
      ReadSequences(args.data, args.data_options, args.sequence_options);
  ProgressLine progress;
  progress.Attach(args.output, &fit_options);
  std::optional<Fitted<io::AnyModel>> fitted;
  try {
    fitted = FitHmmOfKind(fit_options, spec, ViewOf(data.table.values), data.lengths);
  } catch (const InvalidDataError& e) {
    throw InvalidDataError(fmt::format("{}: {}", DisplayPath(args.data), e.what()));
  }
  progress.Finish();
  WriteFitResults(args.output, fitted->report, fitted->model, data.table.column_names);
  return kExitSuccess;
}

}  // namespace

void AddHmmFitCommand(CLI::App* hmm, std::function<int()>* run) {
  auto args = std::make_shared<HmmFitArgs>();
  CLI::App* command =
      hmm->add_subcommand("fit", "Fit a hidden Markov model to the sequences in DATA");
  command->add_option("DATA", args->data,
                      "Data file (.csv, .tsv, .txt, .npy), or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  AddSequenceOptions(command, &args->sequence_options);
  command->add_option("-k,--n-states", args->k, "Number of hidden states")->required();
  command->add_option("--emission", args->emission,
                      "gaussian, categorical (one symbol 0..V-1 per row) or poisson "
                      "(default gaussian)");
  args->covariance_option = command->add_option(
      "--covariance", args->covariance,
      "gaussian: full, diag, spherical or tied (default diag)");
  args->reg_covar_option = command->add_option(
      "--reg-covar", args->reg_covar, "gaussian: added to covariance diagonals (default 1e-6)");
  args->pseudo_count_option = command->add_option(
      "--pseudo-count", args->pseudo_count,
      "categorical: added to every count in the M-step (default 1e-10)");
  args->min_rate_option = command->add_option(
      "--min-rate", args->min_rate, "poisson: lower bound on every rate (default 1e-10)");
  command->add_option("--n-init", args->n_init, "Number of restarts (default 1)");
  command->add_option("--max-iter", args->max_iter,
                      "Maximum EM iterations per restart (default 100)");
  command->add_option("--tol", args->tol,
                      "Convergence tolerance on the mean log-likelihood gain per step "
                      "(default 1e-3)");
  command->add_option("--seed", args->seed, "Random seed (default 0)");
  command->add_option("--threads", args->threads,
                      "Worker threads, 0 for all cores (default 1); results do "
                      "not depend on it");
  AddFitOutputOptions(command, &args->output);
  command->callback([run, args] { *run = [args] { return RunHmmFit(*args); }; });
}

}  // namespace emkit::cli
