// The initialisers work on any RowBlockSource through any executor, for
// every family (the Gaussians, with their MaximizeInitial hook, included)
// and for the Gaussian HMM's emissions: a source of one's own that hands
// out the in-memory blocks, reduced by the serial executor, gives the bits
// RowBlocks gives on threads, and one with blocks of other sizes gives the
// closed forms.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/engine/serial_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/engine/any_executor.h"
#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/families/poisson.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/init_context.h"
#include "emkit/initialization.h"
#include "emkit/internal/gaussian_shape.h"
#include "emkit/kmeans.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
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

// CountingSource that says it reads its rows from a file, so that k-means++
// keeps no per-row state on it.
class FileLikeSource : public CountingSource {
 public:
  using CountingSource::CountingSource;
  static constexpr bool kReadsFromFile = true;
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

// Recomputing each row's nearest distance from all centres chosen so far
// gives the doubles the kept nearest index gives back, so the same seeds:
// for k of every index type (k > 256 keeps 16-bit indices in memory).
TEST(RowBlockSourceTest, KMeansPlusPlusWithoutPerRowStateGivesTheSameSeeds) {
  static_assert(internal::ReadsFromFile<FileLikeSource>() &&
                !internal::ReadsFromFile<CountingSource>());
  RowMatrix x(700, 3);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      x(i, j) = std::sin(0.37 * static_cast<double>(i) + static_cast<double>(j)) +
                static_cast<double>((i * (j + 3)) % 11);
    }
  }
  std::vector<double> weights;
  for (Eigen::Index i = 0; i < x.rows(); ++i) weights.push_back(1.0 + static_cast<double>(i % 3));
  const RowBlocks<double> blocks(ViewOf(x), weights.data(), 16);
  const FileLikeSource source(blocks);
  ThreadPool pool(2);
  SerialExecutor serial;
  for (int k : {1, 2, 7, 300}) {
    Rng a(23), b(23);
    const RowMatrix kept = KMeansPlusPlusSeeds(blocks, k, a, pool);
    const RowMatrix recomputed = KMeansPlusPlusSeeds(source, k, b, serial);
    EXPECT_EQ(recomputed, kept) << k;
    // The draws consumed match too: the next number is the same.
    EXPECT_EQ(UniformDouble(a), UniformDouble(b)) << k;
  }
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
// executor: every family's, the Gaussians' (with MaximizeInitial) too.
template <class F, class Data>
concept InitialisesFrom = requires(const F& shape, const Data& data, SerialExecutor& executor,
                                   const InitContext& context) {
  InitialMixture(InitMethod::kRandom, KMeansOptions{}, shape, data, executor, context);
  InitialMixture(InitMethod::kRandom, KMeansOptions{}, shape, data, context);
};
static_assert(InitialisesFrom<Poisson, CountingSource>);
static_assert(InitialisesFrom<GaussianFull, CountingSource>);
static_assert(InitialisesFrom<GaussianFull, GrowingBlocks>);

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

// Everything a family's parameter codec writes, by key.
struct EncodedParameters {
  std::map<std::string, std::string> texts;
  std::map<std::string, std::vector<double>> numbers;
  bool operator==(const EncodedParameters&) const = default;
};

class RecordingWriter : public ParameterWriter {
 public:
  void Text(std::string_view key, std::string_view value) override {
    recorded.texts[std::string(key)] = std::string(value);
  }
  void Integer(std::string_view key, std::int64_t value) override {
    recorded.numbers[std::string(key)] = {static_cast<double>(value)};
  }
  void Number(std::string_view key, double value) override {
    recorded.numbers[std::string(key)] = {value};
  }
  void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
             const double* values) override {
    Eigen::Index size = 1;
    for (Eigen::Index n : shape) size *= n;
    recorded.numbers[std::string(key)] = std::vector<double>(values, values + size);
  }

  EncodedParameters recorded;
};

template <class F>
EncodedParameters ParametersOf(const F& family) {
  RecordingWriter out;
  family.EncodeParameters(out);
  return out.recorded;
}

// MakeCounts' rows and one row far from both groups, which k-means++
// makes a cluster of its own: a component with one row, whose covariance
// comes from the data's variances (MaximizeInitial).
Counts MakeCountsWithOutlier() {
  Counts c = MakeCounts();
  c.x.conservativeResize(c.x.rows() + 1, Eigen::NoChange);
  c.x.row(c.x.rows() - 1) << 900.0, -700.0;
  c.weights.push_back(1.5);
  return c;
}

template <class F>
class GaussianInitialisationTest : public ::testing::Test {};
using GaussianFamilies = ::testing::Types<GaussianFull, GaussianDiag, GaussianSpherical, GaussianTied>;
TYPED_TEST_SUITE(GaussianInitialisationTest, GaussianFamilies);

TYPED_TEST(GaussianInitialisationTest, AnInitialMixtureFromAnotherSourceAndExecutorIsTheSame) {
  using F = TypeParam;
  const Counts c = MakeCountsWithOutlier();
  const RowBlocks<double> blocks(ViewOf(c.x), c.weights.data(), 8);
  const CountingSource source(blocks);
  ThreadPool pool(3);
  ThreadedExecutor threaded(pool);
  SerialExecutor serial;
  const F shape = internal::GaussianShape<F>(3, c.x.cols(), GaussianOptions{});
  for (InitMethod method :
       {InitMethod::kKMeansPlusPlus, InitMethod::kRandom, InitMethod::kRandomFromData}) {
    SCOPED_TRACE(InitMethodName(method));
    // In memory on threads, the executor given, and through the context's
    // pool as the shipped initialisers ran before.
    RepairCounts repairs_a, repairs_b, repairs_c, repairs_d;
    const Mixture<F> in_memory =
        InitialMixture(method, {}, shape, blocks, threaded, InitContext{0, 9, nullptr, &repairs_a});
    const Mixture<F> on_pool =
        InitialMixture(method, {}, shape, blocks, InitContext{0, 9, &pool, &repairs_b});
    // Another source, one block after another: given, and as the context's
    // executor.
    const Mixture<F> other =
        InitialMixture(method, {}, shape, source, serial, InitContext{0, 9, nullptr, &repairs_c});
    InitContext serial_context{0, 9, nullptr, &repairs_d};
    serial_context.executor.emplace(serial);
    const Mixture<F> through_context = InitialMixture(method, {}, shape, source, serial_context);
    for (const Mixture<F>* m : {&on_pool, &other, &through_context}) {
      EXPECT_EQ(m->weights(), in_memory.weights());
      EXPECT_EQ(ParametersOf(m->components()), ParametersOf(in_memory.components()));
    }
    for (const RepairCounts* r : {&repairs_b, &repairs_c, &repairs_d}) {
      EXPECT_EQ(r->initial_covariances_from_data, repairs_a.initial_covariances_from_data);
    }
    if (method == InitMethod::kKMeansPlusPlus) {
      // The outlier's cluster took the data's variances.
      EXPECT_EQ(repairs_a.initial_covariances_from_data, 1);
    }
  }
  EXPECT_GT(source.handed_out(), 0);
}

TYPED_TEST(GaussianInitialisationTest, AComponentOfOneRowTakesTheDataVariancesOnAnySource) {
  using F = TypeParam;
  const Counts c = MakeCounts();
  const RowBlocks<double> blocks(ViewOf(c.x), c.weights.data(), 8);
  const CountingSource source(blocks);
  ThreadPool pool(2);
  SerialExecutor serial;
  // Row 0 alone in component 2; the groups in components 0 and 1.
  std::vector<int> labels;
  for (Eigen::Index i = 0; i < c.x.rows(); ++i) labels.push_back(i == 0 ? 2 : i % 2);
  RowMatrix centers(3, 2);
  centers << 0.0, 0.0, 40.0, 40.0, c.x(0, 0), c.x(0, 1);
  const InitialResponsibilities partition = InitialResponsibilities::FromLabels(centers, labels);
  const F shape = internal::GaussianShape<F>(3, c.x.cols(), GaussianOptions{});
  RepairCounts repairs_a, repairs_b;
  const InitialComponents<F> in_memory =
      ComponentsFromResponsibilities(shape, partition, blocks, pool, &repairs_a);
  const InitialComponents<F> other =
      ComponentsFromResponsibilities(shape, partition, source, serial, &repairs_b);
  EXPECT_EQ(other.counts, in_memory.counts);
  EXPECT_EQ(ParametersOf(other.family), ParametersOf(in_memory.family));
  // The tied covariance is shared, so it is never replaced, but the repair
  // is counted all the same.
  EXPECT_EQ(repairs_a.initial_covariances_from_data, 1);
  EXPECT_EQ(repairs_b.initial_covariances_from_data, 1);
}

TYPED_TEST(GaussianInitialisationTest, HmmEmissionsFromAnotherSourceAndExecutorAreTheSame) {
  using F = TypeParam;
  const Counts c = MakeCountsWithOutlier();
  const RowBlocks<double> blocks(ViewOf(c.x), c.weights.data(), 8);
  const CountingSource source(blocks);
  ThreadPool pool(3);
  SerialExecutor serial;
  RepairCounts repairs_a, repairs_b;
  const F in_memory = GaussianEmissionsFromKMeans<F>(blocks, 3, GaussianOptions{}, KMeansOptions{},
                                                     InitContext{0, 4, &pool, &repairs_a});
  InitContext serial_context{0, 4, nullptr, &repairs_b};
  serial_context.executor.emplace(serial);
  const F other =
      GaussianEmissionsFromKMeans<F>(source, 3, GaussianOptions{}, KMeansOptions{}, serial_context);
  EXPECT_EQ(ParametersOf(other), ParametersOf(in_memory));
  EXPECT_EQ(repairs_b.initial_covariances_from_data, repairs_a.initial_covariances_from_data);
  EXPECT_EQ(repairs_a.initial_covariances_from_data, 1);
}

TEST(RowBlockSourceTest, AGaussianFromBlocksOfOtherSizesHasTheGroupMoments) {
  const Counts c = MakeCounts();
  const GrowingBlocks data(c.x);
  ThreadPool pool(2);
  ThreadedExecutor threaded(pool);
  std::vector<int> labels;
  for (Eigen::Index i = 0; i < c.x.rows(); ++i) labels.push_back(static_cast<int>(i % 2));
  RowMatrix centers(2, 2);
  centers << 0.0, 0.0, 40.0, 40.0;
  const GaussianOptions options;
  const InitialComponents<GaussianFull> initial = ComponentsFromResponsibilities(
      internal::GaussianShape<GaussianFull>(2, 2, options),
      InitialResponsibilities::FromLabels(centers, labels), data, threaded, nullptr);
  // Closed form: each component the (biased) mean and covariance of its
  // group, plus reg_covar.
  for (int k = 0; k < 2; ++k) {
    Eigen::RowVector2d mean = Eigen::RowVector2d::Zero();
    double n = 0;
    for (Eigen::Index i = k; i < c.x.rows(); i += 2, n += 1) mean += c.x.row(i);
    mean /= n;
    Eigen::Matrix2d covariance = Eigen::Matrix2d::Zero();
    for (Eigen::Index i = k; i < c.x.rows(); i += 2) {
      const Eigen::RowVector2d d = c.x.row(i) - mean;
      covariance += d.transpose() * d;
    }
    covariance /= n;
    covariance.diagonal().array() += options.reg_covar;
    EXPECT_EQ(initial.counts[k], n);
    EXPECT_NEAR((initial.family.means().row(k) - mean).norm(), 0.0, 1e-12);
    EXPECT_NEAR((initial.family.covariances()[k] - covariance).norm(), 0.0, 1e-11);
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
