// The executors: the serial one and the threaded one, on any thread count,
// give the same bits, for one E-step and for a whole fit.
#include "emkit/engine/executor.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "emkit/context.h"
#include "emkit/engine/plain_em.h"
#include "emkit/engine/restart_driver.h"
#include "emkit/engine/serial_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"
#include "engine_test_problem.h"

namespace emkit {
namespace {

using engine_testing::ExpectSameModel;
using engine_testing::ExpectSameReport;
using engine_testing::MakeProblem;

static_assert(ExecutorFor<SerialExecutor, GaussianMixtureFull, RowBlocks<double>>);
static_assert(ExecutorFor<ThreadedExecutor, GaussianMixtureFull, RowBlocks<double>>);
static_assert(!ExecutorFor<ThreadPool, GaussianMixtureFull, RowBlocks<double>>);

// A statistic that is one number: what Reduce merged, in order.
struct Sum {
  double value = 0.0;
  void Merge(const Sum& other) { value += other.value; }
  void SetZero() { value = 0.0; }
};

TEST(ExecutorTest, EveryBlockIsVisitedOnceAndMergedIntoTheTotal) {
  const RowMatrix x = RowMatrix::Zero(1000, 1);
  const RowBlocks<double> data(ViewOf(x), nullptr, 64);  // 16 blocks, the last of 40 rows
  ThreadPool pool(3);
  ThreadedExecutor threaded(pool);
  SerialExecutor serial;
  const auto reduce = [&](auto& executor) {
    Sum total{1.0};  // Reduce adds to what is there
    const double rows = executor.Reduce(
        data, Sum{}, &total, [](std::int64_t b, const RowBlock<double>& block, Sum* s) {
          // A block handed with another block's index spoils the total.
          s->value += block.first_row == 64 * b ? static_cast<double>(block.first_row)
                                                : std::numeric_limits<double>::quiet_NaN();
          return static_cast<double>(block.rows.rows());
        });
    EXPECT_EQ(rows, 1000.0);
    // Closed form: the first rows are 64 b for b = 0..15.
    EXPECT_EQ(total.value, 1.0 + 64.0 * (15.0 * 16.0 / 2.0));
  };
  reduce(threaded);
  reduce(serial);
}

TEST(ExecutorTest, AnErrorInABlockReachesTheCaller) {
  const RowMatrix x = RowMatrix::Zero(1000, 1);
  const RowBlocks<double> data(ViewOf(x), nullptr, 64);
  ThreadPool pool(2);
  ThreadedExecutor threaded(pool);
  SerialExecutor serial;
  const auto failing = [](std::int64_t b, const RowBlock<double>&, Sum*) -> double {
    if (b == 5) throw std::runtime_error("block " + std::to_string(b));
    return 0.0;
  };
  Sum total;
  EXPECT_THROW(threaded.Reduce(data, Sum{}, &total, failing), std::runtime_error);
  EXPECT_THROW(serial.Reduce(data, Sum{}, &total, failing), std::runtime_error);
}

TEST(ExecutorTest, SerialAndThreadedEStepsAgreeBitForBit) {
  const auto p = MakeProblem(21);
  const RowBlocks<double> data(ViewOf(p.x), p.weights.data(), 37);
  const GaussianMixtureFull model = testing_data::RandomTruth(3, 2, 5, 2.0);
  SerialExecutor serial;
  GaussianMixtureFull::Statistics serial_stats = model.NewStatistics();
  const double serial_loglik = EStepAll(serial, data, model, &serial_stats);
  ASSERT_TRUE(std::isfinite(serial_loglik));
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    ThreadedExecutor threaded(pool);
    GaussianMixtureFull::Statistics stats = model.NewStatistics();
    EXPECT_EQ(EStepAll(threaded, data, model, &stats), serial_loglik) << threads;
    // The statistics are compared through what is made of them.
    ExpectSameModel(model.MStep(stats, nullptr), model.MStep(serial_stats, nullptr));
    EXPECT_EQ(model.ExpectedCompleteLogLikelihood(stats),
              model.ExpectedCompleteLogLikelihood(serial_stats));
  }
}

TEST(ExecutorTest, AFitOnTheSerialExecutorEqualsOneOnThreads) {
  auto p = MakeProblem(31);
  const RowBlocks<double> data(ViewOf(p.x), p.weights.data(), p.options.block_rows);
  p.options.num_threads = 3;
  const Fitted<GaussianMixtureFull> threaded =
      FitWithRestarts(p.options, data, engine_testing::Initialize);

  Context context(1);
  SerialExecutor serial;
  PlainEm policy;
  const Fitted<GaussianMixtureFull> one_by_one =
      DriveRestarts(context, serial, policy, p.options, data, engine_testing::Initialize);
  ExpectSameModel(one_by_one.model, threaded.model);
  ExpectSameReport(one_by_one.report, threaded.report);
  EXPECT_GT(threaded.report.n_iter, 2);
  EXPECT_EQ(threaded.report.threads_used, 3);
  EXPECT_EQ(one_by_one.report.threads_used, 1);
}

}  // namespace
}  // namespace emkit
