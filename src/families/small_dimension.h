// Log-density kernels for few features (D <= kMaxSmallDimension). With D = 2
// the block products of the general kernels (stacked_whitening.h, the
// expanded diagonal form) have an inner dimension of 2 and spend their time
// packing; here each component's log-densities are one pass over the block,
// vectorised across rows, with D known at compile time.
//
// Rounding: every row is centred on each component's own mean before
// anything is squared, which is the general kernels' exact fallback (the
// formula their rounding bound protects them from leaving). The error is a
// few ulps of each non-negative term, relative to the result's quadratic
// part, whatever the offset of the data, so no bound needs checking.
#ifndef EMKIT_SRC_FAMILIES_SMALL_DIMENSION_H_
#define EMKIT_SRC_FAMILIES_SMALL_DIMENSION_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "kernel_namespace.h"

namespace emkit {

inline constexpr int kMaxSmallDimension = 4;

namespace internal {
EMKIT_KERNEL_NAMESPACE_BEGIN

// out(i, k) = constants[k] - 1/2 sum_j precisions(k, j) (x(i, j) - means(k, j))^2.
template <class Scalar>
void SmallDiagonalLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                               const RowMatrix& means, const RowMatrix& precisions,
                               const Eigen::VectorXd& constants,
                               Eigen::Ref<RowMatrixOf<Scalar>> out);

// The same written transposed: *out_t (K x n), (*out_t)(k, i).
template <class Scalar>
void SmallDiagonalLogDensitiesTransposed(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                                         const RowMatrix& means, const RowMatrix& precisions,
                                         const Eigen::VectorXd& constants,
                                         RowMatrixOf<Scalar>* out_t);

// The same for any D (the formula of the general kernels' exact fallback,
// used by the float32 kernels when their bound fails).
template <class Scalar>
void DirectDiagonalLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                                const RowMatrix& means, const RowMatrix& precisions,
                                const Eigen::VectorXd& constants,
                                Eigen::Ref<RowMatrixOf<Scalar>> out);

// out(i, k) = constants[k] - 1/2 ||(x_i - mu_k) W_f(k)||^2, with one factor
// per component or a single shared one (W triangular, either way up).
template <class Scalar>
void SmallWhitenedLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                               const RowMatrix& means,
                               const std::vector<const Eigen::MatrixXd*>& factors,
                               const Eigen::VectorXd& constants,
                               Eigen::Ref<RowMatrixOf<Scalar>> out);

extern template void SmallDiagonalLogDensities<double>(
    const Eigen::Map<const RowMatrixOf<double>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, Eigen::Ref<RowMatrixOf<double>>);
extern template void SmallDiagonalLogDensities<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, Eigen::Ref<RowMatrixOf<float>>);
extern template void SmallDiagonalLogDensitiesTransposed<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, RowMatrixOf<float>*);
extern template void DirectDiagonalLogDensities<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, Eigen::Ref<RowMatrixOf<float>>);
extern template void SmallWhitenedLogDensities<double>(
    const Eigen::Map<const RowMatrixOf<double>>&, const RowMatrix&,
    const std::vector<const Eigen::MatrixXd*>&, const Eigen::VectorXd&,
    Eigen::Ref<RowMatrixOf<double>>);
extern template void SmallWhitenedLogDensities<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&,
    const std::vector<const Eigen::MatrixXd*>&, const Eigen::VectorXd&,
    Eigen::Ref<RowMatrixOf<float>>);

EMKIT_KERNEL_NAMESPACE_END
}  // namespace internal
}  // namespace emkit

#endif  // EMKIT_SRC_FAMILIES_SMALL_DIMENSION_H_
