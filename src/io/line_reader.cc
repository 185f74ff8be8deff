#include "line_reader.h"

#include <string_view>

#include "emkit/error.h"

namespace emkit::io::internal {
namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

}  // namespace

LineReader::LineReader(std::istream& in, const std::string& display_name,
                       std::int64_t lines_before)
    : in_(in), display_name_(display_name), line_number_(lines_before) {}

bool LineReader::ReadLine(std::string* line) {
  if (!std::getline(in_, *line)) {
    if (in_.bad()) {
      throw FileAccessError(display_name_ + ": read error after line " +
                            std::to_string(line_number_));
    }
    return false;
  }
  ++line_number_;
  last_line_ended_in_crlf_ = !line->empty() && line->back() == '\r';
  if (last_line_ended_in_crlf_) line->pop_back();
  if (line_number_ == 1) {
    if (std::string_view(*line).starts_with(kUtf8ByteOrderMark)) {
      line->erase(0, kUtf8ByteOrderMark.size());
    } else if (std::string_view(*line).starts_with("\xFF\xFE") ||
               std::string_view(*line).starts_with("\xFE\xFF")) {
      throw FileFormatError(display_name_ +
                            ": the file is UTF-16 text; save it as UTF-8");
    }
  }
  return true;
}

std::int64_t LineReader::NextNonBlank(std::string* line) {
  while (ReadLine(line)) {
    if (!IsBlank(*line)) return line_number_;
  }
  return 0;
}

bool LineReader::AppendNextLine(std::string* record) {
  const bool break_is_crlf = last_line_ended_in_crlf_;
  if (!ReadLine(&continuation_)) return false;
  *record += break_is_crlf ? "\r\n" : "\n";
  *record += continuation_;
  return true;
}

}  // namespace emkit::io::internal
