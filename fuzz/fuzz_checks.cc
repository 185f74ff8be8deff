#include "fuzz_checks.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace emkit::fuzz {

void Die(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n%.*s\n",
               static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size() > 4000 ? 4000 : detail.size()),
               detail.data());
  std::abort();
}

bool IsUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code = lead & 0x07;
    } else {
      return false;
    }
    if (text.size() - i < static_cast<std::size_t>(length)) return false;
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000) ||
        code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

void CheckMessage(std::string_view message, std::string_view display_name) {
  if (!message.starts_with(display_name) ||
      message.substr(display_name.size(), 1) != ":") {
    Die("the message does not start with the file's name", message);
  }
  if (message.size() > kMaxMessageBytes) {
    Die("the message is too long", message);
  }
  if (!IsUtf8(message) && !Allowed("non_utf8_message")) {
    Die("the message is not valid UTF-8", message);
  }
}

bool Allowed(std::string_view finding) {
  static const std::string allowed = [] {
    const char* text = std::getenv("EMKIT_FUZZ_ALLOW");
    return "," + std::string(text == nullptr ? "" : text) + ",";
  }();
  return allowed.find("," + std::string(finding) + ",") != std::string::npos;
}

void CheckTable(const io::Table& table, bool allow_non_finite) {
  if (table.values.rows() < 1 || table.values.cols() < 1) {
    Die("a table without rows or columns was returned", "");
  }
  if (!table.column_names.empty() &&
      static_cast<Eigen::Index>(table.column_names.size()) !=
          table.values.cols()) {
    Die("the number of column names differs from the number of columns", "");
  }
  if (!allow_non_finite && !table.values.allFinite()) {
    Die("a non-finite value passed although it was not allowed", "");
  }
}

}  // namespace emkit::fuzz
