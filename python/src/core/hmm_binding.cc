// emkit._core.hmm_*: hidden Markov models with Gaussian (four covariance
// types), categorical (symbols) and Poisson emissions. Stateless: every call
// gets the family's name and its parameters as a dict of C-contiguous
// float64 arrays (hmmlearn's names and shapes: startprob, transmat, means,
// covars, emissionprob, lambdas), builds the model, and returns new arrays.
// Fits and predictions run without the GIL.
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "arrays.h"
#include "bindings.h"
#include "checkpoint_binding.h"
#include "iteration_hook.h"
#include "models.h"
#include "option_tables.h"
#include "emkit/error.h"
#include "emkit/families/categorical.h"
#include "emkit/families/gaussian_mixture_emission.h"
#include "emkit/families/poisson.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/io/report_json.h"
#include "emkit/random.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

using Lengths = std::vector<std::int64_t>;

constexpr std::size_t kAnySize = static_cast<std::size_t>(-1);

InputArray Get(const nb::dict& d, const char* key, std::size_t size) {
  InputArray a;
  if (!d.contains(key) || !nb::try_cast(d[key], a, /*convert=*/false)) {
    throw InvalidDataError(
        fmt::format("{} must be given as a C-contiguous float64 array", key));
  }
  if (size != kAnySize && a.size() != size) {
    throw InvalidDataError(fmt::format("{} has {} values, expected {}", key, a.size(), size));
  }
  return a;
}

RowMatrix MatrixOf(const InputArray& a, Eigen::Index rows, Eigen::Index cols) {
  return Eigen::Map<const RowMatrix>(a.data(), rows, cols);
}

}  // namespace

// params must hold startprob and transmat, and the family's arrays;
// n_features is D (Gaussian, Poisson) or the number of symbols (categorical).
AnyHmm BuildHmm(const std::string& family, const nb::dict& p, Eigen::Index d, double floor,
                HmmFitParameters fit) {
  const InputArray start = Get(p, "startprob", kAnySize);
  const Eigen::Index k = static_cast<Eigen::Index>(start.size());
  if (k == 0) throw InvalidDataError("startprob is empty");
  const MarkovChain chain(Eigen::Map<const Vector>(start.data(), k),
                          MatrixOf(Get(p, "transmat", k * k), k, k));
  auto make = [&](auto emissions) -> AnyHmm {
    return HiddenMarkovModel<decltype(emissions)>(chain, std::move(emissions), fit);
  };
  if (family == "categorical") {
    CategoricalOptions o;
    o.layout = CategoricalLayout::kSymbols;
    o.pseudo_count = floor;
    if (p.contains("emissionprob_prior")) {
      o.dirichlet_prior = MatrixOf(Get(p, "emissionprob_prior", k * d), k, d);
    }
    return make(Categorical(MatrixOf(Get(p, "emissionprob", k * d), k, d), o));
  }
  if (family == "poisson") {
    PoissonOptions o;
    o.min_rate = floor;
    if (p.contains("lambdas_prior")) {
      o.prior_sums = MatrixOf(Get(p, "lambdas_prior", k * d), k, d);
      o.prior_weights = MatrixOf(Get(p, "lambdas_weight", k * d), k, d);
    }
    return make(Poisson(MatrixOf(Get(p, "lambdas", k * d), k, d), o));
  }
  GaussianOptions o;
  o.reg_covar = floor;
  // A GMM-HMM ("gmm-<type>") has k*m inner components, state-major, and
  // weights (k x m); a Gaussian HMM has k components.
  const bool gmm = family.rfind("gmm-", 0) == 0;
  const Eigen::Index m =
      gmm ? static_cast<Eigen::Index>(Get(p, "weights", kAnySize).size()) / k : 1;
  const Eigen::Index r = k * m;
  const RowMatrix means = MatrixOf(Get(p, "means", r * d), r, d);
  // GaussianTied is a Gaussian HMM's tied family only, GaussianGroupTied
  // (one covariance per state) a GMM-HMM's only.
  auto wrap = [&](auto gaussians) -> AnyHmm {
    using G = decltype(gaussians);
    if constexpr (std::is_same_v<G, GaussianTied>) {
      return make(std::move(gaussians));
    } else if constexpr (std::is_same_v<G, GaussianGroupTied>) {
      return make(GaussianMixtureEmission<G>(MatrixOf(Get(p, "weights", r), k, m),
                                             std::move(gaussians)));
    } else {
      if (!gmm) return make(std::move(gaussians));
      return make(GaussianMixtureEmission<G>(MatrixOf(Get(p, "weights", r), k, m),
                                             std::move(gaussians)));
    }
  };
  switch (ParseCovarianceType(gmm ? family.substr(4) : family)) {
    case CovarianceType::kFull: {
      const InputArray c = Get(p, "covars", r * d * d);
      std::vector<Eigen::MatrixXd> covariances;
      for (Eigen::Index i = 0; i < r; ++i) {
        covariances.emplace_back(Eigen::Map<const RowMatrix>(c.data() + i * d * d, d, d));
      }
      return wrap(GaussianFull(means, std::move(covariances), o));
    }
    case CovarianceType::kDiag:
      return wrap(GaussianDiag(means, MatrixOf(Get(p, "covars", r * d), r, d), o));
    case CovarianceType::kSpherical: {
      const InputArray c = Get(p, "covars", r);
      return wrap(GaussianSpherical(
          means,
          GaussianSpherical::SphericalVariances(Eigen::Map<const Vector>(c.data(), r),
                                                static_cast<int>(d)),
          o));
    }
    case CovarianceType::kTied: {
      if (!gmm) return wrap(GaussianTied(means, MatrixOf(Get(p, "covars", d * d), d, d), o));
      // One covariance per state (k x d x d), shared by its m Gaussians.
      const InputArray c = Get(p, "covars", k * d * d);
      std::vector<GaussianTied> groups;
      for (Eigen::Index s = 0; s < k; ++s) {
        groups.emplace_back(means.middleRows(s * m, m),
                            Eigen::Map<const RowMatrix>(c.data() + s * d * d, d, d), o);
      }
      return wrap(GaussianGroupTied(std::move(groups)));
    }
  }
  throw InvalidOptionError("unknown HMM family " + family);
}

namespace {

// means (rows x D) and covars (full: rows x D x D, diag: rows x D,
// spherical: rows, tied: D x D, tied per state: K x D x D) of one Gaussian
// family.
template <class G>
void GaussianParameters(const G& e, nb::dict* p) {
  (*p)["means"] = NumpyMatrix(e.means());
  if constexpr (std::is_same_v<G, GaussianFull>) {
    const std::size_t k = e.covariances().size();
    const std::size_t d = static_cast<std::size_t>(e.num_features());
    std::vector<double> flat;
    for (const Eigen::MatrixXd& c : e.covariances()) {
      const RowMatrix r = c;
      flat.insert(flat.end(), r.data(), r.data() + r.size());
    }
    (*p)["covars"] = OwningArray(std::move(flat), {k, d, d});
  } else if constexpr (std::is_same_v<G, GaussianTied>) {
    (*p)["covars"] = NumpyMatrix(e.covariance());
  } else if constexpr (std::is_same_v<G, GaussianGroupTied>) {
    const std::size_t d = static_cast<std::size_t>(e.num_features());
    std::vector<double> flat;
    for (const GaussianTied& group : e.groups()) {
      const RowMatrix r = group.covariance();
      flat.insert(flat.end(), r.data(), r.data() + r.size());
    }
    (*p)["covars"] = OwningArray(std::move(flat), {e.groups().size(), d, d});
  } else if constexpr (std::is_same_v<G, GaussianSpherical>) {
    (*p)["covars"] = NumpyVector(e.variances().col(0));
  } else {
    (*p)["covars"] = NumpyMatrix(e.variances());
  }
}

}  // namespace

nb::dict HmmParametersOf(const AnyHmm& model) {
  return std::visit(
      [](const auto& h) {
        using F = std::decay_t<decltype(h.emissions())>;
        const F& e = h.emissions();
        nb::dict p;
        p["startprob"] = NumpyVector(h.start());
        p["transmat"] = NumpyMatrix(h.transitions());
        if constexpr (std::is_same_v<F, Categorical>) {
          p["emissionprob"] = NumpyMatrix(e.probabilities());
        } else if constexpr (std::is_same_v<F, Poisson>) {
          p["lambdas"] = NumpyMatrix(e.rates());
        } else {
          if constexpr (requires { e.weights(); }) {
            p["weights"] = NumpyMatrix(e.weights());
            GaussianParameters(e.components(), &p);
          } else {
            GaussianParameters(e, &p);
          }
        }
        return p;
      },
      model);
}

namespace {

// Rejects data the family cannot score, naming the first bad element.
void ValidateData(const AnyHmm& model, const MatrixView& x) {
  std::visit(
      [&](const auto& h) {
        using F = std::decay_t<decltype(h.emissions())>;
        if constexpr (std::is_same_v<F, Categorical>) {
          h.emissions().ValidateData(x);
        } else {
          if (x.cols() != h.emissions().num_features()) {
            throw InvalidDataError(fmt::format(
                "X has {} features, but the model has {}", x.cols(),
                h.emissions().num_features()));
          }
          if constexpr (std::is_same_v<F, Poisson>) Poisson::ValidateData(x);
        }
      },
      model);
}

template <class T>
T Option(const nb::dict& o, const char* key, T fallback) {
  return o.contains(key) && !o[key].is_none() ? nb::cast<T>(o[key]) : fallback;
}

// (parameters, report as JSON, one-line report, full report). options: fit
// ("stmc..." letters to update), init_emissions (Gaussian: k-means++ emissions,
// the other families' must be given), max_iter, tol, seed, num_threads, floor
// (reg_covar, pseudo_count or min_rate), callback; `checkpoint` as
// checkpoint_binding.h says.
std::tuple<nb::dict, std::string, std::string, std::string> Fit(
    const std::string& family, const nb::dict& params, std::int64_t n_features,
    InputMatrix x, const Lengths& lengths, const nb::dict& options,
    nb::handle checkpoint_request) {
  FitOptions fo;
  SetOptionsFrom(&fo, options);  // max_iter, tol, seed, num_threads
  const double floor = Option<double>(options, "floor", 0.0);
  const std::string letters = Option<std::string>(options, "fit", "stmc");
  HmmFitParameters fit;
  fit.start = letters.find('s') != std::string::npos;
  fit.transitions = letters.find('t') != std::string::npos;
  fit.emissions = letters.find_first_not_of("st") != std::string::npos;
  const bool init_emissions = Option<bool>(options, "init_emissions", false);
  nb::object callback = options.contains("callback") ? nb::object(options["callback"])
                                                     : nb::none();

  std::optional<nb::python_error> pending;
  fo.callbacks.push_back(PythonIterationHook(&pending, [&callback](const IterationEvent& e) {
    if (!callback.is_none()) callback(e.iteration, e.mean_log_likelihood);
    return CallbackResult::kContinue;
  }));

  const MatrixView view = ViewOf(x);
  FitCheckpoint checkpoint(
      checkpoint_request, [&] { return io::FingerprintOf(view); }, false, &fo);
  const InputArray start = Get(params, "startprob", kAnySize);
  const Eigen::Index k = static_cast<Eigen::Index>(start.size());
  // Priors: the chain's go to HmmOptions, the family's to its options (as
  // BuildHmm reads them from the parameter dict).
  ChainPriors chain_priors;
  nb::dict model_params;
  for (auto [key, value] : params) model_params[key] = value;
  if (options.contains("priors") && !options["priors"].is_none()) {
    const nb::dict priors = nb::cast<nb::dict>(options["priors"]);
    for (auto [key, value] : priors) model_params[key] = value;
    if (priors.contains("startprob_prior")) {
      chain_priors.start =
          Eigen::Map<const Vector>(Get(priors, "startprob_prior", k).data(), k);
    }
    if (priors.contains("transmat_prior")) {
      chain_priors.transitions = MatrixOf(Get(priors, "transmat_prior", k * k), k, k);
    }
  }
  // All ones is the maximum-likelihood M-step: dropped, so that the
  // engine's certificate stays about the likelihood.
  if ((chain_priors.start.array() == 1.0).all() &&
      (chain_priors.transitions.array() == 1.0).all()) {
    chain_priors = ChainPriors{};
  }
  std::optional<AnyHmm> fitted;
  FitReport report;
  if (init_emissions && family != "categorical" && family != "poisson" &&
      family.rfind("gmm-", 0) != 0) {
    GaussianHmmOptions go;
    go.covariance_type = ParseCovarianceType(family);
    go.gaussian.reg_covar = floor;
    go.hmm.n_states = static_cast<int>(k);
    go.hmm.fit = fit;
    go.hmm.start = Eigen::Map<const Vector>(start.data(), k);
    go.hmm.transitions = MatrixOf(Get(params, "transmat", k * k), k, k);
    go.hmm.priors = chain_priors;
    std::optional<Fitted<GaussianHmmModel>> f;
    {
      nb::gil_scoped_release release;
      f.emplace(FitGaussianHmm(fo, go, view, lengths));
    }
    std::visit([&](auto& h) { fitted.emplace(std::move(h)); }, f->model);
    report = std::move(f->report);
  } else {
    AnyHmm initial = BuildHmm(family, model_params, n_features, floor, fit);
    ValidateData(initial, view);
    nb::gil_scoped_release release;
    std::visit(
        [&](const auto& h) {
          using F = std::decay_t<decltype(h.emissions())>;
          HmmOptions ho;
          ho.n_states = h.num_states();
          ho.fit = fit;
          ho.start = h.start();
          ho.transitions = h.transitions();
          ho.priors = chain_priors;
          const SequenceBlocks blocks(view, lengths, 0);
          Fitted<HiddenMarkovModel<F>> f = FitHmm<F>(
              fo, ho, blocks, [&](const InitContext&) { return h.emissions(); });
          fitted.emplace(std::move(f.model));
          report = std::move(f.report);
        },
        initial);
  }
  if (pending) {
    checkpoint.Flush();
    throw std::move(*pending);
  }
  return {HmmParametersOf(*fitted), io::ReportToJson(report, -1), report.BriefReport(),
          report.FullReport()};
}

// Runs f(hmm) without the GIL on the model the parameters describe.
template <class Function>
auto WithModel(const std::string& family, const nb::dict& params, std::int64_t n_features,
               const MatrixView* x, Function&& f) {
  const AnyHmm model = BuildHmm(family, params, n_features, 0.0, {});
  if (x != nullptr) ValidateData(model, *x);
  nb::gil_scoped_release release;
  return std::visit(std::forward<Function>(f), model);
}

nb::object Labels(const std::vector<int>& l) {
  std::vector<std::int64_t> out(l.begin(), l.end());
  const std::size_t n = out.size();
  return OwningArray(std::move(out), {n});
}

}  // namespace

void RegisterHmm(nb::module_& m) {
  m.def("hmm_fit", &Fit, "family"_a, "params"_a, "n_features"_a, "x"_a.noconvert(),
        "lengths"_a, "options"_a, "checkpoint"_a = nb::none(),
        "Baum-Welch from the given parameters, writing or resuming a checkpoint as "
        "the checkpoint dict asks (emkit/_checkpoint.py). Returns (params, "
        "report_json, brief_report, full_report).");
  m.def(
      "hmm_score",
      [](const std::string& family, const nb::dict& params, std::int64_t d, InputMatrix x,
         const Lengths& lengths) {
        const MatrixView v = ViewOf(x);
        return NumpyVector(WithModel(family, params, d, &v, [&](const auto& h) {
          return h.SequenceLogLikelihoods(v, lengths);
        }));
      },
      "family"_a, "params"_a, "n_features"_a, "x"_a.noconvert(), "lengths"_a,
      "log p(sequence) of each sequence.");
  m.def(
      "hmm_predict_proba",
      [](const std::string& family, const nb::dict& params, std::int64_t d, InputMatrix x,
         const Lengths& lengths) {
        const MatrixView v = ViewOf(x);
        return NumpyMatrix(WithModel(family, params, d, &v, [&](const auto& h) {
          return h.PredictProba(v, lengths);
        }));
      },
      "family"_a, "params"_a, "n_features"_a, "x"_a.noconvert(), "lengths"_a);
  m.def(
      "hmm_viterbi",
      [](const std::string& family, const nb::dict& params, std::int64_t d, InputMatrix x,
         const Lengths& lengths) {
        const MatrixView v = ViewOf(x);
        double logprob = 0.0;
        const std::vector<int> states = WithModel(
            family, params, d, &v, [&](const auto& h) { return h.Viterbi(v, lengths, &logprob); });
        return std::make_pair(logprob, Labels(states));
      },
      "family"_a, "params"_a, "n_features"_a, "x"_a.noconvert(), "lengths"_a,
      "(total log p(x, z) of the best paths, the states).");
  m.def(
      "hmm_sample",
      [](const std::string& family, const nb::dict& params, std::int64_t d, std::int64_t n,
         std::uint64_t seed) {
        std::vector<int> states;
        RowMatrix draws = WithModel(family, params, d, nullptr, [&](const auto& h) {
          Rng rng(seed);
          return h.Sample(n, rng, &states);
        });
        return std::make_pair(NumpyMatrix(std::move(draws)), Labels(states));
      },
      "family"_a, "params"_a, "n_features"_a, "n"_a, "seed"_a);
}

}  // namespace emkit::python
