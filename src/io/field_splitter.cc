#include "field_splitter.h"

#include <cstring>

namespace emkit::io::internal {

FieldSplitter::FieldSplitter(std::string_view record, char delimiter)
    : record_(record), delimiter_(delimiter) {}

void FieldSplitter::SkipSpaces() {
  while (pos_ < record_.size() && IsSpace(record_[pos_])) ++pos_;
}

FieldSplitter::Status FieldSplitter::Next(std::string_view* text,
                                          bool* quoted) {
  if (done_) return Status::kEnd;
  if (delimiter_ == kWhitespaceDelimiter) {
    while (pos_ < record_.size() && IsSeparator(record_[pos_])) ++pos_;
    if (pos_ == record_.size()) {
      done_ = true;
      return Status::kEnd;
    }
  } else {
    SkipSpaces();
  }
  ++field_number_;
  *quoted = pos_ < record_.size() && record_[pos_] == '"';
  return *quoted ? NextQuoted(text) : NextUnquoted(text);
}

FieldSplitter::Status FieldSplitter::NextQuoted(std::string_view* text) {
  const std::size_t content_begin = pos_ + 1;
  std::size_t scan = content_begin;
  bool has_escapes = false;
  std::size_t content_end = 0;
  for (;;) {
    const void* found = std::memchr(record_.data() + scan, '"',
                                    record_.size() - scan);
    if (found == nullptr) return Status::kUnterminatedQuote;
    const std::size_t quote = static_cast<const char*>(found) - record_.data();
    if (quote + 1 < record_.size() && record_[quote + 1] == '"') {
      has_escapes = true;
      scan = quote + 2;
      continue;
    }
    content_end = quote;
    break;
  }
  const std::string_view content =
      record_.substr(content_begin, content_end - content_begin);
  if (has_escapes) {
    unescaped_.clear();
    for (std::size_t i = 0; i < content.size(); ++i) {
      unescaped_ += content[i];
      if (content[i] == '"') ++i;  // Skip the second quote of "".
    }
    *text = unescaped_;
  } else {
    *text = content;
  }
  pos_ = content_end + 1;
  if (delimiter_ == kWhitespaceDelimiter) {
    if (pos_ == record_.size()) {
      done_ = true;
    } else if (!IsSeparator(record_[pos_])) {
      return Status::kTextAfterQuote;
    }
    return Status::kField;
  }
  SkipSpaces();
  if (pos_ == record_.size()) {
    done_ = true;
  } else if (record_[pos_] == delimiter_) {
    ++pos_;
  } else {
    return Status::kTextAfterQuote;
  }
  return Status::kField;
}

FieldSplitter::Status FieldSplitter::NextUnquoted(std::string_view* text) {
  const std::size_t begin = pos_;
  std::size_t end = record_.size();
  if (delimiter_ == kWhitespaceDelimiter) {
    end = begin;
    while (end < record_.size() && !IsSeparator(record_[end])) ++end;
  } else {
    const void* found = std::memchr(record_.data() + begin, delimiter_,
                                    record_.size() - begin);
    if (found != nullptr) end = static_cast<const char*>(found) - record_.data();
  }
  if (end == record_.size()) {
    done_ = true;
    pos_ = end;
  } else {
    pos_ = end + 1;
  }
  std::size_t trimmed_end = end;
  while (trimmed_end > begin && IsSpace(record_[trimmed_end - 1])) {
    --trimmed_end;
  }
  *text = record_.substr(begin, trimmed_end - begin);
  if (text->find('"') != std::string_view::npos) return Status::kStrayQuote;
  return Status::kField;
}

}  // namespace emkit::io::internal
