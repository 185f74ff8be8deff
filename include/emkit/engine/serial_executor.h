// The executor with no threads: blocks one after another on the calling
// thread. It does the threaded executor's additions in the same order, so
// the two give the same bits; it is the reference the others are tested
// against and the simplest model for a new executor.
#ifndef EMKIT_ENGINE_SERIAL_EXECUTOR_H_
#define EMKIT_ENGINE_SERIAL_EXECUTOR_H_

#include <cstdint>

namespace emkit {

class SerialExecutor {
 public:
  int num_threads() const { return 1; }

  // See ReducesBlocks (emkit/engine/executor.h).
  template <class Data, class Stats, class BlockFn>
  double Reduce(const Data& data, const Stats& zero, Stats* total, BlockFn&& block_fn) {
    Stats scratch = zero;
    double sum = 0.0;
    const std::int64_t num_blocks = data.NumBlocks();
    for (std::int64_t b = 0; b < num_blocks; ++b) {
      scratch.SetZero();
      const double value = block_fn(b, data.GetBlock(b), &scratch);
      total->Merge(scratch);
      sum += value;
    }
    return sum;
  }
};

}  // namespace emkit

#endif  // EMKIT_ENGINE_SERIAL_EXECUTOR_H_
