#include "emkit/gaussian_mixture.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/mixture_fit.h"
#include "emkit/random.h"
#include "families/gaussian_initialization.h"

namespace emkit {

CovarianceType ParseCovarianceType(std::string_view name) {
  if (name == "full") return CovarianceType::kFull;
  if (name == "diag") return CovarianceType::kDiag;
  if (name == "spherical") return CovarianceType::kSpherical;
  if (name == "tied") return CovarianceType::kTied;
  throw InvalidOptionError(fmt::format(
      "covariance type \"{}\" is not one of full, diag, spherical, tied", name));
}

const char* CovarianceTypeName(CovarianceType type) {
  switch (type) {
    case CovarianceType::kFull: return "full";
    case CovarianceType::kDiag: return "diag";
    case CovarianceType::kSpherical: return "spherical";
    case CovarianceType::kTied: return "tied";
  }
  return "unknown";
}

CovarianceType CovarianceTypeOf(const GaussianMixtureModel& model) {
  return static_cast<CovarianceType>(model.index());
}

void GaussianMixtureOptions::Validate() const {
  if (n_components < 1) {
    throw InvalidOptionError(
        fmt::format("n_components = {} must be >= 1", n_components));
  }
  gaussian.Validate();
  kmeans.Validate();
}

namespace {

template <class View>
void ValidateData(const View& x, const double* sample_weights, int n_components) {
  ValidateGaussianData(x);
  if (sample_weights != nullptr) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (!(sample_weights[i] >= 0.0) || !std::isfinite(sample_weights[i])) {
        throw InvalidDataError(fmt::format(
            "sample_weight[{}] = {} must be finite and >= 0", i, sample_weights[i]));
      }
    }
  }
  internal::CheckMixtureRows(x.rows(), n_components);
}

}  // namespace

namespace internal {

void CheckMixtureRows(std::int64_t num_rows, int n_components) {
  if (num_rows < n_components) {
    throw InvalidDataError(fmt::format(
        "X has {} rows, fewer than n_components = {}: each component needs at "
        "least one row", num_rows, n_components));
  }
}

}  // namespace internal

template <DataScalar Scalar>
void ValidateMixtureData(const MatrixViewOf<Scalar>& x, const double* sample_weights,
                         int n_components) {
  ValidateData(x, sample_weights, n_components);
}
template void ValidateMixtureData(const MatrixView&, const double*, int);
template void ValidateMixtureData(const MatrixViewF&, const double*, int);

namespace {

// Parameters beyond this many values (1 GiB of doubles; a fit holds a few
// copies) are refused before any work rather than failing to allocate.
constexpr double kMaxParameterValues = 134217728.0;

void CheckParameterSize(CovarianceType type, int n_components, Eigen::Index n_features) {
  const double k = n_components;
  const double d = static_cast<double>(n_features);
  double values = k * d;  // means
  switch (type) {
    case CovarianceType::kFull: values += k * d * d; break;
    case CovarianceType::kTied: values += d * d; break;
    case CovarianceType::kDiag: values += k * d; break;
    case CovarianceType::kSpherical: values += k; break;
  }
  if (values > kMaxParameterValues) {
    throw InvalidOptionError(fmt::format(
        "covariance_type = {} with {} components and {} features needs {:.3g} "
        "parameter values ({:.3g} GB), more than the limit of {:.3g}; use a "
        "diag or spherical covariance, fewer components or fewer features",
        CovarianceTypeName(type), n_components, n_features, values, values * 8e-9,
        kMaxParameterValues));
  }
}

}  // namespace

namespace internal {

CovarianceType CheckGaussianFitOptions(const FitOptions& fit_options,
                                       const GaussianMixtureOptions& options,
                                       Eigen::Index num_columns,
                                       const GaussianMixtureModel* init_model) {
  fit_options.Validate();
  options.Validate();
  CovarianceType type = options.covariance_type;
  int n_components = options.n_components;
  if (init_model != nullptr) {
    type = CovarianceTypeOf(*init_model);
    n_components = NumComponents(*init_model);
    if (NumFeatures(*init_model) != num_columns) {
      throw InvalidDataError(fmt::format(
          "the initial model has {} features, but X has {} columns",
          NumFeatures(*init_model), num_columns));
    }
  }
  CheckParameterSize(type, n_components, num_columns);
  return type;
}

}  // namespace internal

namespace {

template <class Family>
Mixture<Family> InitializeMixture(const GaussianMixtureOptions& options,
                                  const RowBlocks<double>& data, const InitContext& context) {
  return internal::InitialGaussianMixture<Family>(options, data, context);
}

template <class Family, DataScalar Scalar>
Fitted<GaussianMixtureModel> FitTyped(const FitOptions& fit_options,
                                      const GaussianMixtureOptions& options,
                                      const MatrixViewOf<Scalar>& x, const double* sample_weights,
                                      const GaussianMixtureModel* init_model) {
  Fitted<Mixture<Family>> fitted =
      init_model != nullptr
          ? internal::FitMixtureOnRowsFrom(fit_options, x, sample_weights,
                                           std::get<Mixture<Family>>(*init_model))
          : internal::FitMixtureOnRows<Family>(
                fit_options, x, sample_weights, [&](const RowBlocks<double>& data) {
                  return [&options, &data](const InitContext& context) {
                    return InitializeMixture<Family>(options, data, context);
                  };
                });
  return {std::move(fitted.model), std::move(fitted.report)};
}

// Checks shared by both data types; returns the covariance type to fit.
template <class View>
CovarianceType CheckFitInputs(const FitOptions& fit_options,
                              const GaussianMixtureOptions& options, const View& x,
                              const double* sample_weights,
                              const GaussianMixtureModel* init_model) {
  const CovarianceType type =
      internal::CheckGaussianFitOptions(fit_options, options, x.cols(), init_model);
  ValidateMixtureData(x, sample_weights,
                      init_model != nullptr ? NumComponents(*init_model) : options.n_components);
  return type;
}

// body(mixture on Scalar rows) for the alternative in `model`.
template <DataScalar Scalar, class Body>
auto VisitOnRows(const GaussianMixtureModel& model, Body&& body) {
  return std::visit([&](const auto& mixture) { return body(WithRowScalar<Scalar>(mixture)); },
                    model);
}

}  // namespace

template <DataScalar Scalar>
Fitted<GaussianMixtureModel> FitGaussianMixture(const FitOptions& fit_options,
                                                const GaussianMixtureOptions& options,
                                                const MatrixViewOf<Scalar>& x,
                                                const double* sample_weights,
                                                const GaussianMixtureModel* init_model) {
  const CovarianceType type =
      CheckFitInputs(fit_options, options, x, sample_weights, init_model);
  switch (type) {
    case CovarianceType::kFull:
      return FitTyped<GaussianFull>(fit_options, options, x, sample_weights, init_model);
    case CovarianceType::kDiag:
      return FitTyped<GaussianDiag>(fit_options, options, x, sample_weights, init_model);
    case CovarianceType::kSpherical:
      return FitTyped<GaussianSpherical>(fit_options, options, x, sample_weights, init_model);
    case CovarianceType::kTied:
      return FitTyped<GaussianTied>(fit_options, options, x, sample_weights, init_model);
  }
  throw InvalidOptionError("unknown covariance type");
}

template <DataScalar Scalar>
RowMatrix PredictProba(const GaussianMixtureModel& model, const MatrixViewOf<Scalar>& x) {
  return VisitOnRows<Scalar>(model, [&](const auto& m) { return m.PredictProba(x); });
}

template <DataScalar Scalar>
std::vector<int> Predict(const GaussianMixtureModel& model, const MatrixViewOf<Scalar>& x) {
  return VisitOnRows<Scalar>(model, [&](const auto& m) { return m.Predict(x); });
}

template <DataScalar Scalar>
Vector ScoreSamples(const GaussianMixtureModel& model, const MatrixViewOf<Scalar>& x) {
  return VisitOnRows<Scalar>(model, [&](const auto& m) { return m.ScoreSamples(x); });
}

#define EMKIT_INSTANTIATE_FOR_ROWS(Scalar)                                                 \
  template Fitted<GaussianMixtureModel> FitGaussianMixture(                                \
      const FitOptions&, const GaussianMixtureOptions&, const MatrixViewOf<Scalar>&,       \
      const double*, const GaussianMixtureModel*);                                         \
  template RowMatrix PredictProba(const GaussianMixtureModel&, const MatrixViewOf<Scalar>&); \
  template std::vector<int> Predict(const GaussianMixtureModel&, const MatrixViewOf<Scalar>&); \
  template Vector ScoreSamples(const GaussianMixtureModel&, const MatrixViewOf<Scalar>&);
EMKIT_INSTANTIATE_FOR_ROWS(double)
EMKIT_INSTANTIATE_FOR_ROWS(float)
#undef EMKIT_INSTANTIATE_FOR_ROWS

int NumComponents(const GaussianMixtureModel& model) {
  return std::visit([](const auto& m) { return m.num_components(); }, model);
}
int NumFeatures(const GaussianMixtureModel& model) {
  return std::visit([](const auto& m) { return m.num_features(); }, model);
}
const Vector& MixtureWeights(const GaussianMixtureModel& model) {
  return std::visit([](const auto& m) -> const Vector& { return m.weights(); }, model);
}
const RowMatrix& MixtureMeans(const GaussianMixtureModel& model) {
  return std::visit(
      [](const auto& m) -> const RowMatrix& { return m.components().means(); }, model);
}
const GaussianOptions& MixtureGaussianOptions(const GaussianMixtureModel& model) {
  return std::visit(
      [](const auto& m) -> const GaussianOptions& { return m.components().options(); },
      model);
}
std::int64_t NumFreeParameters(const GaussianMixtureModel& model) {
  return std::visit([](const auto& m) { return m.NumFreeParameters(); }, model);
}

}  // namespace emkit
