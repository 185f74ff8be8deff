#include "emkit/families/gaussian_common.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Cholesky>
#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {

void GaussianOptions::Validate() const {
  if (!(reg_covar >= 0.0) || !std::isfinite(reg_covar)) {
    throw InvalidOptionError(
        fmt::format("reg_covar = {} must be a finite number >= 0", reg_covar));
  }
}

namespace {

bool TryFactor(const Eigen::MatrixXd& covariance, Eigen::MatrixXd* w,
               double* log_det) {
  Eigen::LLT<Eigen::MatrixXd> llt(covariance);
  if (llt.info() != Eigen::Success) return false;
  const Eigen::MatrixXd lower = llt.matrixL();
  const double min_diag = lower.diagonal().minCoeff();
  if (!(min_diag > 0.0) || !std::isfinite(min_diag)) return false;
  // W = L^{-T}: solve L X = I, then transpose.
  const Eigen::Index d = covariance.rows();
  Eigen::MatrixXd inverse = Eigen::MatrixXd::Identity(d, d);
  llt.matrixL().solveInPlace(inverse);
  *w = inverse.transpose();
  // From W itself, exactly as a factor loaded from a file is treated, so a
  // saved and reloaded model computes bit-identical densities.
  *log_det = w->diagonal().array().log().sum();
  return std::isfinite(*log_det) && w->allFinite();
}

}  // namespace

bool PrecisionCholeskyFromCovariance(Eigen::MatrixXd* covariance,
                                     Eigen::MatrixXd* precision_cholesky,
                                     double* log_det_precision_cholesky,
                                     RepairCounts* repairs) {
  if (!covariance->allFinite()) return false;
  if (TryFactor(*covariance, precision_cholesky, log_det_precision_cholesky)) {
    return true;
  }
  // Diagonal loading relative to the covariance's scale, growing tenfold.
  const Eigen::Index d = covariance->rows();
  const double scale =
      std::max(covariance->diagonal().cwiseAbs().maxCoeff(), 1e-300);
  double loading = scale * 1e-12;
  for (int attempt = 0; attempt < 40; ++attempt, loading *= 10.0) {
    Eigen::MatrixXd loaded = *covariance;
    loaded.diagonal().array() += loading;
    if (TryFactor(loaded, precision_cholesky, log_det_precision_cholesky)) {
      *covariance = loaded;
      if (repairs != nullptr) ++repairs->regularized_covariances;
      return true;
    }
  }
  (void)d;
  return false;
}

void PrecisionCholeskyFromPrecision(const Eigen::MatrixXd& precision,
                                    const char* what,
                                    Eigen::MatrixXd* precision_cholesky,
                                    double* log_det_precision_cholesky) {
  Eigen::LLT<Eigen::MatrixXd> llt(precision);
  const Eigen::MatrixXd lower = llt.matrixL();
  if (llt.info() != Eigen::Success || !precision.allFinite() ||
      !(lower.diagonal().minCoeff() > 0.0)) {
    throw InvalidDataError(
        fmt::format("{} is not a symmetric positive definite matrix", what));
  }
  *precision_cholesky = lower;
  *log_det_precision_cholesky = lower.diagonal().array().log().sum();
}

void SampleWithPrecisionCholesky(const Eigen::Ref<const Eigen::RowVectorXd>& mean,
                                 const Eigen::MatrixXd& w, Rng& rng, double* out) {
  const Eigen::Index d = w.rows();
  Eigen::VectorXd z(d);
  for (Eigen::Index j = 0; j < d; ++j) z[j] = StandardNormal(rng);
  if (w.isUpperTriangular()) {
    w.transpose().triangularView<Eigen::Lower>().solveInPlace(z);
  } else {
    w.transpose().triangularView<Eigen::Upper>().solveInPlace(z);
  }
  for (Eigen::Index j = 0; j < d; ++j) out[j] = mean[j] + z[j];
}

Eigen::RowVectorXd CoordinateMedian(const RowMatrix& rows) {
  Eigen::RowVectorXd median(rows.cols());
  std::vector<double> column(rows.rows());
  for (Eigen::Index j = 0; j < rows.cols(); ++j) {
    for (Eigen::Index i = 0; i < rows.rows(); ++i) column[i] = rows(i, j);
    const auto middle = column.begin() + column.size() / 2;
    std::nth_element(column.begin(), middle, column.end());
    median[j] = column.empty() ? 0.0 : *middle;
  }
  return median;
}

Eigen::MatrixXd CovarianceFromPrecisionCholesky(const Eigen::MatrixXd& w) {
  // (W W^T)^{-1} = W^{-T} W^{-1}; W is triangular (upper or lower).
  const Eigen::Index d = w.rows();
  const bool upper = w.isUpperTriangular();
  Eigen::MatrixXd w_inverse = Eigen::MatrixXd::Identity(d, d);
  if (upper) {
    w.triangularView<Eigen::Upper>().solveInPlace(w_inverse);
  } else {
    w.triangularView<Eigen::Lower>().solveInPlace(w_inverse);
  }
  return w_inverse.transpose() * w_inverse;
}

}  // namespace emkit
