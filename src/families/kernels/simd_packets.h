// Eigen's SIMD packet of a scalar type, for the hand-written kernels of the
// Gaussian families: the instruction set compiled for decides it (with
// AVX-512: 8 doubles or 16 floats; one value without vectorisation), and
// its operations (Eigen::internal::pmadd, ploadu, ...) compile to single
// instructions. Internal to the library.
#ifndef EMKIT_SRC_FAMILIES_KERNELS_SIMD_PACKETS_H_
#define EMKIT_SRC_FAMILIES_KERNELS_SIMD_PACKETS_H_

#include <Eigen/Core>

namespace emkit::internal::EMKIT_KERNEL_ISA {

template <class Scalar>
using PacketOf = typename Eigen::internal::packet_traits<Scalar>::type;

template <class Scalar>
constexpr int kLanesOf = Eigen::internal::packet_traits<Scalar>::size;

}  // namespace emkit::internal::EMKIT_KERNEL_ISA

#endif  // EMKIT_SRC_FAMILIES_KERNELS_SIMD_PACKETS_H_
