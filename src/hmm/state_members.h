// The rows of a data source that are nearest to one of several centres, as
// a data source of their own: what the GMM-HMM initialisation clusters a
// second time (src/hmm/gmm_hmm.cc). Internal to the library.
#ifndef EMKIT_SRC_HMM_STATE_MEMBERS_H_
#define EMKIT_SRC_HMM_STATE_MEMBERS_H_

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "emkit/engine/executor.h"
#include "emkit/kmeans.h"
#include "emkit/matrix.h"
#include "emkit/row_blocks.h"

namespace emkit::internal {

// For every block of `data`, how many of its rows are nearest to each of
// the `centers` (rows: blocks, columns: centres), counted in one pass.
template <RowBlockSource Data, class Executor>
std::vector<std::vector<std::int64_t>> NearestCounts(const Data& data, const RowMatrix& centers,
                                                     Executor& executor) {
  std::vector<std::vector<std::int64_t>> counts(
      static_cast<std::size_t>(data.NumBlocks()),
      std::vector<std::int64_t>(static_cast<std::size_t>(centers.rows()), 0));
  NoStatistics none;
  executor.Reduce(data, NoStatistics{}, &none,
                  [&](std::int64_t b, const RowBlock<double>& block, NoStatistics*) {
                    std::vector<int> nearest(static_cast<std::size_t>(block.rows.rows()));
                    NearestCenters(block.rows, centers, nearest.data());
                    for (const int c : nearest) ++counts[static_cast<std::size_t>(b)][c];
                    return 0.0;
                  });
  return counts;
}

// The rows of `data` whose nearest of `centers` is centre `member_of`, in
// row order, cut into blocks of data.block_rows() rows: the blocks of
// RowBlocks over a matrix of those rows copied out, with the same values,
// but never held together. A block is gathered from the blocks of `data`
// that hold its rows (found from NearestCounts), so a source that reads
// from a file reads them again (rows in memory are gathered by index); each thread gathers into a buffer of its
// own, valid until its next GetBlock. `data` and the counts must outlive
// this.
template <RowBlockSource Data>
class StateMembers {
 public:
  // Rows gathered from a file keep nothing per row either (emkit/kmeans.h).
  static constexpr bool kReadsFromFile = ReadsFromFile<Data>();

  StateMembers(const Data& data, const RowMatrix& centers, int member_of,
               const std::vector<std::vector<std::int64_t>>& counts)
      : data_(&data),
        centers_(&centers),
        member_of_(member_of),
        block_rows_(data.block_rows()),
        buffers_(std::make_unique<ThreadBuffers>()) {
    before_block_.push_back(0);
    for (const std::vector<std::int64_t>& block : counts) {
      before_block_.push_back(before_block_.back() + block[static_cast<std::size_t>(member_of)]);
    }
    num_rows_ = before_block_.back();
    if constexpr (kHeldInMemory) {
      // Rows held in memory are gathered by index: one pass finds them.
      const MatrixView& x = data.data();
      std::vector<int> nearest(static_cast<std::size_t>(x.rows()));
      NearestCenters(x, centers, nearest.data());
      for (Eigen::Index i = 0; i < x.rows(); ++i) {
        if (nearest[static_cast<std::size_t>(i)] == member_of) members_.push_back(i);
      }
    }
  }

  std::int64_t NumBlocks() const { return (num_rows_ + block_rows_ - 1) / block_rows_; }
  RowBlock<double> GetBlock(std::int64_t j) const {
    const std::int64_t first = j * block_rows_;
    const std::int64_t n = std::min(block_rows_, num_rows_ - first);
    RowMatrix& out = buffers_->OfThisThread();
    out.resize(n, data_->num_columns());
    if constexpr (kHeldInMemory) {
      for (std::int64_t r = 0; r < n; ++r) {
        out.row(r) = data_->data().row(members_[static_cast<std::size_t>(first + r)]);
      }
      return RowBlock<double>{ViewOf(out), nullptr, first};
    }
    // The first block of `data` with a member at or after `first`.
    std::int64_t b = std::upper_bound(before_block_.begin(), before_block_.end(), first) -
                     before_block_.begin() - 1;
    std::int64_t member = before_block_[static_cast<std::size_t>(b)];
    std::int64_t filled = 0;
    std::vector<int> nearest;
    for (; filled < n; ++b) {
      const RowBlock<double> block = data_->GetBlock(b);
      nearest.resize(static_cast<std::size_t>(block.rows.rows()));
      NearestCenters(block.rows, *centers_, nearest.data());
      for (Eigen::Index i = 0; i < block.rows.rows() && filled < n; ++i) {
        if (nearest[static_cast<std::size_t>(i)] != member_of_) continue;
        if (member++ >= first) out.row(filled++) = block.rows.row(i);
      }
    }
    return RowBlock<double>{ViewOf(out), nullptr, first};
  }
  double TotalWeight() const { return static_cast<double>(num_rows_); }
  std::int64_t num_rows() const { return num_rows_; }
  std::int64_t num_columns() const { return data_->num_columns(); }
  std::int64_t block_rows() const { return block_rows_; }

 private:
  // In-memory rows (RowBlocks: data()) are gathered by their indices.
  static constexpr bool kHeldInMemory = requires(const Data& d) {
    { d.data() } -> std::convertible_to<MatrixView>;
  };

  struct ThreadBuffers {
    std::mutex mutex;
    std::vector<std::pair<std::thread::id, std::unique_ptr<RowMatrix>>> rows;
    RowMatrix& OfThisThread() {
      const std::thread::id id = std::this_thread::get_id();
      std::lock_guard<std::mutex> lock(mutex);
      for (auto& [owner, buffer] : rows) {
        if (owner == id) return *buffer;
      }
      rows.emplace_back(id, std::make_unique<RowMatrix>());
      return *rows.back().second;
    }
  };

  const Data* data_;
  const RowMatrix* centers_;
  int member_of_;
  std::int64_t block_rows_;
  std::vector<std::int64_t> before_block_;  // members before each block of data
  std::int64_t num_rows_ = 0;
  std::vector<Eigen::Index> members_;  // kHeldInMemory: the members' rows
  std::unique_ptr<ThreadBuffers> buffers_;
};

}  // namespace emkit::internal

#endif  // EMKIT_SRC_HMM_STATE_MEMBERS_H_
