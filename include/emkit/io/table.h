// Reading numeric tables (samples as rows, features as columns) from
// delimited text (CSV, TSV, whitespace-separated) and from numpy .npy files.
//
// Every problem with the content of a file is reported as a FileFormatError
// whose message names the place ("data.csv:7:2: ..." for text,
// "data.npy: ..." for binary files); a file that cannot be opened or read is
// a FileAccessError.
#ifndef EMKIT_IO_TABLE_H_
#define EMKIT_IO_TABLE_H_

#include <istream>
#include <string>
#include <vector>

#include "emkit/matrix.h"

namespace emkit::io {

struct Table {
  RowMatrix values;                       // n rows x d columns.
  std::vector<std::string> column_names;  // Empty when the source had none.
  bool source_was_float32 = false;        // A .npy file with a float32 dtype.
};

enum class HeaderMode {
  kAuto,     // The first non-blank line is a header iff one of its non-empty
             // fields is not a number.
  kPresent,  // The first non-blank line is a header.
  kAbsent,   // Every non-blank line is data.
};

struct TableReadOptions {
  HeaderMode header = HeaderMode::kAuto;

  // The field separator of delimited text. '\0' detects it: '\t' for a name
  // ending in ".tsv", otherwise whichever of ',', '\t' and ';' occurs most
  // often (outside quotes) in the first non-blank line, else runs of spaces
  // when that line has inner spaces, else ',' (a single column).
  // ' ' splits on runs of spaces and tabs (whitespace-separated .txt files).
  char delimiter = '\0';

  // The columns to keep, in this order, by header name or 0-based index
  // ("waiting", "0", "2"); a name that matches a header field wins over the
  // same text read as an index. Empty keeps all columns. Columns that are not
  // kept are not parsed, so they may hold text. .npy files have no names.
  std::vector<std::string> columns;

  // Whether NaN and +-Inf cells are accepted. When false they are errors that
  // name their place, because emkit has no notion of missing values yet.
  bool allow_non_finite = false;
};

// Reads delimited text. `display_name` is used in messages and, when it ends
// in ".tsv", selects the tab delimiter under automatic detection.
//
// Accepted: a UTF-8 byte order mark, CRLF or LF line ends, a last line
// without a line end, blank lines (skipped; messages still give real line
// numbers), RFC 4180 double-quoted fields (with "" for a quote, and line
// breaks inside quotes), spaces around numbers, and any number format
// fast_float accepts plus a leading '+'. A record that continues over several
// lines is reported at the line where it starts.
Table ReadDelimited(std::istream& in, const std::string& display_name,
                    const TableReadOptions& options);

// Reads a 2-D array from a .npy file (format versions 1.0, 2.0 and 3.0) of a
// float64, float32 or integer dtype in either byte order and either memory
// order. Integers are converted to double; an integer that double cannot hold
// exactly is an error. Honours `columns` (indices only) and
// `allow_non_finite`; `header` and `delimiter` do not apply.
Table ReadNpy(const std::string& path, const TableReadOptions& options);

// Reads `path` by its kind: "-" is delimited text from standard input; a name
// ending in ".npy", or a file that starts with the .npy magic string, is read
// with ReadNpy; anything else is delimited text.
Table ReadTable(const std::string& path, const TableReadOptions& options);

// Whether ReadTable reads `path` as a .npy file (a name ending in ".npy", or
// a file that starts with the .npy magic string). False for "-" and for a
// file that cannot be read.
bool IsNpyPath(const std::string& path);

}  // namespace emkit::io

#endif  // EMKIT_IO_TABLE_H_
