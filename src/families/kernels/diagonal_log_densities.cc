#include "diagonal_log_densities.h"

#include <algorithm>

#include "simd_packets.h"
#include "transposed_blocks.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

using Packet = PacketOf<float>;
constexpr int kLanes = kLanesOf<float>;

// Row vectors (of kLanes rows) per pass over a component's coefficients:
// eight independent sums hide the multiply-add latency.
constexpr int kVectors = 8;
constexpr Eigen::Index kGroupRows = kVectors * kLanes;

// Values of centred rows per chunk (16 KiB of floats, at least one group).
constexpr Eigen::Index kChunkValues = 4096;

}  // namespace

float ExpandedDiagonalLogDensitiesF(const MatrixViewF& x, const Eigen::RowVectorXf& reference,
                                    const RowMatrixF& a, const RowMatrixF& b,
                                    const Eigen::RowVectorXf& constants,
                                    const Eigen::RowVectorXf& max_precisions,
                                    const Eigen::RowVectorXf& max_centred_means, float* out_t,
                                    Eigen::Index out_stride) {
  using namespace Eigen::internal;
  const Eigen::Index n = x.rows();
  const int d = static_cast<int>(x.cols());
  const Eigen::Index k_count = a.rows();
  const Eigen::Index chunk =
      std::max<Eigen::Index>(kGroupRows, kChunkValues / std::max(d, 1) / kGroupRows * kGroupRows);
  thread_local RowMatrixF centred_t;  // d x chunk
  thread_local RowMatrixF result;     // K x chunk
  centred_t.resize(d, chunk);
  result.resize(k_count, chunk);
  Packet largest = pzero(Packet{});
  for (Eigen::Index first = 0; first < n; first += chunk) {
    const Eigen::Index rows = std::min(chunk, n - first);
    const Eigen::Index padded = (rows + kGroupRows - 1) / kGroupRows * kGroupRows;
    CentreTransposed(x.data() + first * d, rows, d, reference.data(), centred_t.data(), chunk);
    centred_t.middleCols(rows, padded - rows).setZero();
    // Each row's bound terms (padding rows give M's sum, which is no more
    // than a real row's).
    for (Eigen::Index v = 0; v < padded; v += kLanes) {
      Packet terms = pzero(Packet{});
      for (int f = 0; f < d; ++f) {
        const Packet t = padd(pabs(ploadu<Packet>(centred_t.data() + f * chunk + v)),
                              pset1<Packet>(max_centred_means[f]));
        terms = pmadd(pmul(t, t), pset1<Packet>(max_precisions[f]), terms);
      }
      largest = pmax(largest, terms);
    }
    for (Eigen::Index k = 0; k < k_count; ++k) {
      const float* ak = a.data() + k * d;
      const float* bk = b.data() + k * d;
      for (Eigen::Index v = 0; v < padded; v += kGroupRows) {
        Packet acc[kVectors];
#pragma GCC unroll 8
        for (int u = 0; u < kVectors; ++u) acc[u] = pset1<Packet>(constants[k]);
        for (int f = 0; f < d; ++f) {
          const Packet af = pset1<Packet>(ak[f]);
          const Packet bf = pset1<Packet>(bk[f]);
          const float* c = centred_t.data() + f * chunk + v;
#pragma GCC unroll 8
          for (int u = 0; u < kVectors; ++u) {
            const Packet cu = ploadu<Packet>(c + u * kLanes);
            acc[u] = pmadd(cu, pmadd(cu, af, bf), acc[u]);
          }
        }
#pragma GCC unroll 8
        for (int u = 0; u < kVectors; ++u) {
          pstoreu(result.data() + k * chunk + v + u * kLanes, acc[u]);
        }
      }
      std::copy_n(result.data() + k * chunk, rows, out_t + k * out_stride + first);
    }
  }
  return predux_max(largest);
}

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
