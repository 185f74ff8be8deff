#include "message_text.h"

#include <cstdint>

#include <fmt/format.h>

namespace emkit::io::internal {
namespace {

// The length of the well-formed UTF-8 sequence that starts at text[pos], or 0
// when the bytes there are not one.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t code_point = 0;
  std::uint32_t smallest = 0;  // Anything below is an overlong form.
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
    smallest = 0x10000;
  } else {
    return 0;
  }
  if (text.size() - pos < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[pos + i]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < smallest || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

}  // namespace

std::string QuoteForMessage(std::string_view text) {
  std::string quoted = "\"";
  std::size_t shown = 0;
  std::size_t pos = 0;
  while (pos < text.size() && shown < kMaxQuotedChars) {
    const char c = text[pos];
    const auto byte = static_cast<unsigned char>(c);
    std::size_t consumed = 1;
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (byte >= 0x20 && byte < 0x7F) {
      quoted += c;
    } else if (byte >= 0x80 && Utf8SequenceLength(text, pos) > 0) {
      consumed = Utf8SequenceLength(text, pos);
      quoted.append(text.substr(pos, consumed));
    } else {
      quoted += fmt::format("\\x{:02x}", byte);
    }
    pos += consumed;
    ++shown;
  }
  if (pos < text.size()) quoted += "...";
  quoted += '"';
  return quoted;
}

bool IsValidUtf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t length = Utf8SequenceLength(text, pos);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

bool EndsWithIgnoringCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(tail[i]) != lower(suffix[i])) return false;
  }
  return true;
}

}  // namespace emkit::io::internal
