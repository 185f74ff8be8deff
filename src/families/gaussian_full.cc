#include "emkit/families/gaussian_full.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/internal/pooled_moments.h"
#include "full_block_moments.h"
#include "gaussian_blocks.h"
#include "small_dimension.h"

namespace emkit {

void GaussianFull::Statistics::Merge(const Statistics& other) {
  for (Eigen::Index k = 0; k < counts.size(); ++k) {
    PoolFullMoments(&counts[k], means.row(k), &scatters[k], other.counts[k],
                    other.means.row(k), &other.scatters[k]);
  }
}

void GaussianFull::Statistics::SetZero() {
  counts.setZero();
  means.setZero();
  for (Eigen::MatrixXd& s : scatters) s.setZero();
}

void GaussianFull::Statistics::Scale(double factor) {
  counts *= factor;
  for (Eigen::MatrixXd& s : scatters) s *= factor;
}

GaussianFull::GaussianFull(RowMatrix means,
                           std::vector<Eigen::MatrixXd> covariances,
                           GaussianOptions options)
    : means_(std::move(means)),
      covariances_(std::move(covariances)),
      options_(options) {
  const int k_count = num_components();
  const int d = num_features();
  if (static_cast<int>(covariances_.size()) != k_count) {
    throw InvalidDataError(fmt::format(
        "full covariances: expected {} matrices, found {}", k_count,
        covariances_.size()));
  }
  precision_cholesky_.resize(k_count);
  log_det_precision_cholesky_.resize(k_count);
  for (int k = 0; k < k_count; ++k) {
    if (covariances_[k].rows() != d || covariances_[k].cols() != d) {
      throw InvalidDataError(fmt::format(
          "covariances[{}] must be {} x {}, found {} x {}", k, d, d,
          covariances_[k].rows(), covariances_[k].cols()));
    }
    if (!PrecisionCholeskyFromCovariance(&covariances_[k],
                                         &precision_cholesky_[k],
                                         &log_det_precision_cholesky_[k],
                                         nullptr) ||
        !covariances_[k].isApprox(covariances_[k].transpose())) {
      throw InvalidDataError(fmt::format(
          "covariances[{}] is not a symmetric positive definite matrix", k));
    }
  }
  UpdateWhitening();
}

void GaussianFull::UpdateWhitening() {
  std::vector<const Eigen::MatrixXd*> factors;
  for (const Eigen::MatrixXd& w : precision_cholesky_) factors.push_back(&w);
  whitening_.Update(means_, factors);
}

GaussianFull GaussianFull::FromPrecisions(
    RowMatrix means, const std::vector<Eigen::MatrixXd>& precisions,
    GaussianOptions options) {
  GaussianFull g;
  g.means_ = std::move(means);
  g.options_ = options;
  const int k_count = g.num_components();
  if (static_cast<int>(precisions.size()) != k_count) {
    throw InvalidDataError(fmt::format(
        "full precisions: expected {} matrices, found {}", k_count,
        precisions.size()));
  }
  g.precision_cholesky_.resize(k_count);
  g.covariances_.resize(k_count);
  g.log_det_precision_cholesky_.resize(k_count);
  for (int k = 0; k < k_count; ++k) {
    if (precisions[k].rows() != g.num_features() ||
        precisions[k].cols() != g.num_features()) {
      throw InvalidDataError(fmt::format("precisions[{}] must be {} x {}", k,
                                         g.num_features(), g.num_features()));
    }
    const std::string what = fmt::format("precisions[{}]", k);
    PrecisionCholeskyFromPrecision(precisions[k], what.c_str(),
                                   &g.precision_cholesky_[k],
                                   &g.log_det_precision_cholesky_[k]);
    g.covariances_[k] = CovarianceFromPrecisionCholesky(g.precision_cholesky_[k]);
  }
  g.UpdateWhitening();
  return g;
}

GaussianFull GaussianFull::FromStored(
    RowMatrix means, std::vector<Eigen::MatrixXd> covariances,
    std::vector<Eigen::MatrixXd> precision_cholesky, GaussianOptions options) {
  GaussianFull g;
  g.means_ = std::move(means);
  g.covariances_ = std::move(covariances);
  g.precision_cholesky_ = std::move(precision_cholesky);
  g.options_ = options;
  const int k_count = g.num_components();
  g.log_det_precision_cholesky_.resize(k_count);
  for (int k = 0; k < k_count; ++k) {
    const Eigen::MatrixXd& w = g.precision_cholesky_[k];
    if (!(w.diagonal().minCoeff() > 0.0) || !w.allFinite() ||
        !(w.isUpperTriangular() || w.isLowerTriangular())) {
      throw InvalidDataError(fmt::format(
          "precisions_cholesky[{}] must be triangular with a positive diagonal",
          k));
    }
    g.log_det_precision_cholesky_[k] = w.diagonal().array().log().sum();
  }
  g.UpdateWhitening();
  return g;
}

GaussianFull::Statistics GaussianFull::NewStatistics() const {
  const int k_count = num_components();
  const int d = num_features();
  Statistics s;
  s.counts = Vector::Zero(k_count);
  s.means = RowMatrix::Zero(k_count, d);
  s.scatters.assign(k_count, Eigen::MatrixXd::Zero(d, d));
  return s;
}

void GaussianFull::LogProbabilities(const MatrixView& x,
                                    Eigen::Ref<RowMatrix> out) const {
  if (num_features() <= kMaxSmallDimension && options_.small_dimension_kernels) {
    thread_local std::vector<const Eigen::MatrixXd*> factors;
    factors.clear();
    for (const Eigen::MatrixXd& w : precision_cholesky_) factors.push_back(&w);
    const Vector constants =
        log_det_precision_cholesky_.array() - 0.5 * num_features() * kLog2Pi;
    internal::SmallWhitenedLogDensities<double>(x, means_, factors, constants, out);
    return;
  }
  const Vector constants =
      log_det_precision_cholesky_.array() - 0.5 * num_features() * kLog2Pi;
  whitening_.LogDensities(x, constants, out);
}

void GaussianFull::Accumulate(const MatrixView& x,
                              const Eigen::Ref<const RowMatrix>& weights,
                              Statistics* stats) const {
  const int d = num_features();
  if (d <= kMaxSmallDimension && options_.small_dimension_kernels) {
    internal::AccumulateFullFewFeatures(x, weights, &stats->counts, &stats->means,
                                        &stats->scatters);
    return;
  }
  if (internal::FullBlockMomentsSupported(d)) {
    // The same moments for every component in one kernel that keeps the
    // triangle's sums in registers (full_block_moments.h).
    const internal::BlockMoments& block = internal::ComputeBlockMoments(x, weights);
    for (int k = 0; k < num_components(); ++k) {
      PoolFullMoments(&stats->counts[k], stats->means.row(k), &stats->scatters[k],
                      block.counts[k], block.means.row(k), &block.scatters[k]);
    }
    return;
  }
  internal::AccumulateFullByRankUpdates(x, weights, &stats->counts, &stats->means,
                                        &stats->scatters, /*shared_scatter=*/nullptr);
}

void GaussianFull::Factorize(int k, RepairCounts* repairs) {
  if (!PrecisionCholeskyFromCovariance(&covariances_[k], &precision_cholesky_[k],
                                       &log_det_precision_cholesky_[k],
                                       repairs)) {
    // Non-finite statistics: leave NaNs so the engine reports a breakdown.
    precision_cholesky_[k].setConstant(std::numeric_limits<double>::quiet_NaN());
    log_det_precision_cholesky_[k] = std::numeric_limits<double>::quiet_NaN();
  }
}

GaussianFull GaussianFull::Maximize(const Statistics& stats,
                                    RepairCounts* repairs) const {
  GaussianFull next = *this;
  const double total = stats.counts.sum();
  for (int k = 0; k < num_components(); ++k) {
    if (!(stats.counts[k] > kCollapsedFraction * total)) {
      if (repairs != nullptr) ++repairs->collapsed_components;
      continue;  // keep this component's parameters
    }
    const double nk = stats.counts[k] + kCountFloor;
    next.means_.row(k) = stats.means.row(k);
    Eigen::MatrixXd& cov = next.covariances_[k];
    cov = stats.scatters[k].selfadjointView<Eigen::Lower>();
    cov /= nk;
    cov.diagonal().array() += options_.reg_covar;
    next.Factorize(k, repairs);
  }
  next.UpdateWhitening();
  return next;
}

double GaussianFull::ExpectedLogLikelihood(const Statistics& stats) const {
  const int d = num_features();
  double q = 0.0;
  for (int k = 0; k < num_components(); ++k) {
    const Eigen::MatrixXd& w = precision_cholesky_[k];
    // sum_i w_i (x_i - mu)^T P (x_i - mu) = tr(P M) + n (m - mu)^T P (m - mu)
    // with m, M the pooled mean and scatter, P = W W^T: no cancellation.
    const Eigen::VectorXd e = (stats.means.row(k) - means_.row(k)).transpose();
    const Eigen::MatrixXd scatter = stats.scatters[k].selfadjointView<Eigen::Lower>();
    const double quadratic = (w.transpose() * scatter * w).trace() +
                             stats.counts[k] * (w.transpose() * e).squaredNorm();
    q += stats.counts[k] * (log_det_precision_cholesky_[k] - 0.5 * d * kLog2Pi) -
         0.5 * quadratic;
  }
  return q;
}

std::int64_t GaussianFull::NumFreeParameters() const {
  const std::int64_t k = num_components();
  const std::int64_t d = num_features();
  return k * d + k * d * (d + 1) / 2;
}

void GaussianFull::Sample(int component, Rng& rng, double* out) const {
  SampleWithPrecisionCholesky(means_.row(component), precision_cholesky_[component], rng, out);
}

void GaussianFull::SetDiagonalCovariance(int k, const Vector& variance) {
  covariances_[k] = variance.asDiagonal();
  covariances_[k].diagonal().array() += options_.reg_covar;
  Factorize(k, nullptr);
  UpdateWhitening();
}

}  // namespace emkit
