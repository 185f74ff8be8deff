// DelimitedRowSource: the rows of delimited text, indexed once at the first
// record of every block and parsed again block by block from their byte
// ranges (src/io/row_source.h).

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "delimited_parser.h"
#include "emkit/error.h"
#include "row_source.h"

namespace emkit::io::internal {
namespace {

constexpr const char* kTextChanged =
    "the file changed after it was first read (its rows are read again on every pass)";

// An input stream over bytes in memory, without copying them.
class BytesBuffer : public std::streambuf {
 public:
  BytesBuffer(char* begin, std::size_t size) { setg(begin, begin, begin + size); }
};

// Where a block's first record starts.
struct BlockStart {
  std::uint64_t offset = 0;     // byte offset in the file
  std::int64_t lines_before = 0;  // lines of the file before that byte
};

template <DataScalar Scalar>
class DelimitedRowSource final : public RowSource<Scalar> {
 public:
  DelimitedRowSource(const std::string& path, const RowStreamOptions& options);
  ~DelimitedRowSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  DelimitedRowSource(const DelimitedRowSource&) = delete;
  DelimitedRowSource& operator=(const DelimitedRowSource&) = delete;

  void ReadRows(std::int64_t first_row, std::int64_t num_rows, Scalar* out,
                std::vector<char>* raw) const override;

 private:
  std::string path_;
  TableReadOptions table_options_;
  int fd_ = -1;
  std::uint64_t file_size_ = 0;
  DelimitedLayout layout_;
  std::vector<BlockStart> block_starts_;
  ValueConversion<Scalar> convert_;
};

template <DataScalar Scalar>
DelimitedRowSource<Scalar>::DelimitedRowSource(const std::string& path,
                                               const RowStreamOptions& options)
    : path_(path) {
  table_options_.header = options.header;
  table_options_.delimiter = options.delimiter;
  table_options_.columns = options.columns;
  table_options_.allow_non_finite = options.allow_non_finite;
  convert_.to_float = std::is_same_v<Scalar, float> || options.round_to_float;
  fd_ = OpenForPositionedReads(path_, &file_size_);

  std::ifstream in(path_, std::ios::binary);
  if (!in) throw FileAccessError(path_ + ": cannot open: " + ErrnoText(errno));
  char head[6] = {};
  in.read(head, sizeof head);
  RejectArchive(path_, std::string_view(head, static_cast<std::size_t>(in.gcount())));
  in.clear();
  in.seekg(0, std::ios::beg);

  // The indexing pass: every row parsed and checked, as ReadDelimited
  // would, and the place after every block_rows-th one kept.
  DelimitedParser parser(in, path_, table_options_);
  layout_ = parser.ReadLayout();
  this->num_columns = layout_.num_columns;
  this->column_names = layout_.column_names;
  this->block_rows =
      options.block_rows > 0 ? options.block_rows : DefaultBlockRows(this->num_columns);
  block_starts_.push_back(BlockStart{0, 0});
  std::vector<double> row(static_cast<std::size_t>(this->num_columns));
  std::int64_t rows = 0;
  while (parser.NextRow(row.data())) {
    ++rows;
    if (rows % this->block_rows == 0) {
      const std::streamoff offset = in.tellg();
      if (offset < 0) throw FileAccessError(path_ + ": read error");
      block_starts_.push_back(BlockStart{static_cast<std::uint64_t>(offset), parser.lines_read()});
    }
  }
  if (in.bad()) throw FileAccessError(path_ + ": read error");
  this->num_rows = rows;
  const std::int64_t num_blocks = (rows + this->block_rows - 1) / this->block_rows;
  block_starts_.resize(static_cast<std::size_t>(num_blocks));
  this->file_bytes_per_row =
      rows > 0 ? static_cast<double>(file_size_) / static_cast<double>(rows) : 1.0;
}

template <DataScalar Scalar>
void DelimitedRowSource<Scalar>::ReadRows(std::int64_t first_row, std::int64_t num_rows,
                                          Scalar* out, std::vector<char>* raw) const {
  const std::int64_t block_rows = this->block_rows;
  const std::int64_t num_columns = this->num_columns;
  const auto first_block = static_cast<std::size_t>(first_row / block_rows);
  const auto end_block = static_cast<std::size_t>((first_row + num_rows + block_rows - 1) / block_rows);
  const BlockStart& start = block_starts_[first_block];
  const std::uint64_t end =
      end_block < block_starts_.size() ? block_starts_[end_block].offset : file_size_;
  raw->resize(static_cast<std::size_t>(end - start.offset));
  PreadExactly(fd_, path_, raw->data(), raw->size(), start.offset, kTextChanged);

  BytesBuffer bytes(raw->data(), raw->size());
  std::istream in(&bytes);
  DelimitedParser parser(in, path_, table_options_, start.lines_before);
  // The first block starts at the file's start, before the header.
  if (first_block == 0) {
    parser.ReadLayout();
  } else {
    parser.UseLayout(layout_);
  }
  std::vector<double> row(static_cast<std::size_t>(num_columns));
  // A range that starts inside a block (a block of whole sequences) starts
  // after that block's first rows, parsed and passed over.
  for (std::int64_t skip = first_row - static_cast<std::int64_t>(first_block) * block_rows;
       skip > 0; --skip) {
    if (!parser.NextRow(row.data())) throw FileFormatError(path_ + ": " + kTextChanged);
  }
  for (std::int64_t i = 0; i < num_rows; ++i) {
    if (!parser.NextRow(row.data())) {
      throw FileFormatError(path_ + ": " + kTextChanged);
    }
    Scalar* to = out + i * num_columns;
    for (std::int64_t j = 0; j < num_columns; ++j) {
      to[j] = convert_(row[static_cast<std::size_t>(j)], first_row + i, j);
    }
  }
}

}  // namespace

template <DataScalar Scalar>
std::unique_ptr<RowSource<Scalar>> OpenDelimitedRowSource(const std::string& path,
                                                          const RowStreamOptions& options) {
  return std::make_unique<DelimitedRowSource<Scalar>>(path, options);
}

template std::unique_ptr<RowSource<double>> OpenDelimitedRowSource(const std::string&,
                                                                   const RowStreamOptions&);
template std::unique_ptr<RowSource<float>> OpenDelimitedRowSource(const std::string&,
                                                                  const RowStreamOptions&);

}  // namespace emkit::io::internal
