#include "emkit/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/ordered_reduce.h"

namespace emkit {

void KMeansOptions::Validate() const {
  if (max_iter < 0) {
    throw InvalidOptionError(fmt::format("kmeans max_iter = {} must be >= 0", max_iter));
  }
  if (!(tol >= 0.0) || !std::isfinite(tol)) {
    throw InvalidOptionError(fmt::format("kmeans tol = {} must be a finite number >= 0", tol));
  }
}

namespace {

double RowWeight(const RowBlock& block, Eigen::Index i) {
  return block.weights == nullptr ? 1.0 : block.weights[i];
}

// Per-block partial sums added in block order: deterministic.
template <class Fn>
double OrderedSum(ThreadPool& pool, std::int64_t num_blocks, Fn&& block_sum) {
  std::vector<double> partial(num_blocks);
  pool.ParallelFor(num_blocks, [&](std::int64_t b, int) { partial[b] = block_sum(b); });
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

struct ClusterSums {
  Vector counts;
  RowMatrix sums;
  void Merge(const ClusterSums& o) {
    counts += o.counts;
    sums += o.sums;
  }
  void SetZero() {
    counts.setZero();
    sums.setZero();
  }
};

struct Moments {
  double weight = 0.0;
  Eigen::RowVectorXd sums;
  Eigen::RowVectorXd squares;
  void Merge(const Moments& o) {
    weight += o.weight;
    sums += o.sums;
    squares += o.squares;
  }
  void SetZero() {
    weight = 0.0;
    sums.setZero();
    squares.setZero();
  }
};

}  // namespace

void NearestCenters(const MatrixView& x, const RowMatrix& centers, int* labels) {
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    int best_k = 0;
    for (Eigen::Index k = 0; k < centers.rows(); ++k) {
      const double d2 = (x.row(i) - centers.row(k)).squaredNorm();
      if (d2 < best) {
        best = d2;
        best_k = static_cast<int>(k);
      }
    }
    labels[i] = best_k;
  }
}

Vector FeatureVariance(const RowBlocks& data, ThreadPool& pool) {
  const Eigen::Index d = data.data().cols();
  // About the first row, so that offsets far from zero do not cancel.
  const Eigen::RowVectorXd shift = data.data().row(0);
  Moments zero{0.0, Eigen::RowVectorXd::Zero(d), Eigen::RowVectorXd::Zero(d)};
  Moments total = zero;
  OrderedReduce(pool, data.NumBlocks(), zero, &total, [&](std::int64_t b, Moments* m) {
    const RowBlock block = data.GetBlock(b);
    for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
      const double w = RowWeight(block, i);
      const Eigen::RowVectorXd c = block.rows.row(i) - shift;
      m->weight += w;
      m->sums += w * c;
      m->squares += w * c.array().square().matrix();
    }
    return 0.0;
  });
  const Eigen::RowVectorXd mean = total.sums / total.weight;
  return ((total.squares / total.weight).array() - mean.array().square())
      .max(0.0)
      .matrix()
      .transpose();
}

namespace {

// Greedy k-means++ seeding. Each row's squared distance to its nearest
// centre is needed throughout; instead of n doubles (half the data when
// d = 2) only the index of that centre is kept, and the distance is
// recomputed from it by the same expression, so the values are the same
// doubles. Index is a small unsigned type that holds k.
template <class Index>
RowMatrix SeedKMeansPlusPlus(const RowBlocks& data, int k, Rng& rng, ThreadPool& pool) {
  const MatrixView& x = data.data();
  const std::int64_t n = x.rows();
  RowMatrix centers(k, x.cols());
  std::vector<Index> nearest(n, 0);
  int committed = 0;  // centres whose distances `nearest` accounts for

  const auto closest = [&](std::int64_t row) {
    return committed == 0 ? std::numeric_limits<double>::infinity()
                          : (x.row(row) - centers.row(nearest[row])).squaredNorm();
  };
  auto weight_of = [&](std::int64_t i) {
    return data.weights() == nullptr ? 1.0 : data.weights()[i];
  };
  // Sum over rows of w_i * min(closest_i, |x_i - centre c|^2); makes c one
  // of the centres when `commit` is set.
  auto potential = [&](int c, bool commit) {
    const double total = OrderedSum(pool, data.NumBlocks(), [&](std::int64_t b) {
      const RowBlock block = data.GetBlock(b);
      double sum = 0.0;
      for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
        const std::int64_t row = block.first_row + i;
        const double old_d2 = closest(row);
        // The same expression as closest(), so that a stored index gives back
        // exactly this value.
        const double new_d2 = (x.row(row) - centers.row(c)).squaredNorm();
        if (commit && new_d2 < old_d2) nearest[row] = static_cast<Index>(c);
        sum += RowWeight(block, i) * std::min(old_d2, new_d2);
      }
      return sum;
    });
    if (commit) committed = c + 1;
    return total;
  };
  // The row where the cumulative weighted distance passes `target`.
  auto pick = [&](double target) {
    double cumulative = 0.0;
    std::int64_t last_positive = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double p = weight_of(i) * closest(i);
      if (p > 0.0) last_positive = i;
      cumulative += p;
      if (cumulative > target) return i;
    }
    return last_positive;
  };

  centers.row(0) = x.row(static_cast<Eigen::Index>(UniformIndex(rng, n)));
  double current = potential(0, /*commit=*/true);
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  for (int c = 1; c < k; ++c) {
    if (!(current > 0.0)) {
      // Fewer distinct rows than centres: repeat a random row.
      centers.row(c) = x.row(static_cast<Eigen::Index>(UniformIndex(rng, n)));
      continue;
    }
    std::int64_t best_row = -1;
    double best_potential = std::numeric_limits<double>::infinity();
    for (int t = 0; t < trials; ++t) {
      const std::int64_t row = pick(UniformDouble(rng) * current);
      centers.row(c) = x.row(row);  // a candidate, evaluated without committing
      const double p = potential(c, /*commit=*/false);
      if (p < best_potential) {
        best_potential = p;
        best_row = row;
      }
    }
    centers.row(c) = x.row(best_row);
    current = potential(c, /*commit=*/true);
  }
  return centers;
}

}  // namespace

RowMatrix KMeansPlusPlusSeeds(const RowBlocks& data, int k, Rng& rng,
                              ThreadPool& pool) {
  if (k <= 256) return SeedKMeansPlusPlus<std::uint8_t>(data, k, rng, pool);
  if (k <= 65536) return SeedKMeansPlusPlus<std::uint16_t>(data, k, rng, pool);
  return SeedKMeansPlusPlus<std::uint32_t>(data, k, rng, pool);
}

RowMatrix LloydIterations(const RowBlocks& data, RowMatrix centers,
                          const KMeansOptions& options, const Vector& feature_variance,
                          ThreadPool& pool) {
  const int k = static_cast<int>(centers.rows());
  const double tolerance = options.tol * feature_variance.mean();
  const ClusterSums zero{Vector::Zero(k), RowMatrix::Zero(k, centers.cols())};
  for (int iteration = 0; iteration < options.max_iter; ++iteration) {
    ClusterSums total = zero;
    OrderedReduce(pool, data.NumBlocks(), zero, &total,
                  [&](std::int64_t b, ClusterSums* s) {
                    const RowBlock block = data.GetBlock(b);
                    std::vector<int> labels(block.rows.rows());
                    NearestCenters(block.rows, centers, labels.data());
                    for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
                      const double w = RowWeight(block, i);
                      s->counts[labels[i]] += w;
                      s->sums.row(labels[i]) += w * block.rows.row(i);
                    }
                    return 0.0;
                  });
    double moved = 0.0;
    for (int c = 0; c < k; ++c) {
      if (!(total.counts[c] > 0.0)) continue;
      const Eigen::RowVectorXd next = total.sums.row(c) / total.counts[c];
      moved += (next - centers.row(c)).squaredNorm();
      centers.row(c) = next;
    }
    if (moved <= tolerance) break;
  }
  return centers;
}

}  // namespace emkit
