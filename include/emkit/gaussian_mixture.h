// Gaussian mixtures: the four covariance structures behind one entry point.
// This is the one place that dispatches on the covariance type at run time
// (a std::variant); the command and the Python package go through it.
#ifndef EMKIT_GAUSSIAN_MIXTURE_H_
#define EMKIT_GAUSSIAN_MIXTURE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "emkit/families/gaussian_common.h"
#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_float32.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/fit.h"
#include "emkit/initialization.h"
#include "emkit/internal/gaussian_shape.h"
#include "emkit/kmeans.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/options.h"
#include "emkit/report.h"

namespace emkit {

enum class CovarianceType { kFull, kDiag, kSpherical, kTied };

// "full", "diag", "spherical", "tied"; throws InvalidOptionError otherwise.
CovarianceType ParseCovarianceType(std::string_view name);
const char* CovarianceTypeName(CovarianceType type);

using GaussianMixtureFull = Mixture<GaussianFull>;
using GaussianMixtureDiag = Mixture<GaussianDiag>;
using GaussianMixtureSpherical = Mixture<GaussianSpherical>;
using GaussianMixtureTied = Mixture<GaussianTied>;

// A fitted Gaussian mixture of any covariance structure.
using GaussianMixtureModel = std::variant<GaussianMixtureFull, GaussianMixtureDiag,
                                          GaussianMixtureSpherical, GaussianMixtureTied>;

CovarianceType CovarianceTypeOf(const GaussianMixtureModel& model);

struct GaussianMixtureOptions {
  int n_components = 1;  // K >= 1
  CovarianceType covariance_type = CovarianceType::kFull;
  InitMethod init = InitMethod::kKMeansPlusPlus;
  GaussianOptions gaussian;  // reg_covar
  KMeansOptions kmeans;      // for InitMethod::kKMeansPlusPlus

  void Validate() const;  // throws InvalidOptionError
};

// Throws InvalidDataError naming the first non-finite element
// ("X[17, 3] = nan: ..."), a negative or non-finite weight, or fewer rows
// than components.
template <DataScalar Scalar>
void ValidateMixtureData(const MatrixViewOf<Scalar>& x, const double* sample_weights,
                         int n_components);

// Fits a Gaussian mixture to the rows of x (optionally weighted). When
// init_model is given, EM starts from it (one restart; its covariance type
// and number of components win over the options'), else each restart is
// initialised by options.init. Invalid options or data throw before any work.
// Returns the fitted model and the report.
//
// float32 rows are viewed in place (never widened to a copy during EM): the
// E-step runs in float (Mixture<F, float>, families/gaussian_float32.h),
// the statistics are accumulated in double and the parameters are double,
// so the result is an ordinary GaussianMixtureModel. The final mean
// log-likelihood agrees with a float64 fit of the same values from the same
// starting parameters within 1e-5 relative. The initialisation runs on a
// temporary float64 copy (emkit/mixture_fit.h), so the starting parameters
// are exactly those of a float64 fit. The certificate is checked with a
// tolerance of at least kFloat32CertificateTolerance, and a tol below about
// 1e-7 is under the float log-likelihood's resolution.
template <DataScalar Scalar>
[[nodiscard]] Fitted<GaussianMixtureModel> FitGaussianMixture(
    const FitOptions& fit_options, const GaussianMixtureOptions& options,
    const MatrixViewOf<Scalar>& x, const double* sample_weights,
    const GaussianMixtureModel* init_model = nullptr);

// A fitted model applied to rows of either scalar type (on float rows by
// the float kernels, with double results): responsibilities (n x K), the
// most probable component, log p(x_i).
template <DataScalar Scalar>
RowMatrix PredictProba(const GaussianMixtureModel& model, const MatrixViewOf<Scalar>& x);
template <DataScalar Scalar>
std::vector<int> Predict(const GaussianMixtureModel& model, const MatrixViewOf<Scalar>& x);
template <DataScalar Scalar>
Vector ScoreSamples(const GaussianMixtureModel& model, const MatrixViewOf<Scalar>& x);

namespace internal {

// FitGaussianMixture's checks that read no data value: the options, the
// initial model against the data's number of columns, the parameters'
// size. Returns the covariance type to fit.
CovarianceType CheckGaussianFitOptions(const FitOptions& fit_options,
                                       const GaussianMixtureOptions& options,
                                       Eigen::Index num_columns,
                                       const GaussianMixtureModel* init_model);

// InvalidDataError "X has N rows, fewer than n_components = K: ..." when
// num_rows < n_components.
void CheckMixtureRows(std::int64_t num_rows, int n_components);

// One restart's initial mixture of Family (options.init, options.kmeans,
// reg_covar) on any RowBlockSource, through the context's executor.
template <class Family, RowBlockSource Data>
Mixture<Family> InitialGaussianMixture(const GaussianMixtureOptions& options, const Data& data,
                                       const InitContext& context) {
  return InitialMixture(
      options.init, options.kmeans,
      GaussianShape<Family>(options.n_components, data.num_columns(), options.gaussian), data,
      context);
}

}  // namespace internal

// Uniform access to the variant's common operations.
int NumComponents(const GaussianMixtureModel& model);
int NumFeatures(const GaussianMixtureModel& model);
const Vector& MixtureWeights(const GaussianMixtureModel& model);
const RowMatrix& MixtureMeans(const GaussianMixtureModel& model);
const GaussianOptions& MixtureGaussianOptions(const GaussianMixtureModel& model);
std::int64_t NumFreeParameters(const GaussianMixtureModel& model);

}  // namespace emkit

#endif  // EMKIT_GAUSSIAN_MIXTURE_H_
