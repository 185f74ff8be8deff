#include "float32_moments.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <limits>

#include "emkit/families/gaussian_float32.h"
#include "full_block_moments.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

// A central moment is taken from raw sums only while at least this share
// of the raw second moment is left after removing the mean's offset, so
// the float sums' error grows at most 8 times (3 gamma_n of the raw moment,
// 24 gamma_n of the central one).
constexpr double kMinCentralShare = 1.0 / 8.0;

// Float lanes of the direct sums (two or more SIMD registers, so that the
// additions do not wait on each other): each lane adds every kLanes-th row, so a
// lane's float sum over a partial block has kFloat32PartialRows / kLanes
// terms; the lanes are then added in double.
constexpr int kLanes = 32;

// sum w (x - s) and sum w (x - s)^2 over m contiguous values, added to *s1,
// *s2.
void LaneSums(const float* x, const float* w, Eigen::Index m, float s, double* s1,
              double* s2) {
  using Lanes = Eigen::Array<float, kLanes, 1>;
  Lanes a1 = Lanes::Zero();
  Lanes a2 = Lanes::Zero();
  Eigen::Index i = 0;
  for (; i + kLanes <= m; i += kLanes) {
    const Lanes d = Eigen::Map<const Lanes>(x + i) - s;
    const Lanes wd = Eigen::Map<const Lanes>(w + i) * d;
    a1 += wd;
    a2 += wd * d;
  }
  for (int l = 0; i < m; ++i, ++l) {
    const float d = x[i] - s;
    const float wd = w[i] * d;
    a1[l] += wd;
    a2[l] += wd * d;
  }
  *s1 += a1.cast<double>().sum();
  *s2 += a2.cast<double>().sum();
}

// Raw moments about `shift`: s1 = sum w (x - shift), s2 = sum w (x - shift)
// (x - shift)^T (lower triangle), float partial sums added in double.
bool RawFullMoments(const MatrixViewF& x, const Eigen::Ref<const Eigen::VectorXf>& w,
                    const Eigen::RowVectorXf& shift, Eigen::RowVectorXd* s1,
                    Eigen::MatrixXd* s2) {
  const Eigen::Index n = x.rows();
  const Eigen::Index d = x.cols();
  thread_local RowMatrixF scaled;
  thread_local Eigen::MatrixXf part;
  thread_local Eigen::VectorXf root_w;
  s1->setZero(d);
  s2->setZero(d, d);
  for (Eigen::Index a = 0; a < n; a += kFloat32PartialRows) {
    const Eigen::Index m = std::min(kFloat32PartialRows, n - a);
    root_w = w.segment(a, m).cwiseSqrt();
    scaled.resize(m, d);
    scaled.noalias() =
        ((x.middleRows(a, m).rowwise() - shift).array().colwise() * root_w.array()).matrix();
    part.setZero(d, d);
    part.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
    *s2 += part.cast<double>();
    s1->noalias() += (root_w.transpose() * scaled).cast<double>();
  }
  return s1->allFinite() && s2->allFinite();
}

// Central moments from raw ones about `shift`; false when they cancel.
bool CentralFromRaw(double count, const Eigen::RowVectorXd& shift, const Eigen::RowVectorXd& s1,
                    const Eigen::MatrixXd& s2, Eigen::RowVectorXd* mean,
                    Eigen::MatrixXd* scatter) {
  *mean = shift + s1 / count;
  *scatter = s2;
  scatter->noalias() -= (s1.transpose() * s1) / count;
  for (Eigen::Index j = 0; j < s2.rows(); ++j) {
    if (!((*scatter)(j, j) >= kMinCentralShare * s2(j, j))) return false;
  }
  return true;
}

// The exact path: the block widened to double, moments about its mean.
void FullMomentsDouble(const MatrixViewF& x, const Eigen::Ref<const Eigen::VectorXf>& w,
                       double count, Eigen::RowVectorXd* mean, Eigen::MatrixXd* scatter) {
  thread_local RowMatrix wide;
  thread_local RowMatrix scaled;
  thread_local Vector wide_w;
  wide = x.cast<double>();
  wide_w = w.cast<double>();
  *mean = (wide_w.transpose() * wide) / count;
  scaled.noalias() =
      ((wide.rowwise() - *mean).array().colwise() * wide_w.array().sqrt()).matrix();
  scatter->setZero(x.cols(), x.cols());
  scatter->selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
}

bool RawDiagonalMoments(const RowMatrixF& x_t, const Eigen::Ref<const Eigen::VectorXf>& w,
                        const Eigen::RowVectorXf& shift, Eigen::RowVectorXd* s1,
                        Eigen::RowVectorXd* s2) {
  const Eigen::Index d = x_t.rows();
  const Eigen::Index n = x_t.cols();
  s1->setZero(d);
  s2->setZero(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    const float* row = x_t.data() + j * n;
    for (Eigen::Index a = 0; a < n; a += kFloat32PartialRows) {
      const Eigen::Index m = std::min(kFloat32PartialRows, n - a);
      LaneSums(row + a, w.data() + a, m, shift[j], &(*s1)[j], &(*s2)[j]);
    }
  }
  return s1->allFinite() && s2->allFinite();
}

}  // namespace

void BlockCountsAndMeans(const MatrixViewF& x, const RowMatrixF& weights_t,
                         const Eigen::RowVectorXf& reference, Vector* counts,
                         RowMatrix* means) {
  const Eigen::Index k_count = weights_t.rows();
  counts->resize(k_count);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    (*counts)[k] = weights_t.row(k).cast<double>().sum();
  }
  thread_local RowMatrix sums;
  if (FullRawMomentsFSupported(static_cast<int>(x.cols()))) {
    // Few features: direct sums, without a product's packing.
    CentredWeightedSumsF(x, weights_t, reference, &sums);
  } else {
    thread_local RowMatrixF centered;
    centered.noalias() = x.rowwise() - reference;
    sums = (weights_t * centered).cast<double>();
  }
  const Eigen::RowVectorXd wide_reference = reference.cast<double>();
  means->resize(k_count, x.cols());
  for (Eigen::Index k = 0; k < k_count; ++k) {
    means->row(k) = wide_reference;
    if ((*counts)[k] > 0.0) means->row(k) += sums.row(k) / (*counts)[k];
  }
  if (!means->allFinite()) {
    for (Eigen::Index k = 0; k < k_count; ++k) {
      if (!means->row(k).allFinite()) means->row(k) = wide_reference;
    }
  }
}

void FullMomentsF(const MatrixViewF& x, const Eigen::Ref<const Eigen::VectorXf>& w,
                  double count, const Eigen::RowVectorXd& shift, Eigen::RowVectorXd* mean,
                  Eigen::MatrixXd* scatter) {
  thread_local Eigen::RowVectorXd s1;
  thread_local Eigen::MatrixXd s2;
  Eigen::RowVectorXf center = shift.cast<float>();
  // Twice at most: about the shift, then about the mean it gave.
  for (int pass = 0; pass < 2; ++pass) {
    if (!RawFullMoments(x, w, center, &s1, &s2)) break;
    if (CentralFromRaw(count, center.cast<double>(), s1, s2, mean, scatter)) return;
    center = mean->cast<float>();
  }
  FullMomentsDouble(x, w, count, mean, scatter);
}

void FullBlockMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t, const Vector& counts,
                       const RowMatrix& shifts, RowMatrix* means,
                       std::vector<Eigen::MatrixXd>* scatters) {
  const Eigen::Index k_count = weights_t.rows();
  means->resize(k_count, x.cols());
  scatters->resize(k_count);
  thread_local Eigen::RowVectorXd mean;
  thread_local Eigen::MatrixXd scatter;
  thread_local RowMatrix first;
  thread_local std::vector<Eigen::MatrixXd> second;
  const bool all_at_once = FullRawMomentsFSupported(static_cast<int>(x.cols()));
  if (all_at_once) FullRawMomentsF(x, weights_t, counts, shifts, &first, &second);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const double count = counts[k];
    if (!(count > 0.0)) continue;
    Eigen::RowVectorXd next_shift = shifts.row(k);
    if (all_at_once) {
      // The moments about the shift as float rounded it; accepted unless
      // they cancel, else the summing starts again about the mean they gave.
      const Eigen::RowVectorXd center = shifts.row(k).cast<float>().cast<double>();
      if (first.row(k).allFinite() && second[k].allFinite()) {
        if (CentralFromRaw(count, center, first.row(k), second[k], &mean, &scatter)) {
          means->row(k) = mean;
          (*scatters)[k] = scatter;
          continue;
        }
        if (mean.allFinite()) next_shift = mean;
      }
    }
    FullMomentsF(x, weights_t.row(k).transpose(), count, next_shift, &mean, &scatter);
    means->row(k) = mean;
    (*scatters)[k] = scatter;
  }
}

void DiagonalMomentsF(const RowMatrixF& x_t, const Eigen::Ref<const Eigen::VectorXf>& w,
                      double count, const Eigen::RowVectorXd& shift,
                      Eigen::RowVectorXd* mean, Eigen::RowVectorXd* squares) {
  thread_local Eigen::RowVectorXd s1;
  thread_local Eigen::RowVectorXd s2;
  Eigen::RowVectorXf center = shift.cast<float>();
  for (int pass = 0; pass < 2; ++pass) {
    if (!RawDiagonalMoments(x_t, w, center, &s1, &s2)) break;
    const Eigen::RowVectorXd c = center.cast<double>();
    *mean = c + s1 / count;
    *squares = s2 - (s1.array().square() / count).matrix();
    if ((squares->array() >= kMinCentralShare * s2.array()).all()) return;
    center = mean->cast<float>();
  }
  // The exact path, about the block's mean in double.
  const Eigen::Index d = x_t.rows();
  const Eigen::Index n = x_t.cols();
  mean->resize(d);
  squares->resize(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    const float* row = x_t.data() + j * n;
    double first = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) first += static_cast<double>(w[i]) * row[i];
    const double m = first / count;
    double second = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double dev = static_cast<double>(row[i]) - m;
      second += static_cast<double>(w[i]) * dev * dev;
    }
    (*mean)[j] = m;
    (*squares)[j] = second;
  }
}

void BlockCountsAndMeansTransposed(const RowMatrixF& x_t, const RowMatrixF& weights_t,
                                   Vector* counts, RowMatrix* means) {
  using Lanes = Eigen::Array<float, kLanes, 1>;
  const Eigen::Index k_count = weights_t.rows();
  const Eigen::Index d = x_t.rows();
  const Eigen::Index n = x_t.cols();
  counts->resize(k_count);
  means->resize(k_count, d);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const float* w = weights_t.data() + k * n;
    (*counts)[k] = weights_t.row(k).cast<double>().sum();
    for (Eigen::Index j = 0; j < d; ++j) {
      const float* x = x_t.data() + j * n;
      // Only a shift for the moments: float lanes, added in double.
      Lanes a = Lanes::Zero();
      Eigen::Index i = 0;
      for (; i + kLanes <= n; i += kLanes) {
        a += Eigen::Map<const Lanes>(w + i) * Eigen::Map<const Lanes>(x + i);
      }
      double first = a.cast<double>().sum();
      for (; i < n; ++i) first += static_cast<double>(w[i]) * x[i];
      (*means)(k, j) = (*counts)[k] > 0.0 ? first / (*counts)[k] : 0.0;
    }
  }
  if (!means->allFinite()) {
    for (Eigen::Index k = 0; k < k_count; ++k) {
      if (!means->row(k).allFinite()) means->row(k).setZero();
    }
  }
}

void GroupedDiagonalMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t,
                             const RowMatrix& shifts, Vector* counts, RowMatrix* means,
                             RowMatrix* squares, std::vector<char>* accepted) {
  constexpr Eigen::Index kGroupedPartialRows = 64;
  constexpr double kGamma = kGroupedPartialRows * std::numeric_limits<float>::epsilon() /
                            (1.0 - kGroupedPartialRows * std::numeric_limits<float>::epsilon());
  constexpr double kMaxRelativeError = 1e-4;
  const Eigen::Index n = x.rows();
  const Eigen::Index d = x.cols();
  const Eigen::Index k_count = weights_t.rows();
  const RowMatrixF shifts_f = shifts.cast<float>();
  const RowMatrix shifts_d = shifts_f.cast<double>();

  // Each row's home: the first largest weight, found along rows of
  // weights_t (vectorised across rows).
  thread_local std::vector<float> best;
  thread_local std::vector<std::int32_t> home;
  best.assign(weights_t.data(), weights_t.data() + n);
  home.assign(n, 0);
  for (Eigen::Index k = 1; k < k_count; ++k) {
    const float* row = weights_t.data() + k * n;
    const auto kk = static_cast<std::int32_t>(k);
    for (Eigen::Index i = 0; i < n; ++i) {
      const bool larger = row[i] > best[i];
      best[i] = larger ? row[i] : best[i];
      home[i] = larger ? kk : home[i];
    }
  }
  // Rows in order of their home (a stable counting sort).
  thread_local std::vector<Eigen::Index> start;
  thread_local std::vector<Eigen::Index> next;
  thread_local std::vector<Eigen::Index> order;
  start.assign(k_count + 1, 0);
  for (Eigen::Index i = 0; i < n; ++i) ++start[home[i] + 1];
  for (Eigen::Index k = 0; k < k_count; ++k) start[k + 1] += start[k];
  next.assign(start.begin(), start.end() - 1);
  order.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) order[next[home[i]]++] = i;
  // [z, z^2, 1] about the home shift, and the weights (K x n), in that
  // order; the column of ones makes the products give the weights' sums.
  const Eigen::Index width = 2 * d + 1;
  thread_local RowMatrixF z;
  thread_local RowMatrixF w_t;
  thread_local RowMatrixF part;
  z.resize(n, width);
  w_t.resize(k_count, n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const Eigen::Index i = order[t];
    float* zt = z.data() + t * width;
    const float* xi = x.data() + i * d;
    const float* shift = shifts_f.data() + home[i] * d;
    for (Eigen::Index c = 0; c < d; ++c) {
      const float v = xi[c] - shift[c];
      zt[c] = v;
      zt[d + c] = v * v;
    }
    zt[2 * d] = 1.0f;
  }
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const float* src = weights_t.data() + k * n;
    float* dst = w_t.data() + k * n;
    for (Eigen::Index t = 0; t < n; ++t) dst[t] = src[order[t]];
  }
  // Per home j: S1, S2 (K x D) and N (K), then moved to every shift k.
  thread_local RowMatrix sums;  // K x (2D + 1), double
  thread_local RowMatrix t1;
  thread_local RowMatrix t2;
  thread_local RowMatrix bound;  // sum_j 2 (S2 + delta^2 N)
  counts->setZero(k_count);
  t1.setZero(k_count, d);
  t2.setZero(k_count, d);
  bound.setZero(k_count, d);
  for (Eigen::Index j = 0; j < k_count; ++j) {
    if (start[j + 1] == start[j]) continue;
    sums.setZero(k_count, width);
    for (Eigen::Index a = start[j]; a < start[j + 1]; a += kGroupedPartialRows) {
      const Eigen::Index m = std::min(kGroupedPartialRows, start[j + 1] - a);
      part.noalias() = w_t.middleCols(a, m) * z.middleRows(a, m);
      sums += part.cast<double>();
    }
    for (Eigen::Index k = 0; k < k_count; ++k) {
      const double* row = sums.data() + k * width;
      const double group_n = row[2 * d];
      for (Eigen::Index c = 0; c < d; ++c) {
        const double delta = shifts_d(j, c) - shifts_d(k, c);
        const double m1 = row[c];
        const double m2 = row[d + c];
        t1(k, c) += m1 + delta * group_n;
        t2(k, c) += m2 + 2.0 * delta * m1 + delta * delta * group_n;
        // (sqrt(S2) + |delta| sqrt(N))^2 <= 2 (S2 + delta^2 N)
        bound(k, c) += 2.0 * (std::abs(m2) + delta * delta * std::abs(group_n));
      }
      (*counts)[k] += group_n;
    }
  }
  means->resize(k_count, d);
  squares->resize(k_count, d);
  accepted->assign(k_count, 0);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const double count = (*counts)[k];
    if (!(count > 0.0)) continue;
    means->row(k) = shifts_d.row(k) + t1.row(k) / count;
    squares->row(k) = t2.row(k) - (t1.row(k).array().square() / count).matrix();
    (*accepted)[k] = squares->row(k).allFinite() && means->row(k).allFinite() &&
                     (3.0 * kGamma * bound.row(k).array() <=
                      kMaxRelativeError * squares->row(k).array())
                         .all();
  }
}

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
