#include "npy_header.h"

#include <bit>
#include <charconv>
#include <limits>
#include <memory>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"
#include "message_text.h"

namespace emkit::io::internal {
namespace {

// The subset of Python literals that numpy writes into headers, plus lists
// and None so that headers of unsupported arrays (structured dtypes) parse
// far enough to be rejected with a precise message.
struct PyValue {
  enum class Kind { kString, kBool, kNone, kInt, kTuple, kList, kDict };
  Kind kind = Kind::kNone;
  std::string text;        // kString.
  bool boolean = false;    // kBool.
  std::int64_t integer = 0;  // kInt.
  std::vector<PyValue> items;      // kTuple, kList; kDict: the values.
  std::vector<std::string> keys;   // kDict.
};

// Nesting deeper than this is no numpy header; the limit keeps a crafted
// header from exhausting the stack.
constexpr int kMaxDepth = 16;

class PyLiteralParser {
 public:
  PyLiteralParser(std::string_view text, std::string_view display_name)
      : text_(text), display_name_(display_name) {}

  PyValue ParseDocument() {
    PyValue value = ParseValue(0);
    SkipSpaces();
    if (pos_ != text_.size()) Fail("unexpected text after the dict");
    return value;
  }

 private:
  [[noreturn]] void Fail(std::string_view what) const {
    throw FileFormatError(fmt::format(
        "{}: the .npy header is not a valid Python dict literal ({} at "
        "character {}): {}",
        display_name_, what, pos_ + 1, QuoteForMessage(text_)));
  }

  void SkipSpaces() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_).starts_with(word)) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  PyValue ParseValue(int depth) {
    if (depth > kMaxDepth) Fail("nested too deeply");
    SkipSpaces();
    if (pos_ == text_.size()) Fail("unexpected end");
    PyValue value;
    const char c = text_[pos_];
    if (c == '\'' || c == '"') {
      value.kind = PyValue::Kind::kString;
      value.text = ParseString();
    } else if (c == '{') {
      value.kind = PyValue::Kind::kDict;
      ++pos_;
      ParseItems('}', depth, &value, /*is_dict=*/true);
    } else if (c == '(') {
      value.kind = PyValue::Kind::kTuple;
      ++pos_;
      ParseItems(')', depth, &value, /*is_dict=*/false);
    } else if (c == '[') {
      value.kind = PyValue::Kind::kList;
      ++pos_;
      ParseItems(']', depth, &value, /*is_dict=*/false);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      value.kind = PyValue::Kind::kInt;
      value.integer = ParseInt();
    } else if (ConsumeWord("True")) {
      value.kind = PyValue::Kind::kBool;
      value.boolean = true;
    } else if (ConsumeWord("False")) {
      value.kind = PyValue::Kind::kBool;
    } else if (ConsumeWord("None")) {
      value.kind = PyValue::Kind::kNone;
    } else {
      Fail(fmt::format("unexpected {}", QuoteForMessage(text_.substr(pos_, 1))));
    }
    return value;
  }

  // Items separated by commas, with an optional trailing comma.
  void ParseItems(char close, int depth, PyValue* value, bool is_dict) {
    for (;;) {
      if (Consume(close)) return;
      if (is_dict) {
        SkipSpaces();
        if (pos_ == text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
          Fail("expected a string key");
        }
        value->keys.push_back(ParseString());
        if (!Consume(':')) Fail("expected ':'");
      }
      value->items.push_back(ParseValue(depth + 1));
      if (Consume(close)) return;
      if (!Consume(',')) Fail(fmt::format("expected ',' or '{}'", close));
    }
  }

  std::string ParseString() {
    const char quote = text_[pos_++];
    std::string result;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      result += text_[pos_++];
    }
    if (pos_ == text_.size()) Fail("unterminated string");
    ++pos_;
    return result;
  }

  std::int64_t ParseInt() {
    const char* first = text_.data() + pos_;
    const char* last = text_.data() + text_.size();
    std::int64_t result = 0;
    const std::from_chars_result parsed = std::from_chars(first, last, result);
    if (parsed.ec == std::errc::result_out_of_range) {
      Fail("an integer too large");
    }
    if (parsed.ec != std::errc()) Fail("expected a number");
    pos_ += parsed.ptr - first;
    // Headers written by Python 2 spell long integers as "3L".
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
    return result;
  }

  std::string_view text_;
  std::string_view display_name_;
  std::size_t pos_ = 0;
};

const PyValue& RequireKey(const PyValue& dict, std::string_view key,
                          std::string_view display_name) {
  for (std::size_t i = 0; i < dict.keys.size(); ++i) {
    if (dict.keys[i] == key) return dict.items[i];
  }
  throw FileFormatError(
      fmt::format("{}: the .npy header has no '{}' key", display_name, key));
}

}  // namespace

NpyHeader ParseNpyHeader(std::string_view text, std::string_view display_name) {
  // numpy pads the header with spaces and ends it with a newline.
  const std::size_t end = text.find_last_not_of(" \t\r\n");
  text = text.substr(0, end == std::string_view::npos ? 0 : end + 1);
  const PyValue dict = PyLiteralParser(text, display_name).ParseDocument();
  if (dict.kind != PyValue::Kind::kDict) {
    throw FileFormatError(fmt::format(
        "{}: the .npy header is not a Python dict: {}", display_name,
        QuoteForMessage(text)));
  }
  NpyHeader header;

  const PyValue& descr = RequireKey(dict, "descr", display_name);
  if (descr.kind == PyValue::Kind::kList) {
    throw FileFormatError(fmt::format(
        "{}: structured dtypes (records with named fields) are not supported; "
        "save a plain 2-D float array",
        display_name));
  }
  if (descr.kind != PyValue::Kind::kString) {
    throw FileFormatError(fmt::format(
        "{}: the .npy header's 'descr' is not a string", display_name));
  }
  header.descr = descr.text;

  const PyValue& fortran_order = RequireKey(dict, "fortran_order", display_name);
  if (fortran_order.kind != PyValue::Kind::kBool) {
    throw FileFormatError(fmt::format(
        "{}: the .npy header's 'fortran_order' is not True or False",
        display_name));
  }
  header.fortran_order = fortran_order.boolean;

  const PyValue& shape = RequireKey(dict, "shape", display_name);
  if (shape.kind != PyValue::Kind::kTuple) {
    throw FileFormatError(fmt::format(
        "{}: the .npy header's 'shape' is not a tuple", display_name));
  }
  for (const PyValue& dimension : shape.items) {
    if (dimension.kind != PyValue::Kind::kInt || dimension.integer < 0) {
      throw FileFormatError(fmt::format(
          "{}: the .npy header's 'shape' holds something other than "
          "non-negative integers: {}",
          display_name, QuoteForMessage(text)));
    }
    header.shape.push_back(dimension.integer);
  }
  return header;
}

std::string ShapeToString(const std::vector<std::int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw FileFormatError(path + ": " + what);
}

std::uint64_t DecodeLittleEndian(const unsigned char* bytes, int size) {
  std::uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

}  // namespace

const char* const kNpyEndedEarly = "the file ended early (was it changed while being read?)";

NpyDType ParseNpyDType(const std::string& path, const std::string& descr) {
  const auto unsupported = [&]() {
    Fail(path, fmt::format(
                   "dtype {} is not supported (supported: float64, float32 "
                   "and integer dtypes, either byte order)",
                   QuoteForMessage(descr)));
  };
  if (descr.size() < 3) unsupported();
  const char order = descr[0];
  NpyDType dtype;
  dtype.kind = descr[1];
  const std::string_view size_text = std::string_view(descr).substr(2);
  if (size_text == "1") {
    dtype.size = 1;
  } else if (size_text == "2") {
    dtype.size = 2;
  } else if (size_text == "4") {
    dtype.size = 4;
  } else if (size_text == "8") {
    dtype.size = 8;
  } else {
    unsupported();
  }
  const bool is_float = dtype.kind == 'f' && (dtype.size == 4 || dtype.size == 8);
  const bool is_integer = dtype.kind == 'i' || dtype.kind == 'u';
  if (!is_float && !is_integer) unsupported();
  if (order == '<') {
    dtype.swap = std::endian::native == std::endian::big;
  } else if (order == '>') {
    dtype.swap = std::endian::native == std::endian::little;
  } else if (order == '=' || (order == '|' && dtype.size == 1)) {
    dtype.swap = false;
  } else {
    unsupported();
  }
  if (dtype.size == 1) dtype.swap = false;
  return dtype;
}

const char* NpyDTypeName(const NpyDType& dtype) {
  if (dtype.kind == 'f') return dtype.size == 8 ? "float64" : "float32";
  static constexpr std::array<const char*, 4> kSigned = {"int8", "int16",
                                                         "int32", "int64"};
  static constexpr std::array<const char*, 4> kUnsigned = {
      "uint8", "uint16", "uint32", "uint64"};
  const int index = std::countr_zero(static_cast<unsigned>(dtype.size));
  return dtype.kind == 'i' ? kSigned[index] : kUnsigned[index];
}

NpyLayout ReadNpyLayout(const std::string& path, std::uint64_t file_size,
                        const NpyReadAt& read_at) {
  // Magic string, major and minor version, then the header length: 2 bytes
  // in version 1, 4 bytes in versions 2 and 3.
  std::array<unsigned char, 12> prefix{};
  const std::size_t prefix_read =
      static_cast<std::size_t>(std::min<std::uint64_t>(file_size, prefix.size()));
  read_at(0, reinterpret_cast<char*>(prefix.data()), prefix_read);
  const std::string_view start(reinterpret_cast<const char*>(prefix.data()),
                               std::min(prefix_read, kMagic.size()));
  if (start != kMagic.substr(0, start.size()) || prefix_read == 0) {
    Fail(path, "not a .npy file (it does not start with \"\\x93NUMPY\")");
  }
  if (prefix_read < kMagic.size() + 2) {
    Fail(path, "truncated .npy file: it ends inside the magic string or "
               "version");
  }
  const int major = prefix[6];
  const int minor = prefix[7];
  if (major < 1 || major > 3) {
    Fail(path, fmt::format(".npy format version {}.{} is not supported "
                           "(supported: 1.0, 2.0, 3.0)",
                           major, minor));
  }
  const int length_bytes = major == 1 ? 2 : 4;
  const std::size_t header_start = kMagic.size() + 2 + length_bytes;
  if (prefix_read < header_start) {
    Fail(path, "truncated .npy file: it ends inside the header length");
  }
  const std::uint64_t header_length = DecodeLittleEndian(prefix.data() + 8, length_bytes);
  const std::uint64_t data_start = header_start + header_length;
  if (data_start > file_size) {
    Fail(path, fmt::format("truncated .npy header: it should be {} bytes "
                           "long but the file ends after {}",
                           header_length, file_size - header_start));
  }
  std::string header_text(header_length, '\0');
  read_at(header_start, header_text.data(), header_text.size());
  NpyLayout layout;
  layout.header = ParseNpyHeader(header_text, path);
  const NpyHeader& header = layout.header;

  if (header.shape.size() != 2) {
    Fail(path, fmt::format("expected a 2-D array, found shape {}", ShapeToString(header.shape)));
  }
  layout.dtype = ParseNpyDType(path, header.descr);
  layout.rows = header.shape[0];
  layout.cols = header.shape[1];
  layout.data_start = data_start;

  // Compare the declared size with the file before allocating anything, so a
  // corrupt or hostile header cannot make us reserve terabytes.
  std::uint64_t elements = 0;
  std::uint64_t data_bytes = 0;
  if (__builtin_mul_overflow(static_cast<std::uint64_t>(layout.rows),
                             static_cast<std::uint64_t>(layout.cols), &elements) ||
      __builtin_mul_overflow(elements, static_cast<std::uint64_t>(layout.dtype.size),
                             &data_bytes) ||
      elements > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    Fail(path, fmt::format("the shape {} is too large", ShapeToString(header.shape)));
  }
  const std::uint64_t bytes_in_file = file_size - data_start;
  if (data_bytes != bytes_in_file) {
    Fail(path, fmt::format("the header declares shape {} of {}, which is {} "
                           "bytes of data, but the file has {} bytes after "
                           "the header",
                           ShapeToString(header.shape), NpyDTypeName(layout.dtype), data_bytes,
                           bytes_in_file));
  }
  if (layout.rows == 0 || layout.cols == 0) {
    Fail(path, fmt::format("the array is empty (shape {})", ShapeToString(header.shape)));
  }
  return layout;
}

std::string NonFiniteElementMessage(std::int64_t row, std::int64_t col, double value) {
  return fmt::format("X[{}, {}] = {} is not finite (missing values are not supported)", row,
                     col, value);
}

std::string InexactElementMessage(std::int64_t row, std::int64_t col, const std::string& raw,
                                  const NpyDType& dtype) {
  return fmt::format("X[{}, {}] = {} ({}) cannot be converted to double exactly", row, col, raw,
                     NpyDTypeName(dtype));
}

}  // namespace emkit::io::internal
