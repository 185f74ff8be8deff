// Moving a block between the row-major layout of the data and of the
// n x K log-densities, and the feature-major (transposed) layout of the
// whitening kernel (whitened_distances.h), a SIMD tile at a time: a plain
// element loop would cost a fair fraction of the kernel itself.
// Scalar: double or float.
#ifndef EMKIT_SRC_FAMILIES_KERNELS_TRANSPOSED_BLOCKS_H_
#define EMKIT_SRC_FAMILIES_KERNELS_TRANSPOSED_BLOCKS_H_

#include <Eigen/Core>

namespace emkit::internal::EMKIT_KERNEL_ISA {

// x: rows x d, row-major with stride d. Writes
// centred_t[a * stride + i] = x(i, a) - centre[a] and returns the largest
// |x(i, a) - centre[a]|.
template <class Scalar>
Scalar CentreTransposed(const Scalar* x, Eigen::Index rows, int d, const Scalar* centre,
                        Scalar* centred_t, Eigen::Index stride);

// dst[c * dst_stride + r] = src[r * src_stride + c] for a rows x cols
// block: an exact copy, a SIMD tile at a time.
template <class Scalar>
void Transpose(const Scalar* src, Eigen::Index rows, Eigen::Index cols, Eigen::Index src_stride,
               Scalar* dst, Eigen::Index dst_stride);

// dist: k_count x rows with stride dist_stride (component-major). Writes
// out[i * out_stride + k] = constants[k] - dist(k, i) / 2.
template <class Scalar>
void LogDensitiesFromTransposed(const Scalar* dist, Eigen::Index dist_stride,
                                Eigen::Index k_count, Eigen::Index rows,
                                const Scalar* constants, Scalar* out,
                                Eigen::Index out_stride);

}  // namespace emkit::internal::EMKIT_KERNEL_ISA

#endif  // EMKIT_SRC_FAMILIES_KERNELS_TRANSPOSED_BLOCKS_H_
