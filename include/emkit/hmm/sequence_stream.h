// The sequences of a file read as they are needed: the blocks of whole
// sequences that SequenceBlocks (emkit/hmm/sequence_blocks.h) cuts the same
// rows into (the same lengths, the same block_rows: the same SequenceLayout),
// each read from an io::RowStream (emkit/io/row_stream.h) by its row range.
// So an HMM fitted on it is the fit of the rows in memory, bit for bit; only
// the lengths (8 bytes a sequence) and a few chunks of rows are held.
//
// A data source two ways, as RowStream is: a BlockSource of
// SequenceBlock<Scalar> whose GetBlock(b) reads block b into a buffer of the
// calling thread (valid until that thread's next GetBlock on this source),
// and a ChunkedBlockSource (emkit/engine/prefetching_executor.h) of chunks of
// consecutive blocks, about the stream's read_bytes of values each (at least
// one block: a sequence longer than that is a chunk of its own), for
// PrefetchingExecutor. What reading throws (a file cut short, a changed
// text file) propagates.
#ifndef EMKIT_HMM_SEQUENCE_STREAM_H_
#define EMKIT_HMM_SEQUENCE_STREAM_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "emkit/hmm/sequence_blocks.h"
#include "emkit/io/row_stream.h"
#include "emkit/matrix.h"

namespace emkit {

template <DataScalar Scalar>
class SequenceStream {
 public:
  using Chunk = io::RowChunk<Scalar>;

  // `rows` must outlive this. `lengths` as SequenceBlocks takes them (empty:
  // one sequence), checked with CheckedLengths against rows.num_rows().
  SequenceStream(const io::RowStream<Scalar>& rows, std::span<const std::int64_t> lengths)
      : rows_(&rows),
        layout_(rows.num_rows(), rows.num_columns(), lengths, rows.block_rows()),
        buffers_(std::make_unique<ThreadBuffers>()) {
    const double row_bytes = 8.0 * static_cast<double>(std::max<std::int64_t>(1, rows.num_columns()));
    const double chunk_rows = static_cast<double>(rows.options().read_bytes) / row_bytes;
    chunk_first_block_.push_back(0);
    std::int64_t rows_in_chunk = 0;
    for (std::int64_t b = 0; b < layout_.NumBlocks(); ++b) {
      rows_in_chunk += BlockRows(b);
      if (static_cast<double>(rows_in_chunk) >= chunk_rows || b + 1 == layout_.NumBlocks()) {
        chunk_first_block_.push_back(b + 1);
        rows_in_chunk = 0;
      }
    }
  }

  // BlockSource (emkit/model.h).
  std::int64_t NumBlocks() const { return layout_.NumBlocks(); }
  SequenceBlock<Scalar> GetBlock(std::int64_t b) const {
    Chunk* chunk = buffers_->OfThisThread();
    rows_->ReadRowRange(FirstRow(b), BlockRows(b), chunk);
    return BlockInChunk(*chunk, b);
  }
  // Every time step counts as one sample, as for SequenceBlocks.
  double TotalWeight() const { return static_cast<double>(rows_->num_rows()); }

  // ChunkedBlockSource.
  std::int64_t NumChunks() const {
    return static_cast<std::int64_t>(chunk_first_block_.size()) - 1;
  }
  std::pair<std::int64_t, std::int64_t> ChunkBlocks(std::int64_t c) const {
    return {chunk_first_block_[c], chunk_first_block_[c + 1]};
  }
  void ReadChunk(std::int64_t c, Chunk* chunk) const {
    const auto [first, end] = ChunkBlocks(c);
    const std::int64_t first_row = FirstRow(first);
    rows_->ReadRowRange(first_row, FirstRow(end) - first_row, chunk);
  }
  SequenceBlock<Scalar> BlockInChunk(const Chunk& chunk, std::int64_t b) const {
    const std::int64_t first_sequence = layout_.FirstSequence(b);
    const std::int64_t first_row = FirstRow(b);
    const std::int64_t columns = rows_->num_columns();
    return SequenceBlock<Scalar>{
        MatrixViewOf<Scalar>(
            chunk.values.data() + chunk.offset + (first_row - chunk.first_row) * columns,
            BlockRows(b), columns),
        std::span<const std::int64_t>(layout_.lengths().data() + first_sequence,
                                      layout_.EndSequence(b) - first_sequence),
        first_row, first_sequence};
  }

  const io::RowStream<Scalar>& rows() const { return *rows_; }
  const std::vector<std::int64_t>& lengths() const { return layout_.lengths(); }
  std::int64_t NumSequences() const { return layout_.NumSequences(); }

 private:
  // GetBlock's buffer of each thread that called it.
  struct ThreadBuffers {
    std::mutex mutex;
    std::vector<std::pair<std::thread::id, std::unique_ptr<Chunk>>> chunks;
    Chunk* OfThisThread() {
      const std::thread::id id = std::this_thread::get_id();
      std::lock_guard<std::mutex> lock(mutex);
      for (auto& [owner, chunk] : chunks) {
        if (owner == id) return chunk.get();
      }
      chunks.emplace_back(id, std::make_unique<Chunk>());
      return chunks.back().second.get();
    }
  };

  // Block b's first row; b = NumBlocks() gives the end of the rows.
  std::int64_t FirstRow(std::int64_t b) const {
    return layout_.FirstRowOf(layout_.FirstSequence(b));
  }
  std::int64_t BlockRows(std::int64_t b) const { return FirstRow(b + 1) - FirstRow(b); }

  const io::RowStream<Scalar>* rows_;
  SequenceLayout layout_;
  std::vector<std::int64_t> chunk_first_block_;  // NumChunks() + 1
  std::unique_ptr<ThreadBuffers> buffers_;
};

}  // namespace emkit

#endif  // EMKIT_HMM_SEQUENCE_STREAM_H_
