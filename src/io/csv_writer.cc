#include "emkit/io/csv_writer.h"

#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit::io {
namespace {

// Output is formatted into a memory buffer and handed to the stream in
// blocks of about this size: one stream call per number would dominate.
constexpr std::size_t kFlushBytes = 1 << 16;

void AppendField(fmt::memory_buffer& buffer, std::string_view field) {
  const bool needs_quotes =
      field.empty() || field.find_first_of(",\"\n\r") != std::string_view::npos ||
      field.front() == ' ' || field.front() == '\t' || field.back() == ' ' ||
      field.back() == '\t' ||
      // Unquoted at the start of a file, U+FEFF reads back as a byte order
      // mark.
      field.starts_with("\xEF\xBB\xBF");
  if (!needs_quotes) {
    buffer.append(field);
    return;
  }
  buffer.push_back('"');
  for (const char c : field) {
    if (c == '"') buffer.push_back('"');
    buffer.push_back(c);
  }
  buffer.push_back('"');
}

void Flush(std::ostream& out, fmt::memory_buffer& buffer) {
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  buffer.clear();
}

}  // namespace

void WriteCsv(std::ostream& out, const Eigen::Ref<const RowMatrix>& values,
              const std::vector<std::string>& header) {
  if (!header.empty() &&
      static_cast<Eigen::Index>(header.size()) != values.cols()) {
    throw InvalidOptionError(fmt::format(
        "header has {} names but the table has {} columns", header.size(),
        values.cols()));
  }
  fmt::memory_buffer buffer;
  if (!header.empty()) {
    for (std::size_t j = 0; j < header.size(); ++j) {
      if (j > 0) buffer.push_back(',');
      AppendField(buffer, header[j]);
    }
    buffer.push_back('\n');
  }
  for (Eigen::Index i = 0; i < values.rows(); ++i) {
    for (Eigen::Index j = 0; j < values.cols(); ++j) {
      if (j > 0) buffer.push_back(',');
      // fmt's "{}" prints the shortest representation that round-trips.
      fmt::format_to(std::back_inserter(buffer), "{}", values(i, j));
    }
    buffer.push_back('\n');
    if (buffer.size() >= kFlushBytes) Flush(out, buffer);
  }
  Flush(out, buffer);
}

void WriteCsv(std::ostream& out, const std::vector<int>& labels,
              const std::string& header) {
  fmt::memory_buffer buffer;
  if (!header.empty()) {
    AppendField(buffer, header);
    buffer.push_back('\n');
  }
  for (const int label : labels) {
    fmt::format_to(std::back_inserter(buffer), "{}\n", label);
    if (buffer.size() >= kFlushBytes) Flush(out, buffer);
  }
  Flush(out, buffer);
}

}  // namespace emkit::io
