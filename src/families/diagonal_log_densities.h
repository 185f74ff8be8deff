// The float32 E-step kernel of the diagonal and spherical families: the
// expanded log-densities
//
//   log p(x_i | k) = constant_k + sum_a c_ia (c_ia A_ka + B_ka),
//
// c_i = x_i - c about a reference point c, A_ka = -p_ka / 2,
// B_ka = p_ka (mu_ka - c_a), written transposed (K x n, the layout the
// float32 log-sum-exp and moments work in).
//
// Why a kernel of its own rather than the two products c^2 A^T + c B^T: the
// products pack both operands and write two n x K results, for an inner
// dimension of only D; here the rows are centred and transposed a chunk at
// a time (one SIMD register holds one feature of several rows) and each
// log-density is two multiply-adds per feature, in registers from the first
// to the last. The same pass finds each row's rounding-bound terms.
#ifndef EMKIT_SRC_FAMILIES_DIAGONAL_LOG_DENSITIES_H_
#define EMKIT_SRC_FAMILIES_DIAGONAL_LOG_DENSITIES_H_

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "kernel_namespace.h"

namespace emkit::internal {
EMKIT_KERNEL_NAMESPACE_BEGIN

// x: n x d float rows; a, b: K x d (A and B above); constants: K values;
// max_precisions, max_centred_means: per feature a, P_a = max_k p_ka and
// M_a = max_k |mu_ka - c_a|. Writes out_t[k * out_stride + i] and returns
// the largest row term sum_a P_a (|c_ia| + M_a)^2 (the caller's rounding
// bound; the magnitudes of row i's terms add up to at most half of it).
float ExpandedDiagonalLogDensitiesF(const MatrixViewF& x, const Eigen::RowVectorXf& reference,
                                    const RowMatrixF& a, const RowMatrixF& b,
                                    const Eigen::RowVectorXf& constants,
                                    const Eigen::RowVectorXf& max_precisions,
                                    const Eigen::RowVectorXf& max_centred_means, float* out_t,
                                    Eigen::Index out_stride);

EMKIT_KERNEL_NAMESPACE_END
}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_DIAGONAL_LOG_DENSITIES_H_
