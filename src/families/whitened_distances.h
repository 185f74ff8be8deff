// The E-step kernel of the full and tied Gaussian families: log-densities
// of a block of rows under every component from the squared whitened
// distances
//
//   dist_ik = || (x_i - c) W_k - o_k ||^2,   o_k = (mu_k - c) W_k,
//
// with c a reference point near the data (see
// emkit/internal/stacked_whitening.h for why the offset o_k is subtracted
// after the product, and for the rounding bound that makes it safe).
//
// Why a kernel of its own rather than one matrix product of the block by
// all factors: W is triangular, so half of a product's multiply-adds are
// by zeros, and a product writes the n x (K D) residuals to memory only to
// read them back and square them. Here each residual lives in registers
// from its first multiply-add to its square. Rows are centred and stored
// transposed (feature-major), a chunk at a time, so one SIMD register holds
// one feature of several rows and every operation is element-wise: no
// horizontal sums.
//
// Scalar: double, or float for float32 data.
#ifndef EMKIT_SRC_FAMILIES_WHITENED_DISTANCES_H_
#define EMKIT_SRC_FAMILIES_WHITENED_DISTANCES_H_

#include <Eigen/Core>

#include "kernel_namespace.h"

namespace emkit::internal {

// One component's parameters as the kernel reads them.
template <class Scalar>
struct WhiteningFactor {
  // W (d x d), row-major: W(a, j) at factor[a * d + j].
  const Scalar* factor;
  // W(a, j) == 0 exactly for a > j (factors computed from covariances), so
  // those terms are skipped: a skipped term would add an exact zero.
  bool upper;
  // o (d values).
  const Scalar* offset;
};

// Whether W(a, j) == 0 exactly for every a > j.
inline bool IsExactlyUpperTriangular(const Eigen::MatrixXd& w) {
  for (Eigen::Index j = 0; j < w.cols(); ++j) {
    for (Eigen::Index a = j + 1; a < w.rows(); ++a) {
      if (w(a, j) != 0.0) return false;
    }
  }
  return true;
}

EMKIT_KERNEL_NAMESPACE_BEGIN

// x: n x d, row-major; centre: c (d values); components: K of them;
// constants: K values. Writes constants[k] - dist_ik / 2 to
// out[i * out_stride + k] (n x K), or with `transposed` to
// out[k * out_stride + i] (K x n), and returns the largest |x_ia - c_a|,
// which the caller needs for the block's rounding bound.
template <class Scalar>
Scalar WhitenedLogDensities(const Scalar* x, Eigen::Index n, int d, const Scalar* centre,
                            const WhiteningFactor<Scalar>* components, Eigen::Index k_count,
                            const Scalar* constants, Scalar* out, Eigen::Index out_stride,
                            bool transposed);

EMKIT_KERNEL_NAMESPACE_END
}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_WHITENED_DISTANCES_H_
