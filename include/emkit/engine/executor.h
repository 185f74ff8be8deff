// The executor seam: who visits the blocks of a data source and merges
// their statistics. The restart driver and the initialisers only ask an
// executor for "the statistics of all blocks, merged, and the sum of the
// blocks' values"; the executor decides where each block is computed
// (threads of this process, later other MPI ranks) and how it is obtained
// (an in-memory view, later a prefetched read from a file).
//
// Every executor merges in one fixed order that depends on the block split
// alone, so that results are bit-identical whatever it runs on: for the
// shipped ones, block 0, then 1, ..., each block's statistics computed
// into a zeroed scratch value and then merged into the total.
#ifndef EMKIT_ENGINE_EXECUTOR_H_
#define EMKIT_ENGINE_EXECUTOR_H_

#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "emkit/model.h"

namespace emkit {

// What GetBlock of a data source returns.
template <class Data>
using BlockOf =
    std::remove_cvref_t<decltype(std::declval<const Data&>().GetBlock(std::int64_t{0}))>;

// An executor reduces over the blocks of `Data` into `Stats`:
//
//   double Reduce(const Data& data, const Stats& zero, Stats* total, BlockFn&& block_fn)
//
// calls block_fn(b, block b, &scratch) -> double for every block b, with
// scratch equal to `zero` (zeroed by SetZero) on entry; merges every
// scratch into *total (which it does not clear first) and returns the sum
// of the returned values, both in block order. An exception thrown by a
// block is rethrown to the caller once no block runs any more.
// num_threads() is how many threads of this process it computes on (the
// report's "threads used").
template <class E, class Data, class Stats>
concept ReducesBlocks =
    Statistics<Stats> &&
    requires(E& executor, const E& const_executor, const Data& data, const Stats& zero,
             Stats* total, double (&block_fn)(std::int64_t, const BlockOf<Data>&, Stats*)) {
      { executor.Reduce(data, zero, total, block_fn) } -> std::same_as<double>;
      { const_executor.num_threads() } -> std::convertible_to<int>;
    };

// An executor that can run E-steps of model M over Data.
template <class E, class M, class Data>
concept ExecutorFor = EmModel<M> && BlockSource<Data, typename M::Block> &&
                      ReducesBlocks<E, Data, typename M::Statistics>;

// One E-step over all data: returns the total log-likelihood of `model` and
// leaves the merged statistics in *stats (overwritten).
template <EmModel M, class Data, class Executor>
  requires ExecutorFor<Executor, M, Data>
double EStepAll(Executor& executor, const Data& data, const M& model,
                typename M::Statistics* stats) {
  *stats = model.NewStatistics();
  const typename M::Statistics zero = *stats;
  return executor.Reduce(data, zero, stats,
                         [&](std::int64_t, const BlockOf<Data>& block,
                             typename M::Statistics* s) { return model.EStep(block, s); });
}

}  // namespace emkit

#endif  // EMKIT_ENGINE_EXECUTOR_H_
