#include "emkit/hmm/sequence_blocks.h"

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/row_blocks.h"

namespace emkit {

std::vector<std::int64_t> CheckedLengths(std::span<const std::int64_t> lengths,
                                         std::int64_t num_rows) {
  if (lengths.empty()) return {num_rows};
  std::int64_t total = 0;
  for (std::size_t s = 0; s < lengths.size(); ++s) {
    if (lengths[s] < 1) {
      throw InvalidDataError(
          fmt::format("lengths[{}] = {} must be >= 1", s, lengths[s]));
    }
    total += lengths[s];
  }
  if (total != num_rows) {
    throw InvalidDataError(fmt::format(
        "lengths sum to {}, but X has {} rows: they must be equal", total, num_rows));
  }
  return {lengths.begin(), lengths.end()};
}

SequenceLayout::SequenceLayout(std::int64_t num_rows, std::int64_t num_columns,
                               std::span<const std::int64_t> lengths, std::int64_t block_rows)
    : lengths_(CheckedLengths(lengths, num_rows)),
      block_rows_(block_rows > 0 ? block_rows : DefaultBlockRows(num_columns)) {
  sequence_first_row_.reserve(lengths_.size() + 1);
  sequence_first_row_.push_back(0);
  for (std::int64_t length : lengths_) {
    sequence_first_row_.push_back(sequence_first_row_.back() + length);
  }
  block_first_sequence_.push_back(0);
  std::int64_t rows_in_block = 0;
  for (std::size_t s = 0; s < lengths_.size(); ++s) {
    if (lengths_[s] >= block_rows_ && rows_in_block > 0) {
      // A long sequence is a block of its own: close the one before it.
      block_first_sequence_.push_back(static_cast<std::int64_t>(s));
      rows_in_block = 0;
    }
    rows_in_block += lengths_[s];
    if (rows_in_block >= block_rows_ || s + 1 == lengths_.size()) {
      block_first_sequence_.push_back(static_cast<std::int64_t>(s) + 1);
      rows_in_block = 0;
    }
  }
}

}  // namespace emkit
