// RowStream: the rows of a file read by block ranges (emkit/io/row_stream.h).
// What depends on the kind of file is a RowSource (src/io/row_source.h);
// here are the blocks, the chunks and where their values sit in memory.

#include "emkit/io/row_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "npy_header.h"
#include "row_source.h"

namespace emkit::io {

namespace internal {

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

int OpenForPositionedReads(const std::string& path, std::uint64_t* size) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw FileAccessError(path + ": cannot open: " + ErrnoText(EISDIR));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileAccessError(path + ": cannot open: " + ErrnoText(errno));
  struct stat status {};
  if (::fstat(fd, &status) != 0 || status.st_size < 0) {
    ::close(fd);
    throw FileAccessError(path + ": cannot determine the file size");
  }
  *size = static_cast<std::uint64_t>(status.st_size);
  // Passes read the file from start to end.
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return fd;
}

void PreadExactly(int fd, const std::string& path, char* out, std::size_t size,
                  std::uint64_t offset, const char* ended_early) {
  while (size > 0) {
    const ssize_t got = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw FileAccessError(path + ": read error: " + ErrnoText(errno));
    }
    if (got == 0) throw FileFormatError(path + ": " + ended_early);
    out += got;
    size -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
}

}  // namespace internal

template <DataScalar Scalar>
struct RowStream<Scalar>::File {
  std::string path;
  RowStreamOptions options;
  std::unique_ptr<internal::RowSource<Scalar>> source;

  std::mutex mutex;
  // GetBlock's buffer of each thread that called it.
  std::vector<std::pair<std::thread::id, std::unique_ptr<Chunk>>> thread_chunks;

  Chunk* ChunkOfThisThread() {
    const std::thread::id id = std::this_thread::get_id();
    std::lock_guard<std::mutex> lock(mutex);
    for (auto& [owner, chunk] : thread_chunks) {
      if (owner == id) return chunk.get();
    }
    thread_chunks.emplace_back(id, std::make_unique<Chunk>());
    return thread_chunks.back().second.get();
  }

  // Rows [first_row, first_row + num_rows) into *chunk.
  void ReadRows(std::int64_t first_row, std::int64_t num_rows, Chunk* chunk) const {
    constexpr std::int64_t kAlign = 64;
    constexpr auto kSize = static_cast<std::int64_t>(sizeof(Scalar));
    const std::int64_t num_columns = source->num_columns;
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
    source->ReadRows(first_row, num_rows, chunk->values.data() + chunk->offset, &chunk->raw);
  }
};

template <DataScalar Scalar>
RowStream<Scalar>::RowStream(std::string path, RowStreamOptions options)
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
  if (file.path == "-") {
    throw FileAccessError(
        "<stdin>: standard input cannot be streamed (a fit reads its data many times); "
        "give a file, or fit it in memory");
  }
  file.source = IsNpyPath(file.path)
                    ? internal::OpenNpyRowSource<Scalar>(file.path, file.options)
                    : internal::OpenDelimitedRowSource<Scalar>(file.path, file.options);
  const internal::RowSource<Scalar>& source = *file.source;
  num_rows_ = source.num_rows;
  num_columns_ = source.num_columns;
  block_rows_ = source.block_rows;
  num_blocks_ = (num_rows_ + block_rows_ - 1) / block_rows_;
  const double block_bytes =
      std::max(1.0, static_cast<double>(block_rows_) * source.file_bytes_per_row);
  blocks_per_chunk_ = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(static_cast<double>(file.options.read_bytes) / block_bytes));
  num_chunks_ = (num_blocks_ + blocks_per_chunk_ - 1) / blocks_per_chunk_;
}

template <DataScalar Scalar>
RowStream<Scalar>::~RowStream() = default;
template <DataScalar Scalar>
RowStream<Scalar>::RowStream(RowStream&&) noexcept = default;
template <DataScalar Scalar>
RowStream<Scalar>& RowStream<Scalar>::operator=(RowStream&&) noexcept = default;

template <DataScalar Scalar>
RowBlock<Scalar> RowStream<Scalar>::GetBlock(std::int64_t b) const {
  Chunk* chunk = file_->ChunkOfThisThread();
  const std::int64_t first = b * block_rows_;
  file_->ReadRows(first, std::min(block_rows_, num_rows_ - first), chunk);
  return BlockInChunk(*chunk, b);
}

template <DataScalar Scalar>
void RowStream<Scalar>::ReadChunk(std::int64_t c, Chunk* chunk) const {
  const auto [first_block, end_block] = ChunkBlocks(c);
  const std::int64_t first = first_block * block_rows_;
  const std::int64_t end = std::min(num_rows_, end_block * block_rows_);
  file_->ReadRows(first, end - first, chunk);
}

template <DataScalar Scalar>
void RowStream<Scalar>::ReadRowRange(std::int64_t first_row, std::int64_t num_rows,
                                     Chunk* chunk) const {
  if (first_row < 0 || num_rows < 0 || first_row + num_rows > num_rows_) {
    throw std::out_of_range(fmt::format("rows [{}, {}) are not within the {} rows of {}",
                                        first_row, first_row + num_rows, num_rows_,
                                        file_->path));
  }
  file_->ReadRows(first_row, num_rows, chunk);
}

template <DataScalar Scalar>
const std::string& RowStream<Scalar>::path() const {
  return file_->path;
}

template <DataScalar Scalar>
const RowStreamOptions& RowStream<Scalar>::options() const {
  return file_->options;
}

template <DataScalar Scalar>
bool RowStream<Scalar>::source_was_float32() const {
  return file_->source->float32;
}

template <DataScalar Scalar>
const std::vector<std::string>& RowStream<Scalar>::column_names() const {
  return file_->source->column_names;
}

NpyArrayInfo ReadNpyArrayInfo(const std::string& path) {
  std::uint64_t size = 0;
  const int fd = internal::OpenForPositionedReads(path, &size);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const internal::NpyLayout layout = internal::ReadNpyLayout(
      path, size, [&](std::uint64_t offset, char* out, std::size_t bytes) {
        internal::PreadExactly(fd, path, out, bytes, offset, internal::kNpyEndedEarly);
      });
  return NpyArrayInfo{layout.rows, layout.cols, layout.header.fortran_order,
                      layout.dtype.kind == 'f' && layout.dtype.size == 4};
}

template class RowStream<double>;
template class RowStream<float>;

}  // namespace emkit::io
