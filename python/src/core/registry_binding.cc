// emkit._core.registry_*: every mixture family of the model registry
// (emkit/model_registry.h) through one set of functions. A model travels as
// the dict of its parameter codec (what EncodeModel writes: "model",
// "n_components", "weights" and the family's keys), so a family needs no
// binding code of its own: fits (emkit/family_fit.h), predictions, samples
// and model files are generic loops, and its options come from its option
// table (emkit/option_table.h). Fits and predictions run without the GIL.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
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
#include "dict_codec.h"
#include "emkit/error.h"
#include "emkit/family_fit.h"
#include "emkit/io/model_file.h"
#include "emkit/io/report_json.h"
#include "emkit/mixture_fit.h"
#include "emkit/model_registry.h"
#include "emkit/option_table.h"
#include "emkit/random.h"
#include "iteration_hook.h"
#include "mixture_rows.h"
#include "option_tables.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

nb::dict Encode(const AnyModel& model) { return EncodeModelToDict(model); }

AnyModel Decode(const nb::dict& params) {
  return DecodeModelFromDict(params, "model parameters");
}

// Calls f with the mixture that `params` describes; an HMM is an error.
template <class Fn>
auto WithMixture(const nb::dict& params, Fn&& f) {
  const AnyModel model = Decode(params);
  using R = std::invoke_result_t<Fn&, const Mixture<Poisson>&>;
  return VisitModel(model, [&](const auto& m) -> R {
    if constexpr (kIsMixture<std::decay_t<decltype(m)>>) {
      return f(m);
    } else {
      throw InvalidOptionError("the parameters describe a hidden Markov model, not a mixture");
    }
  });
}

// The scoring functions on float64 or float32 rows.
template <DataScalar Scalar>
nb::object PredictProbaOf(const nb::dict& params, InputRows<Scalar> x) {
  const MatrixViewOf<Scalar> v = ViewOf(x);
  return NumpyMatrix(WithMixture(params, [&](const auto& mix) {
    CheckData(mix, v);
    nb::gil_scoped_release release;
    return WithRowScalar<Scalar>(mix).PredictProba(v);
  }));
}
template <DataScalar Scalar>
nb::object ScoreSamplesOf(const nb::dict& params, InputRows<Scalar> x) {
  const MatrixViewOf<Scalar> v = ViewOf(x);
  return NumpyVector(WithMixture(params, [&](const auto& mix) {
    CheckData(mix, v);
    nb::gil_scoped_release release;
    return WithRowScalar<Scalar>(mix).ScoreSamples(v);
  }));
}

template <DataScalar Scalar>
nb::object PredictOf(const nb::dict& params, InputRows<Scalar> x) {
  const MatrixViewOf<Scalar> v = ViewOf(x);
  const std::vector<int> labels = WithMixture(params, [&](const auto& mix) {
    CheckData(mix, v);
    nb::gil_scoped_release release;
    return WithRowScalar<Scalar>(mix).Predict(v);
  });
  std::vector<std::int64_t> l(labels.begin(), labels.end());
  const std::size_t count = l.size();
  return OwningArray(std::move(l), {count});
}
// The information criteria of the mixture on x: -2 log L + p log n and
// -2 log L + 2 p (Mixture::Bic, Mixture::Aic).
template <DataScalar Scalar>
double BicOf(const nb::dict& params, InputRows<Scalar> x) {
  const MatrixViewOf<Scalar> v = ViewOf(x);
  return WithMixture(params, [&](const auto& mix) {
    CheckData(mix, v);
    nb::gil_scoped_release release;
    return WithRowScalar<Scalar>(mix).Bic(v);
  });
}
template <DataScalar Scalar>
double AicOf(const nb::dict& params, InputRows<Scalar> x) {
  const MatrixViewOf<Scalar> v = ViewOf(x);
  return WithMixture(params, [&](const auto& mix) {
    CheckData(mix, v);
    nb::gil_scoped_release release;
    return WithRowScalar<Scalar>(mix).Aic(v);
  });
}

// The family's options from a dict of (name, number or string), through
// its option table; an unknown name or a bad value is an error naming it.
template <HasOptionTable Options>
Options OptionsFrom(const nb::dict& given) {
  Options options;
  for (auto [key, value] : given) {
    const std::string name = nb::cast<std::string>(key);
    if (!SetOptionFrom(&options, name, value)) {
      throw InvalidOptionError(fmt::format("unknown option {}", name));
    }
  }
  return options;
}

template <class T>
T Option(const nb::dict& o, const char* key, T fallback) {
  return o.contains(key) && !o[key].is_none() ? nb::cast<T>(o[key]) : fallback;
}

// (parameters, report as JSON, one-line report, full report). options:
// n_components, init, max_iter, tol, n_init, seed, num_threads,
// family_options (a dict), warm (a parameter dict to start from: one
// restart), callback(iteration, mean_log_likelihood); `checkpoint` as
// checkpoint_binding.h says.
template <DataScalar Scalar>
std::tuple<nb::dict, std::string, std::string, std::string> Fit(const std::string& family,
                                                                InputRows<Scalar> x,
                                                                const nb::dict& options,
                                                                nb::handle checkpoint_request) {
  FitOptions fit_options;
  SetOptionsFrom(&fit_options, options);  // max_iter, tol, n_init, seed, num_threads
  MixtureOptions mixture;
  mixture.n_components = Option<int>(options, "n_components", 1);
  mixture.init = ParseInitMethod(Option<std::string>(options, "init", "kmeans"));
  const nb::dict family_options =
      options.contains("family_options") ? nb::cast<nb::dict>(options["family_options"])
                                         : nb::dict();
  nb::object callback = options.contains("callback") ? nb::object(options["callback"])
                                                     : nb::none();
  std::optional<nb::python_error> pending;
  fit_options.callbacks.push_back(
      PythonIterationHook(&pending, [&callback](const IterationEvent& e) {
        if (!callback.is_none()) callback(e.iteration, e.mean_log_likelihood);
        return CallbackResult::kContinue;
      }));
  std::optional<AnyModel> warm;
  if (options.contains("warm") && !options["warm"].is_none()) {
    warm.emplace(Decode(nb::cast<nb::dict>(options["warm"])));
  }
  const MatrixViewOf<Scalar> view = ViewOf(x);
  FitCheckpoint checkpoint(
      checkpoint_request, [&] { return io::FingerprintOf(view); },
      std::is_same_v<Scalar, float>, &fit_options);
  std::optional<AnyModel> fitted;
  FitReport report;
  WithMixtureFamilyNamed(family, [&]<class F>(std::type_identity<F>) {
    const auto family_settings = OptionsFrom<typename F::Options>(family_options);
    const Mixture<F>* start = nullptr;
    if (warm) {
      start = std::get_if<Mixture<F>>(&*warm);
      if (start == nullptr) {
        throw InvalidOptionError("the warm-start parameters are not a " + family + " mixture");
      }
    }
    nb::gil_scoped_release release;
    Fitted<Mixture<F>> result =
        FitMixtureOfFamily<F>(fit_options, mixture, family_settings, view, nullptr, start);
    fitted.emplace(ToAnyModel(std::move(result.model)));
    report = std::move(result.report);
  });
  if (pending) {
    checkpoint.Flush();
    throw std::move(*pending);
  }
  return {Encode(*fitted), io::ReportToJson(report, -1), report.BriefReport(),
          report.FullReport()};
}

// (name, default as text, help, choices) of every option of the family.
std::vector<std::tuple<std::string, std::string, std::string, std::vector<std::string>>>
FamilyOptions(const std::string& family) {
  std::vector<std::tuple<std::string, std::string, std::string, std::vector<std::string>>> out;
  WithMixtureFamilyNamed(family, [&]<class F>(std::type_identity<F>) {
    for (OptionEntry& e : OptionEntries(typename F::Options{})) {
      out.emplace_back(e.name, e.value, e.help, e.choices);
    }
  });
  return out;
}

}  // namespace

void RegisterRegistry(nb::module_& m) {
  m.def("registry_family_options", &FamilyOptions, "family"_a,
        "(name, default, help, choices) of each option of a mixture family's table.");
  m.def("registry_fit", &Fit<double>, "family"_a, "x"_a.noconvert(), "options"_a,
        "checkpoint"_a = nb::none(),
        "Fits a mixture of a registered family to float64 or float32 rows, writing or "
        "resuming a checkpoint as the checkpoint dict asks (emkit/_checkpoint.py). "
        "Returns (params, report_json, brief_report, full_report).");
  m.def("registry_fit", &Fit<float>, "family"_a, "x"_a.noconvert(), "options"_a,
        "checkpoint"_a = nb::none());
  m.def("registry_predict_proba", &PredictProbaOf<double>, "params"_a, "x"_a.noconvert());
  m.def("registry_predict_proba", &PredictProbaOf<float>, "params"_a, "x"_a.noconvert());
  m.def("registry_score_samples", &ScoreSamplesOf<double>, "params"_a, "x"_a.noconvert());
  m.def("registry_score_samples", &ScoreSamplesOf<float>, "params"_a, "x"_a.noconvert());
  m.def("registry_predict", &PredictOf<double>, "params"_a, "x"_a.noconvert(),
        "The most probable component of each row (ties: the lowest index).");
  m.def("registry_predict", &PredictOf<float>, "params"_a, "x"_a.noconvert());
  m.def("registry_bic", &BicOf<double>, "params"_a, "x"_a.noconvert(),
        "Bayesian information criterion -2 log L + p log n on the rows of x.");
  m.def("registry_bic", &BicOf<float>, "params"_a, "x"_a.noconvert());
  m.def("registry_aic", &AicOf<double>, "params"_a, "x"_a.noconvert(),
        "Akaike information criterion -2 log L + 2 p on the rows of x.");
  m.def("registry_aic", &AicOf<float>, "params"_a, "x"_a.noconvert());
  m.def(
      "registry_sample",
      [](const nb::dict& params, std::int64_t n, std::uint64_t seed) {
        std::vector<int> labels;
        RowMatrix draws = WithMixture(params, [&](const auto& mix) {
          nb::gil_scoped_release release;
          Rng rng(seed);
          return mix.Sample(n, rng, &labels);
        });
        std::vector<std::int64_t> l(labels.begin(), labels.end());
        const std::size_t count = l.size();
        return std::make_pair(NumpyMatrix(std::move(draws)),
                              OwningArray(std::move(l), {count}));
      },
      "params"_a, "n"_a, "seed"_a);
  m.def(
      "registry_n_free_parameters",
      [](const nb::dict& params) {
        return WithMixture(params, [](const auto& mix) {
          return static_cast<std::int64_t>(mix.NumFreeParameters());
        });
      },
      "params"_a);
  m.def(
      "registry_save",
      [](const nb::dict& params, const std::string& path, const std::vector<std::string>& names) {
        io::SaveAnyModel(path, Decode(params), names);
      },
      "params"_a, "path"_a, "feature_names"_a,
      "Writes a model to a JSON model file, as emkit fit -o does.");
  m.def(
      "registry_load",
      [](const std::string& path) {
        std::vector<std::string> names;
        const AnyModel model = io::LoadAnyModel(path, &names);
        return std::make_pair(Encode(model), names);
      },
      "path"_a, "(params, feature_names) of a model file.");
}

}  // namespace emkit::python
