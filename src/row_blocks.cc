#include "emkit/row_blocks.h"

namespace emkit {

std::int64_t DefaultBlockRows(std::int64_t num_columns) {
  // About 32k values per block, between 64 and 4096 rows.
  const std::int64_t rows = 32768 / std::max<std::int64_t>(1, num_columns);
  return std::clamp<std::int64_t>(rows, 64, 4096);
}

}  // namespace emkit
