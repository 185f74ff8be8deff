// Fuzzes io::ReadDelimited, the reader of CSV, TSV and whitespace-separated
// text. Every input is read with the default options and with one of a few
// other option sets; a read must either succeed with a sound table or throw
// FileFormatError with a sound message. A table that was read must also
// survive WriteCsv and read back bit-identical.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>

#include "emkit/error.h"
#include "emkit/io/csv_writer.h"
#include "emkit/io/table.h"
#include "fuzz_checks.h"

namespace emkit::fuzz {
namespace {

struct Variant {
  const char* display_name;
  io::TableReadOptions options;
};

// The second option set an input is read with, chosen by its length so that
// the corpus stays plain text files.
Variant OtherVariant(std::size_t size) {
  Variant variant{"data.txt", {}};
  switch (size % 4) {
    case 0:
      variant.options.header = io::HeaderMode::kPresent;
      variant.options.delimiter = ' ';
      variant.options.columns = {"1", "a"};
      break;
    case 1:
      variant.display_name = "data.tsv";
      variant.options.header = io::HeaderMode::kAbsent;
      variant.options.allow_non_finite = true;
      break;
    case 2:
      variant.options.delimiter = ';';
      variant.options.columns = {"0", "0"};
      break;
    default:
      variant.options.delimiter = '\t';
      variant.options.allow_non_finite = true;
      variant.options.columns = {"b"};
      break;
  }
  return variant;
}

bool SameBits(const RowMatrix& a, const RowMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

// What WriteCsv writes must read back as the same table.
void CheckRoundTrip(const io::Table& table) {
  // A first column name that starts with U+FEFF is written unquoted and read
  // back as a byte order mark.
  if (!table.column_names.empty() &&
      table.column_names[0].starts_with("\xEF\xBB\xBF") &&
      Allowed("leading_bom_name")) {
    return;
  }
  std::ostringstream out;
  io::WriteCsv(out, table.values, table.column_names);
  io::TableReadOptions options;
  options.delimiter = ',';
  options.allow_non_finite = true;
  options.header = table.column_names.empty() ? io::HeaderMode::kAbsent
                                              : io::HeaderMode::kPresent;
  std::istringstream in(out.str());
  io::Table again;
  try {
    again = io::ReadDelimited(in, "written.csv", options);
  } catch (const FileFormatError& error) {
    Die("WriteCsv's output does not read back", error.what());
  }
  // NaN payloads need not survive text, so NaNs compare as NaNs.
  RowMatrix a = table.values;
  RowMatrix b = again.values;
  if (a.rows() == b.rows() && a.cols() == b.cols()) {
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      if (std::isnan(a.data()[i]) && std::isnan(b.data()[i])) {
        a.data()[i] = b.data()[i] = 0.0;
      }
    }
  }
  if (!SameBits(a, b)) Die("values differ after WriteCsv and back", out.str());
  if (again.column_names != table.column_names) {
    Die("column names differ after WriteCsv and back", out.str());
  }
}

void ReadOnce(const std::string& text, const Variant& variant) {
  std::istringstream in(text);
  io::Table table;
  try {
    table = io::ReadDelimited(in, variant.display_name, variant.options);
  } catch (const FileFormatError& error) {
    CheckMessage(error.what(), variant.display_name);
    return;
  }
  CheckTable(table, variant.options.allow_non_finite);
  CheckRoundTrip(table);
}

}  // namespace
}  // namespace emkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using emkit::fuzz::Variant;
  const std::string text(reinterpret_cast<const char*>(data), size);
  emkit::fuzz::ReadOnce(text, Variant{"data.csv", {}});
  emkit::fuzz::ReadOnce(text, emkit::fuzz::OtherVariant(size));
  return 0;
}
