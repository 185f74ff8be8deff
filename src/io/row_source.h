// Where the rows of a RowStream come from (emkit/io/row_stream.h): the part
// that depends on the kind of file. A .npy file's rows are at offsets its
// header gives (NpyRowSource, row_stream_npy.cc); delimited text is indexed
// once, at the first line of every block, and each block parsed from its
// byte range (DelimitedRowSource, row_stream_text.cc).
#ifndef EMKIT_SRC_IO_ROW_SOURCE_H_
#define EMKIT_SRC_IO_ROW_SOURCE_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/io/row_stream.h"
#include "emkit/matrix.h"

namespace emkit::io::internal {

template <DataScalar Scalar>
class RowSource {
 public:
  virtual ~RowSource() = default;

  // Rows [first_row, first_row + num_rows) of the kept columns, row-major,
  // into `out`, each value converted as the in-memory fit converts it
  // (ValueConversion). Any range of rows; a range of whole blocks is what
  // the stream reads most. `raw` is the caller's buffer for the file's bytes.
  // Safe to call from several threads at once.
  virtual void ReadRows(std::int64_t first_row, std::int64_t num_rows, Scalar* out,
                        std::vector<char>* raw) const = 0;

  std::int64_t num_rows = 0;
  std::int64_t num_columns = 0;  // kept
  std::int64_t block_rows = 0;
  // Bytes of the file per row, on average: for sizing chunks.
  double file_bytes_per_row = 0.0;
  bool float32 = false;  // the file stores float32 values
  std::vector<std::string> column_names;  // kept columns; empty when the file has none
};

// Opens a .npy file / delimited text. Throws what RowStream's constructor
// documents.
template <DataScalar Scalar>
std::unique_ptr<RowSource<Scalar>> OpenNpyRowSource(const std::string& path,
                                                    const RowStreamOptions& options);
template <DataScalar Scalar>
std::unique_ptr<RowSource<Scalar>> OpenDelimitedRowSource(const std::string& path,
                                                          const RowStreamOptions& options);

// A value of the file as the in-memory fit has it: as it is, or rounded to
// float (Scalar float, or RowStreamOptions::round_to_float), where a value
// outside float's range is the InvalidDataError ToFloat32 gives.
template <DataScalar Scalar>
struct ValueConversion {
  bool to_float = false;

  Scalar operator()(double value, std::int64_t row, std::int64_t col) const {
    if (to_float) {
      if (std::abs(value) > static_cast<double>(std::numeric_limits<float>::max())) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {} is outside the range of float32 (|x| <= {:.7g})", row, col, value,
            static_cast<double>(std::numeric_limits<float>::max())));
      }
      return static_cast<Scalar>(static_cast<float>(value));
    }
    return static_cast<Scalar>(value);
  }
};

// The system's text for an errno value.
std::string ErrnoText(int error);

// Opens `path` for reading (FileAccessError "PATH: cannot open: ..." when it
// cannot be, a directory included) and returns the descriptor; *size is the
// file's size. Passes are announced as sequential.
int OpenForPositionedReads(const std::string& path, std::uint64_t* size);

// Reads `size` bytes at `offset`; a file that ends first is a
// FileFormatError "PATH: " + ended_early.
void PreadExactly(int fd, const std::string& path, char* out, std::size_t size,
                  std::uint64_t offset, const char* ended_early);

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_ROW_SOURCE_H_
