#include "emkit/thread_pool.h"

#include <atomic>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace emkit {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.num_threads(), threads);
    std::vector<std::atomic<int>> hits(1000);
    pool.ParallelFor(1000, [&](std::int64_t i, int worker) {
      EXPECT_GE(worker, 0);
      EXPECT_LT(worker, threads);
      hits[i].fetch_add(1);
    });
    for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
  }
}

TEST(ThreadPoolTest, ReusableAcrossCalls) {
  ThreadPool pool(2);
  std::atomic<std::int64_t> sum{0};
  for (int round = 0; round < 50; ++round) {
    pool.ParallelFor(10, [&](std::int64_t i, int) { sum += i; });
  }
  EXPECT_EQ(sum.load(), 50 * 45);
}

TEST(ThreadPoolTest, RethrowsTheFirstErrorOnTheCallingThread) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.ParallelFor(100,
                                [](std::int64_t i, int) {
                                  if (i == 7) throw std::runtime_error("task 7");
                                }),
               std::runtime_error);
  // Still usable afterwards.
  std::atomic<int> count{0};
  pool.ParallelFor(5, [&](std::int64_t, int) { ++count; });
  EXPECT_EQ(count.load(), 5);
}

TEST(ThreadPoolTest, ZeroMeansHardwareConcurrency) {
  EXPECT_GE(ResolveThreadCount(0), 1);
  EXPECT_EQ(ResolveThreadCount(3), 3);
}

}  // namespace
}  // namespace emkit
