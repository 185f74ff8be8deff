#include "npy_header.h"

#include <charconv>
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

}  // namespace emkit::io::internal
