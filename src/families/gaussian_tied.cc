#include "emkit/families/gaussian_tied.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/internal/pooled_moments.h"
#include "full_block_moments.h"
#include "gaussian_blocks.h"
#include "small_dimension.h"

namespace emkit {

void GaussianTied::Statistics::Merge(const Statistics& other) {
  scatter += other.scatter;
  for (Eigen::Index k = 0; k < counts.size(); ++k) {
    PoolFullMoments(&counts[k], means.row(k), &scatter, other.counts[k],
                    other.means.row(k), nullptr, &scatter);
  }
}

void GaussianTied::Statistics::SetZero() {
  counts.setZero();
  means.setZero();
  scatter.setZero();
}

void GaussianTied::Statistics::Scale(double factor) {
  counts *= factor;
  scatter *= factor;
}

GaussianTied::GaussianTied(RowMatrix means, Eigen::MatrixXd covariance,
                           GaussianOptions options)
    : means_(std::move(means)), covariance_(std::move(covariance)), options_(options) {
  const int d = num_features();
  if (covariance_.rows() != d || covariance_.cols() != d) {
    throw InvalidDataError(fmt::format("tied covariance must be {} x {}, found {} x {}",
                                       d, d, covariance_.rows(), covariance_.cols()));
  }
  if (!PrecisionCholeskyFromCovariance(&covariance_, &precision_cholesky_,
                                       &log_det_precision_cholesky_, nullptr) ||
      !covariance_.isApprox(covariance_.transpose())) {
    throw InvalidDataError(
        "the tied covariance is not a symmetric positive definite matrix");
  }
  UpdateWhitening();
}

GaussianTied GaussianTied::FromPrecision(RowMatrix means,
                                         const Eigen::MatrixXd& precision,
                                         GaussianOptions options) {
  GaussianTied g;
  g.means_ = std::move(means);
  g.options_ = options;
  if (precision.rows() != g.num_features() || precision.cols() != g.num_features()) {
    throw InvalidDataError(fmt::format("tied precision must be {} x {}",
                                       g.num_features(), g.num_features()));
  }
  PrecisionCholeskyFromPrecision(precision, "the tied precision",
                                 &g.precision_cholesky_,
                                 &g.log_det_precision_cholesky_);
  g.covariance_ = CovarianceFromPrecisionCholesky(g.precision_cholesky_);
  g.UpdateWhitening();
  return g;
}

GaussianTied GaussianTied::FromStored(RowMatrix means, Eigen::MatrixXd covariance,
                                      Eigen::MatrixXd precision_cholesky,
                                      GaussianOptions options) {
  GaussianTied g;
  g.means_ = std::move(means);
  g.covariance_ = std::move(covariance);
  g.precision_cholesky_ = std::move(precision_cholesky);
  g.options_ = options;
  const Eigen::MatrixXd& w = g.precision_cholesky_;
  if (!(w.diagonal().minCoeff() > 0.0) || !w.allFinite() ||
      !(w.isUpperTriangular() || w.isLowerTriangular())) {
    throw InvalidDataError(
        "precisions_cholesky must be triangular with a positive diagonal");
  }
  g.log_det_precision_cholesky_ = w.diagonal().array().log().sum();
  g.UpdateWhitening();
  return g;
}

GaussianTied::Statistics GaussianTied::NewStatistics() const {
  Statistics s;
  s.counts = Vector::Zero(num_components());
  s.means = RowMatrix::Zero(num_components(), num_features());
  s.scatter = Eigen::MatrixXd::Zero(num_features(), num_features());
  return s;
}

void GaussianTied::LogProbabilities(const MatrixView& x,
                                    Eigen::Ref<RowMatrix> out) const {
  if (num_features() <= kMaxSmallDimension && options_.small_dimension_kernels) {
    const Vector constants = Vector::Constant(
        num_components(), log_det_precision_cholesky_ - 0.5 * num_features() * kLog2Pi);
    internal::SmallWhitenedLogDensities<double>(x, means_, {&precision_cholesky_}, constants,
                                                out);
    return;
  }
  whitening_.LogDensities(
      x,
      Vector::Constant(num_components(),
                       log_det_precision_cholesky_ - 0.5 * num_features() * kLog2Pi),
      out);
}

void GaussianTied::Accumulate(const MatrixView& x,
                              const Eigen::Ref<const RowMatrix>& weights,
                              Statistics* stats) const {
  const int d = num_features();
  if (internal::FullBlockMomentsSupported(d)) {
    // Every component's moments in one kernel (full_block_moments.h), then
    // added to the shared scatter.
    const internal::BlockMoments& block = internal::ComputeBlockMoments(x, weights);
    for (int k = 0; k < num_components(); ++k) {
      if (!(block.counts[k] > 0.0)) continue;
      stats->scatter += block.scatters[k];
      PoolFullMoments(&stats->counts[k], stats->means.row(k), &stats->scatter,
                      block.counts[k], block.means.row(k), nullptr, &stats->scatter);
    }
    return;
  }
  internal::AccumulateFullByRankUpdates(x, weights, &stats->counts, &stats->means,
                                        /*scatters=*/nullptr, &stats->scatter);
}

GaussianTied GaussianTied::Maximize(const Statistics& stats,
                                    RepairCounts* repairs) const {
  GaussianTied next = *this;
  const double total = stats.counts.sum();
  double total_floored = 0.0;
  for (int k = 0; k < num_components(); ++k) {
    total_floored += stats.counts[k] + kCountFloor;
    if (!(stats.counts[k] > kCollapsedFraction * total)) {
      if (repairs != nullptr) ++repairs->collapsed_components;
      continue;
    }
    next.means_.row(k) = stats.means.row(k);
  }
  next.covariance_ = stats.scatter.selfadjointView<Eigen::Lower>();
  next.covariance_ /= total_floored;
  next.covariance_.diagonal().array() += options_.reg_covar;
  if (!PrecisionCholeskyFromCovariance(&next.covariance_, &next.precision_cholesky_,
                                       &next.log_det_precision_cholesky_, repairs)) {
    next.precision_cholesky_.setConstant(std::numeric_limits<double>::quiet_NaN());
    next.log_det_precision_cholesky_ = std::numeric_limits<double>::quiet_NaN();
  }
  next.UpdateWhitening();
  return next;
}

double GaussianTied::ExpectedLogLikelihood(const Statistics& stats) const {
  const int d = num_features();
  const Eigen::MatrixXd& w = precision_cholesky_;
  const Eigen::MatrixXd scatter = stats.scatter.selfadjointView<Eigen::Lower>();
  double quadratic = (w.transpose() * scatter * w).trace();
  for (int k = 0; k < num_components(); ++k) {
    const Eigen::VectorXd e = (stats.means.row(k) - means_.row(k)).transpose();
    quadratic += stats.counts[k] * (w.transpose() * e).squaredNorm();
  }
  return stats.counts.sum() * (log_det_precision_cholesky_ - 0.5 * d * kLog2Pi) -
         0.5 * quadratic;
}

std::int64_t GaussianTied::NumFreeParameters() const {
  const std::int64_t k = num_components();
  const std::int64_t d = num_features();
  return k * d + d * (d + 1) / 2;
}

void GaussianTied::Sample(int component, Rng& rng, double* out) const {
  SampleWithPrecisionCholesky(means_.row(component), precision_cholesky_, rng, out);
}

}  // namespace emkit
