#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/io/table.h"
#include "test_files.h"

namespace emkit::io {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string Dict(const std::string& descr, bool fortran_order,
                 const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " +
         (fortran_order ? "True" : "False") + ", 'shape': " + shape + ", }";
}

// A .npy file as numpy writes it: magic, version, little-endian header
// length, the header padded with spaces to a multiple of 64 bytes and ended
// by a newline, then the data.
std::string NpyFile(const std::string& dict, const std::string& data,
                    int major = 1) {
  const std::size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file = "\x93NUMPY";
  file += static_cast<char>(major);
  file += '\0';
  const std::uint32_t length = static_cast<std::uint32_t>(header.size());
  for (std::size_t i = 0; i < prefix - 8; ++i) {
    file += static_cast<char>((length >> (8 * i)) & 0xFF);
  }
  return file + header + data;
}

// The little-endian (or big-endian) bytes of `values`.
template <typename T>
std::string Bytes(const std::vector<T>& values, bool big_endian = false) {
  std::string bytes;
  for (const T value : values) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    if (big_endian) std::reverse(raw, raw + sizeof(T));
    bytes.append(raw, sizeof(T));
  }
  return bytes;
}

class ReadNpyTest : public ::testing::Test {
 protected:
  Table ReadBytes(const std::string& bytes,
                  const TableReadOptions& options = {}) {
    return ReadNpy(dir_.Write("x.npy", bytes), options);
  }

  // The message of the FileFormatError, with the directory removed.
  std::string ErrorOf(const std::string& bytes,
                      const TableReadOptions& options = {}) {
    const std::string path = dir_.Write("x.npy", bytes);
    try {
      ReadNpy(path, options);
    } catch (const FileFormatError& error) {
      std::string message = error.what();
      if (message.starts_with(dir_.path() + "/")) {
        message.erase(0, dir_.path().size() + 1);
      }
      return message;
    }
    ADD_FAILURE() << "no FileFormatError";
    return "";
  }

  testing::TempDir dir_;
};

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

const std::vector<double> kMatrix = {1.5, -2, 3e-300, 4, 5, -0.0};  // 2 x 3.

TEST_F(ReadNpyTest, Float64COrder) {
  const Table table =
      ReadBytes(NpyFile(Dict("<f8", false, "(2, 3)"), Bytes(kMatrix)));
  ExpectValues(table, 2, 3, kMatrix);
  EXPECT_TRUE(std::signbit(table.values(1, 2)));
  EXPECT_THAT(table.column_names, IsEmpty());
  EXPECT_FALSE(table.source_was_float32);
}

TEST_F(ReadNpyTest, Float64FortranOrder) {
  // Column-major storage of the same 2 x 3 matrix.
  const std::vector<double> column_major = {1.5, 4, -2, 5, 3e-300, -0.0};
  ExpectValues(
      ReadBytes(NpyFile(Dict("<f8", true, "(2, 3)"), Bytes(column_major))), 2,
      3, kMatrix);
}

TEST_F(ReadNpyTest, Float32) {
  const std::vector<float> values = {0.1f, 2.0f, -3.5f, 1e-40f};
  const Table table =
      ReadBytes(NpyFile(Dict("<f4", false, "(2, 2)"), Bytes(values)));
  ExpectValues(table, 2, 2,
               {double{0.1f}, 2.0, -3.5, static_cast<double>(1e-40f)});
  EXPECT_TRUE(table.source_was_float32);
}

TEST_F(ReadNpyTest, Float32FortranOrder) {
  const std::vector<float> column_major = {1, 3, 2, 4};
  const Table table =
      ReadBytes(NpyFile(Dict("<f4", true, "(2, 2)"), Bytes(column_major)));
  ExpectValues(table, 2, 2, {1, 2, 3, 4});
  EXPECT_TRUE(table.source_was_float32);
}

TEST_F(ReadNpyTest, HeaderVersions2And3) {
  ExpectValues(
      ReadBytes(NpyFile(Dict("<f8", false, "(2, 3)"), Bytes(kMatrix), 2)), 2,
      3, kMatrix);
  ExpectValues(
      ReadBytes(NpyFile(Dict("<f8", false, "(2, 3)"), Bytes(kMatrix), 3)), 2,
      3, kMatrix);
}

TEST_F(ReadNpyTest, BigEndianIsSwapped) {
  ExpectValues(ReadBytes(NpyFile(Dict(">f8", false, "(2, 3)"),
                                 Bytes(kMatrix, /*big_endian=*/true))),
               2, 3, kMatrix);
  const std::vector<float> values = {1.25f, -8};
  ExpectValues(ReadBytes(NpyFile(Dict(">f4", false, "(1, 2)"),
                                 Bytes(values, /*big_endian=*/true))),
               1, 2, {1.25, -8});
}

TEST_F(ReadNpyTest, IntegersAreConverted) {
  const std::vector<std::int64_t> int64 = {-3, 9007199254740992, 0, 1};
  ExpectValues(ReadBytes(NpyFile(Dict("<i8", false, "(2, 2)"), Bytes(int64))),
               2, 2, {-3, 9007199254740992.0, 0, 1});
  const std::vector<std::int32_t> int32 = {-7, 8, 9, 10};
  ExpectValues(
      ReadBytes(NpyFile(Dict(">i4", true, "(2, 2)"), Bytes(int32, true))), 2,
      2, {-7, 9, 8, 10});
  const std::vector<std::uint8_t> uint8 = {255, 0};
  ExpectValues(ReadBytes(NpyFile(Dict("|u1", false, "(2, 1)"), Bytes(uint8))),
               2, 1, {255, 0});
  const std::vector<std::uint64_t> uint64 = {std::uint64_t{1} << 63};
  ExpectValues(ReadBytes(NpyFile(Dict("<u8", false, "(1, 1)"), Bytes(uint64))),
               1, 1, {9223372036854775808.0});
}

TEST_F(ReadNpyTest, InexactIntegersAreRejected) {
  const std::vector<std::int64_t> values = {1, 9007199254740993};
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<i8", false, "(1, 2)"), Bytes(values))),
            "x.npy: X[0, 1] = 9007199254740993 (int64) cannot be converted to "
            "double exactly");
  const std::vector<std::uint64_t> max = {UINT64_MAX};
  EXPECT_THAT(ErrorOf(NpyFile(Dict("<u8", false, "(1, 1)"), Bytes(max))),
              HasSubstr("X[0, 0] = 18446744073709551615 (uint64)"));
}

TEST_F(ReadNpyTest, SelectsColumnsByIndex) {
  TableReadOptions options;
  options.columns = {"2", "0", "2"};
  ExpectValues(
      ReadBytes(NpyFile(Dict("<f8", false, "(2, 3)"), Bytes(kMatrix)), options),
      2, 3, {3e-300, 1.5, 3e-300, -0.0, 4, -0.0});
  const std::vector<double> column_major = {1.5, 4, -2, 5, 3e-300, -0.0};
  ExpectValues(ReadBytes(NpyFile(Dict("<f8", true, "(2, 3)"),
                                 Bytes(column_major)),
                         options),
               2, 3, {3e-300, 1.5, 3e-300, -0.0, 4, -0.0});
}

TEST_F(ReadNpyTest, ColumnSelectionErrors) {
  const std::string file = NpyFile(Dict("<f8", false, "(2, 3)"), Bytes(kMatrix));
  TableReadOptions options;
  options.columns = {"waiting"};
  EXPECT_EQ(ErrorOf(file, options),
            "x.npy: unknown column \"waiting\": .npy files have no column "
            "names, so columns are selected by 0-based index (0 to 2)");
  options.columns = {"3"};
  EXPECT_EQ(ErrorOf(file, options),
            "x.npy: column index 3 is out of range: the file has 3 columns "
            "(0-based indices 0 to 2)");
}

TEST_F(ReadNpyTest, NonFiniteValues) {
  std::vector<double> values = {1, 2, std::nan(""), 4};
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(2, 2)"), Bytes(values))),
            "x.npy: X[1, 0] = nan is not finite (missing values are not "
            "supported)");
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", true, "(2, 2)"), Bytes(values))),
            "x.npy: X[0, 1] = nan is not finite (missing values are not "
            "supported)");
  const std::vector<float> floats = {1, -std::numeric_limits<float>::infinity()};
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f4", false, "(1, 2)"), Bytes(floats))),
            "x.npy: X[0, 1] = -inf is not finite (missing values are not "
            "supported)");

  // Columns left out are not checked.
  TableReadOptions options;
  options.columns = {"1"};
  ExpectValues(
      ReadBytes(NpyFile(Dict("<f8", false, "(2, 2)"), Bytes(values)), options),
      2, 1, {2, 4});

  options.columns.clear();
  options.allow_non_finite = true;
  const Table table =
      ReadBytes(NpyFile(Dict("<f8", false, "(2, 2)"), Bytes(values)), options);
  EXPECT_TRUE(std::isnan(table.values(1, 0)));
}

TEST_F(ReadNpyTest, WrongNumberOfDimensions) {
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(5,)"),
                            Bytes(std::vector<double>(5)))),
            "x.npy: expected a 2-D array, found shape (5,)");
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(2, 2, 2)"),
                            Bytes(std::vector<double>(8)))),
            "x.npy: expected a 2-D array, found shape (2, 2, 2)");
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "()"),
                            Bytes(std::vector<double>(1)))),
            "x.npy: expected a 2-D array, found shape ()");
}

TEST_F(ReadNpyTest, EmptyArrays) {
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(0, 2)"), "")),
            "x.npy: the array is empty (shape (0, 2))");
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(3, 0)"), "")),
            "x.npy: the array is empty (shape (3, 0))");
}

TEST_F(ReadNpyTest, SizeMismatch) {
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(2, 3)"),
                            Bytes(std::vector<double>(5)))),
            "x.npy: the header declares shape (2, 3) of float64, which is 48 "
            "bytes of data, but the file has 40 bytes after the header");
  EXPECT_THAT(ErrorOf(NpyFile(Dict("<f4", false, "(2, 3)"),
                              Bytes(std::vector<float>(7)))),
              HasSubstr("which is 24 bytes of data, but the file has 28"));
}

TEST_F(ReadNpyTest, HugeShapeFailsWithoutAllocating) {
  // If the reader trusted the header it would try to allocate 16 TB.
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(1000000000000, 2)"),
                            std::string(1024, '\0'))),
            "x.npy: the header declares shape (1000000000000, 2) of float64, "
            "which is 16000000000000 bytes of data, but the file has 1024 "
            "bytes after the header");
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false,
                                 "(4611686018427387904, 4611686018427387904)"),
                            "")),
            "x.npy: the shape (4611686018427387904, 4611686018427387904) is "
            "too large");
  EXPECT_EQ(ErrorOf(NpyFile(Dict("<f8", false, "(2305843009213693952, 4)"),
                            "")),
            "x.npy: the shape (2305843009213693952, 4) is too large");
  EXPECT_THAT(ErrorOf(NpyFile(Dict("<f8", false, "(99999999999999999999, 1)"),
                              "")),
              HasSubstr("an integer too large"));
}

TEST_F(ReadNpyTest, TruncatedPrefix) {
  EXPECT_EQ(ErrorOf(""),
            "x.npy: not a .npy file (it does not start with \"\\x93NUMPY\")");
  EXPECT_EQ(ErrorOf("\x93NUM"),
            "x.npy: truncated .npy file: it ends inside the magic string or "
            "version");
  EXPECT_EQ(ErrorOf("\x93NUMPY\x01"),
            "x.npy: truncated .npy file: it ends inside the magic string or "
            "version");
  EXPECT_EQ(ErrorOf(std::string("\x93NUMPY\x01\x00\x10", 9)),
            "x.npy: truncated .npy file: it ends inside the header length");
  EXPECT_EQ(ErrorOf(std::string("\x93NUMPY\x02\x00\x10\x00\x00", 11)),
            "x.npy: truncated .npy file: it ends inside the header length");
  EXPECT_EQ(ErrorOf("a,b\n1,2\n"),
            "x.npy: not a .npy file (it does not start with \"\\x93NUMPY\")");
}

TEST_F(ReadNpyTest, TruncatedHeader) {
  const std::string file = NpyFile(Dict("<f8", false, "(2, 3)"), "");
  EXPECT_EQ(ErrorOf(file.substr(0, 40)),
            "x.npy: truncated .npy header: it should be 118 bytes long but the "
            "file ends after 30");
}

TEST_F(ReadNpyTest, UnsupportedVersion) {
  std::string file = NpyFile(Dict("<f8", false, "(2, 3)"), Bytes(kMatrix));
  file[6] = 4;
  EXPECT_EQ(ErrorOf(file),
            "x.npy: .npy format version 4.0 is not supported (supported: 1.0, "
            "2.0, 3.0)");
}

TEST_F(ReadNpyTest, MalformedHeaders) {
  EXPECT_THAT(ErrorOf(NpyFile("not a dict", "")),
              StartsWith("x.npy: the .npy header is not a valid Python dict "
                         "literal (unexpected \"n\" at character 1)"));
  EXPECT_THAT(ErrorOf(NpyFile("{'descr' '<f8'}", "")),
              HasSubstr("(expected ':' at character 10)"));
  EXPECT_THAT(ErrorOf(NpyFile("{'descr': '<f8}", "")),
              HasSubstr("(unterminated string"));
  EXPECT_THAT(ErrorOf(NpyFile("{'shape': (2, 3), 'descr': '<f8'", "")),
              HasSubstr("(expected ',' or '}'"));
  EXPECT_THAT(ErrorOf(NpyFile("{'shape': (2, 3)} extra", "")),
              HasSubstr("(unexpected text after the dict"));
  EXPECT_EQ(ErrorOf(NpyFile("[1, 2]", "")),
            "x.npy: the .npy header is not a Python dict: \"[1, 2]\"");
  EXPECT_EQ(ErrorOf(NpyFile(std::string(100, '(') + std::string(100, ')'), "")),
            "x.npy: the .npy header is not a valid Python dict literal (nested "
            "too deeply at character 18): \"((((((((((((((((((((((((((((((((("
            "(((((((...\"");
  EXPECT_THAT(ErrorOf(NpyFile(std::string("{'descr\0': 1}", 13), "")),
              HasSubstr("no 'descr' key"));
}

TEST_F(ReadNpyTest, MissingOrWrongKeys) {
  EXPECT_EQ(ErrorOf(NpyFile("{'descr': '<f8', 'fortran_order': False}", "")),
            "x.npy: the .npy header has no 'shape' key");
  EXPECT_EQ(ErrorOf(NpyFile("{'shape': (1, 1), 'fortran_order': False}", "")),
            "x.npy: the .npy header has no 'descr' key");
  EXPECT_EQ(ErrorOf(NpyFile("{'shape': (1, 1), 'descr': '<f8'}", "")),
            "x.npy: the .npy header has no 'fortran_order' key");
  EXPECT_EQ(ErrorOf(NpyFile(
                "{'descr': '<f8', 'fortran_order': 0, 'shape': (1, 1)}", "")),
            "x.npy: the .npy header's 'fortran_order' is not True or False");
  EXPECT_EQ(ErrorOf(NpyFile(
                "{'descr': '<f8', 'fortran_order': False, 'shape': [1, 1]}", "")),
            "x.npy: the .npy header's 'shape' is not a tuple");
  EXPECT_EQ(ErrorOf(NpyFile(
                "{'descr': 8, 'fortran_order': False, 'shape': (1, 1)}", "")),
            "x.npy: the .npy header's 'descr' is not a string");
  EXPECT_THAT(ErrorOf(NpyFile(Dict("<f8", false, "(-1, 2)"), "")),
              HasSubstr("x.npy: the .npy header's 'shape' holds something "
                        "other than non-negative integers"));
  EXPECT_THAT(ErrorOf(NpyFile(Dict("<f8", false, "('a', 2)"), "")),
              HasSubstr("holds something other than non-negative integers"));
}

TEST_F(ReadNpyTest, UnsupportedDTypes) {
  for (const std::string descr : {"<c16", "<f2", "|b1", "<U8", "|O", "<f16",
                                  "<i3", "|f8", "x"}) {
    EXPECT_EQ(ErrorOf(NpyFile(Dict(descr, false, "(1, 1)"), "")),
              "x.npy: dtype \"" + descr +
                  "\" is not supported (supported: float64, float32 and "
                  "integer dtypes, either byte order)");
  }
  EXPECT_EQ(ErrorOf(NpyFile("{'descr': [('x', '<f8'), ('y', '<f8')], "
                            "'fortran_order': False, 'shape': (3,)}",
                            "")),
            "x.npy: structured dtypes (records with named fields) are not "
            "supported; save a plain 2-D float array");
}

TEST_F(ReadNpyTest, Python2LongIntegersAndDoubleQuotes) {
  ExpectValues(ReadBytes(NpyFile("{\"descr\": \"<f8\", \"fortran_order\": "
                                 "False, \"shape\": (2L, 3L)}",
                                 Bytes(kMatrix))),
               2, 3, kMatrix);
}

TEST_F(ReadNpyTest, LargeArrayAcrossChunks) {
  // More than one 1 MiB decoding chunk, in every decoding path.
  constexpr Eigen::Index kRows = 100000;
  constexpr Eigen::Index kCols = 3;
  std::vector<double> row_major(kRows * kCols);
  std::vector<float> column_major(kRows * kCols);
  for (Eigen::Index i = 0; i < kRows; ++i) {
    for (Eigen::Index j = 0; j < kCols; ++j) {
      row_major[i * kCols + j] = static_cast<double>(i * 10 + j);
      column_major[j * kRows + i] = static_cast<float>(i * 10 + j);
    }
  }
  const Table c_order = ReadBytes(
      NpyFile(Dict("<f8", false, "(100000, 3)"), Bytes(row_major)));
  const Table swapped = ReadBytes(
      NpyFile(Dict(">f8", false, "(100000, 3)"), Bytes(row_major, true)));
  const Table fortran = ReadBytes(
      NpyFile(Dict("<f4", true, "(100000, 3)"), Bytes(column_major)));
  for (const Table* table : {&c_order, &swapped, &fortran}) {
    ASSERT_EQ(table->values.rows(), kRows);
    ASSERT_EQ(table->values.cols(), kCols);
    EXPECT_EQ(table->values(0, 0), 0);
    EXPECT_EQ(table->values(54321, 2), 543212);
    EXPECT_EQ(table->values(kRows - 1, 1), (kRows - 1) * 10 + 1);
  }
}

TEST(ReadNpyFileTest, MissingFile) {
  try {
    ReadNpy("/nonexistent/dir/x.npy", {});
    FAIL() << "no exception";
  } catch (const FileAccessError& error) {
    EXPECT_STREQ(error.what(),
                 "/nonexistent/dir/x.npy: cannot open: No such file or "
                 "directory");
  }
}

}  // namespace
}  // namespace emkit::io
