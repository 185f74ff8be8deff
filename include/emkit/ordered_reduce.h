// The one pass over the data that every iteration makes: each block's
// statistics are computed on some worker, then merged into the total in
// block order. The order of floating-point additions is therefore fixed by
// the block split alone, and the result is bit-identical for any number of
// threads. It is the core of ThreadedExecutor (emkit/engine/threaded_executor.h),
// through which the engine and the initialisers reach it.
#ifndef EMKIT_ORDERED_REDUCE_H_
#define EMKIT_ORDERED_REDUCE_H_

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "emkit/thread_pool.h"

namespace emkit {

// Blocks [first, end) of a pass: computes block_fn(b, &scratch) -> double
// on the pool, with (*scratch)[worker] (one value per worker, each of the
// statistics' shape) zeroed by SetZero for each block, and merges the
// scratch values into *total and the returned values into *sum, in order of
// b. A pass cut into consecutive ranges by several calls with the same
// total and sum makes the additions, and so the bits, of one call over all
// its blocks. An exception in a block is rethrown on the calling thread
// after every worker has stopped.
template <class Stats, class BlockFn>
void OrderedReduceRange(ThreadPool& pool, std::int64_t first, std::int64_t end,
                        std::vector<Stats>* scratch, Stats* total, double* sum,
                        BlockFn&& block_fn) {
  std::mutex mutex;
  std::condition_variable turn;
  std::int64_t next_to_merge = first;
  std::exception_ptr error;

  pool.ParallelFor(end - first, [&](std::int64_t task, int worker) {
    const std::int64_t b = first + task;
    Stats& stats = (*scratch)[worker];
    stats.SetZero();
    double value = 0.0;
    std::exception_ptr block_error;
    try {
      value = block_fn(b, &stats);
    } catch (...) {
      block_error = std::current_exception();
    }
    // Blocks are claimed in increasing order, so the block before this one
    // is being worked on and this wait ends.
    std::unique_lock<std::mutex> lock(mutex);
    turn.wait(lock, [&] { return next_to_merge == b; });
    if (block_error && !error) error = block_error;
    if (!error) {
      total->Merge(stats);
      *sum += value;
    }
    ++next_to_merge;
    turn.notify_all();
  });
  if (error) std::rethrow_exception(error);
}

// Computes block_fn(b, &scratch) -> double for b in [0, num_blocks) on the
// pool, where scratch starts each block as zero (SetZero), and merges the
// scratch statistics and the returned values into *total and the returned
// sum, in order of b. `zero` is the value a scratch starts as (it fixes the
// statistics' shape). An exception in a block is rethrown on the calling
// thread after every worker has stopped.
template <class Stats, class BlockFn>
double OrderedReduce(ThreadPool& pool, std::int64_t num_blocks,
                     const Stats& zero, Stats* total, BlockFn&& block_fn) {
  std::vector<Stats> scratch(pool.num_threads(), zero);
  double sum = 0.0;
  OrderedReduceRange(pool, 0, num_blocks, &scratch, total, &sum,
                     std::forward<BlockFn>(block_fn));
  return sum;
}

}  // namespace emkit

#endif  // EMKIT_ORDERED_REDUCE_H_
