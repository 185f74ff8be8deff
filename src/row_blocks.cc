#include "emkit/row_blocks.h"

namespace emkit {

std::int64_t RowBlocks::DefaultBlockRows(std::int64_t num_columns) {
  // About 32k values per block, between 64 and 4096 rows.
  const std::int64_t rows = 32768 / std::max<std::int64_t>(1, num_columns);
  return std::clamp<std::int64_t>(rows, 64, 4096);
}

RowBlocks::RowBlocks(MatrixView data, const double* weights,
                     std::int64_t block_rows)
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

RowBlock RowBlocks::GetBlock(std::int64_t b) const {
  const std::int64_t first = b * block_rows_;
  const std::int64_t n = std::min(block_rows_, data_.rows() - first);
  return RowBlock{MatrixView(data_.data() + first * data_.cols(), n, data_.cols()),
                  weights_ == nullptr ? nullptr : weights_ + first, first};
}

RowBlocksF::RowBlocksF(MatrixViewF data, const double* weights, std::int64_t block_rows)
    : data_(data),
      weights_(weights),
      block_rows_(block_rows > 0 ? block_rows : RowBlocks::DefaultBlockRows(data.cols())),
      num_blocks_((data.rows() + block_rows_ - 1) / block_rows_),
      total_weight_(0.0) {
  if (weights_ == nullptr) {
    total_weight_ = static_cast<double>(data.rows());
  } else {
    for (std::int64_t i = 0; i < data.rows(); ++i) total_weight_ += weights_[i];
  }
}

RowBlockF RowBlocksF::GetBlock(std::int64_t b) const {
  const std::int64_t first = b * block_rows_;
  const std::int64_t n = std::min(block_rows_, data_.rows() - first);
  return RowBlockF{MatrixViewF(data_.data() + first * data_.cols(), n, data_.cols()),
                   weights_ == nullptr ? nullptr : weights_ + first, first};
}

}  // namespace emkit
