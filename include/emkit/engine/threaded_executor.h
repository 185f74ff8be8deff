// The executor for data in this process's memory: blocks are computed on
// the threads of a pool and merged in block order (OrderedReduce), so any
// thread count gives the same bits.
#ifndef EMKIT_ENGINE_THREADED_EXECUTOR_H_
#define EMKIT_ENGINE_THREADED_EXECUTOR_H_

#include <cstdint>

#include "emkit/ordered_reduce.h"
#include "emkit/thread_pool.h"

namespace emkit {

class ThreadedExecutor {
 public:
  // `pool` must outlive this.
  explicit ThreadedExecutor(ThreadPool& pool) : pool_(&pool) {}

  int num_threads() const { return pool_->num_threads(); }

  // See ReducesBlocks (emkit/engine/executor.h).
  template <class Data, class Stats, class BlockFn>
  double Reduce(const Data& data, const Stats& zero, Stats* total, BlockFn&& block_fn) {
    return OrderedReduce(*pool_, data.NumBlocks(), zero, total,
                         [&](std::int64_t b, Stats* scratch) {
                           return block_fn(b, data.GetBlock(b), scratch);
                         });
  }

 private:
  ThreadPool* pool_;
};

}  // namespace emkit

#endif  // EMKIT_ENGINE_THREADED_EXECUTOR_H_
