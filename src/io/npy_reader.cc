// ReadNpy: 2-D arrays from numpy's .npy format.
// Format reference: numpy/lib/format.py ("NEP 1").

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "column_selection.h"
#include "emkit/error.h"
#include "emkit/io/table.h"
#include "npy_header.h"

namespace emkit::io {
namespace {

// Elements are decoded through a buffer of this size, so converting (from
// float32, integers, the other byte order or Fortran order) needs no second
// copy of the data.
constexpr std::size_t kChunkBytes = 1 << 20;

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw FileFormatError(path + ": " + what);
}

void ReadExactly(std::ifstream& in, const std::string& path, char* data,
                 std::size_t size) {
  in.read(data, static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) {
    if (in.bad()) throw FileAccessError(path + ": read error");
    Fail(path, internal::kNpyEndedEarly);
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
  Fail(path, internal::NonFiniteElementMessage(row, col, value));
}

template <typename T>
void DecodeElements(std::ifstream& in, const internal::NpyDType& dtype,
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
      const T raw = internal::LoadNpyElement<T>(buffer.data() + k * sizeof(T), dtype.swap);
      const double value = static_cast<double>(raw);
      if (!internal::ConvertedExactly(raw, value)) {
        Fail(to.path, internal::InexactElementMessage(row, col, fmt::format("{}", raw), dtype));
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

void DecodeData(std::ifstream& in, const internal::NpyDType& dtype, const Destination& to) {
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

  const internal::NpyLayout layout = internal::ReadNpyLayout(
      path, static_cast<std::uint64_t>(file_size),
      [&](std::uint64_t offset, char* out, std::size_t size) {
        in.seekg(static_cast<std::streamoff>(offset), std::ios::beg);
        ReadExactly(in, path, out, size);
      });
  const internal::NpyHeader& header = layout.header;
  const internal::NpyDType& dtype = layout.dtype;
  const std::int64_t rows = layout.rows;
  const std::int64_t cols = layout.cols;
  in.seekg(static_cast<std::streamoff>(layout.data_start), std::ios::beg);

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
