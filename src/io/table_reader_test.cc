#include <cstdint>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/io/table.h"
#include "test_files.h"

namespace emkit::io {
namespace {

using ::testing::ElementsAre;

// A 1 x 2 float64 .npy file holding 1.5 and -2.
std::string SmallNpy() {
  std::string header =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size());
  file += '\0';
  file += header;
  const double values[2] = {1.5, -2};
  file.append(reinterpret_cast<const char*>(values), sizeof(values));
  return file;
}

TEST(ReadTableTest, ReadsCsv) {
  testing::TempDir dir;
  const Table table = ReadTable(dir.Write("d.csv", "x,y\n1,2\n"), {});
  EXPECT_THAT(table.column_names, ElementsAre("x", "y"));
  EXPECT_EQ(table.values(0, 1), 2);
}

TEST(ReadTableTest, TsvByExtension) {
  testing::TempDir dir;
  const Table table = ReadTable(dir.Write("d.TSV", "a,b\tc\n1\t2\n"), {});
  EXPECT_THAT(table.column_names, ElementsAre("a,b", "c"));
}

TEST(ReadTableTest, MessagesNameThePath) {
  testing::TempDir dir;
  const std::string path = dir.Write("d.csv", "x\n1\nq\n");
  try {
    ReadTable(path, {});
    FAIL() << "no exception";
  } catch (const FileFormatError& error) {
    EXPECT_EQ(error.what(), path + ":3:1: cannot parse \"q\" as a number");
  }
}

TEST(ReadTableTest, NpyByExtensionAndByContent) {
  testing::TempDir dir;
  for (const std::string name : {"a.npy", "b.NPY", "c.dat"}) {
    const Table table = ReadTable(dir.Write(name, SmallNpy()), {});
    ASSERT_EQ(table.values.rows(), 1) << name;
    ASSERT_EQ(table.values.cols(), 2) << name;
    EXPECT_EQ(table.values(0, 0), 1.5) << name;
    EXPECT_EQ(table.values(0, 1), -2) << name;
  }
}

TEST(ReadTableTest, RejectsArchives) {
  testing::TempDir dir;
  EXPECT_THROW(ReadTable(dir.Write("d.csv.gz", "\x1F\x8B\x08\x00rest"), {}),
               FileFormatError);
  try {
    ReadTable(dir.Write("d.npz", "PK\x03\x04rest"), {});
    FAIL() << "no exception";
  } catch (const FileFormatError& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("zip archive"));
  }
}

TEST(ReadTableTest, ShortFiles) {
  testing::TempDir dir;
  EXPECT_EQ(ReadTable(dir.Write("one.csv", "7"), {}).values(0, 0), 7);
  try {
    ReadTable(dir.Write("empty.csv", ""), {});
    FAIL() << "no exception";
  } catch (const FileFormatError& error) {
    EXPECT_EQ(error.what(), dir.File("empty.csv") + ": the file is empty");
  }
}

TEST(ReadTableTest, DashReadsStandardInput) {
  std::istringstream input("a;b\n1;2\nx;4\n");
  std::streambuf* const saved = std::cin.rdbuf(input.rdbuf());
  try {
    ReadTable("-", {});
    ADD_FAILURE() << "no exception";
  } catch (const FileFormatError& error) {
    EXPECT_STREQ(error.what(), "<stdin>:3:1: cannot parse \"x\" as a number");
  }
  std::cin.rdbuf(saved);
}

TEST(ReadTableTest, MissingFileAndDirectory) {
  testing::TempDir dir;
  const std::string missing = dir.File("nope.csv");
  try {
    ReadTable(missing, {});
    FAIL() << "no exception";
  } catch (const FileAccessError& error) {
    EXPECT_EQ(error.what(), missing + ": cannot open: No such file or directory");
  }
  try {
    ReadTable(dir.path(), {});
    FAIL() << "no exception";
  } catch (const FileAccessError& error) {
    EXPECT_EQ(error.what(), dir.path() + ": cannot open: Is a directory");
  }
}

}  // namespace
}  // namespace emkit::io
