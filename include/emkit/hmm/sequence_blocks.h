// Many sequences of different lengths stored one after another as the rows of
// one matrix (hmmlearn's X with `lengths`), cut into blocks of whole
// sequences: the data source of every hidden Markov model. A sequence is
// never split, because forward-backward needs all of it.
#ifndef EMKIT_HMM_SEQUENCE_BLOCKS_H_
#define EMKIT_HMM_SEQUENCE_BLOCKS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "emkit/matrix.h"
#include "emkit/row_blocks.h"

namespace emkit {

// Consecutive whole sequences: their rows and their lengths (which sum to
// rows.rows()).
template <DataScalar Scalar>
struct SequenceBlock {
  MatrixViewOf<Scalar> rows;
  std::span<const std::int64_t> lengths;
  std::int64_t first_row = 0;
  std::int64_t first_sequence = 0;
};

// Throws InvalidDataError unless every length is >= 1 and they sum to
// num_rows. An empty `lengths` means one sequence of all rows (hmmlearn's
// lengths=None); the returned vector is the explicit form.
std::vector<std::int64_t> CheckedLengths(std::span<const std::int64_t> lengths,
                                         std::int64_t num_rows);

// Where the blocks of whole sequences begin and end, whatever the rows'
// scalar type. Sequences are grouped greedily in order: a block is closed as
// soon as it holds at least `block_rows` rows, and a sequence at least that
// long is a block of its own. The grouping depends on the lengths and
// block_rows only, never on the number of threads. block_rows 0 picks a
// size from the number of columns (DefaultBlockRows). `lengths` is checked
// with CheckedLengths and copied.
class SequenceLayout {
 public:
  SequenceLayout(std::int64_t num_rows, std::int64_t num_columns,
                 std::span<const std::int64_t> lengths, std::int64_t block_rows);

  std::int64_t NumBlocks() const {
    return static_cast<std::int64_t>(block_first_sequence_.size()) - 1;
  }
  std::int64_t block_rows() const { return block_rows_; }
  const std::vector<std::int64_t>& lengths() const { return lengths_; }
  std::int64_t NumSequences() const { return static_cast<std::int64_t>(lengths_.size()); }
  // Block b's sequences [first, end) and rows [first_row, end_row).
  std::int64_t FirstSequence(std::int64_t b) const { return block_first_sequence_[b]; }
  std::int64_t EndSequence(std::int64_t b) const { return block_first_sequence_[b + 1]; }
  std::int64_t FirstRowOf(std::int64_t sequence) const { return sequence_first_row_[sequence]; }

 private:
  std::vector<std::int64_t> lengths_;
  std::vector<std::int64_t> sequence_first_row_;   // NumSequences() + 1
  std::vector<std::int64_t> block_first_sequence_;  // NumBlocks() + 1
  std::int64_t block_rows_;
};

// Rows of Scalar (double or float) cut into blocks of whole sequences
// (SequenceLayout). `data` must outlive this.
template <DataScalar Scalar>
class SequenceBlocks {
 public:
  SequenceBlocks(MatrixViewOf<Scalar> data, std::span<const std::int64_t> lengths,
                 std::int64_t block_rows)
      : data_(data), layout_(data.rows(), data.cols(), lengths, block_rows) {}

  std::int64_t NumBlocks() const { return layout_.NumBlocks(); }
  SequenceBlock<Scalar> GetBlock(std::int64_t b) const {
    const std::int64_t first_sequence = layout_.FirstSequence(b);
    const std::int64_t end_sequence = layout_.EndSequence(b);
    const std::int64_t first_row = layout_.FirstRowOf(first_sequence);
    const std::int64_t n = layout_.FirstRowOf(end_sequence) - first_row;
    return SequenceBlock<Scalar>{
        MatrixViewOf<Scalar>(data_.data() + first_row * data_.cols(), n, data_.cols()),
        std::span<const std::int64_t>(layout_.lengths().data() + first_sequence,
                                      end_sequence - first_sequence),
        first_row, first_sequence};
  }
  // Every time step counts as one sample: the mean log-likelihood is per step.
  double TotalWeight() const { return static_cast<double>(data_.rows()); }
  std::int64_t block_rows() const { return layout_.block_rows(); }
  const MatrixViewOf<Scalar>& data() const { return data_; }
  const std::vector<std::int64_t>& lengths() const { return layout_.lengths(); }
  std::int64_t NumSequences() const { return layout_.NumSequences(); }

 private:
  MatrixViewOf<Scalar> data_;
  SequenceLayout layout_;
};

template <DataScalar Scalar>
SequenceBlocks(MatrixViewOf<Scalar>, std::span<const std::int64_t>, std::int64_t)
    -> SequenceBlocks<Scalar>;

}  // namespace emkit

#endif  // EMKIT_HMM_SEQUENCE_BLOCKS_H_
