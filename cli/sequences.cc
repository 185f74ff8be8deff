#include "sequences.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <numeric>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"
#include "stream_options.h"

namespace emkit::cli {
namespace {

// The index of the sequence column `name` among `names`.
Eigen::Index SequenceColumnIndex(const std::string& path, const std::string& name,
                                 const std::vector<std::string>& names) {
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end()) {
    throw InvalidDataError(fmt::format(
        "{}: no column \"{}\" for --sequence-column (the data needs a header "
        "naming it)", DisplayPath(path), name));
  }
  return found - names.begin();
}

// The lengths file's lengths, which must add up to the rows of DATA.
std::vector<std::int64_t> LengthsFor(const std::string& lengths_path, const std::string& path,
                                     std::int64_t num_rows) {
  std::vector<std::int64_t> lengths = ReadLengths(lengths_path);
  const std::int64_t total = std::accumulate(lengths.begin(), lengths.end(), std::int64_t{0});
  if (total != num_rows) {
    throw InvalidDataError(fmt::format("{}: the sequence lengths add up to {} rows, but {} has {}",
                                       lengths_path, total, DisplayPath(path), num_rows));
  }
  return lengths;
}

// Runs of equal values in `column`, each one sequence; the column is then
// removed from the table.
std::vector<std::int64_t> TakeSequenceColumn(const std::string& path,
                                             const std::string& name, io::Table* table) {
  const Eigen::Index c = SequenceColumnIndex(path, name, table->column_names);
  const Eigen::Index n = table->values.rows();
  std::vector<std::int64_t> lengths;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (i == 0 || table->values(i, c) != table->values(i - 1, c)) {
      lengths.push_back(1);
    } else {
      ++lengths.back();
    }
  }
  RowMatrix rest(n, table->values.cols() - 1);
  rest << table->values.leftCols(c), table->values.rightCols(table->values.cols() - c - 1);
  table->values = std::move(rest);
  table->column_names.erase(table->column_names.begin() + c);
  return lengths;
}

}  // namespace

void AddSequenceOptions(CLI::App* command, SequenceOptions* options) {
  CLI::Option* lengths = command->add_option(
      "--lengths", options->lengths_path,
      "File with the length of each sequence, one per line (default: DATA is "
      "one sequence)");
  CLI::Option* column = command->add_option(
      "--sequence-column", options->sequence_column,
      "Column of DATA naming each row's sequence: consecutive equal values are "
      "one sequence");
  lengths->excludes(column);
}

std::vector<std::int64_t> ReadLengths(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FileAccessError(path + ": cannot open: " + std::strerror(errno));
  std::vector<std::int64_t> lengths;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    std::size_t begin = line.find_first_not_of(' ');
    if (begin == std::string::npos) continue;
    std::int64_t value = 0;
    const char* first = line.data() + begin;
    const char* last = line.data() + line.size();
    const auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc() || end != last || value < 1) {
      throw FileFormatError(fmt::format(
          "{}:{}: \"{}\" is not a sequence length (a positive integer)", path, number,
          line.substr(begin, 40)));
    }
    lengths.push_back(value);
  }
  if (in.bad()) throw FileAccessError(path + ": read error");
  if (lengths.empty()) throw FileFormatError(path + ": no sequence lengths");
  return lengths;
}

SequenceData ReadSequences(const std::string& path, const DataOptions& data_options,
                           const SequenceOptions& sequence_options,
                           const std::vector<std::string>& feature_names,
                           int num_features) {
  SequenceData data;
  data.table = io::ReadTable(path, ToReadOptions(data_options));
  if (!sequence_options.sequence_column.empty()) {
    data.lengths =
        TakeSequenceColumn(path, sequence_options.sequence_column, &data.table);
  } else if (!sequence_options.lengths_path.empty()) {
    data.lengths = LengthsFor(sequence_options.lengths_path, path, data.table.values.rows());
  }
  if (num_features >= 0) {
    MatchModelColumns(path, data_options, feature_names, num_features, &data.table);
  }
  return data;
}

StreamedSequences StreamSequences(const std::string& path, const DataOptions& data_options,
                                  const SequenceOptions& sequence_options,
                                  std::int64_t read_bytes,
                                  const std::vector<std::string>& feature_names,
                                  int num_features) {
  StreamedSequences data{OpenDataStream(path, data_options, read_bytes), {}};
  if (!sequence_options.sequence_column.empty()) {
    std::vector<std::string> names = data.rows.column_names();
    const Eigen::Index c = SequenceColumnIndex(path, sequence_options.sequence_column, names);
    bool first = true;
    double previous = 0.0;
    ForEachBlockInOrder(data.rows, [&](const RowBlock<double>& block) {
      for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
        const double value = block.rows(i, c);
        if (first || value != previous) {
          data.lengths.push_back(1);
        } else {
          ++data.lengths.back();
        }
        first = false;
        previous = value;
      }
    });
    // The other columns, by name (a header has them all).
    names.erase(names.begin() + c);
    io::RowStreamOptions options = data.rows.options();
    options.columns = names;
    data.rows = io::RowStream<double>(path, std::move(options));
  } else if (!sequence_options.lengths_path.empty()) {
    data.lengths = LengthsFor(sequence_options.lengths_path, path, data.rows.num_rows());
  }
  if (num_features >= 0) {
    MatchStreamedColumns(path, data_options, feature_names, num_features, &data.rows);
  }
  return data;
}

}  // namespace emkit::cli
