// NpyRowStream: the rows of a .npy file read by row ranges (emkit/io/npy_stream.h).

#include "emkit/io/npy_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "column_selection.h"
#include "emkit/error.h"
#include "npy_header.h"

namespace emkit::io {
namespace {

std::string ErrnoText(int error) { return std::error_code(error, std::generic_category()).message(); }

// Reads `size` bytes at `offset`; a file that ends first is the in-memory
// reader's "ended early".
void PreadExactly(int fd, const std::string& path, char* out, std::size_t size,
                  std::uint64_t offset) {
  while (size > 0) {
    const ssize_t got = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw FileAccessError(path + ": read error: " + ErrnoText(errno));
    }
    if (got == 0) throw FileFormatError(path + ": " + internal::kNpyEndedEarly);
    out += got;
    size -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
}

[[noreturn]] void FailNonFinite(const std::string& path, std::int64_t row, std::int64_t col,
                                double value) {
  throw FileFormatError(path + ": " + internal::NonFiniteElementMessage(row, col, value));
}

[[noreturn]] void FailOutsideFloat(std::int64_t row, std::int64_t col, double value) {
  throw InvalidDataError(fmt::format("X[{}, {}] = {} is outside the range of float32 (|x| <= {:.7g})",
                                     row, col, value, static_cast<double>(std::numeric_limits<float>::max())));
}

}  // namespace

template <DataScalar Scalar>
struct NpyRowStream<Scalar>::File {
  std::string path;
  NpyStreamOptions options;
  int fd = -1;
  internal::NpyLayout layout;
  bool select_all = true;
  internal::ColumnSlots slots;
  // The file's bytes are the values as they are (native Scalar, all
  // columns, no rounding): read straight into the values.
  bool direct = false;
  bool to_float = false;  // values pass through float (Scalar float, or round_to_float)

  std::mutex mutex;
  // GetBlock's buffer of each thread that called it.
  std::vector<std::pair<std::thread::id, std::unique_ptr<Chunk>>> thread_chunks;

  ~File() {
    if (fd >= 0) ::close(fd);
  }

  Chunk* ChunkOfThisThread() {
    const std::thread::id id = std::this_thread::get_id();
    std::lock_guard<std::mutex> lock(mutex);
    for (auto& [owner, chunk] : thread_chunks) {
      if (owner == id) return chunk.get();
    }
    thread_chunks.emplace_back(id, std::make_unique<Chunk>());
    return thread_chunks.back().second.get();
  }

  // A value of the file, converted as the in-memory fit converts it.
  Scalar Convert(double value, std::int64_t row, std::int64_t col) const {
    if (to_float) {
      if (std::abs(value) > static_cast<double>(std::numeric_limits<float>::max())) {
        FailOutsideFloat(row, col, value);
      }
      return static_cast<Scalar>(static_cast<float>(value));
    }
    return static_cast<Scalar>(value);
  }

  template <typename T>
  void Decode(std::int64_t first_row, std::int64_t num_rows, std::int64_t num_columns,
              const char* raw, Scalar* out) const {
    const std::int64_t file_columns = layout.cols;
    const bool check = !options.allow_non_finite;
    for (std::int64_t i = 0; i < num_rows; ++i) {
      const std::int64_t row = first_row + i;
      const char* in = raw + i * file_columns * static_cast<std::int64_t>(sizeof(T));
      Scalar* to = out + i * num_columns;
      for (std::int64_t c = 0; c < file_columns; ++c) {
        const T element = internal::LoadNpyElement<T>(in + c * sizeof(T), layout.dtype.swap);
        const double value = static_cast<double>(element);
        if (!internal::ConvertedExactly(element, value)) {
          throw FileFormatError(path + ": " +
                                internal::InexactElementMessage(
                                    row, c, fmt::format("{}", element), layout.dtype));
        }
        if (select_all) {
          if (check && !std::isfinite(value)) FailNonFinite(path, row, c, value);
          to[c] = Convert(value, row, c);
        } else {
          const Eigen::Index begin = slots.first_slot[c];
          const Eigen::Index end = slots.first_slot[c + 1];
          if (begin < end && check && !std::isfinite(value)) FailNonFinite(path, row, c, value);
          for (Eigen::Index s = begin; s < end; ++s) {
            to[slots.slots[s]] = Convert(value, row, slots.slots[s]);
          }
        }
      }
    }
  }

  void DecodeRaw(std::int64_t first_row, std::int64_t num_rows, std::int64_t num_columns,
                 const char* raw, Scalar* out) const {
    const internal::NpyDType& dtype = layout.dtype;
    switch (dtype.kind) {
      case 'f':
        return dtype.size == 8 ? Decode<double>(first_row, num_rows, num_columns, raw, out)
                               : Decode<float>(first_row, num_rows, num_columns, raw, out);
      case 'i':
        switch (dtype.size) {
          case 1: return Decode<std::int8_t>(first_row, num_rows, num_columns, raw, out);
          case 2: return Decode<std::int16_t>(first_row, num_rows, num_columns, raw, out);
          case 4: return Decode<std::int32_t>(first_row, num_rows, num_columns, raw, out);
          default: return Decode<std::int64_t>(first_row, num_rows, num_columns, raw, out);
        }
      default:
        switch (dtype.size) {
          case 1: return Decode<std::uint8_t>(first_row, num_rows, num_columns, raw, out);
          case 2: return Decode<std::uint16_t>(first_row, num_rows, num_columns, raw, out);
          case 4: return Decode<std::uint32_t>(first_row, num_rows, num_columns, raw, out);
          default: return Decode<std::uint64_t>(first_row, num_rows, num_columns, raw, out);
        }
    }
  }

  // Rows [first_row, first_row + num_rows) into *chunk.
  void ReadRows(std::int64_t first_row, std::int64_t num_rows, std::int64_t num_columns,
                Chunk* chunk) const {
    constexpr std::int64_t kAlign = 64;
    constexpr auto kSize = static_cast<std::int64_t>(sizeof(Scalar));
    const std::int64_t count = num_rows * num_columns;
    if (chunk->values.size() < count + kAlign / kSize) {
      chunk->values.resize(count + kAlign / kSize);
    }
    // Where the first value would sit in a 64-byte aligned matrix of all
    // rows, relative to a 64-byte boundary; the same place here.
    const std::int64_t target = (first_row * num_columns * kSize) % kAlign;
    const auto base = static_cast<std::int64_t>(
        reinterpret_cast<std::uintptr_t>(chunk->values.data()) % kAlign);
    chunk->offset = (((target - base) % kAlign + kAlign) % kAlign) / kSize;
    chunk->first_row = first_row;
    chunk->num_rows = num_rows;
    Scalar* out = chunk->values.data() + chunk->offset;

    const std::int64_t element_size = layout.dtype.size;
    const std::uint64_t offset =
        layout.data_start +
        static_cast<std::uint64_t>(first_row * layout.cols * element_size);
    const auto bytes = static_cast<std::size_t>(num_rows * layout.cols * element_size);
    if (direct) {
      PreadExactly(fd, path, reinterpret_cast<char*>(out), bytes, offset);
      if (!options.allow_non_finite) {
        for (std::int64_t k = 0; k < count; ++k) {
          if (!std::isfinite(out[k])) {
            FailNonFinite(path, first_row + k / num_columns, k % num_columns,
                          static_cast<double>(out[k]));
          }
        }
      }
      return;
    }
    chunk->raw.resize(bytes);
    PreadExactly(fd, path, chunk->raw.data(), bytes, offset);
    DecodeRaw(first_row, num_rows, num_columns, chunk->raw.data(), out);
  }
};

template <DataScalar Scalar>
NpyRowStream<Scalar>::NpyRowStream(std::string path, NpyStreamOptions options)
    : file_(std::make_unique<File>()) {
  if (options.block_rows < 0) {
    throw InvalidOptionError(
        fmt::format("block_rows = {} must be >= 0 (0 picks a default)", options.block_rows));
  }
  if (options.read_bytes < 1) {
    throw InvalidOptionError(fmt::format("read_bytes = {} must be >= 1", options.read_bytes));
  }
  File& file = *file_;
  file.path = std::move(path);
  file.options = std::move(options);
  const std::string& name = file.path;
  std::error_code error;
  if (std::filesystem::is_directory(name, error)) {
    throw FileAccessError(name + ": cannot open: " + ErrnoText(EISDIR));
  }
  file.fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (file.fd < 0) throw FileAccessError(name + ": cannot open: " + ErrnoText(errno));
  struct stat status {};
  if (::fstat(file.fd, &status) != 0 || status.st_size < 0) {
    throw FileAccessError(name + ": cannot determine the file size");
  }
  file.layout = internal::ReadNpyLayout(
      name, static_cast<std::uint64_t>(status.st_size),
      [&](std::uint64_t offset, char* out, std::size_t size) {
        PreadExactly(file.fd, name, out, size, offset);
      });
  const internal::NpyLayout& layout = file.layout;
  if (layout.header.fortran_order) {
    throw FileFormatError(fmt::format(
        "{}: the array is stored in Fortran order (column by column), so its rows "
        "cannot be read by ranges; save it in C order "
        "(numpy.save(path, numpy.ascontiguousarray(X))) or fit it in memory",
        name));
  }
  num_rows_ = layout.rows;
  num_columns_ = layout.cols;
  file.select_all = file.options.columns.empty();
  if (!file.select_all) {
    const std::vector<Eigen::Index> selected = internal::ResolveColumns(
        file.options.columns, {}, layout.cols, name, ".npy files have no column names");
    file.slots = internal::MakeColumnSlots(selected, layout.cols);
    num_columns_ = static_cast<std::int64_t>(selected.size());
  }
  file.to_float = std::is_same_v<Scalar, float> || file.options.round_to_float;
  const bool same_type = layout.dtype.kind == 'f' && layout.dtype.size == sizeof(Scalar);
  file.direct = same_type && !layout.dtype.swap && file.select_all &&
                !(std::is_same_v<Scalar, double> && file.options.round_to_float);
  block_rows_ =
      file.options.block_rows > 0 ? file.options.block_rows : DefaultBlockRows(num_columns_);
  num_blocks_ = (num_rows_ + block_rows_ - 1) / block_rows_;
  const double block_bytes = static_cast<double>(block_rows_) *
                             static_cast<double>(layout.cols) * layout.dtype.size;
  blocks_per_chunk_ = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(static_cast<double>(file.options.read_bytes) / block_bytes));
  num_chunks_ = (num_blocks_ + blocks_per_chunk_ - 1) / blocks_per_chunk_;
  // Passes read the file from start to end.
  (void)::posix_fadvise(file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

template <DataScalar Scalar>
NpyRowStream<Scalar>::~NpyRowStream() = default;
template <DataScalar Scalar>
NpyRowStream<Scalar>::NpyRowStream(NpyRowStream&&) noexcept = default;
template <DataScalar Scalar>
NpyRowStream<Scalar>& NpyRowStream<Scalar>::operator=(NpyRowStream&&) noexcept = default;

template <DataScalar Scalar>
RowBlock<Scalar> NpyRowStream<Scalar>::GetBlock(std::int64_t b) const {
  Chunk* chunk = file_->ChunkOfThisThread();
  const std::int64_t first = b * block_rows_;
  file_->ReadRows(first, std::min(block_rows_, num_rows_ - first), num_columns_, chunk);
  return BlockInChunk(*chunk, b);
}

template <DataScalar Scalar>
void NpyRowStream<Scalar>::ReadChunk(std::int64_t c, Chunk* chunk) const {
  const auto [first_block, end_block] = ChunkBlocks(c);
  const std::int64_t first = first_block * block_rows_;
  const std::int64_t end = std::min(num_rows_, end_block * block_rows_);
  file_->ReadRows(first, end - first, num_columns_, chunk);
}

template <DataScalar Scalar>
const std::string& NpyRowStream<Scalar>::path() const {
  return file_->path;
}

template <DataScalar Scalar>
const NpyStreamOptions& NpyRowStream<Scalar>::options() const {
  return file_->options;
}

template <DataScalar Scalar>
bool NpyRowStream<Scalar>::source_was_float32() const {
  return file_->layout.dtype.kind == 'f' && file_->layout.dtype.size == 4;
}

NpyArrayInfo ReadNpyArrayInfo(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw FileAccessError(path + ": cannot open: " + ErrnoText(EISDIR));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileAccessError(path + ": cannot open: " + ErrnoText(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat status {};
  if (::fstat(fd, &status) != 0 || status.st_size < 0) {
    throw FileAccessError(path + ": cannot determine the file size");
  }
  const internal::NpyLayout layout = internal::ReadNpyLayout(
      path, static_cast<std::uint64_t>(status.st_size),
      [&](std::uint64_t offset, char* out, std::size_t size) {
        PreadExactly(fd, path, out, size, offset);
      });
  return NpyArrayInfo{layout.rows, layout.cols, layout.header.fortran_order,
                      layout.dtype.kind == 'f' && layout.dtype.size == 4};
}

template class NpyRowStream<double>;
template class NpyRowStream<float>;

}  // namespace emkit::io
