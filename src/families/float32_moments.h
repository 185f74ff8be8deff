// One component's moments over a block of float32 rows (the rule is in
// emkit/families/gaussian_float32.h): weighted mean and second moment about
// it, summed in float about a shift near the component and added in double.
#ifndef EMKIT_SRC_FAMILIES_FLOAT32_MOMENTS_H_
#define EMKIT_SRC_FAMILIES_FLOAT32_MOMENTS_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "kernel_namespace.h"

namespace emkit::internal {
EMKIT_KERNEL_NAMESPACE_BEGIN

// x: n rows; w: the component's n weights; count = sum w (> 0);
// shift: a point near the component (its current mean). Writes the
// weighted mean and the scatter sum w (x - mean)(x - mean)^T (lower
// triangle; the upper one is unspecified).
void FullMomentsF(const MatrixViewF& x, const Eigen::Ref<const Eigen::VectorXf>& w,
                  double count, const Eigen::RowVectorXd& shift, Eigen::RowVectorXd* mean,
                  Eigen::MatrixXd* scatter);

// FullMomentsF for every component k with counts[k] > 0 (shifts: K x D,
// weights_t: K x n), writing row k of *means and (*scatters)[k]: for few
// features all components' sums first go through one pass over the block
// (full_block_moments.h), and only a component whose moments cancel is
// summed again.
void FullBlockMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t, const Vector& counts,
                       const RowMatrix& shifts, RowMatrix* means,
                       std::vector<Eigen::MatrixXd>* scatters);

// The same with per-feature second moments, from the block transposed
// (x_t: D x n, so that each feature's values are contiguous).
void DiagonalMomentsF(const RowMatrixF& x_t, const Eigen::Ref<const Eigen::VectorXf>& w,
                      double count, const Eigen::RowVectorXd& shift,
                      Eigen::RowVectorXd* mean, Eigen::RowVectorXd* squares);

// Each component's weighted count (summed in double) and mean over the
// block (one float product about `reference`): the counts of the
// statistics, and the shifts that the moments are then summed about, so
// that the moments rarely cancel even for a component that has only a few
// far rows in the block. A component with no weight gets the reference.
// weights_t: K x n, the block's weights transposed.
void BlockCountsAndMeans(const MatrixViewF& x, const RowMatrixF& weights_t,
                         const Eigen::RowVectorXf& reference, Vector* counts,
                         RowMatrix* means);

// The same from the block transposed (x_t: D x n), by direct sums: for few
// features, where the product above would be mostly packing.
void BlockCountsAndMeansTransposed(const RowMatrixF& x_t, const RowMatrixF& weights_t,
                                   Vector* counts, RowMatrix* means);

// Per-feature moments of all K components at once, as float products over
// the block's rows grouped by their most probable component j ("home"):
// each row is centred on its home's shift (shifts: K x D, the components'
// current means),
// so one product per group gives, for every component k, the sums of w z
// and w z^2 about shift j, which move to shift k exactly in double
// (delta = shift_j - shift_k):
//
//   sum w (z + delta)^2 = S2 + 2 delta S1 + delta^2 N.
//
// Float partial sums have at most kGroupedPartialRows terms; with gamma
// their error factor, the error of S2 + 2 delta S1 + delta^2 N is under
// gamma (sqrt(S2) + |delta| sqrt(N))^2 <= 2 gamma (S2 + delta^2 N) (Cauchy-
// Schwarz on S1), and a component's central moment is accepted when three
// times the sum of those over j is at most 1e-4 of it, else
// accepted[k] is false and the caller sums that component directly.
// weights_t: K x n.
void GroupedDiagonalMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t,
                             const RowMatrix& shifts, Vector* counts, RowMatrix* means,
                             RowMatrix* squares, std::vector<char>* accepted);

EMKIT_KERNEL_NAMESPACE_END
}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_FLOAT32_MOMENTS_H_
