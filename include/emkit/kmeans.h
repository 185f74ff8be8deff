// k-means for initialising mixtures: k-means++ seeding (greedy, as
// scikit-learn does it) followed by Lloyd iterations. Passes over the data
// go through an executor (emkit/engine/executor.h), with the same fixed
// blocks and ordered merges as EM, so the centres are identical for any
// number of threads.
//
// Every pass works on any RowBlockSource: the in-memory RowBlocks, or a
// source of one's own that hands out the same RowBlock views. The
// overloads on RowBlocks and a ThreadPool are the ones the shipped models
// use; they are compiled once, in kmeans.cc.
#ifndef EMKIT_KMEANS_H_
#define EMKIT_KMEANS_H_

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "emkit/engine/executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/matrix.h"
#include "emkit/model.h"
#include "emkit/random.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {

struct KMeansOptions {
  int max_iter = 300;  // Lloyd iterations after seeding
  // Stop when the centres move (sum of squared moves) less than tol times
  // the mean variance of the features.
  double tol = 1e-4;

  void Validate() const;  // throws InvalidOptionError
};

// A data source of row blocks, each a RowBlock of consecutive rows (its
// first_row is the index of its first row in the whole data), in order and
// covering all num_rows() rows.
template <class D>
concept RowBlockSource = BlockSource<D, RowBlock<double>> && std::same_as<BlockOf<D>, RowBlock<double>> &&
                         requires(const D& data) {
                           { data.num_rows() } -> std::convertible_to<std::int64_t>;
                           { data.num_columns() } -> std::convertible_to<std::int64_t>;
                         };

// The index of the nearest centre for each row of x.
void NearestCenters(const MatrixView& x, const RowMatrix& centers, int* labels);

// Row `row` (in [0, num_rows())) of the data, found by a scan over the
// blocks: for the few rows an initialiser picks, not for every row.
template <RowBlockSource Data>
Eigen::RowVectorXd RowAt(const Data& data, std::int64_t row) {
  for (std::int64_t b = 0; b < data.NumBlocks(); ++b) {
    const RowBlock<double> block = data.GetBlock(b);
    if (row < block.first_row + block.rows.rows()) return block.rows.row(row - block.first_row);
  }
  throw std::out_of_range("row " + std::to_string(row) + " is past the data's last row");
}

namespace internal {

inline double RowWeight(const RowBlock<double>& block, Eigen::Index i) {
  return block.weights == nullptr ? 1.0 : block.weights[i];
}

// Statistics with nothing in them, for a pass that only sums the blocks'
// values.
struct NoStatistics {
  void Merge(const NoStatistics&) {}
  void SetZero() {}
};

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

// How k-means++ seeding knows each row's squared distance to its nearest
// centre, which it needs throughout. Every distance is the one expression
// |x - centre|^2, so both give the same doubles: the nearest distance is
// the minimum over the centres committed so far, whichever way it is found.
//
// NearestIndex<Index> keeps, instead of n doubles (half the data when
// d = 2), the index of the nearest centre, a small unsigned type that holds
// k, and recomputes the distance from it: one distance a row.
template <class Index>
class NearestIndex {
 public:
  explicit NearestIndex(std::int64_t n) : nearest_(static_cast<std::size_t>(n), 0) {}
  Index* state() { return nearest_.data(); }
  // The distance of `x` (row `row`) to its nearest centre among the first
  // `committed` rows of `centres`; infinity when there are none.
  template <class Row>
  static double Nearest(const Index* nearest, std::int64_t row, int committed,
                        const MatrixView& centres, const Row& x) {
    return committed > 0 ? (x - centres.row(nearest[row])).squaredNorm()
                         : std::numeric_limits<double>::infinity();
  }
  // Centre c is now the nearest of row `row`.
  static void Store(Index* nearest, std::int64_t row, int c) {
    nearest[row] = static_cast<Index>(c);
  }

 private:
  std::vector<Index> nearest_;
};

// NearestRecomputed keeps nothing per row and takes the minimum over the
// committed centres on every pass: memory that does not grow with n, for
// data read from a file (a source that declares kReadsFromFile), at the
// cost of up to k distances a row.
class NearestRecomputed {
 public:
  explicit NearestRecomputed(std::int64_t) {}
  std::uint8_t* state() { return nullptr; }
  template <class Row>
  static double Nearest(const std::uint8_t*, std::int64_t, int committed,
                        const MatrixView& centres, const Row& x) {
    double nearest = std::numeric_limits<double>::infinity();
    for (int c = 0; c < committed; ++c) {
      nearest = std::min(nearest, (x - centres.row(c)).squaredNorm());
    }
    return nearest;
  }
  static void Store(std::uint8_t*, std::int64_t, int) {}
};

// Greedy k-means++ seeding, each row's nearest distance known through
// Nearest (NearestIndex or NearestRecomputed).
//
// A block's loop stores indices of a character type, which may alias any
// object the compiler cannot see is local: the captured variables, and the
// block, when the loop runs behind a function pointer (as under
// AnyExecutor, emkit/engine/any_executor.h). So the loop reads everything
// from local copies (views: pointers and sizes), which stay in registers.
template <class Nearest, RowBlockSource Data, class Executor>
RowMatrix SeedKMeansPlusPlus(const Data& data, int k, Rng& rng, Executor& executor) {
  const std::int64_t n = data.num_rows();
  RowMatrix centers(k, data.num_columns());
  Nearest nearest(n);
  int committed = 0;  // centres that the nearest distances account for

  // Sum over rows of w_i * min(nearest_i, |x_i - centre c|^2); makes c one
  // of the centres when `commit` is set.
  auto potential = [&](int c, bool commit) {
    NoStatistics none;
    const double total = executor.Reduce(
        data, NoStatistics{}, &none,
        [&](std::int64_t, const RowBlock<double>& given, NoStatistics*) {
          const RowBlock<double> block = given;
          const MatrixView centres = ViewOf(centers);
          const int committed_before = committed;
          const bool store = commit;
          const int candidate = c;
          auto* const state = nearest.state();
          double sum = 0.0;
          for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
            const std::int64_t row = block.first_row + i;
            const double old_d2 =
                Nearest::Nearest(state, row, committed_before, centres, block.rows.row(i));
            const double new_d2 = (block.rows.row(i) - centres.row(candidate)).squaredNorm();
            if (store && new_d2 < old_d2) Nearest::Store(state, row, candidate);
            sum += RowWeight(block, i) * std::min(old_d2, new_d2);
          }
          return sum;
        });
    if (commit) committed = c + 1;
    return total;
  };
  // The row where the cumulative weighted distance passes `target`: a scan
  // in row order on this thread, block after block.
  auto pick = [&](double target) -> Eigen::RowVectorXd {
    double cumulative = 0.0;
    Eigen::RowVectorXd last_positive = data.GetBlock(0).rows.row(0);
    for (std::int64_t b = 0; b < data.NumBlocks(); ++b) {
      const RowBlock<double> block = data.GetBlock(b);
      for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
        const double p =
            RowWeight(block, i) * Nearest::Nearest(nearest.state(), block.first_row + i,
                                                   committed, ViewOf(centers),
                                                   block.rows.row(i));
        if (p > 0.0) last_positive = block.rows.row(i);
        cumulative += p;
        if (cumulative > target) return block.rows.row(i);
      }
    }
    return last_positive;
  };
  centers.row(0) = RowAt(data, static_cast<std::int64_t>(UniformIndex(rng, n)));
  double current = potential(0, /*commit=*/true);
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  for (int c = 1; c < k; ++c) {
    if (!(current > 0.0)) {
      // Fewer distinct rows than centres: repeat a random row.
      centers.row(c) = RowAt(data, static_cast<std::int64_t>(UniformIndex(rng, n)));
      continue;
    }
    Eigen::RowVectorXd best_row;
    double best_potential = std::numeric_limits<double>::infinity();
    for (int t = 0; t < trials; ++t) {
      Eigen::RowVectorXd row = pick(UniformDouble(rng) * current);
      centers.row(c) = row;  // a candidate, evaluated without committing
      const double p = potential(c, /*commit=*/false);
      if (p < best_potential) {
        best_potential = p;
        best_row = std::move(row);
      }
    }
    centers.row(c) = best_row;
    current = potential(c, /*commit=*/true);
  }
  return centers;
}

// Whether a data source reads its rows from a file as they are asked for
// (io::RowStream), so that per-row state would be the only memory that
// grows with the data.
template <class Data>
constexpr bool ReadsFromFile() {
  if constexpr (requires { Data::kReadsFromFile; }) {
    return Data::kReadsFromFile;
  } else {
    return false;
  }
}

}  // namespace internal

// k centres (k x d) chosen by k-means++ from the rows of `data`. Rows read
// from a file (ReadsFromFile) are seeded without per-row state; the
// centres are the same either way.
template <RowBlockSource Data, class Executor>
  requires ReducesBlocks<Executor, Data, internal::NoStatistics>
RowMatrix KMeansPlusPlusSeeds(const Data& data, int k, Rng& rng, Executor& executor) {
  using internal::NearestIndex;
  if constexpr (internal::ReadsFromFile<Data>()) {
    return internal::SeedKMeansPlusPlus<internal::NearestRecomputed>(data, k, rng, executor);
  } else {
    if (k <= 256) return internal::SeedKMeansPlusPlus<NearestIndex<std::uint8_t>>(data, k, rng, executor);
    if (k <= 65536) return internal::SeedKMeansPlusPlus<NearestIndex<std::uint16_t>>(data, k, rng, executor);
    return internal::SeedKMeansPlusPlus<NearestIndex<std::uint32_t>>(data, k, rng, executor);
  }
}

// Lloyd iterations from `centers`; an empty cluster keeps its centre.
template <RowBlockSource Data, class Executor>
  requires ReducesBlocks<Executor, Data, internal::ClusterSums>
RowMatrix LloydIterations(const Data& data, RowMatrix centers, const KMeansOptions& options,
                          const Vector& feature_variance, Executor& executor) {
  const int k = static_cast<int>(centers.rows());
  const double tolerance = options.tol * feature_variance.mean();
  const internal::ClusterSums zero{Vector::Zero(k), RowMatrix::Zero(k, centers.cols())};
  for (int iteration = 0; iteration < options.max_iter; ++iteration) {
    internal::ClusterSums total = zero;
    executor.Reduce(data, zero, &total,
                    [&](std::int64_t, const RowBlock<double>& block, internal::ClusterSums* s) {
                      std::vector<int> labels(block.rows.rows());
                      NearestCenters(block.rows, centers, labels.data());
                      for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
                        const double w = internal::RowWeight(block, i);
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

// The (weighted) variance of each feature over all rows.
template <RowBlockSource Data, class Executor>
  requires ReducesBlocks<Executor, Data, internal::Moments>
Vector FeatureVariance(const Data& data, Executor& executor) {
  const Eigen::Index d = data.num_columns();
  // About the first row, so that offsets far from zero do not cancel.
  const Eigen::RowVectorXd shift = data.GetBlock(0).rows.row(0);
  const internal::Moments zero{0.0, Eigen::RowVectorXd::Zero(d), Eigen::RowVectorXd::Zero(d)};
  internal::Moments total = zero;
  executor.Reduce(data, zero, &total,
                  [&](std::int64_t, const RowBlock<double>& block, internal::Moments* m) {
                    for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
                      const double w = internal::RowWeight(block, i);
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

// The same on in-memory rows and the threads of `pool`.
RowMatrix KMeansPlusPlusSeeds(const RowBlocks<double>& data, int k, Rng& rng, ThreadPool& pool);
RowMatrix LloydIterations(const RowBlocks<double>& data, RowMatrix centers,
                          const KMeansOptions& options, const Vector& feature_variance,
                          ThreadPool& pool);
Vector FeatureVariance(const RowBlocks<double>& data, ThreadPool& pool);

}  // namespace emkit

#endif  // EMKIT_KMEANS_H_
