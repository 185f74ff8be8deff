#include "full_block_moments.h"

#include <algorithm>
#include <utility>

#include "emkit/families/gaussian_float32.h"
#include "simd_packets.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

// At most two packets per row: the triangle then takes at most
// lanes + 2 lanes registers (with AVX-512, 24 of the 32 for 16 doubles, 16
// for 16 floats).
template <class Scalar>
constexpr int kMaxFeaturesOf = std::min(2 * kLanesOf<Scalar>, 16);

// Rows per chunk: the chunk's rows and weights stay in the L1 cache while
// every component passes over them.
constexpr Eigen::Index kChunkRows = 128;

// Row a of the lower triangle (columns 0..a) spans packets 0..a / lanes.
template <class Scalar, int kD>
constexpr int TrianglePackets() {
  int count = 0;
  for (int a = 0; a < kD; ++a) count += a / kLanesOf<Scalar> + 1;
  return count;
}

// Adds sum_i w_i (x_i - centre)(x_i - centre)^T over n rows to `sums`, the
// triangle's packets in row order (row a, packets 0..a / lanes), and, with
// kFirst, sum_i w_i (x_i - centre) to `first` (padded to whole packets).
// x: rows of stride `stride`, readable and zero past the kD features up to
// the packet boundary; w: weights at w[i * weight_stride]; centre: padded
// with zeros likewise.
template <class Scalar, int kD, bool kFirst>
void AddMoments(const Scalar* x, Eigen::Index stride, Eigen::Index n, const Scalar* w,
                Eigen::Index weight_stride, const Scalar* centre, Scalar* sums, Scalar* first) {
  using namespace Eigen::internal;
  using Packet = PacketOf<Scalar>;
  constexpr int kLanes = kLanesOf<Scalar>;
  constexpr int kPackets = (kD + kLanes - 1) / kLanes;
  Packet mean[kPackets];
  Packet first_acc[kPackets];
#pragma GCC unroll 2
  for (int p = 0; p < kPackets; ++p) {
    mean[p] = ploadu<Packet>(centre + p * kLanes);
    if constexpr (kFirst) first_acc[p] = ploadu<Packet>(first + p * kLanes);
  }
  Packet acc[kD][kPackets];
  {
    const Scalar* s = sums;
#pragma GCC unroll 16
    for (int a = 0; a < kD; ++a) {
#pragma GCC unroll 2
      for (int p = 0; p <= a / kLanes; ++p, s += kLanes) acc[a][p] = ploadu<Packet>(s);
    }
  }
  // Rows go in groups: first each row's centred and weighted values are
  // stored, then the outer products read the weighted ones back as
  // broadcasts from memory. (Formed in registers and used at once, the
  // compiler extracts each lane with a shuffle instead, and the shuffles
  // become the limit.)
  constexpr int kGroup = 8;
  alignas(64) Scalar centred[kGroup][kPackets * kLanes];
  alignas(64) Scalar weighted[kGroup][kPackets * kLanes];
  for (Eigen::Index i = 0; i < n; i += kGroup) {
    const int group = static_cast<int>(std::min<Eigen::Index>(kGroup, n - i));
#pragma GCC unroll 1
    for (int g = 0; g < group; ++g) {
      const Packet r = pset1<Packet>(w[(i + g) * weight_stride]);
      const Scalar* row = x + (i + g) * stride;
#pragma GCC unroll 2
      for (int p = 0; p < kPackets; ++p) {
        const Packet c = psub(ploadu<Packet>(row + p * kLanes), mean[p]);
        const Packet u = pmul(r, c);
        pstoreu(centred[g] + p * kLanes, c);
        pstoreu(weighted[g] + p * kLanes, u);
        if constexpr (kFirst) first_acc[p] = padd(first_acc[p], u);
      }
    }
#pragma GCC unroll 1
    for (int g = 0; g < group; ++g) {
      Packet c[kPackets];
#pragma GCC unroll 2
      for (int p = 0; p < kPackets; ++p) c[p] = ploadu<Packet>(centred[g] + p * kLanes);
#pragma GCC unroll 16
      for (int a = 0; a < kD; ++a) {
        const Packet u = pset1<Packet>(weighted[g][a]);
#pragma GCC unroll 2
        for (int p = 0; p <= a / kLanes; ++p) acc[a][p] = pmadd(u, c[p], acc[a][p]);
      }
    }
  }
  Scalar* s = sums;
#pragma GCC unroll 16
  for (int a = 0; a < kD; ++a) {
#pragma GCC unroll 2
    for (int p = 0; p <= a / kLanes; ++p, s += kLanes) pstoreu(s, acc[a][p]);
  }
  if constexpr (kFirst) {
#pragma GCC unroll 2
    for (int p = 0; p < kPackets; ++p) pstoreu(first + p * kLanes, first_acc[p]);
  }
}

// Adds sum_i w_i (x_i - centre) over n rows to `sums` (padded to whole
// packets); x, w, centre as for AddMoments; with kCentred false, the
// centre is zero (and not read). Four rows at a time into independent
// sums, so that the multiply-adds do not wait on each other.
template <class Scalar, int kD, bool kCentred>
void AddWeightedSums(const Scalar* x, Eigen::Index stride, Eigen::Index n, const Scalar* w,
                     Eigen::Index weight_stride, const Scalar* centre, Scalar* sums) {
  using namespace Eigen::internal;
  using Packet = PacketOf<Scalar>;
  constexpr int kLanes = kLanesOf<Scalar>;
  constexpr int kPackets = (kD + kLanes - 1) / kLanes;
  constexpr int kWays = 4;
  Packet acc[kWays][kPackets];
  Packet c[kPackets];
#pragma GCC unroll 2
  for (int p = 0; p < kPackets; ++p) {
    acc[0][p] = ploadu<Packet>(sums + p * kLanes);
#pragma GCC unroll 4
    for (int u = 1; u < kWays; ++u) acc[u][p] = pzero(Packet{});
    if constexpr (kCentred) c[p] = ploadu<Packet>(centre + p * kLanes);
  }
  const auto value = [&](Eigen::Index row, int p) {
    const Packet v = ploadu<Packet>(x + row * stride + p * kLanes);
    if constexpr (kCentred) {
      return psub(v, c[p]);
    } else {
      return v;
    }
  };
  Eigen::Index i = 0;
  for (; i + kWays <= n; i += kWays) {
#pragma GCC unroll 4
    for (int u = 0; u < kWays; ++u) {
      const Packet r = pset1<Packet>(w[(i + u) * weight_stride]);
#pragma GCC unroll 2
      for (int p = 0; p < kPackets; ++p) acc[u][p] = pmadd(r, value(i + u, p), acc[u][p]);
    }
  }
  for (; i < n; ++i) {
    const Packet r = pset1<Packet>(w[i * weight_stride]);
#pragma GCC unroll 2
    for (int p = 0; p < kPackets; ++p) acc[0][p] = pmadd(r, value(i, p), acc[0][p]);
  }
#pragma GCC unroll 2
  for (int p = 0; p < kPackets; ++p) {
    pstoreu(sums + p * kLanes, padd(padd(acc[0][p], acc[1][p]), padd(acc[2][p], acc[3][p])));
  }
}

// The lower triangle of packed triangle sums (AddMoments' layout) as a
// d x d matrix with a zero upper triangle.
template <class Scalar, int kD, class Sums>
void Unpack(const Sums& sums, Eigen::MatrixXd* matrix) {
  matrix->setZero(kD, kD);
  Eigen::Index offset = 0;
  for (int a = 0; a < kD; ++a) {
    for (int b = 0; b <= a; ++b) (*matrix)(a, b) = sums[offset + b];
    offset += (a / kLanesOf<Scalar> + 1) * kLanesOf<Scalar>;  // row a's packets
  }
}

// The double path: each component's mean, then its scatter about it, chunk
// by chunk. x: n rows of stride `stride` as for AddMoments.
template <int kD>
void MeansAndScatters(const double* x, Eigen::Index stride, Eigen::Index n,
                      const Eigen::Ref<const RowMatrix>& weights, const Vector& counts,
                      RowMatrix* means, std::vector<Eigen::MatrixXd>* scatters) {
  constexpr int kSums = TrianglePackets<double, kD>() * kLanesOf<double>;
  const Eigen::Index k_count = weights.cols();
  thread_local RowMatrix centres;  // K x stride: the means, padded with zeros
  centres.setZero(k_count, stride);
  for (Eigen::Index first = 0; first < n; first += kChunkRows) {
    const Eigen::Index rows = std::min(kChunkRows, n - first);
    for (Eigen::Index k = 0; k < k_count; ++k) {
      if (!(counts[k] > 0.0)) continue;
      AddWeightedSums<double, kD, false>(x + first * stride, stride, rows,
                                         weights.data() + first * weights.outerStride() + k,
                                         weights.outerStride(), nullptr, centres.row(k).data());
    }
  }
  for (Eigen::Index k = 0; k < k_count; ++k) {
    if (counts[k] > 0.0) centres.row(k) /= counts[k];
  }
  *means = centres.leftCols(kD);

  thread_local RowMatrix sums;
  sums.setZero(k_count, kSums);
  for (Eigen::Index first = 0; first < n; first += kChunkRows) {
    const Eigen::Index rows = std::min(kChunkRows, n - first);
    for (Eigen::Index k = 0; k < k_count; ++k) {
      if (!(counts[k] > 0.0)) continue;
      AddMoments<double, kD, false>(x + first * stride, stride, rows,
                                    weights.data() + first * weights.outerStride() + k,
                                    weights.outerStride(), centres.row(k).data(),
                                    sums.row(k).data(), nullptr);
    }
  }
  for (Eigen::Index k = 0; k < k_count; ++k) {
    if (counts[k] > 0.0) Unpack<double, kD>(sums.row(k), &(*scatters)[k]);
  }
}

// The float path: raw moments about each component's shift, float sums
// over at most kFloat32PartialRows rows added in double.
template <int kD>
void RawMomentsF(const float* x, Eigen::Index stride, Eigen::Index n,
                 const RowMatrixF& weights_t, const Vector& counts, const RowMatrixF& shifts,
                 RowMatrix* first_moments, std::vector<Eigen::MatrixXd>* second_moments) {
  constexpr int kSums = TrianglePackets<float, kD>() * kLanesOf<float>;
  const Eigen::Index k_count = weights_t.rows();
  thread_local RowMatrix second;
  thread_local Eigen::VectorXf partial_second;
  thread_local Eigen::VectorXf partial_first;
  second.setZero(k_count, kSums);
  first_moments->setZero(k_count, stride);
  partial_second.resize(kSums);
  partial_first.resize(stride);
  for (Eigen::Index start = 0; start < n; start += kFloat32PartialRows) {
    const Eigen::Index rows = std::min(kFloat32PartialRows, n - start);
    for (Eigen::Index k = 0; k < k_count; ++k) {
      if (!(counts[k] > 0.0)) continue;
      partial_second.setZero();
      partial_first.setZero();
      AddMoments<float, kD, true>(x + start * stride, stride, rows,
                                  weights_t.row(k).data() + start, 1, shifts.row(k).data(),
                                  partial_second.data(), partial_first.data());
      second.row(k) += partial_second.cast<double>().transpose();
      first_moments->row(k) += partial_first.cast<double>().transpose();
    }
  }
  first_moments->conservativeResize(k_count, kD);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    if (counts[k] > 0.0) Unpack<float, kD>(second.row(k), &(*second_moments)[k]);
  }
}

// sum_i w_ki (x_i - centre) for every component, in float over the whole
// block. x: n rows of stride `stride` as for AddMoments; centre: padded.
template <int kD>
void CentredSumsF(const float* x, Eigen::Index stride, Eigen::Index n,
                  const RowMatrixF& weights_t, const float* centre, RowMatrix* sums) {
  const Eigen::Index k_count = weights_t.rows();
  thread_local RowMatrixF sums_f;
  sums_f.setZero(k_count, stride);
  for (Eigen::Index first = 0; first < n; first += kChunkRows) {
    const Eigen::Index rows = std::min(kChunkRows, n - first);
    for (Eigen::Index k = 0; k < k_count; ++k) {
      AddWeightedSums<float, kD, true>(x + first * stride, stride, rows,
                                       weights_t.row(k).data() + first, 1, centre,
                                       sums_f.row(k).data());
    }
  }
  *sums = sums_f.leftCols(kD).cast<double>();
}

// One instantiation per feature count, so every loop over features
// unrolls and the sums stay in registers.
template <class Function, template <int> class Of, int... kD>
constexpr Function Dispatch(int d, std::integer_sequence<int, kD...>) {
  Function f = nullptr;
  ((f = (d == kD + 1 ? Of<kD + 1>::value : f)), ...);
  return f;
}

using MomentsFunction = void (*)(const double*, Eigen::Index, Eigen::Index,
                                 const Eigen::Ref<const RowMatrix>&, const Vector&, RowMatrix*,
                                 std::vector<Eigen::MatrixXd>*);
template <int kD>
struct MomentsOf {
  static constexpr MomentsFunction value = &MeansAndScatters<kD>;
};

using RawMomentsFunction = void (*)(const float*, Eigen::Index, Eigen::Index,
                                    const RowMatrixF&, const Vector&, const RowMatrixF&,
                                    RowMatrix*, std::vector<Eigen::MatrixXd>*);
template <int kD>
struct RawMomentsOf {
  static constexpr RawMomentsFunction value = &RawMomentsF<kD>;
};

using CentredSumsFunction = void (*)(const float*, Eigen::Index, Eigen::Index,
                                     const RowMatrixF&, const float*, RowMatrix*);
template <int kD>
struct CentredSumsOf {
  static constexpr CentredSumsFunction value = &CentredSumsF<kD>;
};

// The rows, copied with zero padding when their length is not a whole
// number of packets, so that every packet load stays inside the buffer and
// the padding contributes zeros.
template <class Scalar, class View>
const Scalar* PaddedRows(const View& x, int padded_d) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int d = static_cast<int>(x.cols());
  if (padded_d == d) return x.data();
  thread_local Matrix padded;
  padded.resize(x.rows(), padded_d);
  padded.leftCols(d) = x;
  padded.rightCols(padded_d - d).setZero();
  return padded.data();
}

}  // namespace

bool FullBlockMomentsSupported(int d) { return d >= 1 && d <= kMaxFeaturesOf<double>; }

void FullBlockMoments(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                      const Vector& counts, RowMatrix* means,
                      std::vector<Eigen::MatrixXd>* scatters) {
  const int d = static_cast<int>(x.cols());
  scatters->resize(weights.cols());
  const int padded_d = (d + kLanesOf<double> - 1) / kLanesOf<double> * kLanesOf<double>;
  const MomentsFunction moments_of = Dispatch<MomentsFunction, MomentsOf>(
      d, std::make_integer_sequence<int, kMaxFeaturesOf<double>>{});
  moments_of(PaddedRows<double>(x, padded_d), padded_d, x.rows(), weights, counts, means,
             scatters);
}

bool FullRawMomentsFSupported(int d) { return d >= 1 && d <= kMaxFeaturesOf<float>; }

void FullRawMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t, const Vector& counts,
                     const RowMatrix& shifts, RowMatrix* first_moments,
                     std::vector<Eigen::MatrixXd>* second_moments) {
  const int d = static_cast<int>(x.cols());
  const Eigen::Index k_count = weights_t.rows();
  second_moments->resize(k_count);
  const int padded_d = (d + kLanesOf<float> - 1) / kLanesOf<float> * kLanesOf<float>;
  thread_local RowMatrixF shifts_f;
  shifts_f.setZero(k_count, padded_d);
  shifts_f.leftCols(d) = shifts.cast<float>();
  const RawMomentsFunction raw_moments_of = Dispatch<RawMomentsFunction, RawMomentsOf>(
      d, std::make_integer_sequence<int, kMaxFeaturesOf<float>>{});
  raw_moments_of(PaddedRows<float>(x, padded_d), padded_d, x.rows(), weights_t, counts,
                 shifts_f, first_moments, second_moments);
}

void CentredWeightedSumsF(const MatrixViewF& x, const RowMatrixF& weights_t,
                          const Eigen::RowVectorXf& centre, RowMatrix* sums) {
  const int d = static_cast<int>(x.cols());
  const int padded_d = (d + kLanesOf<float> - 1) / kLanesOf<float> * kLanesOf<float>;
  thread_local Eigen::RowVectorXf padded_centre;
  padded_centre.setZero(padded_d);
  padded_centre.head(d) = centre;
  const CentredSumsFunction sums_of = Dispatch<CentredSumsFunction, CentredSumsOf>(
      d, std::make_integer_sequence<int, kMaxFeaturesOf<float>>{});
  sums_of(PaddedRows<float>(x, padded_d), padded_d, x.rows(), weights_t, padded_centre.data(),
          sums);
}

const BlockMoments& ComputeBlockMoments(const MatrixView& x,
                                        const Eigen::Ref<const RowMatrix>& weights) {
  thread_local BlockMoments m;
  m.counts = weights.colwise().sum().transpose();
  FullBlockMoments(x, weights, m.counts, &m.means, &m.scatters);
  return m;
}

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
