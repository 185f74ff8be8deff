// The M-step side of the full-covariance family for few features: each
// component's weighted mean over a block of rows and its weighted scatter
// about that mean (the block moments that pooled_moments.h then pools), and
// the float32 path's raw moments about given shifts.
//
// Why a kernel of its own: for D up to 16 a general rank update spends most
// of its time packing and scaling copies of the block, per component. Here
// each row is centred, weighted and added as an outer product straight
// from the block, with the D(D+1)/2 lower-triangle sums (a few SIMD
// registers per row of the triangle) held in registers over the whole
// block.
#ifndef EMKIT_SRC_FAMILIES_FULL_BLOCK_MOMENTS_H_
#define EMKIT_SRC_FAMILIES_FULL_BLOCK_MOMENTS_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "kernel_namespace.h"

namespace emkit::internal {

// FullBlockMoments of a block with every component (below).
struct BlockMoments {
  Vector counts;
  RowMatrix means;
  std::vector<Eigen::MatrixXd> scatters;
};

EMKIT_KERNEL_NAMESPACE_BEGIN

// Whether FullBlockMoments handles d features (d <= 16 with AVX-512: the
// triangle must fit the vector registers).
bool FullBlockMomentsSupported(int d);

// x: the block (n x d); weights: n x K; counts: the K column sums of
// weights. For each component k with counts[k] > 0, writes row k of
// *means, the weighted mean, and (*scatters)[k], the scatter
// sum w (x - mean)(x - mean)^T (d x d, lower triangle; the upper one is
// set to zero). Components with no weight are left untouched.
void FullBlockMoments(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                      const Vector& counts, RowMatrix* means,
                      std::vector<Eigen::MatrixXd>* scatters);

// FullBlockMoments of a block with every component, in storage of the
// calling thread that is reused block after block (valid until the
// thread's next call); counts are the column sums of weights.
const BlockMoments& ComputeBlockMoments(const MatrixView& x,
                                        const Eigen::Ref<const RowMatrix>& weights);

// Whether FullRawMomentsF handles d features (d <= 16 with AVX-512).
bool FullRawMomentsFSupported(int d);

// The float32 path's moments (the rule is in
// emkit/families/gaussian_float32.h): for each component k with
// counts[k] > 0, about its shift rounded to float (s = float(shifts(k, :))),
// the raw moments sum w (x - s) (row k of *first_moments, K x d) and
// sum w (x - s)(x - s)^T ((*second_moments)[k], lower triangle, upper one
// zero), summed in float over at most kFloat32PartialRows rows at a time
// and added in double. weights_t: K x n.
void FullRawMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t, const Vector& counts,
                     const RowMatrix& shifts, RowMatrix* first_moments,
                     std::vector<Eigen::MatrixXd>* second_moments);

// For d with FullRawMomentsFSupported(d): row k of *sums (K x d) is
// sum_i w_ki (x_i - centre), summed in float over the block (a shift for
// the moments, not a statistic). weights_t: K x n.
void CentredWeightedSumsF(const MatrixViewF& x, const RowMatrixF& weights_t,
                          const Eigen::RowVectorXf& centre, RowMatrix* sums);

EMKIT_KERNEL_NAMESPACE_END
}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_FULL_BLOCK_MOMENTS_H_
