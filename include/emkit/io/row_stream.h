// The rows of a file as a data source that never holds the whole file:
// RowStream<Scalar> cuts the rows into the blocks RowBlocks<Scalar> cuts the
// same rows into (emkit/row_blocks.h: the same block_rows, the same
// boundaries), and reads each block, or a chunk of consecutive blocks, from
// the file with positioned reads (pread) when it is asked for it.
//
// Two kinds of file, as ReadTable tells them apart (emkit/io/table.h):
//   - a .npy file (float64, float32 or integer, C order): its rows are where
//     the header says; an array stored in Fortran order is refused, naming
//     the file (its rows are not contiguous);
//   - delimited text (CSV, TSV, whitespace-separated): the constructor reads
//     the file once, parsing and checking every row as ReadDelimited does,
//     and keeps where each block's first record starts (its byte offset and
//     line number: 16 bytes per block); a block is then its byte range,
//     parsed again. So every problem a text file has is found before the
//     first pass, with ReadDelimited's message ("data.csv:80000000:3:
//     cannot parse ..."), and a pass costs a parse of the text. Standard
//     input cannot be read more than once and is refused.
//
// It is a data source two ways:
//   - a BlockSource / RowBlockSource (emkit/model.h, emkit/kmeans.h):
//     GetBlock(b) reads block b into a buffer of the calling thread, so any
//     executor and every initialiser can use it; the block's rows stay
//     valid until the same thread's next GetBlock on this stream;
//   - a ChunkedBlockSource (emkit/engine/prefetching_executor.h): chunks of
//     whole blocks, about options.read_bytes of the file each, read into
//     buffers the executor owns, so that PrefetchingExecutor reads the next
//     chunk on a thread of its own while this one's blocks are reduced.
// Either way a block's values are the values ReadTable gives for the same
// rows, converted to Scalar as the in-memory fit converts them, at the same
// alignment within a cache line as those rows of an Eigen matrix: fits on
// the stream are bit-identical to fits on the rows in memory.
//
// Errors are the in-memory reader's: the constructor checks a .npy header
// and the file's size, or every row of a text file (FileFormatError
// "PATH: ..." / "PATH:LINE:FIELD: ..."); a .npy block that cannot be read
// whole ("PATH: the file ended early ...") or that holds a non-finite value
// ("PATH: X[ROW, COL] = nan is not finite ...", ROW and COL those of the
// file) throws from GetBlock / ReadChunk, as does a text file that changed
// after it was indexed.
#ifndef EMKIT_IO_ROW_STREAM_H_
#define EMKIT_IO_ROW_STREAM_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "emkit/io/table.h"
#include "emkit/matrix.h"
#include "emkit/row_blocks.h"

namespace emkit::io {

struct RowStreamOptions {
  // Rows per block; 0 picks DefaultBlockRows of the number of columns kept,
  // as RowBlocks does.
  std::int64_t block_rows = 0;
  // The columns to keep, in this order (TableReadOptions::columns: header
  // names or 0-based indices; .npy files have indices only). Empty keeps all.
  std::vector<std::string> columns;
  // For delimited text: TableReadOptions::header and ::delimiter.
  HeaderMode header = HeaderMode::kAuto;
  char delimiter = '\0';
  // Whether NaN and +-Inf are accepted (TableReadOptions::allow_non_finite).
  bool allow_non_finite = false;
  // About how many bytes of the file one chunk covers: whole blocks, at
  // least one. Two chunks are held while a prefetched pass runs.
  std::int64_t read_bytes = std::int64_t{8} << 20;
  // For double rows: each value rounded to float first, as a float32 fit's
  // initialisation sees its rows (emkit/mixture_fit.h). A value outside
  // float's range is then an InvalidDataError, as it is for float rows.
  bool round_to_float = false;
};

// A buffer for the rows of one chunk (or one block). PrefetchingExecutor
// makes a few and hands them to ReadChunk.
template <DataScalar Scalar>
struct RowChunk {
  std::int64_t first_row = 0;
  std::int64_t num_rows = 0;
  // The chunk's first value is values[offset]; offset puts it where an
  // Eigen matrix of all rows would hold it relative to a 64-byte boundary.
  std::int64_t offset = 0;
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> values;
  std::vector<char> raw;  // the file's bytes, when they need converting
};

template <DataScalar Scalar>
class RowStream {
 public:
  using Chunk = RowChunk<Scalar>;

  // Opens `path`: reads a .npy file's header, or indexes delimited text.
  // Throws FileAccessError when it cannot be opened (or is "-", standard
  // input), FileFormatError "PATH: ..." for what ReadTable refuses and for
  // Fortran order, InvalidOptionError for a negative block_rows or a
  // read_bytes < 1.
  explicit RowStream(std::string path, RowStreamOptions options = {});
  ~RowStream();
  RowStream(RowStream&&) noexcept;
  RowStream& operator=(RowStream&&) noexcept;

  // BlockSource (emkit/model.h), RowBlockSource for double rows. Its rows
  // are read from the file as they are asked for: k-means++ seeding keeps no
  // per-row state on it (emkit/kmeans.h), so no memory grows with the rows.
  static constexpr bool kReadsFromFile = true;
  std::int64_t NumBlocks() const { return num_blocks_; }
  RowBlock<Scalar> GetBlock(std::int64_t b) const;
  double TotalWeight() const { return static_cast<double>(num_rows_); }
  std::int64_t num_rows() const { return num_rows_; }
  std::int64_t num_columns() const { return num_columns_; }
  std::int64_t block_rows() const { return block_rows_; }

  // ChunkedBlockSource (emkit/engine/prefetching_executor.h): chunk c holds
  // blocks [ChunkBlocks(c).first, ChunkBlocks(c).second).
  std::int64_t NumChunks() const { return num_chunks_; }
  std::pair<std::int64_t, std::int64_t> ChunkBlocks(std::int64_t c) const {
    return {c * blocks_per_chunk_, std::min(num_blocks_, (c + 1) * blocks_per_chunk_)};
  }
  // Reads chunk c into *chunk (its buffers are reused when large enough).
  // Safe to call from any thread, concurrently with GetBlock.
  void ReadChunk(std::int64_t c, Chunk* chunk) const;
  // Reads rows [first_row, first_row + num_rows), any range within the
  // file, into *chunk, at the alignment ReadChunk gives them: for sources
  // whose blocks are not the stream's (whole sequences,
  // emkit/hmm/sequence_stream.h). Safe to call from any thread.
  void ReadRowRange(std::int64_t first_row, std::int64_t num_rows, Chunk* chunk) const;
  // Block b of the chunk that `chunk` holds: a view into it.
  RowBlock<Scalar> BlockInChunk(const Chunk& chunk, std::int64_t b) const {
    const std::int64_t first = b * block_rows_;
    const std::int64_t n = std::min(block_rows_, num_rows_ - first);
    return RowBlock<Scalar>{
        MatrixViewOf<Scalar>(chunk.values.data() + chunk.offset +
                                 (first - chunk.first_row) * num_columns_,
                             n, num_columns_),
        nullptr, first};
  }

  const std::string& path() const;
  const RowStreamOptions& options() const;
  // Whether the file is a .npy file whose dtype is float32.
  bool source_was_float32() const;
  // The names of the kept columns, from a text file's header; else empty.
  const std::vector<std::string>& column_names() const;
  // Bytes the rows would take in memory as float64 (num_rows x num_columns x 8).
  double bytes_as_float64() const {
    return 8.0 * static_cast<double>(num_rows_) * static_cast<double>(num_columns_);
  }

 private:
  struct File;
  std::unique_ptr<File> file_;
  std::int64_t num_rows_ = 0;
  std::int64_t num_columns_ = 0;  // kept
  std::int64_t block_rows_ = 0;
  std::int64_t num_blocks_ = 0;
  std::int64_t blocks_per_chunk_ = 1;
  std::int64_t num_chunks_ = 0;
};

// What the header of a .npy file says, read without the data: for deciding
// whether to read the file whole (ReadNpy) or to stream it.
struct NpyArrayInfo {
  std::int64_t rows = 0;
  std::int64_t columns = 0;
  bool fortran_order = false;
  bool float32 = false;  // the dtype is float32
};
// Throws what ReadNpy throws for the file's header and size.
NpyArrayInfo ReadNpyArrayInfo(const std::string& path);

extern template class RowStream<double>;
extern template class RowStream<float>;

}  // namespace emkit::io

#endif  // EMKIT_IO_ROW_STREAM_H_
