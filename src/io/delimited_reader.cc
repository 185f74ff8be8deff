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
#include "delimited_parser.h"
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

}  // namespace

namespace internal {

DelimitedParser::DelimitedParser(std::istream& in, const std::string& display_name,
                                 const TableReadOptions& options, std::int64_t lines_before)
    : lines_(in, display_name, lines_before), name_(display_name), options_(options) {}

void DelimitedParser::Fail(std::int64_t field, const std::string& what) const {
  throw FileFormatError(fmt::format("{}:{}:{}: {}", name_, record_line_, field, what));
}

void DelimitedParser::FailLine(const std::string& what) const {
  throw FileFormatError(fmt::format("{}:{}: {}", name_, record_line_, what));
}

template <typename Visit, typename Restart>
void DelimitedParser::ForEachField(Visit&& visit, Restart&& restart) {
  for (;;) {
    FieldSplitter splitter(record_, layout_.delimiter);
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

bool DelimitedParser::RecordLooksLikeHeader() {
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

std::vector<std::string> DelimitedParser::ReadHeader() {
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

std::int64_t DelimitedParser::CountFields() {
  std::int64_t count = 0;
  ForEachField([&](std::string_view, bool, std::int64_t) { ++count; },
               [&] { count = 0; });
  return count;
}

std::optional<double> DelimitedParser::ParseCell(std::string_view text,
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

void DelimitedParser::ParseRecord(double* row) {
  std::int64_t found = 0;
  std::optional<CellProblem> first_problem;
  std::string problem;
  ForEachField(
      [&](std::string_view text, bool quoted, std::int64_t field) {
        const std::int64_t column = found++;
        if (column >= layout_.num_fields || first_problem) return;
        if (layout_.select_all) {
          if (const auto value = ParseCell(text, quoted, &problem)) {
            row[column] = *value;
          } else {
            first_problem = CellProblem{field, problem};
          }
          return;
        }
        const Eigen::Index begin = layout_.slots.first_slot[column];
        const Eigen::Index end = layout_.slots.first_slot[column + 1];
        if (begin == end) return;  // Not selected, so not parsed.
        if (const auto value = ParseCell(text, quoted, &problem)) {
          for (Eigen::Index s = begin; s < end; ++s) {
            row[layout_.slots.slots[s]] = *value;
          }
        } else {
          first_problem = CellProblem{field, problem};
        }
      },
      [&] {
        found = 0;
        first_problem.reset();
      });
  if (found != layout_.num_fields) {
    FailLine(fmt::format("expected {} field{}, found {}", layout_.num_fields,
                         layout_.num_fields == 1 ? "" : "s", found));
  }
  if (first_problem) Fail(first_problem->field, first_problem->what);
}

const DelimitedLayout& DelimitedParser::ReadLayout() {
  if (options_.delimiter == '"' || options_.delimiter == '\n' ||
      options_.delimiter == '\r') {
    throw InvalidOptionError(
        "delimiter must not be a quote or a line break character");
  }
  record_line_ = lines_.NextNonBlank(&record_);
  if (record_line_ == 0) throw FileFormatError(name_ + ": the file is empty");
  layout_.delimiter = options_.delimiter != '\0' ? options_.delimiter
                                                  : DetectDelimiter(record_, name_);

  bool has_header = options_.header == HeaderMode::kPresent;
  if (options_.header == HeaderMode::kAuto) has_header = RecordLooksLikeHeader();

  std::vector<std::string> names;
  if (has_header) {
    names = ReadHeader();
    layout_.num_fields = static_cast<std::int64_t>(names.size());
    record_line_ = lines_.NextNonBlank(&record_);
    if (record_line_ == 0) {
      throw FileFormatError(name_ + ": no data rows after the header");
    }
  } else {
    layout_.num_fields = CountFields();
  }
  record_pending_ = true;

  layout_.num_columns = layout_.num_fields;
  layout_.select_all = options_.columns.empty();
  if (layout_.select_all) {
    layout_.column_names = std::move(names);
  } else {
    const std::vector<Eigen::Index> selected = internal::ResolveColumns(
        options_.columns, names, layout_.num_fields, name_, "the file has no header");
    layout_.slots = internal::MakeColumnSlots(selected, layout_.num_fields);
    layout_.num_columns = static_cast<std::int64_t>(selected.size());
    if (!names.empty()) {
      for (const Eigen::Index column : selected) {
        layout_.column_names.push_back(names[column]);
      }
    }
  }
  return layout_;
}

bool DelimitedParser::NextRow(double* row) {
  if (record_pending_) {
    record_pending_ = false;
  } else if ((record_line_ = lines_.NextNonBlank(&record_)) == 0) {
    return false;
  }
  ParseRecord(row);
  return true;
}

}  // namespace internal

Table ReadDelimited(std::istream& in, const std::string& display_name,
                    const TableReadOptions& options) {
  internal::DelimitedParser parser(in, display_name, options);
  const internal::DelimitedLayout& layout = parser.ReadLayout();
  const Eigen::Index num_out = layout.num_columns;
  Table table;
  table.column_names = layout.column_names;
  RowMatrix& values = table.values;
  values.resize(std::max<Eigen::Index>(1, kInitialValues / num_out), num_out);
  Eigen::Index rows = 0;
  // A row that finds the matrix full waits here, so that the matrix grows
  // only for a row that exists.
  std::vector<double> next(static_cast<std::size_t>(num_out));
  for (;;) {
    if (rows < values.rows()) {
      if (!parser.NextRow(values.data() + rows * num_out)) break;
    } else {
      if (!parser.NextRow(next.data())) break;
      values.conservativeResize(2 * rows, Eigen::NoChange);
      std::copy(next.begin(), next.end(), values.data() + rows * num_out);
    }
    ++rows;
  }
  values.conservativeResize(rows, Eigen::NoChange);
  return table;
}

}  // namespace emkit::io
