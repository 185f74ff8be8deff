// emkit._core.hmm_*: hidden Markov models of every emission family of the
// model registry (emkit/model_registry.h) through one set of functions. A
// model travels as the dict of its parameter codec (what EncodeModel writes:
// "model": "hmm", "emission", "startprob", "transmat" and the family's keys),
// so an emission family needs no binding code of its own; the Python classes
// give the arrays hmmlearn's names and shapes. Rows may be float64 or
// float32 (held as they are, widened block by block: the results are those
// of the float64 rows of the same values). Fits and predictions run without
// the GIL.
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
#include "emkit/hmm/fit_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/io/report_json.h"
#include "emkit/model_registry.h"
#include "emkit/random.h"
#include "iteration_hook.h"
#include "option_tables.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

using Lengths = std::vector<std::int64_t>;

// Calls f with the HMM that `params` describes; a mixture is an error.
template <class Fn>
auto WithHmm(const nb::dict& params, Fn&& f) {
  const AnyModel model = DecodeModelFromDict(params, "model parameters");
  using R = std::invoke_result_t<Fn&, const HiddenMarkovModel<Poisson>&>;
  return VisitModel(model, [&](const auto& m) -> R {
    if constexpr (kIsHmm<std::decay_t<decltype(m)>>) {
      return f(m);
    } else {
      throw InvalidOptionError("the parameters describe a mixture, not a hidden Markov model");
    }
  });
}

// Rejects rows the emissions cannot score, naming the first bad element.
template <class H, DataScalar Scalar>
void CheckData(const H& hmm, const MatrixViewOf<Scalar>& x) {
  if (x.cols() != hmm.emissions().num_features()) {
    throw InvalidDataError(fmt::format("X has {} features, but the model has {}", x.cols(),
                                       hmm.emissions().num_features()));
  }
  internal::ValidateFamilyData(hmm.emissions(), x);
}

template <class T>
T Option(const nb::dict& o, const char* key, T fallback) {
  return o.contains(key) && !o[key].is_none() ? nb::cast<T>(o[key]) : fallback;
}

Vector VectorOption(const nb::dict& o, const char* key, Eigen::Index n) {
  if (!o.contains(key) || o[key].is_none()) return {};
  return DictReader(o, "priors").Vector1(key, n);
}
RowMatrix MatrixOption(const nb::dict& o, const char* key, Eigen::Index n) {
  if (!o.contains(key) || o[key].is_none()) return {};
  return DictReader(o, "priors").Matrix2(key, n, n);
}

// The chain's priors; all ones is the maximum-likelihood M-step, dropped so
// that the engine's certificate stays about the likelihood.
ChainPriors ChainPriorsFrom(const nb::dict& options, Eigen::Index k) {
  ChainPriors priors;
  priors.start = VectorOption(options, "startprob_prior", k);
  priors.transitions = MatrixOption(options, "transmat_prior", k);
  if ((priors.start.array() == 1.0).all() && (priors.transitions.array() == 1.0).all()) {
    return {};
  }
  return priors;
}

HmmFitParameters FitLetters(const std::string& letters) {
  HmmFitParameters fit;
  fit.start = letters.find('s') != std::string::npos;
  fit.transitions = letters.find('t') != std::string::npos;
  fit.emissions = letters.find_first_not_of("st") != std::string::npos;
  return fit;
}

// A Gaussian HMM whose emissions the engine initialises (k-means++ and
// Lloyd on the rows, emkit/hmm/gaussian_hmm.h): params holds the chain and
// the family's settings ("covariance_type", "reg_covar") but no arrays.
template <DataScalar Scalar>
Fitted<AnyModel> FitGaussianFromData(const FitOptions& fo, const nb::dict& params,
                                     HmmFitParameters fit, const ChainPriors& priors,
                                     const MatrixViewOf<Scalar>& x, const Lengths& lengths) {
  const DictReader in(params, "model parameters");
  const Eigen::Index k = in.Extent("n_components", "startprob", 0);
  GaussianHmmOptions go;
  go.covariance_type = ParseCovarianceType(
      in.Choice("covariance_type", CovarianceTypeNames("gaussian"), "diag"));
  go.gaussian.reg_covar = in.Number("reg_covar", go.gaussian.reg_covar);
  go.hmm.n_states = static_cast<int>(k);
  go.hmm.fit = fit;
  go.hmm.start = in.Vector1("startprob", k);
  go.hmm.transitions = in.Matrix2("transmat", k, k);
  go.hmm.priors = priors;
  Fitted<GaussianHmmModel> f = [&] {
    nb::gil_scoped_release release;
    return FitGaussianHmm(fo, go, x, lengths);
  }();
  return {ToAnyModel(std::move(f.model)), std::move(f.report)};
}

// EM from the HMM that params describes (its emission priors among the
// family's codec keys).
template <DataScalar Scalar>
Fitted<AnyModel> FitFromParameters(const FitOptions& fo, const nb::dict& params,
                                   HmmFitParameters fit, const ChainPriors& priors,
                                   const MatrixViewOf<Scalar>& x, const Lengths& lengths) {
  return WithHmm(params, [&]<class F>(const HiddenMarkovModel<F>& h) -> Fitted<AnyModel> {
    CheckData(h, x);
    HmmOptions ho;
    ho.n_states = h.num_states();
    ho.fit = fit;
    ho.start = h.start();
    ho.transitions = h.transitions();
    ho.priors = priors;
    nb::gil_scoped_release release;
    Fitted<HiddenMarkovModel<F>> f = internal::FitHmmOnRows<F, Scalar>(
        fo, ho, x, lengths, &h, [&h](const RowBlocks<double>&) {
          // Not called: the fit starts from h.
          return [&h](const InitContext&) { return h.emissions(); };
        });
    return {ToAnyModel(std::move(f.model)), std::move(f.report)};
  });
}

// (parameters, report as JSON, one-line report, full report). options: fit
// ("stmc..." letters to update), init_emissions (a Gaussian HMM whose
// emissions the engine initialises), max_iter, tol, seed, num_threads,
// startprob_prior, transmat_prior, callback(iteration, mean_log_likelihood);
// `checkpoint` as checkpoint_binding.h says.
template <DataScalar Scalar>
std::tuple<nb::dict, std::string, std::string, std::string> Fit(const nb::dict& params,
                                                                InputRows<Scalar> x,
                                                                const Lengths& lengths,
                                                                const nb::dict& options,
                                                                nb::handle checkpoint_request) {
  FitOptions fo;
  SetOptionsFrom(&fo, options);  // max_iter, tol, seed, num_threads
  const HmmFitParameters fit = FitLetters(Option<std::string>(options, "fit", "stmc"));
  nb::object callback = options.contains("callback") ? nb::object(options["callback"])
                                                     : nb::none();
  std::optional<nb::python_error> pending;
  fo.callbacks.push_back(PythonIterationHook(&pending, [&callback](const IterationEvent& e) {
    if (!callback.is_none()) callback(e.iteration, e.mean_log_likelihood);
    return CallbackResult::kContinue;
  }));
  const MatrixViewOf<Scalar> view = ViewOf(x);
  FitCheckpoint checkpoint(
      checkpoint_request, [&] { return io::FingerprintOf(view); },
      std::is_same_v<Scalar, float>, &fo);
  const Eigen::Index k = DictReader(params, "model parameters").Extent("n_components",
                                                                      "startprob", 0);
  const ChainPriors priors = ChainPriorsFrom(options, k);
  Fitted<AnyModel> fitted =
      Option<bool>(options, "init_emissions", false)
          ? FitGaussianFromData(fo, params, fit, priors, view, lengths)
          : FitFromParameters(fo, params, fit, priors, view, lengths);
  if (pending) {
    checkpoint.Flush();
    throw std::move(*pending);
  }
  const FitReport& report = fitted.report;
  return {EncodeModelToDict(fitted.model), io::ReportToJson(report, -1), report.BriefReport(),
          report.FullReport()};
}

// Runs f(hmm, rows) without the GIL on the model the parameters describe,
// float32 rows widened to a temporary copy.
template <DataScalar Scalar, class Function>
auto OnRows(const nb::dict& params, InputRows<Scalar> x, Function&& f) {
  const MatrixViewOf<Scalar> view = ViewOf(x);
  return WithHmm(params, [&](const auto& h) {
    CheckData(h, view);
    nb::gil_scoped_release release;
    RowMatrix wide;
    return f(h, WidenedRows(view, &wide));
  });
}

template <DataScalar Scalar>
nb::object Score(const nb::dict& params, InputRows<Scalar> x, const Lengths& lengths) {
  return NumpyVector(OnRows(params, x, [&](const auto& h, const MatrixView& v) {
    return h.SequenceLogLikelihoods(v, lengths);
  }));
}

template <DataScalar Scalar>
nb::object PredictProba(const nb::dict& params, InputRows<Scalar> x, const Lengths& lengths) {
  return NumpyMatrix(OnRows(params, x, [&](const auto& h, const MatrixView& v) {
    return h.PredictProba(v, lengths);
  }));
}

nb::object Labels(const std::vector<int>& l) {
  std::vector<std::int64_t> out(l.begin(), l.end());
  const std::size_t n = out.size();
  return OwningArray(std::move(out), {n});
}

template <DataScalar Scalar>
std::pair<double, nb::object> Decode(const nb::dict& params, InputRows<Scalar> x,
                                     const Lengths& lengths) {
  double logprob = 0.0;
  const std::vector<int> states = OnRows(params, x, [&](const auto& h, const MatrixView& v) {
    return h.Viterbi(v, lengths, &logprob);
  });
  return {logprob, Labels(states)};
}

std::pair<nb::object, nb::object> Sample(const nb::dict& params, std::int64_t n,
                                         std::uint64_t seed) {
  std::vector<int> states;
  RowMatrix draws = WithHmm(params, [&](const auto& h) {
    nb::gil_scoped_release release;
    Rng rng(seed);
    return h.Sample(n, rng, &states);
  });
  return {NumpyMatrix(std::move(draws)), Labels(states)};
}

}  // namespace

void RegisterHmm(nb::module_& m) {
  m.def("hmm_fit", &Fit<double>, "params"_a, "x"_a.noconvert(), "lengths"_a, "options"_a,
        "checkpoint"_a = nb::none(),
        "Baum-Welch from the parameters (a codec dict), on float64 or float32 rows, "
        "writing or resuming a checkpoint as the checkpoint dict asks "
        "(emkit/_checkpoint.py). Returns (params, report_json, brief_report, "
        "full_report).");
  m.def("hmm_fit", &Fit<float>, "params"_a, "x"_a.noconvert(), "lengths"_a, "options"_a,
        "checkpoint"_a = nb::none());
  m.def("hmm_score", &Score<double>, "params"_a, "x"_a.noconvert(), "lengths"_a,
        "log p(sequence) of each sequence.");
  m.def("hmm_score", &Score<float>, "params"_a, "x"_a.noconvert(), "lengths"_a);
  m.def("hmm_predict_proba", &PredictProba<double>, "params"_a, "x"_a.noconvert(),
        "lengths"_a);
  m.def("hmm_predict_proba", &PredictProba<float>, "params"_a, "x"_a.noconvert(),
        "lengths"_a);
  m.def("hmm_viterbi", &Decode<double>, "params"_a, "x"_a.noconvert(), "lengths"_a,
        "(total log p(x, z) of the best paths, the states).");
  m.def("hmm_viterbi", &Decode<float>, "params"_a, "x"_a.noconvert(), "lengths"_a);
  m.def("hmm_sample", &Sample, "params"_a, "n"_a, "seed"_a);
}

}  // namespace emkit::python
