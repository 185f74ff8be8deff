#include "stream_options.h"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/engine/prefetching_executor.h"
#include "emkit/kmeans.h"
#include "emkit/io/row_stream.h"
#include "emkit/thread_pool.h"
#include "dtype.h"
#include "emkit/io/table.h"

namespace emkit::cli {

void AddStreamOptions(CLI::App* command, StreamFlags* flags) {
  command->add_flag("--stream", flags->stream,
                    "Read DATA (.npy or delimited text) by row ranges as they are needed "
                    "instead of whole; the results are the same to the bit");
  command->add_option("--memory-limit", flags->memory_limit,
                      "Stream a .npy DATA whose rows would take more memory than SIZE, or a "
                      "text DATA larger than SIZE (e.g. 512M, 4G, or bytes; default half "
                      "the physical memory)");
  command->add_option("--read-size", flags->read_size,
                      "Bytes of DATA read at a time when streaming (default 8M)");
}

std::int64_t ParseSize(const std::string& text, const char* flag) {
  const auto fail = [&]() -> std::int64_t {
    throw InvalidOptionError(fmt::format(
        "{} \"{}\": expected a size such as 512M, 4G or a number of bytes", flag, text));
  };
  std::string_view rest(text);
  std::size_t digits = 0;
  while (digits < rest.size() &&
         (std::isdigit(static_cast<unsigned char>(rest[digits])) || rest[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) return fail();
  double number = 0.0;
  const auto parsed = std::from_chars(rest.data(), rest.data() + digits, number);
  if (parsed.ec != std::errc() || parsed.ptr != rest.data() + digits) return fail();
  rest.remove_prefix(digits);
  double unit = 1.0;
  if (!rest.empty()) {
    switch (std::toupper(static_cast<unsigned char>(rest[0]))) {
      case 'K': unit = 1024.0; break;
      case 'M': unit = 1024.0 * 1024.0; break;
      case 'G': unit = 1024.0 * 1024.0 * 1024.0; break;
      case 'T': unit = 1024.0 * 1024.0 * 1024.0 * 1024.0; break;
      case 'B': unit = 1.0; break;
      default: return fail();
    }
    if (std::toupper(static_cast<unsigned char>(rest[0])) != 'B') {
      rest.remove_prefix(1);
      if (rest == "iB" || rest == "ib" || rest == "B" || rest == "b") rest = {};
    } else {
      rest.remove_prefix(1);
    }
    if (!rest.empty()) return fail();
  }
  const double bytes = std::floor(number * unit);
  if (!(bytes >= 1.0) || bytes > 9.0e18) {
    throw InvalidOptionError(
        fmt::format("{} \"{}\": must be at least one byte and below 8 EiB", flag, text));
  }
  return static_cast<std::int64_t>(bytes);
}

std::int64_t DefaultMemoryLimit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::int64_t{1} << 32;  // unknown: 4 GiB
  return static_cast<std::int64_t>(pages) * page_size / 2;
}

StreamChoice ChooseStreaming(const StreamFlags& flags, const std::string& path,
                             const DataOptions& data_options, bool float32) {
  StreamChoice choice;
  const std::int64_t limit = flags.memory_limit.empty()
                                 ? DefaultMemoryLimit()
                                 : ParseSize(flags.memory_limit, "--memory-limit");
  if (!flags.read_size.empty()) choice.read_bytes = ParseSize(flags.read_size, "--read-size");
  if (path == "-") {
    if (flags.stream) {
      throw InvalidOptionError(
          "--stream: standard input can be read only once, and a streamed DATA is read "
          "more than once; give a file, or leave out --stream");
    }
    return choice;
  }
  if (flags.stream) {
    choice.stream = true;
    return choice;
  }
  if (!io::IsNpyPath(path)) {
    // Text takes at least two bytes a value ("1,"), most data 6 to 20; its
    // rows in memory take 8 (12 for float32) a value, and up to twice that
    // while the table grows. So streaming starts where the file alone
    // would exceed the limit.
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    choice.stream = !error && static_cast<double>(size) > static_cast<double>(limit);
    return choice;
  }
  const io::NpyArrayInfo info = io::ReadNpyArrayInfo(path);
  const std::vector<std::string> columns = ToReadOptions(data_options).columns;
  const double kept =
      columns.empty() ? static_cast<double>(info.columns) : static_cast<double>(columns.size());
  const double bytes = static_cast<double>(info.rows) * kept * (float32 ? 12.0 : 8.0);
  choice.stream = bytes > static_cast<double>(limit);
  return choice;
}

io::RowStream<double> OpenDataStream(const std::string& path, const DataOptions& data_options,
                                     std::int64_t read_bytes) {
  const io::TableReadOptions read_options = ToReadOptions(data_options);
  io::RowStreamOptions options;
  options.columns = read_options.columns;
  options.header = read_options.header;
  options.delimiter = read_options.delimiter;
  options.read_bytes = read_bytes;
  return io::RowStream<double>(path, std::move(options));
}

void MatchStreamedColumns(const std::string& path, const DataOptions& data_options,
                          const std::vector<std::string>& feature_names, int num_features,
                          io::RowStream<double>* rows) {
  if (SelectsColumnsByName(data_options, feature_names, rows->column_names())) {
    // Each feature is a header name exactly once, and names win over
    // indices.
    ColumnsByName(path, feature_names, rows->column_names());
    io::RowStreamOptions options = rows->options();
    options.columns = feature_names;
    *rows = io::RowStream<double>(path, std::move(options));
  }
  CheckModelColumns(path, rows->num_columns(), num_features);
}

std::optional<io::RowStream<double>> StreamForModel(const StreamFlags& flags,
                                                    const std::string& path,
                                                    const DataOptions& data_options,
                                                    const std::vector<std::string>& feature_names,
                                                    int num_features) {
  const StreamChoice choice = ChooseStreaming(flags, path, data_options, /*float32=*/false);
  if (!choice.stream) return std::nullopt;
  io::RowStream<double> rows = OpenDataStream(path, data_options, choice.read_bytes);
  MatchStreamedColumns(path, data_options, feature_names, num_features, &rows);
  return rows;
}

void ForEachBlockInOrder(const io::RowStream<double>& rows,
                         const std::function<void(const RowBlock<double>&)>& visit) {
  // One thread: the blocks are visited in order on this one.
  ThreadPool pool(1);
  PrefetchingExecutor executor(pool);
  internal::NoStatistics none;
  executor.Reduce(rows, internal::NoStatistics{}, &none,
                  [&](std::int64_t, const RowBlock<double>& block, internal::NoStatistics*) {
                    visit(block);
                    return 0.0;
                  });
}

void ForEachSequenceBlockInOrder(const SequenceStream<double>& sequences,
                                 const std::function<void(const SequenceBlock<double>&)>& visit) {
  ThreadPool pool(1);
  PrefetchingExecutor executor(pool);
  internal::NoStatistics none;
  executor.Reduce(sequences, internal::NoStatistics{}, &none,
                  [&](std::int64_t, const SequenceBlock<double>& block, internal::NoStatistics*) {
                    visit(block);
                    return 0.0;
                  });
}

// One pass over streamed rows, in order: the fingerprint a checkpoint
// records and, for a float32 fit, the first value outside float32's range
// (the message ToFloat32 gives for the rows in memory).
void ScanStreamedRows(const io::RowStream<double>& rows, bool float32, const std::string& path,
                      io::DataFingerprint* fingerprint, std::optional<std::string>* float32_error) {
  io::DataFingerprinter fingerprinter(rows.num_rows(), rows.num_columns());
  ForEachBlockInOrder(rows, [&](const RowBlock<double>& block) {
                    fingerprinter.Add(block.rows);
                    if (float32 && !*float32_error) {
                      for (Eigen::Index i = 0; i < block.rows.rows() && !*float32_error; ++i) {
                        for (Eigen::Index j = 0; j < block.rows.cols(); ++j) {
                          if (OutsideFloat32(block.rows(i, j))) {
                            *float32_error = OutsideFloat32Message(
                                path, block.first_row + i, j, block.rows(i, j));
                            break;
                          }
                        }
                      }
                    }
                  });
  *fingerprint = fingerprinter.Finish();
}

}  // namespace emkit::cli
