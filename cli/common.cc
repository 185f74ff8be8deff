#include "common.h"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/io/atomic_file.h"

namespace emkit::cli {
namespace {

std::string DisplayName(const std::string& path) {
  return path == "-" ? "<stdin>" : path;
}

std::vector<std::string> SplitColumns(const std::string& text) {
  std::vector<std::string> columns;
  if (text.empty()) return columns;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    columns.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return columns;
}

std::string JoinQuoted(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i > 0 ? ", \"" : "\"") + names[i] + "\"";
  }
  return out;
}

// Picks the model's features from `table` by header name.
void SelectByName(const std::string& path, const std::vector<std::string>& feature_names,
                  io::Table* table) {
  const std::vector<std::size_t> found =
      ColumnsByName(path, feature_names, table->column_names);
  RowMatrix values(table->values.rows(), static_cast<Eigen::Index>(feature_names.size()));
  for (std::size_t f = 0; f < feature_names.size(); ++f) {
    values.col(static_cast<Eigen::Index>(f)) =
        table->values.col(static_cast<Eigen::Index>(found[f]));
  }
  table->values = std::move(values);
  table->column_names = feature_names;
}

}  // namespace

void AddDataOptions(CLI::App* command, DataOptions* options) {
  CLI::Option* header = command->add_flag(
      "--header", options->header, "The first line of DATA is a header");
  CLI::Option* no_header = command->add_flag(
      "--no-header", options->no_header,
      "Every line of DATA is data (default: a first line with a non-number is "
      "a header)");
  header->excludes(no_header);
  command->add_option("--delimiter", options->delimiter,
                      "Field separator of DATA: a character, \"tab\", \"\\t\", "
                      "\"comma\", \"semicolon\" or \"space\" (default: detected)");
  command->add_option("--columns", options->columns,
                      "Columns of DATA to use, by header name or 0-based index, "
                      "comma-separated (e.g. a,b or 0,2)");
}

char ParseDelimiter(const std::string& text) {
  if (text.empty()) return '\0';
  if (text == "tab" || text == "\\t" || text == "\t") return '\t';
  if (text == "comma") return ',';
  if (text == "semicolon") return ';';
  if (text == "space" || text == "whitespace") return ' ';
  if (text == "pipe") return '|';
  if (text.size() == 1) return text[0];
  throw InvalidOptionError(fmt::format(
      "--delimiter \"{}\" is not a single character, \"tab\", \"\\t\", "
      "\"comma\", \"semicolon\" or \"space\"", text));
}

io::TableReadOptions ToReadOptions(const DataOptions& options) {
  io::TableReadOptions read;
  if (options.header) read.header = io::HeaderMode::kPresent;
  if (options.no_header) read.header = io::HeaderMode::kAbsent;
  read.delimiter = ParseDelimiter(options.delimiter);
  read.columns = SplitColumns(options.columns);
  return read;
}

std::vector<std::size_t> ColumnsByName(const std::string& path,
                                       const std::vector<std::string>& feature_names,
                                       const std::vector<std::string>& names) {
  std::vector<std::size_t> columns;
  for (const std::string& feature : feature_names) {
    std::size_t found = names.size();
    for (std::size_t c = 0; c < names.size(); ++c) {
      if (names[c] != feature) continue;
      if (found != names.size()) {
        throw FileFormatError(fmt::format(
            "{}: column \"{}\" appears more than once in the header; pick one "
            "with --columns", DisplayName(path), feature));
      }
      found = c;
    }
    if (found == names.size()) {
      throw FileFormatError(fmt::format(
          "{}: no column \"{}\", a feature of the model (the model's features "
          "are {}; the file's columns are {}); rename the column or pick "
          "columns with --columns", DisplayName(path), feature,
          JoinQuoted(feature_names), JoinQuoted(names)));
    }
    columns.push_back(found);
  }
  return columns;
}

bool SelectsColumnsByName(const DataOptions& options,
                          const std::vector<std::string>& feature_names,
                          const std::vector<std::string>& names) {
  return options.columns.empty() && !feature_names.empty() && !names.empty() &&
         names != feature_names;
}

io::Table ReadDataForModel(const std::string& path, const DataOptions& options,
                           const std::vector<std::string>& feature_names,
                           int num_features) {
  io::Table table = io::ReadTable(path, ToReadOptions(options));
  MatchModelColumns(path, options, feature_names, num_features, &table);
  return table;
}

void MatchModelColumns(const std::string& path, const DataOptions& options,
                       const std::vector<std::string>& feature_names, int num_features,
                       io::Table* table_ptr) {
  io::Table& table = *table_ptr;
  if (SelectsColumnsByName(options, feature_names, table.column_names)) {
    SelectByName(path, feature_names, &table);
  }
  CheckModelColumns(path, table.values.cols(), num_features);
}

void CheckModelColumns(const std::string& path, Eigen::Index num_columns, int num_features) {
  if (num_columns != num_features) {
    throw InvalidDataError(fmt::format(
        "{}: the data has {} column{}, but the model has {} feature{}; pick "
        "columns with --columns", DisplayName(path), num_columns,
        num_columns == 1 ? "" : "s", num_features,
        num_features == 1 ? "" : "s"));
  }
}

std::string DisplayPath(const std::string& path) { return DisplayName(path); }

void CheckOutputPath(const std::string& path, const char* option) {
  if (path.empty() || path == "-") return;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InvalidOptionError(
        fmt::format("{} {}: is a directory, not a file name", option, path));
  }
  std::filesystem::path directory = std::filesystem::path(path).parent_path();
  if (directory.empty()) directory = ".";
  if (!std::filesystem::is_directory(directory, error)) {
    throw InvalidOptionError(fmt::format(
        "{} {}: the directory {} does not exist", option, path, directory.string()));
  }
}

void WriteOutput(const std::string& path,
                 const std::function<void(std::ostream&)>& write) {
  if (path.empty() || path == "-") {
    write(std::cout);
    std::cout.flush();
    if (!std::cout) throw CommandFailure("cannot write to standard output");
    return;
  }
  try {
    io::WriteFileAtomically(path, write);
  } catch (const FileAccessError& e) {
    // The output, not an input, failed: not a usage error.
    throw CommandFailure(e.what());
  }
}

void PrintError(const std::string& message) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fflush(stdout);
  std::fprintf(stderr, "emkit: error: %s\n", line.c_str());
}

int RunReportingErrors(const std::function<int()>& command) {
  try {
    return command();
  } catch (const CommandFailure& e) {
    PrintError(e.what());
    return kExitFailure;
  } catch (const InvalidOptionError& e) {
    PrintError(e.what());
  } catch (const InvalidDataError& e) {
    PrintError(e.what());
  } catch (const FileFormatError& e) {
    PrintError(e.what());
  } catch (const FileAccessError& e) {
    PrintError(e.what());
  } catch (const std::bad_alloc&) {
    PrintError("out of memory");
    return kExitFailure;
  } catch (const std::exception& e) {
    PrintError(e.what());
    return kExitFailure;
  } catch (...) {
    PrintError("unknown failure");
    return kExitFailure;
  }
  return kExitUsage;
}

}  // namespace emkit::cli
