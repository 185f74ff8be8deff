#include "gaussian_blocks.h"

#include <algorithm>
#include <limits>

#include "emkit/constants.h"
#include "emkit/internal/pooled_moments.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

// Largest rounding error tolerated in a log-density computed by the expanded
// form below: far below what moves a responsibility or a log-likelihood at
// the 1e-10 level.
constexpr double kMaxLogDensityError = 1e-10;

// A block's second moments from expanded sums are used only when at most
// this fraction of their digits cancels; otherwise they are recomputed about
// the block's mean.
constexpr double kMaxCancellation = 1e-6;

// Values (rows x D) per rank update: 64 KiB, few enough that Eigen packs
// them in stack buffers (its limit is 128 KiB) rather than allocating on the
// heap per component and block, which with several threads can cost a storm
// of page faults each time (the allocator returns the memory to the system
// between calls).
constexpr Eigen::Index kRankUpdateValues = 8192;

// The block moments for few features (D known at compile time): each
// component's weighted mean of the block, then the scatter of the rows
// centred on it, pooled, by two direct passes. With D <= 4 the rank
// update's packing costs several times the arithmetic.
template <int D>
void AccumulateFewFeatures(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                           Vector* counts, RowMatrix* means,
                           std::vector<Eigen::MatrixXd>* scatters) {
  thread_local Eigen::MatrixXd block_scatter;
  thread_local Eigen::RowVectorXd block_mean;
  block_scatter.resize(D, D);
  block_mean.resize(D);
  const Eigen::Index n = x.rows();
  const double* rows = x.data();
  for (Eigen::Index k = 0; k < weights.cols(); ++k) {
    double count = 0.0;
    double sum[D] = {};
    for (Eigen::Index i = 0; i < n; ++i) {
      const double w = weights(i, k);
      count += w;
      for (int a = 0; a < D; ++a) sum[a] += w * rows[i * D + a];
    }
    if (!(count > 0.0)) continue;
    double mean[D];
    for (int a = 0; a < D; ++a) mean[a] = sum[a] / count;
    double scatter[D][D] = {};
    for (Eigen::Index i = 0; i < n; ++i) {
      const double w = weights(i, k);
      double centred[D];
      for (int a = 0; a < D; ++a) centred[a] = rows[i * D + a] - mean[a];
      for (int a = 0; a < D; ++a) {
        for (int b = 0; b <= a; ++b) scatter[a][b] += w * centred[a] * centred[b];
      }
    }
    for (int a = 0; a < D; ++a) {
      block_mean[a] = mean[a];
      for (int b = 0; b < D; ++b) block_scatter(a, b) = a >= b ? scatter[a][b] : scatter[b][a];
    }
    PoolFullMoments(&(*counts)[k], means->row(k), &(*scatters)[k], count, block_mean,
                    &block_scatter);
  }
}

// counts[k] = the sum of column k of weights, each summed in row order
// (as weights.col(k).sum() would), in one pass over the rows: the K sums
// advance together in registers rather than one strided column at a time.
void ColumnSums(const Eigen::Ref<const RowMatrix>& weights, Vector* counts) {
  counts->setZero(weights.cols());
  for (Eigen::Index i = 0; i < weights.rows(); ++i) *counts += weights.row(i).transpose();
}

}  // namespace

void AxisAlignedLogDensities(const MatrixView& x, const AxisAlignedDensityTerms& terms,
                             Eigen::Ref<RowMatrix> out) {
  const Eigen::Index d = x.cols();
  thread_local RowMatrix centered;
  centered.resize(x.rows(), d);
  centered.noalias() = x.rowwise() - *terms.reference;
  const double max_centered = centered.size() > 0 ? centered.cwiseAbs().maxCoeff() : 0.0;
  const double spread = max_centered + terms.max_centered_mean;
  const double error_bound = static_cast<double>(d + 2) *
                             std::numeric_limits<double>::epsilon() * terms.max_precision *
                             spread * spread;
  if (error_bound <= kMaxLogDensityError) {
    // sum_d p (x - mu)^2 = (x-c)^2 . p - 2 (x-c) . (p (mu-c)) + p . (mu-c)^2:
    // two products of the block with K x D matrices.
    out.noalias() = centered.array().square().matrix() * *terms.minus_half_precisions_t;
    out.noalias() += centered * *terms.precision_times_centered_means_t;
    out.rowwise() += *terms.log_density_constants;
    return;
  }
  for (Eigen::Index k = 0; k < terms.means->rows(); ++k) {
    centered.noalias() = x.rowwise() - terms.means->row(k);
    out.col(k).noalias() =
        centered.array().square().matrix() * (-0.5 * terms.precisions->row(k).transpose());
    out.col(k).array() +=
        (*terms.half_log_det_precision)[k] - 0.5 * static_cast<double>(d) * kLog2Pi;
  }
}

void AccumulateAxisAligned(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                           const Eigen::RowVectorXd& reference, Vector* counts,
                           RowMatrix* means, RowMatrix* squares) {
  const Eigen::Index d = x.cols();
  thread_local RowMatrix centered;
  thread_local RowMatrix sums;
  thread_local RowMatrix block_squares;
  centered.resize(x.rows(), d);
  // All components at once: weighted sums of (x - c) and (x - c)^2 as two
  // products, then moments about each component's block mean.
  centered.noalias() = x.rowwise() - reference;
  sums.noalias() = weights.transpose() * centered;
  block_squares.noalias() = weights.transpose() * centered.array().square().matrix();
  thread_local Vector block_counts;
  ColumnSums(weights, &block_counts);
  for (Eigen::Index k = 0; k < weights.cols(); ++k) {
    const double count = block_counts[k];
    if (!(count > 0.0)) continue;
    const Eigen::RowVectorXd mean_offset = sums.row(k) / count;
    Eigen::RowVectorXd central =
        block_squares.row(k) - count * mean_offset.array().square().matrix();
    const bool accurate =
        (central.array() >= kMaxCancellation * block_squares.row(k).array()).all();
    if (!accurate) {
      // The component's rows sit far from c relative to their spread: both
      // moments again, directly about the component's own block mean.
      thread_local RowMatrix about_mean;
      about_mean.resize(x.rows(), d);
      const Eigen::RowVectorXd mean = (weights.col(k).transpose() * x) / count;
      about_mean.noalias() = x.rowwise() - mean;
      central = weights.col(k).transpose() * about_mean.array().square().matrix();
      PoolDiagonalMoments(&(*counts)[k], means->row(k), squares->row(k), count, mean, central);
      continue;
    }
    PoolDiagonalMoments(&(*counts)[k], means->row(k), squares->row(k), count,
                        mean_offset + reference, central);
  }
}

void AccumulateFullFewFeatures(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                               Vector* counts, RowMatrix* means,
                               std::vector<Eigen::MatrixXd>* scatters) {
  switch (x.cols()) {
    case 1: return AccumulateFewFeatures<1>(x, weights, counts, means, scatters);
    case 2: return AccumulateFewFeatures<2>(x, weights, counts, means, scatters);
    case 3: return AccumulateFewFeatures<3>(x, weights, counts, means, scatters);
    default: return AccumulateFewFeatures<4>(x, weights, counts, means, scatters);
  }
}

void AccumulateFullByRankUpdates(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                                 Vector* counts, RowMatrix* means,
                                 std::vector<Eigen::MatrixXd>* scatters,
                                 Eigen::MatrixXd* shared_scatter) {
  const Eigen::Index d = x.cols();
  thread_local RowMatrix scaled;
  thread_local Eigen::MatrixXd block_scatter;
  scaled.resize(x.rows(), d);
  block_scatter.resize(d, d);
  const Eigen::Index chunk = std::max<Eigen::Index>(8, kRankUpdateValues / d);
  thread_local Vector block_counts;
  ColumnSums(weights, &block_counts);
  for (Eigen::Index k = 0; k < weights.cols(); ++k) {
    const double count = block_counts[k];
    if (!(count > 0.0)) continue;
    // Moments of this block about its own weighted mean, then pooled. The
    // scatter is a symmetric rank-n update (half the work of a product) of
    // the centred rows scaled by the square roots of their weights.
    const Eigen::RowVectorXd mean = (weights.col(k).transpose() * x) / count;
    scaled.noalias() =
        ((x.rowwise() - mean).array().colwise() * weights.col(k).array().sqrt()).matrix();
    Eigen::MatrixXd* target = shared_scatter != nullptr ? shared_scatter : &block_scatter;
    if (shared_scatter == nullptr) block_scatter.setZero();
    for (Eigen::Index first = 0; first < x.rows(); first += chunk) {
      const Eigen::Index rows = std::min(chunk, x.rows() - first);
      target->selfadjointView<Eigen::Lower>().rankUpdate(
          scaled.middleRows(first, rows).transpose());
    }
    if (shared_scatter != nullptr) {
      PoolFullMoments(&(*counts)[k], means->row(k), shared_scatter, count, mean, nullptr,
                      shared_scatter);
    } else {
      PoolFullMoments(&(*counts)[k], means->row(k), &(*scatters)[k], count, mean,
                      &block_scatter);
    }
  }
}

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
