// ReadDelimited: numeric tables from CSV, TSV and whitespace-separated text.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "column_selection.h"
#include "emkit/error.h"
#include "emkit/io/table.h"
#include "field_splitter.h"
#include "line_reader.h"
#include "message_text.h"
#include "number_text.h"

namespace emkit::io {
namespace {

using internal::FieldSplitter;
using Status = internal::FieldSplitter::Status;

// Rows are appended into the result matrix itself, which grows by doubling:
// a row-major matrix that keeps its column count grows with realloc, so the
// data are never held twice. The first allocation holds about this many
// values.
constexpr Eigen::Index kInitialValues = 1 << 16;

char DetectDelimiter(std::string_view first_line,
                     const std::string& display_name) {
  if (internal::EndsWithIgnoringCase(display_name, ".tsv")) return '\t';
  constexpr std::array<char, 3> kCandidates = {',', '\t', ';'};
  std::array<std::int64_t, 3> counts = {0, 0, 0};
  bool in_quotes = false;
  for (const char c : first_line) {
    if (c == '"') in_quotes = !in_quotes;
    if (in_quotes) continue;
    for (std::size_t i = 0; i < kCandidates.size(); ++i) {
      if (c == kCandidates[i]) ++counts[i];
    }
  }
  const auto most = std::max_element(counts.begin(), counts.end());
  if (*most > 0) return kCandidates[most - counts.begin()];
  const std::size_t first = first_line.find_first_not_of(" \t");
  const std::size_t last = first_line.find_last_not_of(" \t");
  if (first_line.substr(first, last - first + 1).find_first_of(" \t") !=
      std::string_view::npos) {
    return internal::kWhitespaceDelimiter;
  }
  return ',';
}

std::string_view TrimSpaces(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// A cell that could not be used, remembered so that a wrong field count,
// the likelier root cause, is reported first.
struct CellProblem {
  std::int64_t field = 0;
  std::string what;
};

class DelimitedReader {
 public:
  DelimitedReader(std::istream& in, const std::string& display_name,
                  const TableReadOptions& options)
      : lines_(in, display_name), name_(display_name), options_(options) {}

  Table Read();

 private:
  [[noreturn]] void Fail(std::int64_t field, const std::string& what) const {
    throw FileFormatError(
        fmt::format("{}:{}:{}: {}", name_, record_line_, field, what));
  }
  [[noreturn]] void FailLine(const std::string& what) const {
    throw FileFormatError(fmt::format("{}:{}: {}", name_, record_line_, what));
  }

  // Calls `visit(text, quoted, field_number)` for each field of the current
  // record, continuing the record over further lines while it ends inside a
  // quoted field; `restart()` is called before the record is walked again.
  // Throws for malformed quoting.
  template <typename Visit, typename Restart>
  void ForEachField(Visit&& visit, Restart&& restart);

  bool RecordLooksLikeHeader();
  std::vector<std::string> ReadHeader();
  std::int64_t CountFields();
  // Checks a cell and returns its value, or describes what is wrong with it.
  std::optional<double> ParseCell(std::string_view text, bool quoted,
                                  std::string* problem) const;
  void ReadRow(double* row);

  internal::LineReader lines_;
  const std::string& name_;
  const TableReadOptions& options_;
  char delimiter_ = ',';
  std::string record_;
  std::int64_t record_line_ = 0;
  std::int64_t num_fields_ = 0;
  bool select_all_ = true;
  internal::ColumnSlots slots_;
};

template <typename Visit, typename Restart>
void DelimitedReader::ForEachField(Visit&& visit, Restart&& restart) {
  for (;;) {
    FieldSplitter splitter(record_, delimiter_);
    std::string_view text;
    bool quoted = false;
    Status status;
    while ((status = splitter.Next(&text, &quoted)) == Status::kField) {
      visit(text, quoted, splitter.field_number());
    }
    switch (status) {
      case Status::kField:
      case Status::kEnd:
        return;
      case Status::kStrayQuote:
        Fail(splitter.field_number(),
             fmt::format("unexpected '\"' in the unquoted field {} (quote the "
                         "whole field and write a quote inside it as \"\")",
                         internal::QuoteForMessage(text)));
      case Status::kTextAfterQuote:
        Fail(splitter.field_number(),
             "unexpected text after the closing quote of a quoted field");
      case Status::kUnterminatedQuote:
        if (!lines_.AppendNextLine(&record_)) {
          Fail(splitter.field_number(),
               "a quoted field is not closed before the end of the file");
        }
        restart();
        break;
    }
  }
}

bool DelimitedReader::RecordLooksLikeHeader() {
  bool is_header = false;
  ForEachField(
      [&](std::string_view text, bool quoted, std::int64_t) {
        if (is_header) return;
        if (quoted) text = TrimSpaces(text);
        double value;
        // An empty cell is a missing value in a data row, not a name.
        if (!text.empty() && !internal::ParseDouble(text, &value)) {
          is_header = true;
        }
      },
      [&] { is_header = false; });
  return is_header;
}

std::vector<std::string> DelimitedReader::ReadHeader() {
  std::vector<std::string> names;
  ForEachField(
      [&](std::string_view text, bool, std::int64_t field) {
        if (text.find('\0') != std::string_view::npos) {
          Fail(field, fmt::format("the header field {} contains a NUL byte "
                                  "(is this a binary file?)",
                                  internal::QuoteForMessage(text)));
        }
        if (!internal::IsValidUtf8(text)) {
          Fail(field, fmt::format("the header field {} is not valid UTF-8 "
                                  "text",
                                  internal::QuoteForMessage(text)));
        }
        names.emplace_back(text);
      },
      [&] { names.clear(); });
  return names;
}

std::int64_t DelimitedReader::CountFields() {
  std::int64_t count = 0;
  ForEachField([&](std::string_view, bool, std::int64_t) { ++count; },
               [&] { count = 0; });
  return count;
}

std::optional<double> DelimitedReader::ParseCell(std::string_view text,
                                                 bool quoted,
                                                 std::string* problem) const {
  if (quoted) text = TrimSpaces(text);
  if (text.empty()) {
    *problem = "empty field (missing values are not supported)";
    return std::nullopt;
  }
  double value;
  if (!internal::ParseDouble(text, &value)) {
    *problem = fmt::format("cannot parse {} as a number",
                           internal::QuoteForMessage(text));
    if (text.find('\0') != std::string_view::npos) {
      *problem += " (it contains a NUL byte; is this a binary file?)";
    } else if (!internal::IsValidUtf8(text)) {
      *problem += " (it is not valid UTF-8 text)";
    }
    return std::nullopt;
  }
  if (!std::isfinite(value) && !options_.allow_non_finite) {
    if (internal::SpellsNonFinite(text)) {
      *problem = fmt::format(
          "{} is not a finite number (missing values are not supported)",
          internal::QuoteForMessage(text));
    } else {
      *problem = fmt::format("{} is too large for a double",
                             internal::QuoteForMessage(text));
    }
    return std::nullopt;
  }
  return value;
}

void DelimitedReader::ReadRow(double* row) {
  std::int64_t found = 0;
  std::optional<CellProblem> first_problem;
  std::string problem;
  ForEachField(
      [&](std::string_view text, bool quoted, std::int64_t field) {
        const std::int64_t column = found++;
        if (column >= num_fields_ || first_problem) return;
        if (select_all_) {
          if (const auto value = ParseCell(text, quoted, &problem)) {
            row[column] = *value;
          } else {
            first_problem = CellProblem{field, problem};
          }
          return;
        }
        const Eigen::Index begin = slots_.first_slot[column];
        const Eigen::Index end = slots_.first_slot[column + 1];
        if (begin == end) return;  // Not selected, so not parsed.
        if (const auto value = ParseCell(text, quoted, &problem)) {
          for (Eigen::Index s = begin; s < end; ++s) {
            row[slots_.slots[s]] = *value;
          }
        } else {
          first_problem = CellProblem{field, problem};
        }
      },
      [&] {
        found = 0;
        first_problem.reset();
      });
  if (found != num_fields_) {
    FailLine(fmt::format("expected {} field{}, found {}", num_fields_,
                         num_fields_ == 1 ? "" : "s", found));
  }
  if (first_problem) Fail(first_problem->field, first_problem->what);
}

Table DelimitedReader::Read() {
  if (options_.delimiter == '"' || options_.delimiter == '\n' ||
      options_.delimiter == '\r') {
    throw InvalidOptionError(
        "delimiter must not be a quote or a line break character");
  }
  record_line_ = lines_.NextNonBlank(&record_);
  if (record_line_ == 0) throw FileFormatError(name_ + ": the file is empty");
  delimiter_ = options_.delimiter != '\0' ? options_.delimiter
                                          : DetectDelimiter(record_, name_);

  bool has_header = options_.header == HeaderMode::kPresent;
  if (options_.header == HeaderMode::kAuto) has_header = RecordLooksLikeHeader();

  Table table;
  std::vector<std::string> names;
  if (has_header) {
    names = ReadHeader();
    num_fields_ = static_cast<std::int64_t>(names.size());
    record_line_ = lines_.NextNonBlank(&record_);
    if (record_line_ == 0) {
      throw FileFormatError(name_ + ": no data rows after the header");
    }
  } else {
    num_fields_ = CountFields();
  }

  Eigen::Index num_out = num_fields_;
  select_all_ = options_.columns.empty();
  if (select_all_) {
    table.column_names = std::move(names);
  } else {
    const std::vector<Eigen::Index> selected = internal::ResolveColumns(
        options_.columns, names, num_fields_, name_, "the file has no header");
    slots_ = internal::MakeColumnSlots(selected, num_fields_);
    num_out = static_cast<Eigen::Index>(selected.size());
    if (!names.empty()) {
      for (const Eigen::Index column : selected) {
        table.column_names.push_back(names[column]);
      }
    }
  }

  RowMatrix& values = table.values;
  values.resize(std::max<Eigen::Index>(1, kInitialValues / num_out), num_out);
  Eigen::Index rows = 0;
  do {
    if (rows == values.rows()) {
      values.conservativeResize(2 * rows, Eigen::NoChange);
    }
    ReadRow(values.data() + rows * num_out);
    ++rows;
  } while ((record_line_ = lines_.NextNonBlank(&record_)) != 0);
  values.conservativeResize(rows, Eigen::NoChange);
  return table;
}

}  // namespace

Table ReadDelimited(std::istream& in, const std::string& display_name,
                    const TableReadOptions& options) {
  return DelimitedReader(in, display_name, options).Read();
}

}  // namespace emkit::io
