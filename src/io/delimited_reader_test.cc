#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/io/table.h"

namespace emkit::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Table Read(const std::string& text, const TableReadOptions& options = {},
           const std::string& name = "data.csv") {
  std::istringstream in(text);
  return ReadDelimited(in, name, options);
}

// The message of the FileFormatError that reading `text` throws.
std::string ErrorOf(const std::string& text,
                    const TableReadOptions& options = {},
                    const std::string& name = "data.csv") {
  try {
    Read(text, options, name);
  } catch (const FileFormatError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no FileFormatError for: " << text.substr(0, 200);
  return "";
}

TableReadOptions WithColumns(std::vector<std::string> columns) {
  TableReadOptions options;
  options.columns = std::move(columns);
  return options;
}

void ExpectValues(const Table& table, Eigen::Index rows, Eigen::Index cols,
                  const std::vector<double>& row_major) {
  ASSERT_EQ(table.values.rows(), rows);
  ASSERT_EQ(table.values.cols(), cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      EXPECT_EQ(table.values(i, j), row_major[i * cols + j])
          << "at (" << i << ", " << j << ")";
    }
  }
}

TEST(ReadDelimitedTest, ReadsHeaderAndRows) {
  const Table table = Read("eruptions,waiting\n3.6,79\n1.8,54\n");
  EXPECT_THAT(table.column_names, ElementsAre("eruptions", "waiting"));
  ExpectValues(table, 2, 2, {3.6, 79, 1.8, 54});
  EXPECT_FALSE(table.source_was_float32);
}

TEST(ReadDelimitedTest, FirstLineOfNumbersIsData) {
  const Table table = Read("1,2\n3,4\n");
  EXPECT_THAT(table.column_names, IsEmpty());
  ExpectValues(table, 2, 2, {1, 2, 3, 4});
}

TEST(ReadDelimitedTest, HeaderPresentTakesNumericNames) {
  TableReadOptions options;
  options.header = HeaderMode::kPresent;
  const Table table = Read("1,2\n3,4\n", options);
  EXPECT_THAT(table.column_names, ElementsAre("1", "2"));
  ExpectValues(table, 1, 2, {3, 4});
}

TEST(ReadDelimitedTest, HeaderAbsentParsesFirstLine) {
  TableReadOptions options;
  options.header = HeaderMode::kAbsent;
  EXPECT_EQ(ErrorOf("a,b\n1,2\n", options),
            "data.csv:1:1: cannot parse \"a\" as a number");
}

TEST(ReadDelimitedTest, FirstLineWithEmptyCellIsDataNotHeader) {
  EXPECT_EQ(ErrorOf("1,,2\n"),
            "data.csv:1:2: empty field (missing values are not supported)");
}

TEST(ReadDelimitedTest, AcceptsByteOrderMarkCrlfAndMissingFinalNewline) {
  const Table table = Read("\xEF\xBB\xBFx,y\r\n1,2\r\n3,4");
  EXPECT_THAT(table.column_names, ElementsAre("x", "y"));
  ExpectValues(table, 2, 2, {1, 2, 3, 4});
}

TEST(ReadDelimitedTest, SkipsBlankLinesButKeepsLineNumbers) {
  const Table table = Read("\n\nx,y\n\n1,2\n   \n\t\n3,4\n\n");
  ExpectValues(table, 2, 2, {1, 2, 3, 4});
  EXPECT_EQ(ErrorOf("\nx,y\n\n1,2\n\r\n3,abc\n"),
            "data.csv:6:2: cannot parse \"abc\" as a number");
}

TEST(ReadDelimitedTest, QuotedFields) {
  const Table table =
      Read("\"a,b\",\"say \"\"hi\"\"\", \"c\" \n\"1.5\",\" 2 \",\"-3\"\n");
  EXPECT_THAT(table.column_names, ElementsAre("a,b", "say \"hi\"", "c"));
  ExpectValues(table, 1, 3, {1.5, 2, -3});
}

TEST(ReadDelimitedTest, QuotedHeaderFieldMaySpanLines) {
  const Table table = Read("\"first\nname\",b\n1,2\n3,4\n");
  EXPECT_THAT(table.column_names, ElementsAre("first\nname", "b"));
  ExpectValues(table, 2, 2, {1, 2, 3, 4});
  // Line numbers stay those of the file after a record that spans lines.
  EXPECT_EQ(ErrorOf("\"first\nname\",b\n1,2\nx,4\n"),
            "data.csv:4:1: cannot parse \"x\" as a number");
}

// Inside quotes the line break belongs to the field, so a CRLF file's break
// stays CRLF: a name with carriage returns survives WriteCsv and back.
TEST(ReadDelimitedTest, QuotedFieldKeepsTheFilesOwnLineBreaks) {
  const Table table = Read("\"a\r\r\nb\nc\",d\r\n1,2\r\n");
  EXPECT_THAT(table.column_names, ElementsAre("a\r\r\nb\nc", "d"));
  ExpectValues(table, 1, 2, {1, 2});
}

TEST(ReadDelimitedTest, SpacesAroundNumbers) {
  const Table table = Read(" 1.5 ,\t-2 \n3 , 4\n");
  ExpectValues(table, 2, 2, {1.5, -2, 3, 4});
}

TEST(ReadDelimitedTest, NumberForms) {
  const Table table = Read("+1.5,1e-300,-0,.5,5.,1E+5,4.9e-324\n");
  ExpectValues(table, 1, 7, {1.5, 1e-300, 0.0, 0.5, 5, 1e5, 4.9e-324});
  EXPECT_TRUE(std::signbit(table.values(0, 2)));
  EXPECT_GT(table.values(0, 6), 0.0);
}

TEST(ReadDelimitedTest, RejectsMalformedNumbers) {
  for (const std::string bad : {"1.2.3", "0x10", "++1", "+-1", "1e", "5x",
                                "--1", "1 2", "+", "."}) {
    EXPECT_THAT(ErrorOf("a\n" + bad + "\n", {}, "data.txt"),
                HasSubstr("as a number"))
        << bad;
  }
}

TEST(ReadDelimitedTest, DetectsDelimiters) {
  ExpectValues(Read("1\t2\n3\t4\n"), 2, 2, {1, 2, 3, 4});
  ExpectValues(Read("1;2\n3;4\n"), 2, 2, {1, 2, 3, 4});
  ExpectValues(Read("  1   2\n3 \t 4  \n", {}, "data.txt"), 2, 2, {1, 2, 3, 4});
  ExpectValues(Read("1\n2\n"), 2, 1, {1, 2});
  // The most frequent candidate wins.
  ExpectValues(Read("a;b,c;d\n1;2,3;4\n", WithColumns({"0"})), 1, 1, {1});
  // A name ending in .tsv means tabs even when commas are more frequent.
  const Table tsv = Read("a,b\tc\n1\t2\n", {}, "data.tsv");
  EXPECT_THAT(tsv.column_names, ElementsAre("a,b", "c"));
}

TEST(ReadDelimitedTest, WhitespaceSeparatedWithQuotedNames) {
  const Table table = Read("\"eruption time\" waiting\n3.6   79\n", {}, "x.txt");
  EXPECT_THAT(table.column_names, ElementsAre("eruption time", "waiting"));
  ExpectValues(table, 1, 2, {3.6, 79});
}

TEST(ReadDelimitedTest, ExplicitDelimiter) {
  TableReadOptions options;
  options.delimiter = '|';
  ExpectValues(Read("1|2\n3|4\n", options), 2, 2, {1, 2, 3, 4});
  options.delimiter = ' ';
  ExpectValues(Read("1  2\n3\t4\n", options), 2, 2, {1, 2, 3, 4});
  options.delimiter = '"';
  EXPECT_THROW(Read("1\n", options), InvalidOptionError);
}

TEST(ReadDelimitedTest, NonNumericCell) {
  EXPECT_EQ(ErrorOf("eruptions,waiting\n3.6,79\n1.8,54\n3.3,74\n2.2,abc\n", {},
                    "faithful.csv"),
            "faithful.csv:5:2: cannot parse \"abc\" as a number");
}

TEST(ReadDelimitedTest, RaggedRows) {
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12,13\n"),
            "data.csv:7: expected 2 fields, found 3");
  EXPECT_EQ(ErrorOf("1,2\n3\n"), "data.csv:2: expected 2 fields, found 1");
  EXPECT_EQ(ErrorOf("1\n3,4\n"), "data.csv:2: expected 1 field, found 2");
  // The field count is the likelier root cause than a bad cell.
  EXPECT_EQ(ErrorOf("1,2\nx,3,4\n"), "data.csv:2: expected 2 fields, found 3");
  EXPECT_EQ(ErrorOf("1,2\n3,4,\n"), "data.csv:2: expected 2 fields, found 3");
}

TEST(ReadDelimitedTest, EmptyFiles) {
  EXPECT_EQ(ErrorOf(""), "data.csv: the file is empty");
  EXPECT_EQ(ErrorOf("\n \n\r\n"), "data.csv: the file is empty");
  EXPECT_EQ(ErrorOf("\xEF\xBB\xBF"), "data.csv: the file is empty");
  EXPECT_EQ(ErrorOf("a,b\n"), "data.csv: no data rows after the header");
  EXPECT_EQ(ErrorOf("a,b\n\n\n"), "data.csv: no data rows after the header");
}

TEST(ReadDelimitedTest, NonFiniteCells) {
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3,4\nnan,5\n"),
            "data.csv:4:1: \"nan\" is not a finite number (missing values are "
            "not supported)");
  EXPECT_THAT(ErrorOf("1,-Inf\n"),
              HasSubstr("data.csv:1:2: \"-Inf\" is not a finite number"));
  EXPECT_THAT(ErrorOf("1,\"NaN\"\n"),
              HasSubstr("data.csv:1:2: \"NaN\" is not a finite number"));
  EXPECT_THAT(ErrorOf("1\ninfinity\n"),
              HasSubstr("data.csv:2:1: \"infinity\" is not a finite number"));
  EXPECT_EQ(ErrorOf("1\n1e999\n"),
            "data.csv:2:1: \"1e999\" is too large for a double");
}

TEST(ReadDelimitedTest, AllowNonFinite) {
  TableReadOptions options;
  options.allow_non_finite = true;
  const Table table = Read("nan,inf,-inf,1e999\n", options);
  ASSERT_EQ(table.values.cols(), 4);
  EXPECT_TRUE(std::isnan(table.values(0, 0)));
  EXPECT_EQ(table.values(0, 1), std::numeric_limits<double>::infinity());
  EXPECT_EQ(table.values(0, 2), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(table.values(0, 3), std::numeric_limits<double>::infinity());
}

TEST(ReadDelimitedTest, EmptyCells) {
  EXPECT_EQ(ErrorOf("a,b\n1,\n"),
            "data.csv:2:2: empty field (missing values are not supported)");
  EXPECT_EQ(ErrorOf("a,b\n\"\",1\n"),
            "data.csv:2:1: empty field (missing values are not supported)");
}

TEST(ReadDelimitedTest, NulAndNonUtf8Bytes) {
  EXPECT_EQ(ErrorOf(std::string("a,b\n1,2\0" "3\n", 10)),
            "data.csv:2:2: cannot parse \"2\\x003\" as a number (it contains "
            "a NUL byte; is this a binary file?)");
  EXPECT_EQ(ErrorOf("a,b\n1,\xFF\n"),
            "data.csv:2:2: cannot parse \"\\xff\" as a number (it is not valid "
            "UTF-8 text)");
  EXPECT_EQ(ErrorOf(std::string("a,b\0c\n1,2\n", 10)),
            "data.csv:1:2: the header field \"b\\x00c\" contains a NUL byte "
            "(is this a binary file?)");
  EXPECT_EQ(ErrorOf("a,b\xC0\xAF\n1,2\n"),
            "data.csv:1:2: the header field \"b\\xc0\\xaf\" is not valid UTF-8 "
            "text");
  EXPECT_EQ(ErrorOf("\xFF\xFE" "a\0,\0b\0\n\0", {}),
            "data.csv: the file is UTF-16 text; save it as UTF-8");
}

TEST(ReadDelimitedTest, Utf8NamesAreKept) {
  const Table table = Read("temp\xC3\xA9rature,\xE6\xB8\xA9\xE5\xBA\xA6\n1,2\n");
  EXPECT_THAT(table.column_names,
              ElementsAre("temp\xC3\xA9rature", "\xE6\xB8\xA9\xE5\xBA\xA6"));
}

TEST(ReadDelimitedTest, LongCellIsTruncatedInMessage) {
  const std::string message = ErrorOf("a\n" + std::string(1000, 'x') + "\n");
  EXPECT_EQ(message, "data.csv:2:1: cannot parse \"" + std::string(40, 'x') +
                         "...\" as a number");
}

TEST(ReadDelimitedTest, MalformedQuotes) {
  EXPECT_EQ(ErrorOf("a,b\n1,2\"3\n"),
            "data.csv:2:2: unexpected '\"' in the unquoted field \"2\\\"3\" "
            "(quote the whole field and write a quote inside it as \"\")");
  EXPECT_EQ(ErrorOf("a,b\n1,\"2\"3\n"),
            "data.csv:2:2: unexpected text after the closing quote of a quoted "
            "field");
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3,\"4\n5,6\n"),
            "data.csv:3:2: a quoted field is not closed before the end of the "
            "file");
}

TEST(ReadDelimitedTest, SelectsColumnsByNameAndIndex) {
  const std::string text = "id,species,x,y\n1,setosa,0.5,1.5\n2,virginica,2.5,3.5\n";
  const Table table = Read(text, WithColumns({"y", "0", "x", "y"}));
  EXPECT_THAT(table.column_names, ElementsAre("y", "id", "x", "y"));
  ExpectValues(table, 2, 4, {1.5, 1, 0.5, 1.5, 3.5, 2, 2.5, 3.5});
  // Unselected columns are not parsed, but rows must still be complete.
  EXPECT_EQ(ErrorOf(text + "3,setosa,1\n", WithColumns({"x"})),
            "data.csv:4: expected 4 fields, found 3");
  EXPECT_EQ(ErrorOf(text + "3,setosa,1,nan\n", WithColumns({"y"})),
            "data.csv:4:4: \"nan\" is not a finite number (missing values are "
            "not supported)");
}

TEST(ReadDelimitedTest, NamesWinOverIndices) {
  const Table table = Read("1,0,a\n5,6,7\n", [] {
    TableReadOptions options = WithColumns({"0", "2"});
    options.header = HeaderMode::kPresent;
    return options;
  }());
  EXPECT_THAT(table.column_names, ElementsAre("0", "a"));
  ExpectValues(table, 1, 2, {6, 7});
}

TEST(ReadDelimitedTest, SelectsColumnsWithoutHeader) {
  const Table table = Read("1,2,3\n4,5,6\n", WithColumns({"2", "0"}));
  EXPECT_THAT(table.column_names, IsEmpty());
  ExpectValues(table, 2, 2, {3, 1, 6, 4});
}

TEST(ReadDelimitedTest, UnknownColumns) {
  EXPECT_EQ(ErrorOf("eruptions,waiting\n1,2\n", WithColumns({"wait"})),
            "data.csv: unknown column \"wait\"; the columns are \"eruptions\", "
            "\"waiting\" (or use a 0-based index 0 to 1)");
  EXPECT_EQ(ErrorOf("eruptions,waiting\n1,2\n", WithColumns({"2"})),
            "data.csv: column index 2 is out of range: the file has 2 columns "
            "(0-based indices 0 to 1)");
  EXPECT_EQ(ErrorOf("1,2\n", WithColumns({"waiting"})),
            "data.csv: unknown column \"waiting\": the file has no header, so "
            "columns are selected by 0-based index (0 to 1)");
  EXPECT_EQ(ErrorOf("1\n", WithColumns({"99999999999999999999999"})),
            "data.csv: column index 99999999999999999999999 is out of range: "
            "the file has 1 column (0-based indices 0 to 0)");
  EXPECT_EQ(ErrorOf("a,b,a\n1,2,3\n", WithColumns({"a"})),
            "data.csv: column name \"a\" is ambiguous: columns 0 and 2 both "
            "have it");
  EXPECT_THAT(ErrorOf("a,b\n1,2\n", WithColumns({"-1"})),
              HasSubstr("unknown column \"-1\""));
}

TEST(ReadDelimitedTest, UnknownColumnMessageListsAtMostTwentyNames) {
  std::string header = "c0";
  std::string row = "0";
  for (int i = 1; i < 30; ++i) {
    header += ",c";
    header += std::to_string(i);
    row += ',';
    row += std::to_string(i);
  }
  const std::string message =
      ErrorOf(header + "\n" + row + "\n", WithColumns({"nope"}));
  EXPECT_THAT(message, HasSubstr("\"c19\", ... (30 columns in all)"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("\"c20\"")));
}

TEST(ReadDelimitedTest, ManyRows) {
  std::string text = "a,b,c\n";
  constexpr int kRows = 100000;
  for (int i = 0; i < kRows; ++i) {
    text += std::to_string(i);
    text += ',';
    text += std::to_string(-i);
    text += ",0.5\n";
  }
  const Table table = Read(text);
  ASSERT_EQ(table.values.rows(), kRows);
  ASSERT_EQ(table.values.cols(), 3);
  EXPECT_EQ(table.values(kRows - 1, 0), kRows - 1);
  EXPECT_EQ(table.values(kRows - 1, 1), -(kRows - 1));
  EXPECT_EQ(table.values(12345, 2), 0.5);
}

TEST(ReadDelimitedTest, TenMillionColumns) {
  constexpr Eigen::Index kCols = 10'000'000;
  std::string text;
  text.reserve(4 * kCols + 4);
  for (int row = 0; row < 2; ++row) {
    for (Eigen::Index j = 0; j < kCols; ++j) {
      text += j == 0 ? "" : ",";
      text += static_cast<char>('0' + (j + row) % 10);
    }
    text += '\n';
  }
  const Table table = Read(text);
  ASSERT_EQ(table.values.rows(), 2);
  ASSERT_EQ(table.values.cols(), kCols);
  EXPECT_EQ(table.values(0, kCols - 1), 9);
  EXPECT_EQ(table.values(1, kCols - 1), 0);
}

}  // namespace
}  // namespace emkit::io
