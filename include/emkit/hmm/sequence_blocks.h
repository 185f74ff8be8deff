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

namespace emkit {

// Consecutive whole sequences: their rows and their lengths (which sum to
// rows.rows()).
struct SequenceBlock {
  MatrixView rows;
  std::span<const std::int64_t> lengths;
  std::int64_t first_row = 0;
  std::int64_t first_sequence = 0;
};

// Throws InvalidDataError unless every length is >= 1 and they sum to
// num_rows. An empty `lengths` means one sequence of all rows (hmmlearn's
// lengths=None); the returned vector is the explicit form.
std::vector<std::int64_t> CheckedLengths(std::span<const std::int64_t> lengths,
                                         std::int64_t num_rows);

class SequenceBlocks {
 public:
  // Sequences are grouped greedily in order: a block is closed as soon as it
  // holds at least `block_rows` rows, and a sequence at least that long is a
  // block of its own. The grouping depends on the lengths and block_rows
  // only, never on the number of threads. block_rows 0 picks a size from the
  // number of columns (RowBlocks::DefaultBlockRows). `data` must outlive
  // this; `lengths` is checked with CheckedLengths and copied.
  SequenceBlocks(MatrixView data, std::span<const std::int64_t> lengths,
                 std::int64_t block_rows);

  std::int64_t NumBlocks() const {
    return static_cast<std::int64_t>(block_first_sequence_.size()) - 1;
  }
  SequenceBlock GetBlock(std::int64_t b) const;
  // Every time step counts as one sample: the mean log-likelihood is per step.
  double TotalWeight() const { return static_cast<double>(data_.rows()); }
  std::int64_t block_rows() const { return block_rows_; }
  const MatrixView& data() const { return data_; }
  const std::vector<std::int64_t>& lengths() const { return lengths_; }
  std::int64_t NumSequences() const { return static_cast<std::int64_t>(lengths_.size()); }

 private:
  MatrixView data_;
  std::vector<std::int64_t> lengths_;
  std::vector<std::int64_t> sequence_first_row_;   // NumSequences() + 1
  std::vector<std::int64_t> block_first_sequence_;  // NumBlocks() + 1
  std::int64_t block_rows_;
};

}  // namespace emkit

#endif  // EMKIT_HMM_SEQUENCE_BLOCKS_H_
