// Parsing the header of a .npy file: a Python dict literal such as
// "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }"; and what
// both .npy readers share (npy_reader.cc reads a file whole, row_stream.cc
// by row ranges): the layout of a 2-D array's file, its element types and
// their conversion to double.
// Format reference: numpy/lib/format.py ("NEP 1").
#ifndef EMKIT_SRC_IO_NPY_HEADER_H_
#define EMKIT_SRC_IO_NPY_HEADER_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <string_view>
#include <vector>

namespace emkit::io::internal {

struct NpyHeader {
  std::string descr;  // The dtype string, e.g. "<f8".
  bool fortran_order = false;
  std::vector<std::int64_t> shape;  // Each entry >= 0.
};

// Parses the header text (without the magic string, version and length).
// Throws FileFormatError "DISPLAY_NAME: ..." when the text is not a dict
// literal, lacks one of the three keys, or holds a value of the wrong kind
// (a structured dtype, a negative or huge dimension).
NpyHeader ParseNpyHeader(std::string_view text, std::string_view display_name);

// Formats a shape the way numpy prints it: "()", "(5,)", "(3, 2)".
std::string ShapeToString(const std::vector<std::int64_t>& shape);

// The element type of the array, from a descr such as "<f8".
struct NpyDType {
  char kind = 'f';    // 'f', 'i' or 'u'.
  int size = 8;       // Bytes per element.
  bool swap = false;  // Stored in the byte order opposite to this machine's.
};

// Throws FileFormatError "PATH: dtype ... is not supported (...)" for
// anything but float64, float32 and integers in either byte order.
NpyDType ParseNpyDType(const std::string& path, const std::string& descr);
// "float64", "int16", ...
const char* NpyDTypeName(const NpyDType& dtype);

// Where a 2-D array's elements lie in its file.
struct NpyLayout {
  NpyHeader header;
  NpyDType dtype;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::uint64_t data_start = 0;  // byte offset of the first element
};

// Reads `size` bytes at `offset` into `out`, throwing when the file has
// fewer.
using NpyReadAt = std::function<void(std::uint64_t offset, char* out, std::size_t size)>;

// Reads and checks the magic string, version and header of the .npy file
// `path` of `file_size` bytes: a 2-D array of a supported dtype, non-empty,
// whose declared size is that of the bytes after the header. Throws
// FileFormatError "PATH: ..." naming what is wrong.
NpyLayout ReadNpyLayout(const std::string& path, std::uint64_t file_size,
                        const NpyReadAt& read_at);

// "X[ROW, COL] = VALUE is not finite (missing values are not supported)":
// the message (after "PATH: ") of a non-finite element.
std::string NonFiniteElementMessage(std::int64_t row, std::int64_t col, double value);
// "the file ended early (was it changed while being read?)".
extern const char* const kNpyEndedEarly;

// One element of type T from its bytes, in the file's byte order.
template <typename T>
T LoadNpyElement(const char* bytes, bool swap) {
  std::array<char, sizeof(T)> copy;
  std::memcpy(copy.data(), bytes, sizeof(T));
  if (swap) std::reverse(copy.begin(), copy.end());
  T value;
  std::memcpy(&value, copy.data(), sizeof(T));
  return value;
}

// Whether the 64-bit integer `raw` became `value` without rounding.
template <typename T>
bool ConvertedExactly(T raw, double value) {
  if constexpr (std::is_integral_v<T> && sizeof(T) == 8) {
    // 2^63 and 2^64 are where the casts back stop being defined.
    constexpr double kLimit =
        std::is_signed_v<T> ? 9223372036854775808.0 : 18446744073709551616.0;
    return value < kLimit && static_cast<T>(value) == raw;
  } else {
    (void)raw;
    (void)value;
    return true;  // Narrower integers and floats convert exactly.
  }
}

// "X[ROW, COL] = RAW (DTYPE) cannot be converted to double exactly".
std::string InexactElementMessage(std::int64_t row, std::int64_t col, const std::string& raw,
                                  const NpyDType& dtype);

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_NPY_HEADER_H_
