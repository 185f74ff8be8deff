// emkit._core.mixture_*: mixtures of the discrete families (Bernoulli,
// categorical counts, Poisson). Stateless like the HMM functions: the family's
// name and its parameters (weights, and probabilities or rates) come as a
// dict of C-contiguous float64 arrays, and results are new arrays. Fits and
// predictions run without the GIL.
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

#include "arrays.h"
#include "bindings.h"
#include "iteration_hook.h"
#include "models.h"
#include "emkit/discrete_mixture.h"
#include "emkit/error.h"
#include "emkit/io/report_json.h"
#include "emkit/random.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

RowMatrix Array(const nb::dict& d, const char* key, Eigen::Index rows, Eigen::Index cols) {
  InputArray a;
  if (!d.contains(key) || !nb::try_cast(d[key], a, /*convert=*/false) ||
      a.size() != static_cast<std::size_t>(rows * cols)) {
    throw InvalidDataError(fmt::format(
        "{} must be a C-contiguous float64 array of {} x {} values", key, rows, cols));
  }
  return Eigen::Map<const RowMatrix>(a.data(), rows, cols);
}

}  // namespace

AnyMixture BuildMixture(const std::string& family, const nb::dict& p, Eigen::Index k,
                        Eigen::Index d, double floor) {
  const Vector weights = Array(p, "weights", k, 1).col(0);
  if (family == "bernoulli") {
    BernoulliOptions o;
    o.pseudo_count = floor;
    return BernoulliMixture(weights, Bernoulli(Array(p, "probabilities", k, d), o));
  }
  if (family == "categorical") {
    CategoricalOptions o;
    o.pseudo_count = floor;
    return CategoricalMixture(weights, Categorical(Array(p, "probabilities", k, d), o));
  }
  if (family == "poisson") {
    PoissonOptions o;
    o.min_rate = floor;
    return PoissonMixture(weights, Poisson(Array(p, "rates", k, d), o));
  }
  throw InvalidOptionError("unknown mixture family " + family);
}

nb::dict MixtureParametersOf(const AnyMixture& model) {
  return std::visit(
      [](const auto& m) {
        nb::dict p;
        p["weights"] = NumpyVector(m.weights());
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, PoissonMixture>) {
          p["rates"] = NumpyMatrix(m.components().rates());
        } else {
          p["probabilities"] = NumpyMatrix(m.components().probabilities());
        }
        return p;
      },
      model);
}

namespace {

void ValidateData(const AnyMixture& model, const MatrixView& x) {
  std::visit(
      [&](const auto& m) {
        if (x.cols() != m.num_features()) {
          throw InvalidDataError(fmt::format("X has {} features, but the model has {}",
                                             x.cols(), m.num_features()));
        }
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, BernoulliMixture>) Bernoulli::ValidateData(x);
        if constexpr (std::is_same_v<M, PoissonMixture>) Poisson::ValidateData(x);
        if constexpr (std::is_same_v<M, CategoricalMixture>) m.components().ValidateData(x);
      },
      model);
}

template <class T>
T Option(const nb::dict& o, const char* key, T fallback) {
  return o.contains(key) && !o[key].is_none() ? nb::cast<T>(o[key]) : fallback;
}

// (parameters, report as JSON, one-line report, full report). options:
// n_components, init, max_iter, tol, n_init, seed, floor, warm (a parameter
// dict to start from, one restart), callback(iteration, mean_log_likelihood).
std::tuple<nb::dict, std::string, std::string, std::string> Fit(const std::string& family,
                                                                InputMatrix x,
                                                                const nb::dict& options) {
  FitOptions fo;
  fo.max_iter = Option<int>(options, "max_iter", fo.max_iter);
  fo.tol = Option<double>(options, "tol", fo.tol);
  fo.n_init = Option<int>(options, "n_init", 1);
  fo.seed = Option<std::uint64_t>(options, "seed", 0);
  fo.num_threads = Option<int>(options, "num_threads", 1);
  DiscreteMixtureOptions mo;
  mo.n_components = Option<int>(options, "n_components", 1);
  mo.init = ParseInitMethod(Option<std::string>(options, "init", "kmeans"));
  const double floor = Option<double>(options, "floor", 0.0);
  nb::object callback = options.contains("callback") ? nb::object(options["callback"])
                                                     : nb::none();
  std::optional<nb::python_error> pending;
  fo.callbacks.push_back(PythonIterationHook(&pending, [&callback](const IterationEvent& e) {
    if (!callback.is_none()) callback(e.iteration, e.mean_log_likelihood);
    return CallbackResult::kContinue;
  }));
  const MatrixView view = ViewOf(x);
  std::optional<AnyMixture> warm;
  if (options.contains("warm") && !options["warm"].is_none()) {
    const nb::dict w = nb::cast<nb::dict>(options["warm"]);
    warm.emplace(BuildMixture(family, w, mo.n_components, view.cols(), floor));
  }
  std::optional<AnyMixture> fitted;
  FitReport report;
  {
    nb::gil_scoped_release release;
    auto keep = [&](auto&& f) {
      fitted.emplace(std::move(f.model));
      report = std::move(f.report);
    };
    if (family == "bernoulli") {
      BernoulliOptions o;
      o.pseudo_count = floor;
      keep(FitBernoulliMixture(fo, mo, o, view, nullptr,
                               warm ? &std::get<BernoulliMixture>(*warm) : nullptr));
    } else if (family == "categorical") {
      CategoricalOptions o;
      o.pseudo_count = floor;
      keep(FitCategoricalMixture(fo, mo, o, view, nullptr, 0,
                                 warm ? &std::get<CategoricalMixture>(*warm) : nullptr));
    } else if (family == "poisson") {
      PoissonOptions o;
      o.min_rate = floor;
      keep(FitPoissonMixture(fo, mo, o, view, nullptr,
                             warm ? &std::get<PoissonMixture>(*warm) : nullptr));
    } else {
      throw InvalidOptionError("unknown mixture family " + family);
    }
  }
  if (pending) throw std::move(*pending);
  return {MixtureParametersOf(*fitted), io::ReportToJson(report, -1), report.BriefReport(),
          report.FullReport()};
}

template <class Function>
auto WithMixture(const std::string& family, const nb::dict& params, std::int64_t k,
                 std::int64_t d, const MatrixView* x, Function&& f) {
  const AnyMixture model = BuildMixture(family, params, k, d, 0.0);
  if (x != nullptr) ValidateData(model, *x);
  nb::gil_scoped_release release;
  return std::visit(std::forward<Function>(f), model);
}

}  // namespace

void RegisterMixtures(nb::module_& m) {
  m.def("mixture_fit", &Fit, "family"_a, "x"_a.noconvert(), "options"_a,
        "Fits a discrete mixture. Returns (params, report_json, brief_report, "
        "full_report).");
  m.def(
      "mixture_predict_proba",
      [](const std::string& family, const nb::dict& params, std::int64_t k, InputMatrix x) {
        const MatrixView v = ViewOf(x);
        return NumpyMatrix(WithMixture(family, params, k, v.cols(), &v,
                                       [&](const auto& mix) { return mix.PredictProba(v); }));
      },
      "family"_a, "params"_a, "n_components"_a, "x"_a.noconvert());
  m.def(
      "mixture_score_samples",
      [](const std::string& family, const nb::dict& params, std::int64_t k, InputMatrix x) {
        const MatrixView v = ViewOf(x);
        return NumpyVector(WithMixture(family, params, k, v.cols(), &v,
                                       [&](const auto& mix) { return mix.ScoreSamples(v); }));
      },
      "family"_a, "params"_a, "n_components"_a, "x"_a.noconvert());
  m.def(
      "mixture_sample",
      [](const std::string& family, const nb::dict& params, std::int64_t k, std::int64_t d,
         std::int64_t n, std::uint64_t seed) {
        std::vector<int> labels;
        RowMatrix draws = WithMixture(family, params, k, d, nullptr, [&](const auto& mix) {
          Rng rng(seed);
          return mix.Sample(n, rng, &labels);
        });
        std::vector<std::int64_t> l(labels.begin(), labels.end());
        const std::size_t count = l.size();
        return std::make_pair(NumpyMatrix(std::move(draws)),
                              OwningArray(std::move(l), {count}));
      },
      "family"_a, "params"_a, "n_components"_a, "n_features"_a, "n"_a, "seed"_a);
}

}  // namespace emkit::python
