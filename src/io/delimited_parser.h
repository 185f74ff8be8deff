// The rows of delimited text, parsed one record at a time: what ReadDelimited
// (emkit/io/table.h) reads a whole file with, and what RowStream reads a
// text file's blocks with (emkit/io/row_stream.h), so that the two give the
// same values and the same messages.
#ifndef EMKIT_SRC_IO_DELIMITED_PARSER_H_
#define EMKIT_SRC_IO_DELIMITED_PARSER_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "column_selection.h"
#include "emkit/io/table.h"
#include "line_reader.h"

namespace emkit::io::internal {

// What the start of a file decides for all its rows.
struct DelimitedLayout {
  char delimiter = ',';
  std::int64_t num_fields = 0;   // fields of every record
  std::int64_t num_columns = 0;  // values kept of each row
  bool select_all = true;        // num_columns == num_fields, in order
  ColumnSlots slots;             // where each field goes, unless select_all
  std::vector<std::string> column_names;  // of the kept columns; empty without a header
};

class DelimitedParser {
 public:
  // Reads records from `in`, which holds the file from its start or from
  // the start of a record after line `lines_before`. `display_name`
  // prefixes messages ("data.csv:7:2: ...").
  DelimitedParser(std::istream& in, const std::string& display_name,
                  const TableReadOptions& options, std::int64_t lines_before = 0);

  // For a parser at the start of the file: reads the header, if there is
  // one, and decides the layout. Throws FileFormatError for an empty file, a
  // header without rows, or columns that do not resolve.
  const DelimitedLayout& ReadLayout();
  // For a parser within the file: the layout ReadLayout found at its start.
  void UseLayout(const DelimitedLayout& layout) { layout_ = layout; }
  const DelimitedLayout& layout() const { return layout_; }

  // Parses the next row into row[0 .. num_columns); false at the end of the
  // input. Throws FileFormatError naming the line and field of the first
  // problem (a wrong number of fields before a bad cell).
  bool NextRow(double* row);

  // The lines read so far, counting those before the part read: after
  // NextRow, the line on which the next record may start follows them.
  std::int64_t lines_read() const { return lines_.lines_read(); }

 private:
  [[noreturn]] void Fail(std::int64_t field, const std::string& what) const;
  [[noreturn]] void FailLine(const std::string& what) const;

  // Calls `visit(text, quoted, field_number)` for each field of the current
  // record, continuing the record over further lines while it ends inside a
  // quoted field; `restart()` is called before the record is walked again.
  // Throws for malformed quoting.
  template <typename Visit, typename Restart>
  void ForEachField(Visit&& visit, Restart&& restart);

  bool RecordLooksLikeHeader();
  std::vector<std::string> ReadHeader();
  std::int64_t CountFields();
  // Checks a cell and returns its value, or describes what is wrong with it.
  std::optional<double> ParseCell(std::string_view text, bool quoted,
                                  std::string* problem) const;
  void ParseRecord(double* row);

  LineReader lines_;
  const std::string& name_;
  const TableReadOptions& options_;
  DelimitedLayout layout_;
  std::string record_;
  std::int64_t record_line_ = 0;
  // ReadLayout read the first data record to count its fields.
  bool record_pending_ = false;
};

// Throws FileFormatError "PATH: ..." when `head`, a file's first bytes,
// shows a gzip or zip archive rather than text.
void RejectArchive(const std::string& path, std::string_view head);

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_DELIMITED_PARSER_H_
