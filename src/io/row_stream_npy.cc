// NpyRowSource: the rows of a .npy file read by row ranges with pread
// (src/io/row_source.h).

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "column_selection.h"
#include "emkit/error.h"
#include "npy_header.h"
#include "row_source.h"

namespace emkit::io::internal {
namespace {

[[noreturn]] void FailNonFinite(const std::string& path, std::int64_t row, std::int64_t col,
                                double value) {
  throw FileFormatError(path + ": " + NonFiniteElementMessage(row, col, value));
}

template <DataScalar Scalar>
class NpyRowSource final : public RowSource<Scalar> {
 public:
  NpyRowSource(const std::string& path, const RowStreamOptions& options);
  ~NpyRowSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  NpyRowSource(const NpyRowSource&) = delete;
  NpyRowSource& operator=(const NpyRowSource&) = delete;

  void ReadRows(std::int64_t first_row, std::int64_t num_rows, Scalar* out,
                std::vector<char>* raw) const override;

 private:
  template <typename T>
  void Decode(std::int64_t first_row, std::int64_t num_rows, const char* raw, Scalar* out) const;
  void DecodeRaw(std::int64_t first_row, std::int64_t num_rows, const char* raw,
                 Scalar* out) const;

  std::string path_;
  bool allow_non_finite_ = false;
  int fd_ = -1;
  NpyLayout layout_;
  bool select_all_ = true;
  ColumnSlots slots_;
  // The file's bytes are the values as they are (native Scalar, all
  // columns, no rounding): read straight into the values.
  bool direct_ = false;
  ValueConversion<Scalar> convert_;
};

template <DataScalar Scalar>
NpyRowSource<Scalar>::NpyRowSource(const std::string& path, const RowStreamOptions& options)
    : path_(path), allow_non_finite_(options.allow_non_finite) {
  std::uint64_t size = 0;
  fd_ = OpenForPositionedReads(path_, &size);
  layout_ = ReadNpyLayout(path_, size, [&](std::uint64_t offset, char* out, std::size_t bytes) {
    PreadExactly(fd_, path_, out, bytes, offset, kNpyEndedEarly);
  });
  if (layout_.header.fortran_order) {
    throw FileFormatError(fmt::format(
        "{}: the array is stored in Fortran order (column by column), so its rows "
        "cannot be read by ranges; save it in C order "
        "(numpy.save(path, numpy.ascontiguousarray(X))) or fit it in memory",
        path_));
  }
  this->num_rows = layout_.rows;
  this->num_columns = layout_.cols;
  select_all_ = options.columns.empty();
  if (!select_all_) {
    const std::vector<Eigen::Index> selected = ResolveColumns(
        options.columns, {}, layout_.cols, path_, ".npy files have no column names");
    slots_ = MakeColumnSlots(selected, layout_.cols);
    this->num_columns = static_cast<std::int64_t>(selected.size());
  }
  convert_.to_float = std::is_same_v<Scalar, float> || options.round_to_float;
  const bool same_type = layout_.dtype.kind == 'f' && layout_.dtype.size == sizeof(Scalar);
  direct_ = same_type && !layout_.dtype.swap && select_all_ &&
            !(std::is_same_v<Scalar, double> && options.round_to_float);
  this->block_rows =
      options.block_rows > 0 ? options.block_rows : DefaultBlockRows(this->num_columns);
  this->file_bytes_per_row = static_cast<double>(layout_.cols) * layout_.dtype.size;
  this->float32 = layout_.dtype.kind == 'f' && layout_.dtype.size == 4;
}

template <DataScalar Scalar>
template <typename T>
void NpyRowSource<Scalar>::Decode(std::int64_t first_row, std::int64_t num_rows, const char* raw,
                                  Scalar* out) const {
  const std::int64_t file_columns = layout_.cols;
  const std::int64_t num_columns = this->num_columns;
  const bool check = !allow_non_finite_;
  for (std::int64_t i = 0; i < num_rows; ++i) {
    const std::int64_t row = first_row + i;
    const char* in = raw + i * file_columns * static_cast<std::int64_t>(sizeof(T));
    Scalar* to = out + i * num_columns;
    for (std::int64_t c = 0; c < file_columns; ++c) {
      const T element = LoadNpyElement<T>(in + c * sizeof(T), layout_.dtype.swap);
      const double value = static_cast<double>(element);
      if (!ConvertedExactly(element, value)) {
        throw FileFormatError(path_ + ": " +
                              InexactElementMessage(row, c, fmt::format("{}", element),
                                                    layout_.dtype));
      }
      if (select_all_) {
        if (check && !std::isfinite(value)) FailNonFinite(path_, row, c, value);
        to[c] = convert_(value, row, c);
      } else {
        const Eigen::Index begin = slots_.first_slot[c];
        const Eigen::Index end = slots_.first_slot[c + 1];
        if (begin < end && check && !std::isfinite(value)) FailNonFinite(path_, row, c, value);
        for (Eigen::Index s = begin; s < end; ++s) {
          to[slots_.slots[s]] = convert_(value, row, slots_.slots[s]);
        }
      }
    }
  }
}

template <DataScalar Scalar>
void NpyRowSource<Scalar>::DecodeRaw(std::int64_t first_row, std::int64_t num_rows,
                                     const char* raw, Scalar* out) const {
  const NpyDType& dtype = layout_.dtype;
  switch (dtype.kind) {
    case 'f':
      return dtype.size == 8 ? Decode<double>(first_row, num_rows, raw, out)
                             : Decode<float>(first_row, num_rows, raw, out);
    case 'i':
      switch (dtype.size) {
        case 1: return Decode<std::int8_t>(first_row, num_rows, raw, out);
        case 2: return Decode<std::int16_t>(first_row, num_rows, raw, out);
        case 4: return Decode<std::int32_t>(first_row, num_rows, raw, out);
        default: return Decode<std::int64_t>(first_row, num_rows, raw, out);
      }
    default:
      switch (dtype.size) {
        case 1: return Decode<std::uint8_t>(first_row, num_rows, raw, out);
        case 2: return Decode<std::uint16_t>(first_row, num_rows, raw, out);
        case 4: return Decode<std::uint32_t>(first_row, num_rows, raw, out);
        default: return Decode<std::uint64_t>(first_row, num_rows, raw, out);
      }
  }
}

template <DataScalar Scalar>
void NpyRowSource<Scalar>::ReadRows(std::int64_t first_row, std::int64_t num_rows, Scalar* out,
                                    std::vector<char>* raw) const {
  const std::int64_t element_size = layout_.dtype.size;
  const std::uint64_t offset =
      layout_.data_start + static_cast<std::uint64_t>(first_row * layout_.cols * element_size);
  const auto bytes = static_cast<std::size_t>(num_rows * layout_.cols * element_size);
  if (direct_) {
    PreadExactly(fd_, path_, reinterpret_cast<char*>(out), bytes, offset, kNpyEndedEarly);
    if (!allow_non_finite_) {
      const std::int64_t count = num_rows * this->num_columns;
      for (std::int64_t k = 0; k < count; ++k) {
        if (!std::isfinite(out[k])) {
          FailNonFinite(path_, first_row + k / this->num_columns, k % this->num_columns,
                        static_cast<double>(out[k]));
        }
      }
    }
    return;
  }
  raw->resize(bytes);
  PreadExactly(fd_, path_, raw->data(), bytes, offset, kNpyEndedEarly);
  DecodeRaw(first_row, num_rows, raw->data(), out);
}

}  // namespace

template <DataScalar Scalar>
std::unique_ptr<RowSource<Scalar>> OpenNpyRowSource(const std::string& path,
                                                    const RowStreamOptions& options) {
  return std::make_unique<NpyRowSource<Scalar>>(path, options);
}

template std::unique_ptr<RowSource<double>> OpenNpyRowSource(const std::string&,
                                                             const RowStreamOptions&);
template std::unique_ptr<RowSource<float>> OpenNpyRowSource(const std::string&,
                                                            const RowStreamOptions&);

}  // namespace emkit::io::internal
