// emkit hmm fit: fits a hidden Markov model to the sequences in DATA, from
// the library's initialisation or from a model file (--init-model).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "common.h"
#include "emkit/error.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"
#include "emkit/io/model_file.h"
#include "fit_output.h"
#include "model_kinds.h"
#include "sequences.h"

namespace emkit::cli {
namespace {

enum class Emission { kGaussian, kGaussianMixture, kCategorical, kPoisson, kBernoulli };

Emission ParseEmission(const std::string& name) {
  if (name == "gaussian") return Emission::kGaussian;
  if (name == "gmm") return Emission::kGaussianMixture;
  if (name == "categorical") return Emission::kCategorical;
  if (name == "poisson") return Emission::kPoisson;
  if (name == "bernoulli") return Emission::kBernoulli;
  throw InvalidOptionError(fmt::format(
      "--emission: unknown emission \"{}\" (expected gaussian, gmm, categorical, poisson "
      "or bernoulli)", name));
}

const char* EmissionName(Emission emission) {
  switch (emission) {
    case Emission::kGaussian: return "gaussian";
    case Emission::kGaussianMixture: return "gmm";
    case Emission::kCategorical: return "categorical";
    case Emission::kPoisson: return "poisson";
    case Emission::kBernoulli: return "bernoulli";
  }
  return "unknown";
}

struct HmmFitArgs {
  std::string data;
  DataOptions data_options;
  SequenceOptions sequence_options;
  int k = 0;
  std::string emission = "gaussian";
  std::string init_model;
  std::string covariance = CovarianceTypeName(GaussianHmmOptions{}.covariance_type);
  int n_mix = GmmHmmOptions{}.n_mix;
  double reg_covar = GaussianOptions{}.reg_covar;
  double pseudo_count = CategoricalOptions{}.pseudo_count;
  double min_rate = PoissonOptions{}.min_rate;
  int n_init = FitOptions{}.n_init;
  int max_iter = FitOptions{}.max_iter;
  double tol = FitOptions{}.tol;
  std::uint64_t seed = FitOptions{}.seed;
  int threads = FitOptions{}.num_threads;
  FitOutputOptions output;

  // Which options were given: to reject those that do not apply, and to
  // check the model-shaping ones against --init-model.
  CLI::Option* k_option = nullptr;
  CLI::Option* emission_option = nullptr;
  CLI::Option* covariance_option = nullptr;
  CLI::Option* n_mix_option = nullptr;
  CLI::Option* reg_covar_option = nullptr;
  CLI::Option* pseudo_count_option = nullptr;
  CLI::Option* min_rate_option = nullptr;
  CLI::Option* n_init_option = nullptr;
};

// What an initial model fixes: its emission, number of states and family
// options.
struct InitModelShape {
  Emission emission = Emission::kGaussian;
  int n_states = 0;
  std::optional<CovarianceType> covariance;
  int n_mix = 0;  // Gaussians per state (GMM emissions)
  double reg_covar = 0.0;
  double pseudo_count = 0.0;
  double min_rate = 0.0;
};

InitModelShape ShapeOf(const io::AnyModel& model, const std::string& path) {
  return VisitHmm(model, path, [](const auto& hmm) {
    using Family = std::decay_t<decltype(hmm.emissions())>;
    const Family& e = hmm.emissions();
    InitModelShape shape;
    shape.n_states = hmm.num_states();
    if constexpr (std::is_same_v<Family, Categorical>) {
      shape.emission = Emission::kCategorical;
      shape.pseudo_count = e.options().pseudo_count;
    } else if constexpr (std::is_same_v<Family, Poisson>) {
      shape.emission = Emission::kPoisson;
      shape.min_rate = e.options().min_rate;
    } else if constexpr (std::is_same_v<Family, Bernoulli>) {
      shape.emission = Emission::kBernoulli;
      shape.pseudo_count = e.options().pseudo_count;
    } else if constexpr (requires { e.num_mixture_components(); }) {
      shape.emission = Emission::kGaussianMixture;
      shape.n_mix = e.num_mixture_components();
      shape.covariance =
          ParseCovarianceType(std::decay_t<decltype(e.components())>::kCovarianceName);
      shape.reg_covar = e.components().options().reg_covar;
    } else {
      shape.emission = Emission::kGaussian;
      shape.covariance = ParseCovarianceType(Family::kCovarianceName);
      shape.reg_covar = e.options().reg_covar;
    }
    return shape;
  });
}

[[noreturn]] void Conflict(const std::string& given, const std::string& path,
                           const std::string& model_has) {
  throw InvalidOptionError(fmt::format(
      "{} conflicts with --init-model {}, which has {}; omit {} or make them "
      "agree", given, path, model_has, given.substr(0, given.find(' '))));
}

void CheckOptionsApply(const HmmFitArgs& args, Emission emission);

// The options that shape the model come from the initial model; given ones
// must agree with it.
void CheckAgainstInitModel(const HmmFitArgs& args, const InitModelShape& shape) {
  const std::string& path = args.init_model;
  if (args.emission_option->count() > 0 && ParseEmission(args.emission) != shape.emission) {
    Conflict(fmt::format("--emission {}", args.emission), path,
             fmt::format("{} emissions", EmissionName(shape.emission)));
  }
  CheckOptionsApply(args, shape.emission);
  if (args.k_option->count() > 0 && args.k != shape.n_states) {
    Conflict(fmt::format("-k {}", args.k), path, fmt::format("{} states", shape.n_states));
  }
  if (shape.covariance && args.covariance_option->count() > 0 &&
      ParseCovarianceType(args.covariance) != *shape.covariance) {
    Conflict(fmt::format("--covariance {}", args.covariance), path,
             fmt::format("covariance type {}", CovarianceTypeName(*shape.covariance)));
  }
  if (args.n_mix_option->count() > 0 && args.n_mix != shape.n_mix) {
    Conflict(fmt::format("--n-mix {}", args.n_mix), path,
             fmt::format("{} Gaussians per state", shape.n_mix));
  }
  const auto same = [&path](const CLI::Option* option, const char* name, double given,
                            const char* key, double model_value) {
    if (option->count() > 0 && given != model_value) {
      Conflict(fmt::format("{} {}", name, given), path,
               fmt::format("{} {}", key, model_value));
    }
  };
  same(args.reg_covar_option, "--reg-covar", args.reg_covar, "reg_covar", shape.reg_covar);
  same(args.pseudo_count_option, "--pseudo-count", args.pseudo_count, "pseudo_count",
       shape.pseudo_count);
  same(args.min_rate_option, "--min-rate", args.min_rate, "min_rate", shape.min_rate);
  if (args.n_init_option->count() > 0 && args.n_init != 1) {
    throw InvalidOptionError(fmt::format(
        "--n-init {} does not apply with --init-model: one fit starts from the model",
        args.n_init));
  }
}

// Each family option applies to some emissions only; given for another, it
// is an error rather than silently ignored.
void CheckOptionsApply(const HmmFitArgs& args, Emission emission) {
  const char* name = EmissionName(emission);
  const auto reject = [name](const CLI::Option* option, const char* option_name,
                             const char* emissions) {
    if (option->count() > 0) {
      throw InvalidOptionError(fmt::format("{} applies to --emission {} only, not to {}",
                                           option_name, emissions, name));
    }
  };
  if (emission != Emission::kGaussian && emission != Emission::kGaussianMixture) {
    reject(args.covariance_option, "--covariance", "gaussian or gmm");
    reject(args.reg_covar_option, "--reg-covar", "gaussian or gmm");
  }
  if (emission != Emission::kGaussianMixture) reject(args.n_mix_option, "--n-mix", "gmm");
  if (emission != Emission::kCategorical && emission != Emission::kBernoulli) {
    reject(args.pseudo_count_option, "--pseudo-count", "categorical or bernoulli");
  }
  if (emission != Emission::kPoisson) {
    reject(args.min_rate_option, "--min-rate", "poisson");
  }
}

template <class Model>
Fitted<io::AnyModel> Erase(Fitted<Model> fitted) {
  return {io::AnyModel(std::move(fitted.model)), std::move(fitted.report)};
}

template <class Model>
const Model* InitAs(const std::optional<io::AnyModel>& init) {
  return init ? &std::get<Model>(*init) : nullptr;
}

Fitted<io::AnyModel> FitEmission(const FitOptions& fit_options, const HmmFitArgs& args,
                                 Emission emission, const HmmOptions& hmm,
                                 const std::optional<io::AnyModel>& init,
                                 const MatrixView& x, std::span<const std::int64_t> lengths) {
  switch (emission) {
    case Emission::kGaussian: {
      GaussianHmmOptions options;
      options.hmm = hmm;
      options.covariance_type = ParseCovarianceType(args.covariance);
      options.gaussian.reg_covar = args.reg_covar;
      return Erase(FitGaussianHmm(fit_options, options, x, lengths,
                                  InitAs<GaussianHmmModel>(init)));
    }
    case Emission::kGaussianMixture: {
      GmmHmmOptions options;
      options.hmm = hmm;
      options.n_mix = args.n_mix;
      options.covariance_type = ParseCovarianceType(args.covariance);
      options.gaussian.reg_covar = args.reg_covar;
      return Erase(FitGmmHmm(fit_options, options, x, lengths, InitAs<GmmHmmModel>(init)));
    }
    case Emission::kCategorical: {
      if (x.cols() != 1) {
        throw InvalidDataError(fmt::format(
            "categorical emissions read one symbol per row, but the data has {} "
            "columns; pick one with --columns", x.cols()));
      }
      CategoricalOptions options;
      options.layout = CategoricalLayout::kSymbols;
      options.pseudo_count = args.pseudo_count;
      return Erase(FitCategoricalHmm(fit_options, hmm, options, x, lengths, 0,
                                     InitAs<io::CategoricalHmm>(init)));
    }
    case Emission::kPoisson: {
      PoissonOptions options;
      options.min_rate = args.min_rate;
      return Erase(FitPoissonHmm(fit_options, hmm, options, x, lengths,
                                 InitAs<io::PoissonHmm>(init)));
    }
    case Emission::kBernoulli: {
      BernoulliOptions options;
      options.pseudo_count = args.pseudo_count;
      return Erase(FitBernoulliHmm(fit_options, hmm, options, x, lengths,
                                   InitAs<io::BernoulliHmm>(init)));
    }
  }
  throw InvalidOptionError("unknown emission");
}

int RunHmmFit(const HmmFitArgs& args) {
  // Everything the command can check is checked before the data is read,
  // so that a bad option costs no fit and touches no output.
  Emission emission = ParseEmission(args.emission);
  try {
    (void)ParseCovarianceType(args.covariance);
  } catch (const InvalidOptionError& e) {
    throw InvalidOptionError(fmt::format("--covariance: {}", e.what()));
  }
  std::optional<io::AnyModel> init;
  std::vector<std::string> init_names;
  if (!args.init_model.empty()) {
    init = io::LoadAnyModel(args.init_model, &init_names);
    const InitModelShape shape = ShapeOf(*init, args.init_model);
    CheckAgainstInitModel(args, shape);
    emission = shape.emission;
  } else {
    if (args.k_option->count() == 0) {
      throw InvalidOptionError(
          "-k (the number of states) is required unless --init-model gives it");
    }
    CheckOptionsApply(args, emission);
  }
  args.output.Check();

  FitOptions fit_options;
  fit_options.n_init = init ? 1 : args.n_init;
  fit_options.max_iter = args.max_iter;
  fit_options.tol = args.tol;
  fit_options.seed = args.seed;
  fit_options.num_threads = args.threads;
  fit_options.Validate();
  HmmOptions hmm;
  hmm.n_states = init ? ShapeOf(*init, args.init_model).n_states : args.k;
  hmm.Validate();
  switch (emission) {
    case Emission::kGaussian:
    case Emission::kGaussianMixture: {
      GaussianOptions gaussian;
      gaussian.reg_covar = args.reg_covar;
      gaussian.Validate();
      if (args.n_mix < 1) {
        throw InvalidOptionError(fmt::format("--n-mix {} must be >= 1", args.n_mix));
      }
      break;
    }
    case Emission::kCategorical: {
      CategoricalOptions options;
      options.pseudo_count = args.pseudo_count;
      options.Validate();
      break;
    }
    case Emission::kBernoulli: {
      BernoulliOptions options;
      options.pseudo_count = args.pseudo_count;
      options.Validate();
      break;
    }
    case Emission::kPoisson: {
      PoissonOptions options;
      options.min_rate = args.min_rate;
      options.Validate();
      break;
    }
  }

  const SequenceData data =
      init ? ReadSequences(args.data, args.data_options, args.sequence_options, init_names,
                           io::NumFeaturesOf(*init))
           : ReadSequences(args.data, args.data_options, args.sequence_options);
  ProgressLine progress;
  progress.Attach(args.output, &fit_options);
  std::optional<Fitted<io::AnyModel>> fitted;
  try {
    fitted = FitEmission(fit_options, args, emission, hmm, init, ViewOf(data.table.values),
                         data.lengths);
  } catch (const InvalidDataError& e) {
    throw InvalidDataError(fmt::format("{}: {}", DisplayPath(args.data), e.what()));
  }
  progress.Finish();
  const std::vector<std::string>& feature_names =
      !data.table.column_names.empty() ? data.table.column_names : init_names;
  WriteFitResults(args.output, fitted->report, fitted->model, feature_names);
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
  args->k_option = command->add_option(
      "-k,--n-states", args->k,
      "Number of hidden states (required unless --init-model gives it)");
  args->emission_option = command->add_option(
      "--emission", args->emission,
      "gaussian, gmm (a mixture of --n-mix Gaussians per state), categorical (one "
      "symbol 0..V-1 per row), poisson (counts) or bernoulli (0/1 features) (default "
      "gaussian)");
  command->add_option("--init-model", args->init_model,
                      "Start EM from this HMM model file instead of an initialisation");
  args->covariance_option = command->add_option(
      "--covariance", args->covariance,
      "gaussian, gmm: full, diag, spherical or tied (default diag; for gmm, tied is "
      "one covariance per state)");
  args->n_mix_option = command->add_option(
      "--n-mix", args->n_mix, "gmm: Gaussians per state (default 1)");
  args->reg_covar_option = command->add_option(
      "--reg-covar", args->reg_covar,
      "gaussian, gmm: added to covariance diagonals (default 1e-6)");
  args->pseudo_count_option = command->add_option(
      "--pseudo-count", args->pseudo_count,
      "categorical, bernoulli: added to every count in the M-step (default 1e-10)");
  args->min_rate_option = command->add_option(
      "--min-rate", args->min_rate, "poisson: lower bound on every rate (default 1e-10)");
  args->n_init_option =
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
