// The initialisers work on any RowBlockSource through any executor: a
// source of one's own that hands out the in-memory blocks gives the bits
// RowBlocks gives, and one with blocks of other sizes gives the closed
// forms.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/engine/serial_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/poisson.h"
#include "emkit/init_context.h"
#include "emkit/initialization.h"
#include "emkit/kmeans.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {
namespace {

// RowBlocks behind a type of its own, counting the blocks it hands out.
class CountingSource {
 public:
  explicit CountingSource(const RowBlocks<double>& blocks) : blocks_(blocks) {}
  std::int64_t NumBlocks() const { return blocks_.NumBlocks(); }
  RowBlock<double> GetBlock(std::int64_t b) const {
    ++handed_out_;
    return blocks_.GetBlock(b);
  }
  double TotalWeight() const { return blocks_.TotalWeight(); }
  std::int64_t num_rows() const { return blocks_.num_rows(); }
  std::int64_t num_columns() const { return blocks_.num_columns(); }
  std::int64_t handed_out() const { return handed_out_; }

 private:
  const RowBlocks<double>& blocks_;
  mutable std::atomic<std::int64_t> handed_out_{0};
};

// Unweighted rows in blocks of 1, 2, 3, ... rows (the last one shorter).
class GrowingBlocks {
 public:
  explicit GrowingBlocks(const RowMatrix& x) : x_(x) {
    for (std::int64_t first = 0, size = 1; first < x.rows(); first += size++) {
      first_rows_.push_back(first);
    }
    first_rows_.push_back(x.rows());
  }
  std::int64_t NumBlocks() const { return static_cast<std::int64_t>(first_rows_.size()) - 1; }
  RowBlock<double> GetBlock(std::int64_t b) const {
    const std::int64_t first = first_rows_[b];
    const std::int64_t rows = first_rows_[b + 1] - first;
    return RowBlock<double>{MatrixView(x_.data() + first * x_.cols(), rows, x_.cols()), nullptr,
                            first};
  }
  double TotalWeight() const { return static_cast<double>(x_.rows()); }
  std::int64_t num_rows() const { return x_.rows(); }
  std::int64_t num_columns() const { return x_.cols(); }

 private:
  const RowMatrix& x_;
  std::vector<std::int64_t> first_rows_;
};

static_assert(RowBlockSource<RowBlocks<double>> && RowBlockSource<CountingSource> &&
              RowBlockSource<GrowingBlocks>);
static_assert(!RowBlockSource<RowBlocks<float>>);

// Two groups of rows 40 apart, alternating, with per-row weights.
struct Counts {
  RowMatrix x;
  std::vector<double> weights;
};

Counts MakeCounts() {
  Counts c{RowMatrix(101, 2), {}};
  for (Eigen::Index i = 0; i < c.x.rows(); ++i) {
    const double base = i % 2 == 0 ? 0.0 : 40.0;
    // Fractions that sums round, so that the order of additions shows.
    c.x(i, 0) = base + static_cast<double>(i % 5) + 0.1 * std::sqrt(static_cast<double>(i));
    c.x(i, 1) = base + static_cast<double>(i % 3) + static_cast<double>(i) / 7.0;
    c.weights.push_back(1.0 + static_cast<double>(i % 4) / 3.0);
  }
  return c;
}

TEST(RowBlockSourceTest, KMeansOnAnotherSourceAndExecutorGivesTheSameBits) {
  const Counts c = MakeCounts();
  const RowBlocks<double> blocks(ViewOf(c.x), c.weights.data(), 8);
  const CountingSource source(blocks);
  ThreadPool pool(3);
  SerialExecutor serial;
  for (int k : {1, 2, 5}) {
    Rng a(17), b(17);
    const RowMatrix seeds = KMeansPlusPlusSeeds(blocks, k, a, pool);
    EXPECT_EQ(KMeansPlusPlusSeeds(source, k, b, serial), seeds) << k;
    const Vector variance = FeatureVariance(blocks, pool);
    EXPECT_EQ(FeatureVariance(source, serial), variance);
    EXPECT_EQ(LloydIterations(source, seeds, {}, variance, serial),
              LloydIterations(blocks, seeds, {}, variance, pool));
  }
  EXPECT_GT(source.handed_out(), 0);
}

TEST(RowBlockSourceTest, DrawsOnAnotherSourceGiveTheSameResponsibilities) {
  const Counts c = MakeCounts();
  const RowBlocks<double> blocks(ViewOf(c.x), c.weights.data(), 8);
  const CountingSource source(blocks);
  ThreadPool pool(2);
  SerialExecutor serial;
  const Poisson shape = Poisson(RowMatrix::Ones(3, 2), PoissonOptions{});
  for (InitMethod method :
       {InitMethod::kKMeansPlusPlus, InitMethod::kRandom, InitMethod::kRandomFromData}) {
    Rng a(5), b(5);
    const InitialResponsibilities in_memory =
        InitialResponsibilities::Draw(method, {}, blocks, 3, a, pool);
    const InitialResponsibilities other =
        InitialResponsibilities::Draw(method, {}, source, 3, b, serial);
    EXPECT_EQ(other.hard(), in_memory.hard());
    EXPECT_EQ(other.centers(), in_memory.centers());
    // The statistics of the two, through the family's M-step.
    const Poisson from_memory =
        shape.Maximize(StatisticsOfResponsibilities(shape, blocks, pool, in_memory), nullptr);
    const Poisson from_other =
        shape.Maximize(StatisticsOfResponsibilities(shape, source, serial, other), nullptr);
    EXPECT_EQ(from_other.rates(), from_memory.rates()) << InitMethodName(method);
  }
  EXPECT_EQ(WholeDataComponents(shape, source, serial).rates(),
            WholeDataComponents(shape, blocks, pool).rates());
}

// Whether a family's initial mixture can be made from a source through an
// executor: not for a family whose MaximizeInitial needs RowBlocks.
template <class F, class Data>
concept InitialisesFrom = requires(const F& shape, const Data& data, SerialExecutor& executor,
                                   const InitContext& context) {
  InitialMixture(InitMethod::kRandom, KMeansOptions{}, shape, data, executor, context);
};
static_assert(InitialisesFrom<Poisson, CountingSource>);
static_assert(!InitialisesFrom<GaussianFull, CountingSource>);

TEST(RowBlockSourceTest, AnInitialMixtureFromAnotherSourceIsTheSame) {
  const Counts c = MakeCounts();
  const RowBlocks<double> blocks(ViewOf(c.x), c.weights.data(), 8);
  const CountingSource source(blocks);
  ThreadPool pool(2);
  SerialExecutor serial;
  const Poisson shape = Poisson(RowMatrix::Ones(3, 2), PoissonOptions{});
  for (InitMethod method :
       {InitMethod::kKMeansPlusPlus, InitMethod::kRandom, InitMethod::kRandomFromData}) {
    RepairCounts repairs_a, repairs_b;
    const Mixture<Poisson> in_memory =
        InitialMixture(method, {}, shape, blocks, InitContext{0, 9, &pool, &repairs_a});
    const Mixture<Poisson> other = InitialMixture(method, {}, shape, source, serial,
                                                  InitContext{0, 9, nullptr, &repairs_b});
    EXPECT_EQ(other.weights(), in_memory.weights()) << InitMethodName(method);
    EXPECT_EQ(other.components().rates(), in_memory.components().rates());
  }
}

TEST(RowBlockSourceTest, KMeansOnBlocksOfOtherSizesFindsTheGroupMeans) {
  const Counts c = MakeCounts();
  const GrowingBlocks data(c.x);
  ASSERT_GT(data.NumBlocks(), 10);
  ThreadPool pool(2);
  ThreadedExecutor threaded(pool);
  Rng rng(3);
  RowMatrix centers = KMeansPlusPlusSeeds(data, 2, rng, threaded);
  centers = LloydIterations(data, centers, {}, FeatureVariance(data, threaded), threaded);
  // Closed form: two groups 40 apart, each centre the mean of its group.
  Eigen::RowVector2d low = Eigen::RowVector2d::Zero(), high = low;
  double n_low = 0, n_high = 0;
  for (Eigen::Index i = 0; i < c.x.rows(); ++i) {
    if (i % 2 == 0) {
      low += c.x.row(i);
      n_low += 1;
    } else {
      high += c.x.row(i);
      n_high += 1;
    }
  }
  low /= n_low;
  high /= n_high;
  const bool first_is_low = centers(0, 0) < centers(1, 0);
  EXPECT_NEAR((centers.row(first_is_low ? 0 : 1) - low).norm(), 0.0, 1e-12);
  EXPECT_NEAR((centers.row(first_is_low ? 1 : 0) - high).norm(), 0.0, 1e-12);
}

}  // namespace
}  // namespace emkit
