// "Responsibilities, then one M-step", the first half: a family's statistics
// over all blocks for responsibilities that a caller writes per block. Every
// initialisation (mixtures of any family, HMM emissions) goes through it.
#ifndef EMKIT_SRC_RESPONSIBILITY_STATISTICS_H_
#define EMKIT_SRC_RESPONSIBILITY_STATISTICS_H_

#include <cstdint>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "emkit/ordered_reduce.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit::internal {

// Statistics of `family` over all blocks with responsibilities that
// fill(block_index, block, &r) writes (r starts as zeros), times the sample
// weights. Merged in block order: identical for any thread count.
template <class Family, class Fill>
typename Family::Statistics AccumulateResponsibilities(const Family& family,
                                                       const RowBlocks& data,
                                                       ThreadPool& pool, Fill&& fill) {
  typename Family::Statistics stats = family.NewStatistics();
  const typename Family::Statistics zero = stats;
  OrderedReduce(pool, data.NumBlocks(), zero, &stats,
                [&](std::int64_t b, typename Family::Statistics* s) {
                  const RowBlock block = data.GetBlock(b);
                  RowMatrix r = RowMatrix::Zero(block.rows.rows(), family.num_components());
                  fill(b, block, &r);
                  if (block.weights != nullptr) {
                    r.array().colwise() *=
                        Eigen::Map<const Vector>(block.weights, block.rows.rows()).array();
                  }
                  family.Accumulate(block.rows, r, s);
                  return 0.0;
                });
  return stats;
}

}  // namespace emkit::internal

#endif  // EMKIT_SRC_RESPONSIBILITY_STATISTICS_H_
