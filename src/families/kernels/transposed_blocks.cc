#include "transposed_blocks.h"

#include <algorithm>
#include <cmath>

#include "simd_packets.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

// PacketBlock's argument is a SIMD type whose alignment attribute GCC
// reports as ignored in a template argument; Eigen itself uses it so.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"

// Transposes the lanes x lanes tile at src (row stride src_stride) into
// dst (row stride dst_stride), applying f to each source packet (row r of
// the tile) first.
template <class Scalar, class F>
void TransposeTile(const Scalar* src, Eigen::Index src_stride, Scalar* dst,
                   Eigen::Index dst_stride, F f) {
  using namespace Eigen::internal;
  using Packet = PacketOf<Scalar>;
  constexpr int kLanes = kLanesOf<Scalar>;
  PacketBlock<Packet, kLanes> tile;
#pragma GCC unroll 16
  for (int r = 0; r < kLanes; ++r) tile.packet[r] = f(ploadu<Packet>(src + r * src_stride), r);
  ptranspose(tile);
#pragma GCC unroll 16
  for (int r = 0; r < kLanes; ++r) pstoreu(dst + r * dst_stride, tile.packet[r]);
}

#pragma GCC diagnostic pop

}  // namespace

template <class Scalar>
Scalar CentreTransposed(const Scalar* x, Eigen::Index rows, int d, const Scalar* centre,
                        Scalar* centred_t, Eigen::Index stride) {
  using namespace Eigen::internal;
  using Packet = PacketOf<Scalar>;
  constexpr int kLanes = kLanesOf<Scalar>;
  const Eigen::Index full_rows = rows / kLanes * kLanes;
  const int full_cols = d / kLanes * kLanes;
  Packet max_abs = pzero(Packet{});
  for (int a = 0; a < full_cols; a += kLanes) {
    const Packet c = ploadu<Packet>(centre + a);
    for (Eigen::Index i = 0; i < full_rows; i += kLanes) {
      TransposeTile<Scalar>(x + i * d + a, d, centred_t + a * stride + i, stride,
                            [&](const Packet& p, int) {
                              const Packet centred = psub(p, c);
                              max_abs = pmax(max_abs, pabs(centred));
                              return centred;
                            });
    }
  }
  Scalar result = predux_max(max_abs);
  // The edges: rows past the last whole tile, features past the last
  // whole packet.
  for (Eigen::Index i = 0; i < rows; ++i) {
    const int first = i < full_rows ? full_cols : 0;
    for (int a = first; a < d; ++a) {
      const Scalar centred = x[i * d + a] - centre[a];
      centred_t[a * stride + i] = centred;
      result = std::max(result, std::abs(centred));
    }
  }
  return result;
}

template <class Scalar>
void Transpose(const Scalar* src, Eigen::Index rows, Eigen::Index cols, Eigen::Index src_stride,
               Scalar* dst, Eigen::Index dst_stride) {
  using Packet = PacketOf<Scalar>;
  constexpr int kLanes = kLanesOf<Scalar>;
  const Eigen::Index full_rows = rows / kLanes * kLanes;
  const Eigen::Index full_cols = cols / kLanes * kLanes;
  for (Eigen::Index c = 0; c < full_cols; c += kLanes) {
    for (Eigen::Index r = 0; r < full_rows; r += kLanes) {
      TransposeTile<Scalar>(src + r * src_stride + c, src_stride, dst + c * dst_stride + r,
                            dst_stride, [](const Packet& p, int) { return p; });
    }
  }
  for (Eigen::Index r = 0; r < rows; ++r) {
    const Eigen::Index first = r < full_rows ? full_cols : 0;
    for (Eigen::Index c = first; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
  }
}

template <class Scalar>
void LogDensitiesFromTransposed(const Scalar* dist, Eigen::Index dist_stride,
                                Eigen::Index k_count, Eigen::Index rows,
                                const Scalar* constants, Scalar* out,
                                Eigen::Index out_stride) {
  using namespace Eigen::internal;
  using Packet = PacketOf<Scalar>;
  constexpr int kLanes = kLanesOf<Scalar>;
  const Eigen::Index full_rows = rows / kLanes * kLanes;
  const Eigen::Index full_k = k_count / kLanes * kLanes;
  const Packet minus_half = pset1<Packet>(Scalar(-0.5));
  for (Eigen::Index k = 0; k < full_k; k += kLanes) {
    for (Eigen::Index i = 0; i < full_rows; i += kLanes) {
      // -dist / 2 is exact, so the fused and the separate multiply-add agree.
      TransposeTile<Scalar>(dist + k * dist_stride + i, dist_stride, out + i * out_stride + k,
                            out_stride, [&](const Packet& p, int r) {
                              return pmadd(minus_half, p, pset1<Packet>(constants[k + r]));
                            });
    }
  }
  for (Eigen::Index i = 0; i < rows; ++i) {
    const Eigen::Index first = i < full_rows ? full_k : 0;
    for (Eigen::Index k = first; k < k_count; ++k) {
      out[i * out_stride + k] = Scalar(-0.5) * dist[k * dist_stride + i] + constants[k];
    }
  }
}

template double CentreTransposed<double>(const double*, Eigen::Index, int, const double*,
                                         double*, Eigen::Index);
template float CentreTransposed<float>(const float*, Eigen::Index, int, const float*, float*,
                                       Eigen::Index);
template void Transpose<double>(const double*, Eigen::Index, Eigen::Index, Eigen::Index,
                               double*, Eigen::Index);
template void Transpose<float>(const float*, Eigen::Index, Eigen::Index, Eigen::Index, float*,
                              Eigen::Index);
template void LogDensitiesFromTransposed<double>(const double*, Eigen::Index, Eigen::Index,
                                                 Eigen::Index, const double*, double*,
                                                 Eigen::Index);
template void LogDensitiesFromTransposed<float>(const float*, Eigen::Index, Eigen::Index,
                                                Eigen::Index, const float*, float*,
                                                Eigen::Index);

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
