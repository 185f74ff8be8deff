// What the four Gaussian families share: options, constants and the
// covariance-to-precision-Cholesky step with its repair.
#ifndef EMKIT_FAMILIES_GAUSSIAN_COMMON_H_
#define EMKIT_FAMILIES_GAUSSIAN_COMMON_H_

#include <cstdint>
#include <cmath>
#include <numbers>
#include <string>
#include <string_view>

#include <Eigen/Core>
#include <fmt/format.h>

#include "emkit/constants.h"
#include "emkit/error.h"
#include "emkit/matrix.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/option_table.h"

namespace emkit {

class InitialResponsibilities;  // emkit/initialization.h
class LazyFeatureVariance;      // emkit/initialization.h
// The float32 E-step kernels (emkit/families/gaussian_float32.h), which
// Mixture<F, float> runs.
class GaussianFullF;
class GaussianTiedF;
template <bool kSpherical>
class GaussianAxisAlignedF;

// A Gaussian family in words, for summaries such as emkit info
// (emkit/family.h): "Gaussian, full covariance".
inline std::string GaussianDescription(std::string_view covariance_name) {
  return fmt::format("Gaussian, {} covariance", covariance_name);
}

struct GaussianOptions {
  // Added to the diagonal of every covariance after each M-step; keeps
  // covariances positive definite. Must be >= 0 and finite. The same
  // meaning and default as scikit-learn's reg_covar.
  double reg_covar = 1e-6;

  // With at most 4 features (kMaxSmallDimension in src/families/
  // small_dimension.h), log-densities and full moments are computed by direct
  // per-component passes over the rows, the exact formula (faster there than
  // the block products, and needing no rounding bound). false selects the
  // general kernels for every dimension: for tests and benchmarks that
  // compare the two; results differ in the last digits. A choice of the
  // computation, not a parameter: model files do not store it.
  bool small_dimension_kernels = true;

  // The option table (emkit/option_table.h).
  template <class Table>
  void Describe(Table& table) {
    table.Number("reg_covar", &reg_covar, "added to covariance diagonals");
  }

  void Validate() const;  // throws InvalidOptionError
};

// Throws InvalidDataError naming the first element of x that is not finite
// or whose magnitude exceeds kMaxAbsDataValue, or an empty x.
template <class View>
void ValidateGaussianData(const View& x) {
  if (x.rows() == 0 || x.cols() == 0) {
    throw InvalidDataError(fmt::format(
        "X has shape ({}, {}): at least one row and one column are needed", x.rows(),
        x.cols()));
  }
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(x(i, j))) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: values must be finite (missing values are not "
            "supported)", i, j, x(i, j)));
      }
      if (std::abs(x(i, j)) > kMaxAbsDataValue) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: magnitudes above {} overflow the squared distances "
            "EM needs; rescale the data", i, j, x(i, j), kMaxAbsDataValue));
      }
    }
  }
}

// The upper-triangular W with W W^T = covariance^{-1} (the Cholesky factor of
// the precision, as scikit-learn stores it), and log det W. If the
// covariance is not positive definite, diagonal loading of growing size is
// added to *covariance until it is, and repairs->regularized_covariances is
// incremented. Returns false if no loading helped (non-finite input).
bool PrecisionCholeskyFromCovariance(Eigen::MatrixXd* covariance,
                                     Eigen::MatrixXd* precision_cholesky,
                                     double* log_det_precision_cholesky,
                                     RepairCounts* repairs);

// The same from a precision matrix: W is its lower Cholesky factor.
// Throws InvalidDataError naming `what` if it is not positive definite.
void PrecisionCholeskyFromPrecision(const Eigen::MatrixXd& precision,
                                    const char* what,
                                    Eigen::MatrixXd* precision_cholesky,
                                    double* log_det_precision_cholesky);

// Writes mean + W^{-T} z, z standard normal: a draw with covariance
// (W W^T)^{-1}, for a triangular precision Cholesky factor W.
void SampleWithPrecisionCholesky(const Eigen::Ref<const Eigen::RowVectorXd>& mean,
                                 const Eigen::MatrixXd& w, Rng& rng, double* out);

// The coordinate-wise median of the rows: a reference point near most
// components that one far-away component cannot drag off.
Eigen::RowVectorXd CoordinateMedian(const RowMatrix& rows);

// The covariance (W W^T)^{-1} of a precision Cholesky factor.
Eigen::MatrixXd CovarianceFromPrecisionCholesky(const Eigen::MatrixXd& w);

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_COMMON_H_
