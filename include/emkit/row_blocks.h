// Rows of a matrix, optionally weighted, cut into fixed-size blocks: the
// data source of every mixture model.
#ifndef EMKIT_ROW_BLOCKS_H_
#define EMKIT_ROW_BLOCKS_H_

#include <algorithm>
#include <cstdint>

#include "emkit/matrix.h"

namespace emkit {

// One block of consecutive rows. `weights` is null for unweighted data,
// else it points at rows() per-row weights.
struct RowBlock {
  MatrixView rows;
  const double* weights = nullptr;
  std::int64_t first_row = 0;
};

class RowBlocks {
 public:
  // `data` and `weights` (null or data.rows() values) must outlive this.
  // block_rows 0 picks a size from the number of columns.
  RowBlocks(MatrixView data, const double* weights, std::int64_t block_rows);

  std::int64_t NumBlocks() const { return num_blocks_; }
  RowBlock GetBlock(std::int64_t b) const;
  double TotalWeight() const { return total_weight_; }
  std::int64_t block_rows() const { return block_rows_; }
  std::int64_t num_rows() const { return data_.rows(); }
  std::int64_t num_columns() const { return data_.cols(); }
  const MatrixView& data() const { return data_; }
  const double* weights() const { return weights_; }

  // A default block size: large enough to amortise per-block work, small
  // enough that a block's n x K scratch stays in cache.
  static std::int64_t DefaultBlockRows(std::int64_t num_columns);

 private:
  MatrixView data_;
  const double* weights_;
  std::int64_t block_rows_;
  std::int64_t num_blocks_;
  double total_weight_;
};

// The same for float32 data. Blocks have exactly the size and boundaries
// RowBlocks gives the same shape, so a float32 fit and a float64 fit of the
// same values see the same blocks.
struct RowBlockF {
  MatrixViewF rows;
  const double* weights = nullptr;
  std::int64_t first_row = 0;
};

class RowBlocksF {
 public:
  RowBlocksF(MatrixViewF data, const double* weights, std::int64_t block_rows);

  std::int64_t NumBlocks() const { return num_blocks_; }
  RowBlockF GetBlock(std::int64_t b) const;
  double TotalWeight() const { return total_weight_; }
  std::int64_t block_rows() const { return block_rows_; }
  const MatrixViewF& data() const { return data_; }
  const double* weights() const { return weights_; }

 private:
  MatrixViewF data_;
  const double* weights_;
  std::int64_t block_rows_;
  std::int64_t num_blocks_;
  double total_weight_;
};

}  // namespace emkit

#endif  // EMKIT_ROW_BLOCKS_H_
