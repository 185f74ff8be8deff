// ReadNpy: 2-D arrays from numpy's .npy format.
// Format reference: numpy/lib/format.py ("NEP 1").

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "column_selection.h"
#include "emkit/error.h"
#include "emkit/io/table.h"
#include "message_text.h"
#include "npy_header.h"

namespace emkit::io {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
// Elements are decoded through a buffer of this size, so converting (from
// float32, integers, the other byte order or Fortran order) needs no second
// copy of the data.
constexpr std::size_t kChunkBytes = 1 << 20;

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw FileFormatError(path + ": " + what);
}

// The element type of the array, from a descr such as "<f8".
struct DType {
  char kind = 'f';  // 'f', 'i' or 'u'.
  int size = 8;     // Bytes per element.
  bool swap = false;  // Stored in the byte order opposite to this machine's.
};

DType ParseDType(const std::string& path, const std::string& descr) {
  const auto unsupported = [&]() {
    Fail(path, fmt::format(
                   "dtype {} is not supported (supported: float64, float32 "
                   "and integer dtypes, either byte order)",
                   internal::QuoteForMessage(descr)));
  };
  if (descr.size() < 3) unsupported();
  const char order = descr[0];
  DType dtype;
  dtype.kind = descr[1];
  const std::string_view size_text = std::string_view(descr).substr(2);
  if (size_text == "1") {
    dtype.size = 1;
  } else if (size_text == "2") {
    dtype.size = 2;
  } else if (size_text == "4") {
    dtype.size = 4;
  } else if (size_text == "8") {
    dtype.size = 8;
  } else {
    unsupported();
  }
  const bool is_float = dtype.kind == 'f' && (dtype.size == 4 || dtype.size == 8);
  const bool is_integer = dtype.kind == 'i' || dtype.kind == 'u';
  if (!is_float && !is_integer) unsupported();
  if (order == '<') {
    dtype.swap = std::endian::native == std::endian::big;
  } else if (order == '>') {
    dtype.swap = std::endian::native == std::endian::little;
  } else if (order == '=' || (order == '|' && dtype.size == 1)) {
    dtype.swap = false;
  } else {
    unsupported();
  }
  if (dtype.size == 1) dtype.swap = false;
  return dtype;
}

const char* DTypeName(const DType& dtype) {
  if (dtype.kind == 'f') return dtype.size == 8 ? "float64" : "float32";
  static constexpr std::array<const char*, 4> kSigned = {"int8", "int16",
                                                         "int32", "int64"};
  static constexpr std::array<const char*, 4> kUnsigned = {
      "uint8", "uint16", "uint32", "uint64"};
  const int index = std::countr_zero(static_cast<unsigned>(dtype.size));
  return dtype.kind == 'i' ? kSigned[index] : kUnsigned[index];
}

void ReadExactly(std::ifstream& in, const std::string& path, char* data,
                 std::size_t size) {
  in.read(data, static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) {
    if (in.bad()) throw FileAccessError(path + ": read error");
    Fail(path, "the file ended early (was it changed while being read?)");
  }
}

template <typename T>
T LoadElement(const char* bytes, bool swap) {
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

// Where the file's elements go, and which checks they pass on the way.
struct Destination {
  const std::string& path;
  std::int64_t rows;
  std::int64_t cols;
  bool fortran_order;
  bool allow_non_finite;
  bool select_all;
  const internal::ColumnSlots& slots;
  RowMatrix& out;
};

[[noreturn]] void FailNonFinite(const std::string& path, std::int64_t row,
                                std::int64_t col, double value) {
  Fail(path, fmt::format("X[{}, {}] = {} is not finite (missing values are "
                         "not supported)",
                         row, col, value));
}

template <typename T>
void DecodeElements(std::ifstream& in, const DType& dtype,
                    const Destination& to) {
  const std::int64_t total = to.rows * to.cols;
  const std::int64_t per_chunk = std::min<std::int64_t>(
      total, static_cast<std::int64_t>(kChunkBytes / sizeof(T)));
  std::vector<char> buffer(static_cast<std::size_t>(per_chunk) * sizeof(T));
  std::int64_t row = 0;  // File position of the next element.
  std::int64_t col = 0;
  for (std::int64_t done = 0; done < total;) {
    const std::int64_t count = std::min(per_chunk, total - done);
    ReadExactly(in, to.path, buffer.data(),
                static_cast<std::size_t>(count) * sizeof(T));
    for (std::int64_t k = 0; k < count; ++k) {
      const T raw = LoadElement<T>(buffer.data() + k * sizeof(T), dtype.swap);
      const double value = static_cast<double>(raw);
      if (!ConvertedExactly(raw, value)) {
        Fail(to.path, fmt::format("X[{}, {}] = {} ({}) cannot be converted to "
                                  "double exactly",
                                  row, col, raw, DTypeName(dtype)));
      }
      if (to.select_all) {
        if (!to.allow_non_finite && !std::isfinite(value)) {
          FailNonFinite(to.path, row, col, value);
        }
        to.out(row, col) = value;
      } else {
        const Eigen::Index begin = to.slots.first_slot[col];
        const Eigen::Index end = to.slots.first_slot[col + 1];
        if (begin < end && !to.allow_non_finite && !std::isfinite(value)) {
          FailNonFinite(to.path, row, col, value);
        }
        for (Eigen::Index s = begin; s < end; ++s) {
          to.out(row, to.slots.slots[s]) = value;
        }
      }
      if (to.fortran_order) {
        if (++row == to.rows) {
          row = 0;
          ++col;
        }
      } else if (++col == to.cols) {
        col = 0;
        ++row;
      }
    }
    done += count;
  }
}

void DecodeData(std::ifstream& in, const DType& dtype, const Destination& to) {
  // The common case, native float64 in C order kept whole, is read straight
  // into the result.
  if (dtype.kind == 'f' && dtype.size == 8 && !dtype.swap &&
      !to.fortran_order && to.select_all) {
    ReadExactly(in, to.path, reinterpret_cast<char*>(to.out.data()),
                static_cast<std::size_t>(to.out.size()) * sizeof(double));
    if (!to.allow_non_finite && !to.out.allFinite()) {
      for (std::int64_t r = 0; r < to.rows; ++r) {
        for (std::int64_t c = 0; c < to.cols; ++c) {
          if (!std::isfinite(to.out(r, c))) {
            FailNonFinite(to.path, r, c, to.out(r, c));
          }
        }
      }
    }
    return;
  }
  switch (dtype.kind) {
    case 'f':
      return dtype.size == 8 ? DecodeElements<double>(in, dtype, to)
                             : DecodeElements<float>(in, dtype, to);
    case 'i':
      switch (dtype.size) {
        case 1: return DecodeElements<std::int8_t>(in, dtype, to);
        case 2: return DecodeElements<std::int16_t>(in, dtype, to);
        case 4: return DecodeElements<std::int32_t>(in, dtype, to);
        default: return DecodeElements<std::int64_t>(in, dtype, to);
      }
    default:
      switch (dtype.size) {
        case 1: return DecodeElements<std::uint8_t>(in, dtype, to);
        case 2: return DecodeElements<std::uint16_t>(in, dtype, to);
        case 4: return DecodeElements<std::uint32_t>(in, dtype, to);
        default: return DecodeElements<std::uint64_t>(in, dtype, to);
      }
  }
}

std::uint64_t DecodeLittleEndian(const unsigned char* bytes, int size) {
  std::uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

}  // namespace

Table ReadNpy(const std::string& path, const TableReadOptions& options) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw FileAccessError(path + ": cannot open: " + std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw FileAccessError(path + ": cannot open: " + std::strerror(errno));
  }
  in.seekg(0, std::ios::end);
  const std::streamoff file_size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (file_size < 0 || !in) {
    throw FileAccessError(path + ": cannot determine the file size");
  }

  // Magic string, major and minor version, then the header length: 2 bytes
  // in version 1, 4 bytes in versions 2 and 3.
  std::array<unsigned char, 12> prefix{};
  const std::size_t prefix_read = static_cast<std::size_t>(
      std::min<std::streamoff>(file_size, prefix.size()));
  ReadExactly(in, path, reinterpret_cast<char*>(prefix.data()), prefix_read);
  const std::string_view start(reinterpret_cast<const char*>(prefix.data()),
                               std::min(prefix_read, kMagic.size()));
  if (start != kMagic.substr(0, start.size()) || prefix_read == 0) {
    Fail(path, "not a .npy file (it does not start with \"\\x93NUMPY\")");
  }
  if (prefix_read < kMagic.size() + 2) {
    Fail(path, "truncated .npy file: it ends inside the magic string or "
               "version");
  }
  const int major = prefix[6];
  const int minor = prefix[7];
  if (major < 1 || major > 3) {
    Fail(path, fmt::format(".npy format version {}.{} is not supported "
                           "(supported: 1.0, 2.0, 3.0)",
                           major, minor));
  }
  const int length_bytes = major == 1 ? 2 : 4;
  const std::size_t header_start = kMagic.size() + 2 + length_bytes;
  if (prefix_read < header_start) {
    Fail(path, "truncated .npy file: it ends inside the header length");
  }
  const std::uint64_t header_length =
      DecodeLittleEndian(prefix.data() + 8, length_bytes);
  const std::uint64_t data_start = header_start + header_length;
  if (data_start > static_cast<std::uint64_t>(file_size)) {
    Fail(path, fmt::format("truncated .npy header: it should be {} bytes "
                           "long but the file ends after {}",
                           header_length, file_size - header_start));
  }
  std::string header_text(header_length, '\0');
  in.seekg(static_cast<std::streamoff>(header_start), std::ios::beg);
  ReadExactly(in, path, header_text.data(), header_text.size());
  const internal::NpyHeader header = internal::ParseNpyHeader(header_text, path);

  if (header.shape.size() != 2) {
    Fail(path, fmt::format("expected a 2-D array, found shape {}",
                           internal::ShapeToString(header.shape)));
  }
  const DType dtype = ParseDType(path, header.descr);
  const std::int64_t rows = header.shape[0];
  const std::int64_t cols = header.shape[1];

  // Compare the declared size with the file before allocating anything, so a
  // corrupt or hostile header cannot make us reserve terabytes.
  std::uint64_t elements = 0;
  std::uint64_t data_bytes = 0;
  if (__builtin_mul_overflow(static_cast<std::uint64_t>(rows),
                             static_cast<std::uint64_t>(cols), &elements) ||
      __builtin_mul_overflow(elements, static_cast<std::uint64_t>(dtype.size),
                             &data_bytes) ||
      elements > static_cast<std::uint64_t>(
                     std::numeric_limits<Eigen::Index>::max())) {
    Fail(path, fmt::format("the shape {} is too large",
                           internal::ShapeToString(header.shape)));
  }
  const std::uint64_t bytes_in_file =
      static_cast<std::uint64_t>(file_size) - data_start;
  if (data_bytes != bytes_in_file) {
    Fail(path, fmt::format("the header declares shape {} of {}, which is {} "
                           "bytes of data, but the file has {} bytes after "
                           "the header",
                           internal::ShapeToString(header.shape),
                           DTypeName(dtype), data_bytes, bytes_in_file));
  }
  if (rows == 0 || cols == 0) {
    Fail(path, fmt::format("the array is empty (shape {})",
                           internal::ShapeToString(header.shape)));
  }

  Table table;
  table.source_was_float32 = dtype.kind == 'f' && dtype.size == 4;
  const bool select_all = options.columns.empty();
  internal::ColumnSlots slots;
  Eigen::Index num_out = cols;
  if (!select_all) {
    const std::vector<Eigen::Index> selected = internal::ResolveColumns(
        options.columns, {}, cols, path, ".npy files have no column names");
    slots = internal::MakeColumnSlots(selected, cols);
    num_out = static_cast<Eigen::Index>(selected.size());
  }
  table.values.resize(rows, num_out);
  const Destination destination{path,       rows,  cols,
                                header.fortran_order,
                                options.allow_non_finite,
                                select_all, slots, table.values};
  DecodeData(in, dtype, destination);
  return table;
}

}  // namespace emkit::io
