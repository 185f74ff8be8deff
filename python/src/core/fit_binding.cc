// emkit._core.fit: one Gaussian mixture fit, run without the GIL. The GIL is
// taken back briefly after every iteration to let Python handle signals
// (Ctrl-C ends the fit with KeyboardInterrupt) and to call the progress
// callback. C-contiguous float64 and float32 data are both viewed in place
// (emkit/gaussian_mixture.h: float32 rows are fitted as Mixture<F, float>),
// and either returns the same double-precision model. A fit may write and
// resume checkpoints (checkpoint_binding.h). Models cross as the dict of
// their parameter codec (dict_codec.h): the fitted one, a warm start.
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "arrays.h"
#include "bindings.h"
#include "checkpoint_binding.h"
#include "dict_codec.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/report_json.h"
#include "emkit/mixture_fit.h"
#include "emkit/model_registry.h"
#include "emkit/row_blocks.h"
#include "fit_request.h"
#include "iteration_hook.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

// The starting mixture of one restart when the user gave some initial
// parameters: scikit-learn's rule, the given parameters replace those of the
// initialisation method (which is skipped when all are given). The mixture
// is read from the codec's dict: the initialisation's model as EncodeModel
// writes it (or the covariance type and reg_covar alone), with the given
// arrays in place of its own ("precisions" in place of "covariances" and
// their Cholesky factors).
template <class Family, class View>
Mixture<Family> InitialMixture(const FitRequest& request, const View& x,
                               const double* sample_weights, const InitContext& context) {
  std::optional<GaussianMixtureModel> initial;
  if (!request.HasAllInitialParameters()) {
    FitOptions init_only;
    init_only.max_iter = 0;
    init_only.seed = context.seed;
    init_only.num_threads = request.fit.num_threads;
    init_only.block_rows = request.fit.block_rows;
    Fitted<GaussianMixtureModel> fitted =
        FitGaussianMixture(init_only, request.mixture, x, sample_weights);
    *context.repairs += fitted.report.repairs;
    initial.emplace(std::move(fitted.model));
  }
  // The fit runs without the GIL; the dicts need it.
  nb::gil_scoped_acquire acquire;
  nb::dict params;
  if (initial) {
    params = EncodeModelToDict(ToAnyModel(std::move(*initial)));
  } else {
    params["model"] = "gaussian_mixture";
    params["covariance_type"] = CovarianceTypeName(request.mixture.covariance_type);
    params["reg_covar"] = request.mixture.gaussian.reg_covar;
  }
  if (request.initial_parameters.contains("precisions")) {
    for (const char* key : {"covariances", "precisions_cholesky"}) {
      if (params.contains(key)) nb::del(params[key]);
    }
  }
  for (auto [key, value] : request.initial_parameters) params[key] = value;
  AnyModel model = DecodeModelFromDict(std::move(params), "initial parameters");
  return std::get<Mixture<Family>>(std::get<GaussianMixtureModel>(std::move(model)));
}

template <class Family, DataScalar Scalar>
Fitted<GaussianMixtureModel> FitFromInitialParameters(const FitRequest& request,
                                                      const MatrixViewOf<Scalar>& x,
                                                      const double* sample_weights) {
  request.fit.Validate();
  request.mixture.Validate();
  ValidateMixtureData(x, sample_weights, request.mixture.n_components);
  const RowBlocks<Scalar> data(x, sample_weights, request.fit.block_rows);
  Fitted<Mixture<Family, Scalar>> fitted =
      FitWithRestarts(request.fit, data, [&](const InitContext& context) {
        return WithRowScalar<Scalar>(InitialMixture<Family>(request, x, sample_weights, context));
      });
  return {WithRowScalar<double>(fitted.model), std::move(fitted.report)};
}

template <DataScalar Scalar>
Fitted<GaussianMixtureModel> RunFit(const FitRequest& request, const MatrixViewOf<Scalar>& x,
                                    const double* sample_weights) {
  if (request.initial_model || !request.HasInitialParameters()) {
    return FitGaussianMixture(request.fit, request.mixture, x, sample_weights,
                              request.initial_model ? &*request.initial_model : nullptr);
  }
  switch (request.mixture.covariance_type) {
    case CovarianceType::kFull:
      return FitFromInitialParameters<GaussianFull, Scalar>(request, x, sample_weights);
    case CovarianceType::kDiag:
      return FitFromInitialParameters<GaussianDiag, Scalar>(request, x, sample_weights);
    case CovarianceType::kSpherical:
      return FitFromInitialParameters<GaussianSpherical, Scalar>(request, x, sample_weights);
    case CovarianceType::kTied:
      return FitFromInitialParameters<GaussianTied, Scalar>(request, x, sample_weights);
  }
  throw InvalidOptionError("unknown covariance type");
}

// (model as its codec's dict, report as JSON, one-line report, full report)
template <DataScalar Scalar>
std::tuple<nb::dict, std::string, std::string, std::string> Fit(
    InputRows<Scalar> x, std::optional<InputArray> sample_weight, const nb::dict& options,
    nb::handle checkpoint_request) {
  FitRequest request = ParseFitRequest(options);
  if (sample_weight && sample_weight->size() != x.shape(0)) {
    throw InvalidDataError("sample_weight must hold one value per row of X");
  }
  const double* weights = sample_weight ? sample_weight->data() : nullptr;

  // Set by the per-iteration hook, which runs with the GIL held; raised once
  // the fit has returned.
  std::optional<nb::python_error> pending;
  const nb::object& callback = request.callback;
  request.fit.callbacks.push_back(PythonIterationHook(&pending, [&callback](const IterationEvent& e) {
    if (callback.is_valid() && !callback.is_none()) {
      nb::object stop = callback(e.restart, e.iteration, e.mean_log_likelihood, e.bound_gain,
                                 e.loglik_gain, e.seconds);
      if (PyObject_IsTrue(stop.ptr()) == 1) return CallbackResult::kStop;
    }
    return CallbackResult::kContinue;
  }));

  FitCheckpoint checkpoint(
      checkpoint_request, [&] { return io::FingerprintOf(ViewOf(x)); },
      std::is_same_v<Scalar, float>, &request.fit);

  std::optional<Fitted<GaussianMixtureModel>> fitted;
  {
    nb::gil_scoped_release release;
    fitted.emplace(RunFit(request, ViewOf(x), weights));
  }
  if (pending) {
    checkpoint.Flush();
    throw std::move(*pending);
  }
  const FitReport& report = fitted->report;
  return {EncodeModelToDict(ToAnyModel(std::move(fitted->model))), io::ReportToJson(report, -1),
          report.BriefReport(), report.FullReport()};
}

}  // namespace

void RegisterFit(nb::module_& m) {
  m.def("fit", &Fit<double>, "x"_a.noconvert(), "sample_weight"_a.noconvert() = nb::none(),
        "options"_a, "checkpoint"_a = nb::none(),
        "Fits a Gaussian mixture to the rows of x (C-contiguous float64 or "
        "float32, never copied; float32 rows run the float E-step), writing or "
        "resuming a checkpoint as the checkpoint dict asks (emkit/_checkpoint.py). "
        "Returns (params, report_json, brief_report, full_report), params the "
        "model's codec dict.");
  m.def("fit", &Fit<float>, "x"_a.noconvert(), "sample_weight"_a.noconvert() = nb::none(),
        "options"_a, "checkpoint"_a = nb::none());
  nb::list keys;
  for (const std::string& key : OptionKeys()) keys.append(key);
  m.attr("OPTION_KEYS") = nb::tuple(keys);
}

}  // namespace emkit::python
