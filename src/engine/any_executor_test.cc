// AnyExecutor: the executor behind it visits the same blocks in the same
// order and merges as it would without it, so the bits are its own; the
// restart driver hands the E-steps' executor to the initialiser.
#include "emkit/engine/any_executor.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "emkit/context.h"
#include "emkit/engine/plain_em.h"
#include "emkit/engine/restart_driver.h"
#include "emkit/engine/serial_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/init_context.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"
#include "engine_test_problem.h"

namespace emkit {
namespace {

using engine_testing::ExpectSameModel;
using engine_testing::ExpectSameReport;
using engine_testing::MakeProblem;

static_assert(internal::ErasableExecutor<SerialExecutor> &&
              internal::ErasableExecutor<ThreadedExecutor>);
static_assert(ExecutorFor<AnyExecutor, GaussianMixtureFull, RowBlocks<double>>);

// A statistic that is one number: what Reduce merged, in order.
struct Sum {
  double value = 0.0;
  void Merge(const Sum& other) { value += other.value; }
  void SetZero() { value = 0.0; }
};

// The serial executor, counting the Reduce calls it serves.
class CountingExecutor {
 public:
  int num_threads() const { return 1; }
  template <class Data, class Stats, class BlockFn>
  double Reduce(const Data& data, const Stats& zero, Stats* total, BlockFn&& block_fn) {
    ++reductions_;
    return serial_.Reduce(data, zero, total, std::forward<BlockFn>(block_fn));
  }
  int reductions() const { return reductions_; }

 private:
  SerialExecutor serial_;
  int reductions_ = 0;
};

TEST(AnyExecutorTest, EveryBlockIsVisitedOnceAndMergedIntoTheTotal) {
  const RowMatrix x = RowMatrix::Zero(1000, 1);
  const RowBlocks<double> data(ViewOf(x), nullptr, 64);  // 16 blocks, the last of 40 rows
  ThreadPool pool(3);
  ThreadedExecutor threaded(pool);
  SerialExecutor serial;
  CountingExecutor counting;
  for (AnyExecutor executor : {AnyExecutor(threaded), AnyExecutor(serial), AnyExecutor(pool),
                               AnyExecutor::Serial(), AnyExecutor(counting)}) {
    Sum total{1.0};  // Reduce adds to what is there
    const double rows = executor.Reduce(
        data, Sum{}, &total, [](std::int64_t b, const RowBlock<double>& block, Sum* s) {
          s->value += block.first_row == 64 * b ? static_cast<double>(block.first_row)
                                                : std::numeric_limits<double>::quiet_NaN();
          return static_cast<double>(block.rows.rows());
        });
    EXPECT_EQ(rows, 1000.0);
    EXPECT_EQ(total.value, 1.0 + 64.0 * (15.0 * 16.0 / 2.0));
  }
  EXPECT_EQ(counting.reductions(), 1);
}

TEST(AnyExecutorTest, ItHasTheThreadsOfTheExecutorBehindIt) {
  ThreadPool pool(3);
  ThreadedExecutor threaded(pool);
  SerialExecutor serial;
  EXPECT_EQ(AnyExecutor(threaded).num_threads(), 3);
  EXPECT_EQ(AnyExecutor(pool).num_threads(), 3);
  EXPECT_EQ(AnyExecutor(serial).num_threads(), 1);
  EXPECT_EQ(AnyExecutor::Serial().num_threads(), 1);
}

TEST(AnyExecutorTest, AnErrorInABlockReachesTheCaller) {
  const RowMatrix x = RowMatrix::Zero(1000, 1);
  const RowBlocks<double> data(ViewOf(x), nullptr, 64);
  ThreadPool pool(2);
  const auto failing = [](std::int64_t b, const RowBlock<double>&, Sum*) -> double {
    if (b == 5) throw std::runtime_error("block " + std::to_string(b));
    return 0.0;
  };
  Sum total;
  AnyExecutor threaded(pool);
  EXPECT_THROW(threaded.Reduce(data, Sum{}, &total, failing), std::runtime_error);
  AnyExecutor serial = AnyExecutor::Serial();
  EXPECT_THROW(serial.Reduce(data, Sum{}, &total, failing), std::runtime_error);
}

TEST(AnyExecutorTest, EStepsThroughItAreThoseOfTheExecutorBehindIt) {
  const auto p = MakeProblem(21);
  const RowBlocks<double> data(ViewOf(p.x), p.weights.data(), 37);
  const GaussianMixtureFull model = testing_data::RandomTruth(3, 2, 5, 2.0);
  ThreadPool pool(3);
  ThreadedExecutor threaded(pool);
  GaussianMixtureFull::Statistics direct = model.NewStatistics();
  const double direct_loglik = EStepAll(threaded, data, model, &direct);
  ASSERT_TRUE(std::isfinite(direct_loglik));
  AnyExecutor any(threaded);
  GaussianMixtureFull::Statistics erased = model.NewStatistics();
  EXPECT_EQ(EStepAll(any, data, model, &erased), direct_loglik);
  ExpectSameModel(model.MStep(erased, nullptr), model.MStep(direct, nullptr));
  EXPECT_EQ(model.ExpectedCompleteLogLikelihood(erased),
            model.ExpectedCompleteLogLikelihood(direct));
}

TEST(AnyExecutorTest, TheDriverHandsTheInitialiserTheEStepsExecutor) {
  auto p = MakeProblem(31);
  const RowBlocks<double> data(ViewOf(p.x), p.weights.data(), p.options.block_rows);
  Context context(2);
  CountingExecutor counting;
  PlainEm policy;
  int initialised = 0;
  int reductions_seen = -1;
  const Fitted<GaussianMixtureFull> fitted = DriveRestarts(
      context, counting, policy, p.options, data, [&](const InitContext& init) {
        EXPECT_TRUE(init.executor.has_value());
        EXPECT_EQ(init.pool, &context.pool());
        // One pass through the context's executor lands on `counting`.
        const int before = counting.reductions();
        AnyExecutor executor = init.ExecutorOrPool();
        Sum total;
        executor.Reduce(data, Sum{}, &total,
                        [](std::int64_t, const RowBlock<double>&, Sum*) { return 0.0; });
        reductions_seen = counting.reductions() - before;
        ++initialised;
        return engine_testing::Initialize(init);
      });
  EXPECT_EQ(initialised, p.options.n_init);
  EXPECT_EQ(reductions_seen, 1);

  // The same fit on the threaded executor, the initialiser not reducing.
  p.options.num_threads = 3;
  const Fitted<GaussianMixtureFull> threaded =
      FitWithRestarts(p.options, data, engine_testing::Initialize);
  ExpectSameModel(fitted.model, threaded.model);
  ExpectSameReport(fitted.report, threaded.report);
}

TEST(AnyExecutorTest, AContextWithoutAnExecutorReducesOnItsPoolOrTheCallingThread) {
  ThreadPool pool(3);
  const InitContext on_pool{0, 1, &pool, nullptr};
  EXPECT_EQ(on_pool.ExecutorOrPool().num_threads(), 3);
  const InitContext alone{0, 1, nullptr, nullptr};
  EXPECT_EQ(alone.ExecutorOrPool().num_threads(), 1);
  SerialExecutor serial;
  InitContext with_executor{0, 1, &pool, nullptr};
  with_executor.executor.emplace(serial);
  EXPECT_EQ(with_executor.ExecutorOrPool().num_threads(), 1);
}

}  // namespace
}  // namespace emkit
