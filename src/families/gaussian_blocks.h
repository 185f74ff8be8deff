// The block loops of the Gaussian families that are not kernels of their
// own (whitened_distances.h, full_block_moments.h, small_dimension.h): the
// diag/spherical log-densities and moments as matrix products, and the full
// and tied moments by direct sums (few features) or rank updates (many).
// They are compiled per instruction set with the other kernels
// (kernel_namespace.h), so that Eigen's products run as wide as the
// processor allows. The rules are the families' (docs/design.md).
#ifndef EMKIT_SRC_FAMILIES_GAUSSIAN_BLOCKS_H_
#define EMKIT_SRC_FAMILIES_GAUSSIAN_BLOCKS_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "kernel_namespace.h"

namespace emkit::internal {

// What GaussianAxisAligned keeps for its log-densities: the expanded form
// about the reference point c and the scales of its rounding bound.
struct AxisAlignedDensityTerms {
  const RowMatrix* means;                           // K x D
  const RowMatrix* precisions;                      // K x D
  const Vector* half_log_det_precision;             // K
  const Eigen::RowVectorXd* reference;              // c
  const Eigen::MatrixXd* minus_half_precisions_t;   // D x K
  const Eigen::MatrixXd* precision_times_centered_means_t;  // D x K
  const Eigen::RowVectorXd* log_density_constants;  // 1 x K
  double max_precision;
  double max_centered_mean;
};

EMKIT_KERNEL_NAMESPACE_BEGIN

// out (n x K) = log N(x_i | mu_k, diag(1 / p_k)): the expanded form as two
// products when the block's rounding bound allows it, else each row
// centred on each mean.
void AxisAlignedLogDensities(const MatrixView& x, const AxisAlignedDensityTerms& terms,
                             Eigen::Ref<RowMatrix> out);

// Pools the block's per-feature moments about each component's block mean
// into (counts, means, squares) (K, K x D, K x D); reference: c.
void AccumulateAxisAligned(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                           const Eigen::RowVectorXd& reference, Vector* counts,
                           RowMatrix* means, RowMatrix* squares);

// Pools the block's full moments (d = x.cols() <= 4) into (counts, means,
// scatters) by two direct passes per component.
void AccumulateFullFewFeatures(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                               Vector* counts, RowMatrix* means,
                               std::vector<Eigen::MatrixXd>* scatters);

// The same for any d by symmetric rank updates; with `shared_scatter` (tied
// covariances) every component's scatter and cross term go to it and
// `scatters` is not used.
void AccumulateFullByRankUpdates(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                                 Vector* counts, RowMatrix* means,
                                 std::vector<Eigen::MatrixXd>* scatters,
                                 Eigen::MatrixXd* shared_scatter);

EMKIT_KERNEL_NAMESPACE_END
}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_GAUSSIAN_BLOCKS_H_
