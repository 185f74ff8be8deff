#include "emkit/gaussian_mixture.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/families/gaussian_mixture_float32.h"
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
  if (x.rows() < n_components) {
    throw InvalidDataError(fmt::format(
        "X has {} rows, fewer than n_components = {}: each component needs at "
        "least one row", x.rows(), n_components));
  }
}

}  // namespace

void ValidateMixtureData(const MatrixView& x, const double* sample_weights,
                         int n_components) {
  ValidateData(x, sample_weights, n_components);
}

void ValidateMixtureData(const MatrixViewF& x, const double* sample_weights,
                         int n_components) {
  ValidateData(x, sample_weights, n_components);
}

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

template <class Family>
Mixture<Family> InitializeMixture(const GaussianMixtureOptions& options,
                                  const RowBlocks& data, const InitContext& context) {
  return InitialMixture(
      options.init, options.kmeans,
      internal::GaussianShape<Family>(options.n_components, data.data().cols(),
                                      options.gaussian),
      data, context);
}

template <class Family>
Fitted<GaussianMixtureModel> FitTyped(const FitOptions& fit_options,
                                      const GaussianMixtureOptions& options,
                                      const RowBlocks& data,
                                      const GaussianMixtureModel* init_model) {
  if (init_model != nullptr) {
    Mixture<Family> fitted = std::get<Mixture<Family>>(*init_model);
    FitReport report = Fit(fit_options, data, &fitted);
    return {std::move(fitted), std::move(report)};
  }
  Fitted<Mixture<Family>> fitted = FitWithRestarts(
      fit_options, data, [&](const InitContext& context) {
        return InitializeMixture<Family>(options, data, context);
      });
  return {std::move(fitted.model), std::move(fitted.report)};
}

// EM on float32 rows. The starting models come from a float64 copy made
// for the initialisation alone (kmeans.h works on double blocks), so they
// are those of a float64 fit, restart for restart.
template <class Family>
Fitted<GaussianMixtureModel> FitTypedF(const FitOptions& requested_options,
                                       const GaussianMixtureOptions& options,
                                       const RowBlocksF& data,
                                       const GaussianMixtureModel* init_model) {
  using Model = Float32Mixture<Family>;
  const FitOptions fit_options = Float32FitOptions(requested_options);
  if (init_model != nullptr) {
    Model model(std::get<Mixture<Family>>(*init_model));
    FitReport report = Fit(fit_options, data, &model);
    return {std::move(model).release(), std::move(report)};
  }
  std::vector<Mixture<Family>> starts;
  std::vector<RepairCounts> start_repairs(fit_options.n_init);
  {
    const RowMatrix wide = data.data().cast<double>();
    const RowBlocks wide_blocks(ViewOf(wide), data.weights(), fit_options.block_rows);
    ThreadPool pool(fit_options.num_threads);
    for (int r = 0; r < fit_options.n_init; ++r) {
      const InitContext context{r, DeriveSeed(fit_options.seed, static_cast<std::uint64_t>(r)),
                                &pool, &start_repairs[r]};
      starts.push_back(InitializeMixture<Family>(options, wide_blocks, context));
    }
  }
  Fitted<Model> fitted =
      FitWithRestarts(fit_options, data, [&](const InitContext& context) {
        *context.repairs = start_repairs[context.restart];
        return Model(starts[context.restart]);
      });
  return {std::move(fitted.model).release(), std::move(fitted.report)};
}

// Checks shared by both data types; returns the covariance type to fit.
template <class View>
CovarianceType CheckFitInputs(const FitOptions& fit_options,
                              const GaussianMixtureOptions& options, const View& x,
                              const double* sample_weights,
                              const GaussianMixtureModel* init_model) {
  fit_options.Validate();
  options.Validate();
  CovarianceType type = options.covariance_type;
  int n_components = options.n_components;
  if (init_model != nullptr) {
    type = CovarianceTypeOf(*init_model);
    n_components = NumComponents(*init_model);
    if (NumFeatures(*init_model) != x.cols()) {
      throw InvalidDataError(fmt::format(
          "the initial model has {} features, but X has {} columns",
          NumFeatures(*init_model), x.cols()));
    }
  }
  CheckParameterSize(type, n_components, x.cols());
  ValidateMixtureData(x, sample_weights, n_components);
  return type;
}

// Float kernels over blocks of x, results in double.
template <class Family, class Body>
void ForEachBlockF(const Mixture<Family>& mixture, const MatrixViewF& x, Body&& body) {
  if (x.cols() != mixture.num_features()) {
    throw InvalidDataError(fmt::format(
        "X has {} features, but the model was fitted with {}", x.cols(),
        mixture.num_features()));
  }
  const Float32Mixture<Family> model(mixture);
  const RowBlocksF blocks(x, nullptr, 0);
  RowMatrixF log_values;
  Eigen::VectorXf log_norm;
  for (std::int64_t b = 0; b < blocks.NumBlocks(); ++b) {
    const RowBlockF block = blocks.GetBlock(b);
    model.WeightedLogProbabilities(block.rows, &log_values);
    log_norm.resize(block.rows.rows());
    body(block.first_row, &log_values, &log_norm);
  }
}

}  // namespace

Fitted<GaussianMixtureModel> FitGaussianMixture(const FitOptions& fit_options,
                                                const GaussianMixtureOptions& options,
                                                const MatrixViewF& x,
                                                const double* sample_weights,
                                                const GaussianMixtureModel* init_model) {
  const CovarianceType type =
      CheckFitInputs(fit_options, options, x, sample_weights, init_model);
  const RowBlocksF data(x, sample_weights, fit_options.block_rows);
  switch (type) {
    case CovarianceType::kFull:
      return FitTypedF<GaussianFull>(fit_options, options, data, init_model);
    case CovarianceType::kDiag:
      return FitTypedF<GaussianDiag>(fit_options, options, data, init_model);
    case CovarianceType::kSpherical:
      return FitTypedF<GaussianSpherical>(fit_options, options, data, init_model);
    case CovarianceType::kTied:
      return FitTypedF<GaussianTied>(fit_options, options, data, init_model);
  }
  throw InvalidOptionError("unknown covariance type");
}

RowMatrix PredictProba(const GaussianMixtureModel& model, const MatrixViewF& x) {
  RowMatrix out(x.rows(), NumComponents(model));
  std::visit(
      [&](const auto& mixture) {
        ForEachBlockF(mixture, x, [&](std::int64_t first, RowMatrixF* r, Eigen::VectorXf* norm) {
          LogSumExpRows(*r, *norm, /*normalize=*/true);
          out.middleRows(first, r->rows()) = r->cast<double>();
        });
      },
      model);
  return out;
}

std::vector<int> Predict(const GaussianMixtureModel& model, const MatrixViewF& x) {
  std::vector<int> labels(x.rows());
  std::visit(
      [&](const auto& mixture) {
        ForEachBlockF(mixture, x, [&](std::int64_t first, RowMatrixF* r, Eigen::VectorXf*) {
          for (Eigen::Index i = 0; i < r->rows(); ++i) {
            Eigen::Index best;
            r->row(i).maxCoeff(&best);
            labels[first + i] = static_cast<int>(best);
          }
        });
      },
      model);
  return labels;
}

Vector ScoreSamples(const GaussianMixtureModel& model, const MatrixViewF& x) {
  Vector out(x.rows());
  std::visit(
      [&](const auto& mixture) {
        ForEachBlockF(mixture, x, [&](std::int64_t first, RowMatrixF* r, Eigen::VectorXf* norm) {
          LogSumExpRows(*r, *norm, /*normalize=*/false);
          out.segment(first, r->rows()) = norm->cast<double>();
        });
      },
      model);
  return out;
}

Fitted<GaussianMixtureModel> FitGaussianMixture(const FitOptions& fit_options,
                                                const GaussianMixtureOptions& options,
                                                const MatrixView& x,
                                                const double* sample_weights,
                                                const GaussianMixtureModel* init_model) {
  const CovarianceType type =
      CheckFitInputs(fit_options, options, x, sample_weights, init_model);
  const RowBlocks data(x, sample_weights, fit_options.block_rows);
  switch (type) {
    case CovarianceType::kFull:
      return FitTyped<GaussianFull>(fit_options, options, data, init_model);
    case CovarianceType::kDiag:
      return FitTyped<GaussianDiag>(fit_options, options, data, init_model);
    case CovarianceType::kSpherical:
      return FitTyped<GaussianSpherical>(fit_options, options, data, init_model);
    case CovarianceType::kTied:
      return FitTyped<GaussianTied>(fit_options, options, data, init_model);
  }
  throw InvalidOptionError("unknown covariance type");
}

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
