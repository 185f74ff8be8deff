// Rows of a matrix, optionally weighted, cut into fixed-size blocks: the
// data source of every mixture model. The rows are double or float
// (DataScalar); weights are always double.
#ifndef EMKIT_ROW_BLOCKS_H_
#define EMKIT_ROW_BLOCKS_H_

#include <algorithm>
#include <cstdint>

#include "emkit/matrix.h"

namespace emkit {

// A default block size: large enough to amortise per-block work, small
// enough that a block's n x K scratch stays in cache. It depends on the
// number of columns only, so data of either scalar type are cut alike.
std::int64_t DefaultBlockRows(std::int64_t num_columns);

// One block of consecutive rows. `weights` is null for unweighted data,
// else it points at rows() per-row weights.
template <DataScalar Scalar>
struct RowBlock {
  MatrixViewOf<Scalar> rows;
  const double* weights = nullptr;
  std::int64_t first_row = 0;
};

template <DataScalar Scalar>
class RowBlocks {
 public:
  // `data` and `weights` (null or data.rows() values) must outlive this.
  // block_rows 0 picks DefaultBlockRows(data.cols()).
  RowBlocks(MatrixViewOf<Scalar> data, const double* weights, std::int64_t block_rows)
      : data_(data),
        weights_(weights),
        block_rows_(block_rows > 0 ? block_rows : DefaultBlockRows(data.cols())),
        num_blocks_((data.rows() + block_rows_ - 1) / block_rows_),
        total_weight_(0.0) {
    if (weights_ == nullptr) {
      total_weight_ = static_cast<double>(data.rows());
    } else {
      for (std::int64_t i = 0; i < data.rows(); ++i) total_weight_ += weights_[i];
    }
  }

  std::int64_t NumBlocks() const { return num_blocks_; }
  RowBlock<Scalar> GetBlock(std::int64_t b) const {
    const std::int64_t first = b * block_rows_;
    const std::int64_t n = std::min(block_rows_, data_.rows() - first);
    return RowBlock<Scalar>{
        MatrixViewOf<Scalar>(data_.data() + first * data_.cols(), n, data_.cols()),
        weights_ == nullptr ? nullptr : weights_ + first, first};
  }
  double TotalWeight() const { return total_weight_; }
  std::int64_t block_rows() const { return block_rows_; }
  std::int64_t num_rows() const { return data_.rows(); }
  std::int64_t num_columns() const { return data_.cols(); }
  const MatrixViewOf<Scalar>& data() const { return data_; }
  const double* weights() const { return weights_; }

 private:
  MatrixViewOf<Scalar> data_;
  const double* weights_;
  std::int64_t block_rows_;
  std::int64_t num_blocks_;
  double total_weight_;
};

template <DataScalar Scalar>
RowBlocks(MatrixViewOf<Scalar>, const double*, std::int64_t) -> RowBlocks<Scalar>;

}  // namespace emkit

#endif  // EMKIT_ROW_BLOCKS_H_
