// emkit._core.Model: a fitted Gaussian mixture of any covariance type, with
// the operations the estimator needs, on float64 or float32 rows. Every
// method runs without the GIL.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "arrays.h"
#include "bindings.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/model_file.h"
#include "emkit/mixture_fit.h"
#include "emkit/random.h"
#include "parameters.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

FlatArray CopyOrEmpty(const std::optional<InputArray>& a) {
  if (!a) return {};
  return FlatArray(a->data(), a->data() + a->size());
}

nb::object CovarianceLikeArray(const GaussianMixtureModel& model, FlatArray values) {
  return OwningArray(std::move(values),
                     CovarianceShape(CovarianceTypeOf(model), NumComponents(model),
                                     NumFeatures(model)));
}

template <class Function>
auto Visit(const GaussianMixtureModel& model, Function&& f) {
  return std::visit(std::forward<Function>(f), model);
}

// The scoring methods, on float64 or float32 rows (float kernels, double
// results: emkit/gaussian_mixture.h).
template <DataScalar Scalar>
nb::object PredictProbaOf(const GaussianMixtureModel& model, InputRows<Scalar> x) {
  RowMatrix r;
  {
    nb::gil_scoped_release release;
    r = PredictProba(model, ViewOf(x));
  }
  return NumpyMatrix(std::move(r));
}

template <DataScalar Scalar>
nb::object PredictOf(const GaussianMixtureModel& model, InputRows<Scalar> x) {
  std::vector<std::int64_t> labels;
  {
    nb::gil_scoped_release release;
    const std::vector<int> l = Predict(model, ViewOf(x));
    labels.assign(l.begin(), l.end());
  }
  const std::size_t n = labels.size();
  return OwningArray(std::move(labels), {n});
}

template <DataScalar Scalar>
nb::object ScoreSamplesOf(const GaussianMixtureModel& model, InputRows<Scalar> x) {
  Vector s;
  {
    nb::gil_scoped_release release;
    s = ScoreSamples(model, ViewOf(x));
  }
  return NumpyVector(std::move(s));
}

template <DataScalar Scalar>
double BicOf(const GaussianMixtureModel& model, InputRows<Scalar> x) {
  nb::gil_scoped_release release;
  return Visit(model, [&](const auto& mix) { return WithRowScalar<Scalar>(mix).Bic(ViewOf(x)); });
}

template <DataScalar Scalar>
double AicOf(const GaussianMixtureModel& model, InputRows<Scalar> x) {
  nb::gil_scoped_release release;
  return Visit(model, [&](const auto& mix) { return WithRowScalar<Scalar>(mix).Aic(ViewOf(x)); });
}

}  // namespace

void RegisterModel(nb::module_& m) {
  nb::class_<GaussianMixtureModel>(m, "Model",
                                   "A Gaussian mixture with parameters in "
                                   "scikit-learn's shapes.")
      .def_static(
          "from_parameters",
          [](const std::string& covariance_type, InputArray weights, InputMatrix means,
             std::optional<InputArray> covariances,
             std::optional<InputArray> precisions_cholesky,
             std::optional<InputArray> precisions, double reg_covar) {
            ParameterArrays p;
            p.covariance_type = ParseCovarianceType(covariance_type);
            p.weights = Eigen::Map<const Vector>(weights.data(), weights.size());
            p.means = ViewOf(means);
            p.covariances = CopyOrEmpty(covariances);
            p.precisions_cholesky = CopyOrEmpty(precisions_cholesky);
            p.precisions = CopyOrEmpty(precisions);
            p.reg_covar = reg_covar;
            return BuildModel(p);
          },
          "covariance_type"_a, "weights"_a.noconvert(), "means"_a.noconvert(),
          "covariances"_a.noconvert() = nb::none(),
          "precisions_cholesky"_a.noconvert() = nb::none(),
          "precisions"_a.noconvert() = nb::none(), "reg_covar"_a = 1e-6)
      .def_prop_ro("covariance_type",
                   [](const GaussianMixtureModel& model) {
                     return std::string(CovarianceTypeName(CovarianceTypeOf(model)));
                   })
      .def_prop_ro("n_components", &NumComponents)
      .def_prop_ro("n_features", &NumFeatures)
      .def_prop_ro("n_free_parameters", &NumFreeParameters)
      .def_prop_ro("reg_covar",
                   [](const GaussianMixtureModel& model) {
                     return MixtureGaussianOptions(model).reg_covar;
                   })
      .def_prop_ro("weights",
                   [](const GaussianMixtureModel& model) {
                     return NumpyVector(MixtureWeights(model));
                   })
      .def_prop_ro("means",
                   [](const GaussianMixtureModel& model) {
                     return NumpyMatrix(MixtureMeans(model));
                   })
      .def_prop_ro("covariances",
                   [](const GaussianMixtureModel& model) {
                     return CovarianceLikeArray(model, Covariances(model));
                   })
      .def_prop_ro("precisions",
                   [](const GaussianMixtureModel& model) {
                     return CovarianceLikeArray(model, Precisions(model));
                   })
      .def_prop_ro("precisions_cholesky",
                   [](const GaussianMixtureModel& model) {
                     return CovarianceLikeArray(model, PrecisionsCholesky(model));
                   })
      .def("predict_proba", &PredictProbaOf<double>, "x"_a.noconvert())
      .def("predict_proba", &PredictProbaOf<float>, "x"_a.noconvert())
      .def("predict", &PredictOf<double>, "x"_a.noconvert())
      .def("predict", &PredictOf<float>, "x"_a.noconvert())
      .def("score_samples", &ScoreSamplesOf<double>, "x"_a.noconvert())
      .def("score_samples", &ScoreSamplesOf<float>, "x"_a.noconvert())
      .def("bic", &BicOf<double>, "x"_a.noconvert())
      .def("bic", &BicOf<float>, "x"_a.noconvert())
      .def("aic", &AicOf<double>, "x"_a.noconvert())
      .def("aic", &AicOf<float>, "x"_a.noconvert())
      .def(
          "sample",
          [](const GaussianMixtureModel& model, std::int64_t n, std::uint64_t seed) {
            RowMatrix draws;
            std::vector<std::int64_t> labels;
            {
              nb::gil_scoped_release release;
              Rng rng(seed);
              std::vector<int> l;
              draws = Visit(model, [&](const auto& mix) { return mix.Sample(n, rng, &l); });
              labels.assign(l.begin(), l.end());
            }
            const std::size_t count = labels.size();
            return std::make_pair(NumpyMatrix(std::move(draws)),
                                  OwningArray(std::move(labels), {count}));
          },
          "n"_a, "seed"_a)
      .def(
          "to_json",
          [](const GaussianMixtureModel& model, const std::vector<std::string>& names) {
            return io::ModelToJson(model, names);
          },
          "feature_names"_a = std::vector<std::string>())
      .def_static(
          "from_json",
          [](const std::string& text, const std::string& display_name) {
            std::vector<std::string> names;
            GaussianMixtureModel model = io::ModelFromJson(text, display_name, &names);
            return std::make_pair(std::move(model), std::move(names));
          },
          "text"_a, "display_name"_a = "<string>")
      .def(
          "save",
          [](const GaussianMixtureModel& model, const std::string& path,
             const std::vector<std::string>& names) { io::SaveModel(path, model, names); },
          "path"_a, "feature_names"_a = std::vector<std::string>())
      .def_static(
          "load",
          [](const std::string& path) {
            std::vector<std::string> names;
            GaussianMixtureModel model = io::LoadModel(path, &names);
            return std::make_pair(std::move(model), std::move(names));
          },
          "path"_a);
}

}  // namespace emkit::python
