// Reading delimited text line by line with real line numbers.
#ifndef EMKIT_SRC_IO_LINE_READER_H_
#define EMKIT_SRC_IO_LINE_READER_H_

#include <cstdint>
#include <istream>
#include <string>

namespace emkit::io::internal {

// Yields the lines of a text stream without their line ends (LF or CRLF),
// skipping blank lines but counting them, so that messages can name the line
// a text editor shows. Strips a UTF-8 byte order mark and rejects UTF-16
// text, which would otherwise surface as puzzling parse errors.
class LineReader {
 public:
  // `display_name` prefixes the messages of the errors thrown. A reader of
  // a part of a file starts after line `lines_before` of it, so that its
  // numbers are the file's (and only the file's first line is checked for a
  // byte order mark).
  LineReader(std::istream& in, const std::string& display_name,
             std::int64_t lines_before = 0);

  // The number of lines read so far (with those before the part read).
  std::int64_t lines_read() const { return line_number_; }

  // Reads the next line that is not blank (only spaces and tabs) into *line
  // and returns its 1-based number, or 0 at the end of the input.
  std::int64_t NextNonBlank(std::string* line);

  // Appends a line break and the next line, blank or not, to *record, for a
  // quoted field that spans lines. The break is the file's own (LF or CRLF):
  // inside quotes it belongs to the field, so that a name WriteCsv wrote
  // reads back unchanged. Returns false at the end of the input.
  bool AppendNextLine(std::string* record);

 private:
  // Reads one line into *line; false at the end of the input.
  bool ReadLine(std::string* line);

  std::istream& in_;
  std::string display_name_;
  std::int64_t line_number_ = 0;
  bool last_line_ended_in_crlf_ = false;
  std::string continuation_;  // Reused buffer for AppendNextLine.
};

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_LINE_READER_H_
