#include "emkit/io/atomic_file.h"

#include <sys/stat.h>

#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "test_files.h"

namespace emkit::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(WriteFileAtomicallyTest, CreatesFile) {
  testing::TempDir dir;
  const std::string path = dir.File("out.csv");
  WriteFileAtomically(path, [](std::ostream& out) { out << "a,b\n1,2\n"; });
  EXPECT_EQ(testing::ReadFileBytes(path), "a,b\n1,2\n");
  EXPECT_THAT(dir.List(), ElementsAre("out.csv"));
}

TEST(WriteFileAtomicallyTest, ReplacesFileAndKeepsItsMode) {
  testing::TempDir dir;
  const std::string path = dir.Write("out.csv", "old content that is longer\n");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  WriteFileAtomically(path, [](std::ostream& out) { out << "new\n"; });
  EXPECT_EQ(testing::ReadFileBytes(path), "new\n");
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640u);
  EXPECT_THAT(dir.List(), ElementsAre("out.csv"));
}

TEST(WriteFileAtomicallyTest, LargeOutput) {
  testing::TempDir dir;
  const std::string path = dir.File("big.txt");
  const std::string line(999, 'x');
  WriteFileAtomically(path, [&](std::ostream& out) {
    for (int i = 0; i < 1000; ++i) out << line << '\n';
  });
  EXPECT_EQ(testing::ReadFileBytes(path).size(), 1000u * 1000u);
}

TEST(WriteFileAtomicallyTest, ThrowingWriterLeavesTargetUntouched) {
  testing::TempDir dir;
  const std::string path = dir.Write("out.csv", "old\n");
  EXPECT_THROW(WriteFileAtomically(path,
                                   [](std::ostream& out) {
                                     out << std::string(100000, 'y');
                                     throw std::runtime_error("model failed");
                                   }),
               std::runtime_error);
  EXPECT_EQ(testing::ReadFileBytes(path), "old\n");
  EXPECT_THAT(dir.List(), ElementsAre("out.csv"));
}

TEST(WriteFileAtomicallyTest, ThrowingWriterCreatesNothing) {
  testing::TempDir dir;
  EXPECT_THROW(
      WriteFileAtomically(dir.File("out.csv"),
                          [](std::ostream&) { throw std::logic_error("no"); }),
      std::logic_error);
  EXPECT_TRUE(dir.List().empty());
}

TEST(WriteFileAtomicallyTest, MissingDirectory) {
  testing::TempDir dir;
  const std::string path = dir.File("missing/out.csv");
  bool called = false;
  try {
    WriteFileAtomically(path, [&](std::ostream&) { called = true; });
    FAIL() << "no exception";
  } catch (const FileAccessError& error) {
    EXPECT_THAT(error.what(), StartsWith(path + ": cannot create the "
                                                "temporary file " +
                                         path + ".tmp."));
    EXPECT_THAT(error.what(), HasSubstr(": No such file or directory"));
  }
  EXPECT_FALSE(called);
}

TEST(WriteFileAtomicallyTest, TargetIsADirectory) {
  testing::TempDir dir;
  const std::string path = dir.File("sub");
  ASSERT_EQ(mkdir(path.c_str(), 0755), 0);
  try {
    WriteFileAtomically(path, [](std::ostream& out) { out << "x"; });
    FAIL() << "no exception";
  } catch (const FileAccessError& error) {
    EXPECT_THAT(error.what(),
                StartsWith(path + ": cannot replace the file: "));
  }
  EXPECT_THAT(dir.List(), ElementsAre("sub"));
}

TEST(WriteFileAtomicallyTest, WriteErrorIsReported) {
  // A failed stream after `write` returns must not replace the file, even
  // when nothing threw.
  testing::TempDir dir;
  const std::string path = dir.Write("out.csv", "old\n");
  try {
    WriteFileAtomically(path, [](std::ostream& out) {
      out << "partial";
      out.setstate(std::ios::badbit);
    });
    FAIL() << "no exception";
  } catch (const FileAccessError& error) {
    EXPECT_THAT(error.what(), StartsWith(path + ": cannot write: "));
  }
  EXPECT_EQ(testing::ReadFileBytes(path), "old\n");
  EXPECT_THAT(dir.List(), ElementsAre("out.csv"));
}

TEST(WriteFileAtomicallyTest, DashWritesToStandardOutput) {
  ::testing::internal::CaptureStdout();
  WriteFileAtomically("-", [](std::ostream& out) { out << "1,2\n"; });
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "1,2\n");
}

}  // namespace
}  // namespace emkit::io
