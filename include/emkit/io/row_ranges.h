// The rows of a file streamed by io::RowStream as a reader of row ranges,
// for online fits (emkit/online_fit.h): a batch of consecutive rows is
// copied out of the blocks that hold it, each read with GetBlock, so a file
// larger than memory is fitted a batch at a time with the values the
// in-memory fit of the same file reads.
#ifndef EMKIT_IO_ROW_RANGES_H_
#define EMKIT_IO_ROW_RANGES_H_

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "emkit/io/row_stream.h"
#include "emkit/online_fit.h"

namespace emkit::io {

// `rows` must outlive the reader. What GetBlock throws (a truncated file, a
// value that is not finite) propagates, naming the row of the file.
template <DataScalar Scalar>
ReadRowRange<Scalar> RowRangesOf(const RowStream<Scalar>& rows) {
  return [&rows](std::int64_t first, std::int64_t n, Scalar* out) {
    const std::int64_t columns = rows.num_columns();
    const std::int64_t end = first + n;
    for (std::int64_t b = first / rows.block_rows(); b < rows.NumBlocks(); ++b) {
      const RowBlock<Scalar> block = rows.GetBlock(b);
      const std::int64_t lo = std::max(first, block.first_row);
      const std::int64_t hi = std::min<std::int64_t>(end, block.first_row + block.rows.rows());
      if (lo >= end) break;
      std::memcpy(out + (lo - first) * columns, block.rows.data() + (lo - block.first_row) * columns,
                  static_cast<std::size_t>((hi - lo) * columns) * sizeof(Scalar));
    }
  };
}

}  // namespace emkit::io

#endif  // EMKIT_IO_ROW_RANGES_H_
