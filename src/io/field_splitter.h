// Splitting one record of delimited text into fields, RFC 4180 style.
#ifndef EMKIT_SRC_IO_FIELD_SPLITTER_H_
#define EMKIT_SRC_IO_FIELD_SPLITTER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace emkit::io::internal {

// The delimiter value that means "runs of spaces and tabs".
inline constexpr char kWhitespaceDelimiter = ' ';

// Walks the fields of one record (a line, or several lines when a quoted
// field spans line breaks) without storing them, so that a record with
// millions of fields costs no more than its text.
//
// With a character delimiter, "a,,b" has three fields and "a," two (the last
// one empty). With kWhitespaceDelimiter, leading and trailing whitespace is
// ignored and runs of whitespace separate fields, so no field is empty unless
// quoted ("").
class FieldSplitter {
 public:
  enum class Status {
    kField,             // *text holds the next field.
    kEnd,               // No more fields.
    kStrayQuote,        // A '"' inside an unquoted field.
    kTextAfterQuote,    // Something other than a delimiter after a closing
                        // quote.
    kUnterminatedQuote  // The record ends inside a quoted field: the caller
                        // may append the next line and split again.
  };

  FieldSplitter(std::string_view record, char delimiter);

  // Advances to the next field. Unquoted fields come without surrounding
  // spaces and tabs; quoted fields come as the text between the quotes, with
  // "" turned into ", and nothing trimmed. `text` stays valid until the next
  // call or until the record changes.
  Status Next(std::string_view* text, bool* quoted);

  // The 1-based number of the field that the last call returned or failed
  // on.
  std::int64_t field_number() const { return field_number_; }

 private:
  bool IsSpace(char c) const {
    return c == ' ' || (c == '\t' && delimiter_ != '\t');
  }
  bool IsSeparator(char c) const {
    return delimiter_ == kWhitespaceDelimiter ? (c == ' ' || c == '\t')
                                              : c == delimiter_;
  }
  void SkipSpaces();
  Status NextQuoted(std::string_view* text);
  Status NextUnquoted(std::string_view* text);

  std::string_view record_;
  char delimiter_;
  std::size_t pos_ = 0;
  bool done_ = false;
  std::int64_t field_number_ = 0;
  std::string unescaped_;  // Storage for quoted fields that contain "".
};

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_FIELD_SPLITTER_H_
