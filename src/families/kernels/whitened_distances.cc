#include "whitened_distances.h"

#include <algorithm>

#include "simd_packets.h"
#include "transposed_blocks.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

// Values of centred rows per chunk (16 KiB of doubles, 8 of floats): a
// chunk stays in the L1 cache while every component's factor passes over
// it.
constexpr Eigen::Index kChunkValues = 2048;

// Residual columns kept in registers at once: 16 accumulators plus the
// operands fit the 32 vector registers of AVX-512.
constexpr int kMaxGroup = 16;

// Sum of squares of acc[0..W), as a short tree (not one long dependency
// chain).
template <int W, class Packet>
Packet SumOfSquares(const Packet* acc) {
  using Eigen::internal::padd;
  using Eigen::internal::pmadd;
  using Eigen::internal::pmul;
  Packet partial[4];
  constexpr int kPartials = W < 4 ? W : 4;
#pragma GCC unroll 4
  for (int p = 0; p < kPartials; ++p) partial[p] = pmul(acc[p], acc[p]);
#pragma GCC unroll 16
  for (int j = kPartials; j < W; ++j) {
    partial[j % 4] = pmadd(acc[j], acc[j], partial[j % 4]);
  }
  if constexpr (kPartials == 4) {
    return padd(padd(partial[0], partial[1]), padd(partial[2], partial[3]));
  } else if constexpr (kPartials == 3) {
    return padd(padd(partial[0], partial[1]), partial[2]);
  } else if constexpr (kPartials == 2) {
    return padd(partial[0], partial[1]);
  } else {
    return partial[0];
  }
}

// Residual columns [j0, j0 + W) of every row, squared and summed into dist
// (added to what dist holds when `accumulate`). With kUpper, feature a
// contributes to columns j >= a only: the rows a < j0 meet the whole group
// (a rectangle), the rows j0 <= a < j0 + W its upper triangle.
template <int W, bool kUpper, class Scalar>
void GroupSquaredDistances(const Scalar* centred_t, Eigen::Index stride, Eigen::Index rows,
                           int d, int j0, const Scalar* factor, const Scalar* offset,
                           bool accumulate, Scalar* dist) {
  using Packet = PacketOf<Scalar>;
  constexpr int kLanes = kLanesOf<Scalar>;
  using Eigen::internal::padd;
  using Eigen::internal::ploadu;
  using Eigen::internal::pmadd;
  using Eigen::internal::pset1;
  using Eigen::internal::pstoreu;
  const int full_rows = kUpper ? j0 : d;  // features that meet every column
  for (Eigen::Index v = 0; v < rows; v += kLanes) {
    const Scalar* x = centred_t + v;
    Packet acc[W];
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) acc[j] = pset1<Packet>(-offset[j0 + j]);
    for (int a = 0; a < full_rows; ++a) {
      const Packet xa = ploadu<Packet>(x + a * stride);
      const Scalar* w = factor + a * d + j0;
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) acc[j] = pmadd(xa, pset1<Packet>(w[j]), acc[j]);
    }
    if constexpr (kUpper) {
#pragma GCC unroll 16
      for (int t = 0; t < W; ++t) {
        const Packet xa = ploadu<Packet>(x + (j0 + t) * stride);
        const Scalar* w = factor + (j0 + t) * d + j0;
#pragma GCC unroll 16
        for (int j = t; j < W; ++j) acc[j] = pmadd(xa, pset1<Packet>(w[j]), acc[j]);
      }
    }
    Packet sum = SumOfSquares<W, Packet>(acc);
    if (accumulate) sum = padd(sum, ploadu<Packet>(dist + v));
    pstoreu(dist + v, sum);
  }
}

template <bool kUpper, class Scalar>
void Group(int width, const Scalar* centred_t, Eigen::Index stride, Eigen::Index rows, int d,
           int j0, const Scalar* factor, const Scalar* offset, bool accumulate,
           Scalar* dist) {
  // One instantiation per width, so every loop over the group's columns
  // unrolls and its accumulators stay in registers.
  switch (width) {
#define EMKIT_GROUP_CASE(W)                                                           \
  case W:                                                                             \
    return GroupSquaredDistances<W, kUpper, Scalar>(centred_t, stride, rows, d, j0,   \
                                                    factor, offset, accumulate, dist);
    EMKIT_GROUP_CASE(1)
    EMKIT_GROUP_CASE(2)
    EMKIT_GROUP_CASE(3)
    EMKIT_GROUP_CASE(4)
    EMKIT_GROUP_CASE(5)
    EMKIT_GROUP_CASE(6)
    EMKIT_GROUP_CASE(7)
    EMKIT_GROUP_CASE(8)
    EMKIT_GROUP_CASE(9)
    EMKIT_GROUP_CASE(10)
    EMKIT_GROUP_CASE(11)
    EMKIT_GROUP_CASE(12)
    EMKIT_GROUP_CASE(13)
    EMKIT_GROUP_CASE(14)
    EMKIT_GROUP_CASE(15)
    EMKIT_GROUP_CASE(16)
#undef EMKIT_GROUP_CASE
  }
}

// dist[i] = || centred_t(:, i)^T W - o ||^2 for one component and a chunk
// of `rows` rows (a multiple of the lanes, padded with zeros), feature a of
// row i at centred_t[a * stride + i].
template <class Scalar>
void SquaredDistances(const Scalar* centred_t, Eigen::Index stride, Eigen::Index rows, int d,
                      const WhiteningFactor<Scalar>& component, Scalar* dist) {
  static_assert(kMaxGroup == 16, "Group() dispatches widths 1 to 16");
  for (int j0 = 0; j0 < d; j0 += kMaxGroup) {
    const int width = std::min(kMaxGroup, d - j0);
    if (component.upper) {
      Group<true>(width, centred_t, stride, rows, d, j0, component.factor, component.offset,
                  j0 > 0, dist);
    } else {
      Group<false>(width, centred_t, stride, rows, d, j0, component.factor, component.offset,
                   j0 > 0, dist);
    }
  }
}

}  // namespace

template <class Scalar>
Scalar WhitenedLogDensities(const Scalar* x, Eigen::Index n, int d, const Scalar* centre,
                            const WhiteningFactor<Scalar>* components, Eigen::Index k_count,
                            const Scalar* constants, Scalar* out, Eigen::Index out_stride,
                            bool transposed) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  constexpr Eigen::Index kLanes = kLanesOf<Scalar>;
  const Eigen::Index chunk =
      std::max<Eigen::Index>(kLanes, kChunkValues / std::max(d, 1) / kLanes * kLanes);
  // The chunk's rows centred and transposed, and its distances (K x chunk).
  thread_local Matrix centred_t;
  thread_local Matrix dist;
  centred_t.resize(d, chunk);
  dist.resize(k_count, chunk);
  Scalar max_centred = 0;
  for (Eigen::Index first = 0; first < n; first += chunk) {
    const Eigen::Index rows = std::min(chunk, n - first);
    const Eigen::Index padded = (rows + kLanes - 1) / kLanes * kLanes;
    max_centred = std::max(max_centred, CentreTransposed(x + first * d, rows, d, centre,
                                                         centred_t.data(), chunk));
    centred_t.middleCols(rows, padded - rows).setZero();
    // The next chunk's rows are fetched from memory while this one is
    // worked on (a share per component), not when it is centred.
    const Eigen::Index next_first = std::min(first + chunk, n);
    const Eigen::Index next_rows = std::min(chunk, n - next_first);
    const char* next = reinterpret_cast<const char*>(x + next_first * d);
    const Eigen::Index next_lines = (next_rows * d * sizeof(Scalar) + 63) / 64;
    for (Eigen::Index k = 0; k < k_count; ++k) {
      for (Eigen::Index line = k * next_lines / k_count; line < (k + 1) * next_lines / k_count;
           ++line) {
        __builtin_prefetch(next + 64 * line);
      }
      SquaredDistances(centred_t.data(), chunk, padded, d, components[k], dist.row(k).data());
    }
    if (transposed) {
      for (Eigen::Index k = 0; k < k_count; ++k) {
        Eigen::Map<Eigen::Array<Scalar, 1, Eigen::Dynamic>>(out + k * out_stride + first, rows) =
            Scalar(-0.5) * dist.row(k).head(rows).array() + constants[k];
      }
    } else {
      LogDensitiesFromTransposed(dist.data(), chunk, k_count, rows, constants,
                                 out + first * out_stride, out_stride);
    }
  }
  return max_centred;
}

template double WhitenedLogDensities<double>(const double*, Eigen::Index, int, const double*,
                                             const WhiteningFactor<double>*, Eigen::Index,
                                             const double*, double*, Eigen::Index, bool);
template float WhitenedLogDensities<float>(const float*, Eigen::Index, int, const float*,
                                           const WhiteningFactor<float>*, Eigen::Index,
                                           const float*, float*, Eigen::Index, bool);

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
