#include "emkit/io/csv_writer.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
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

std::string ToCsv(const RowMatrix& values,
                  const std::vector<std::string>& header = {}) {
  std::ostringstream out;
  WriteCsv(out, values, header);
  return out.str();
}

std::uint64_t BitsOf(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

TEST(WriteCsvTest, WritesHeaderAndShortestNumbers) {
  RowMatrix values(2, 3);
  values << 0.1, -0.0, 1e300, 5e-324, 3, -2.5;
  EXPECT_EQ(ToCsv(values, {"a", "b", "c"}),
            "a,b,c\n0.1,-0,1e+300\n5e-324,3,-2.5\n");
  EXPECT_EQ(ToCsv(values), "0.1,-0,1e+300\n5e-324,3,-2.5\n");
}

TEST(WriteCsvTest, QuotesHeaderFieldsOnlyWhenNeeded) {
  RowMatrix values = RowMatrix::Zero(1, 7);
  EXPECT_EQ(
      ToCsv(values, {"plain", "a,b", "say \"hi\"", "two\nlines", " padded",
                     "", "temp\xC3\xA9rature"}),
      "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\",\"\","
      "temp\xC3\xA9rature\n0,0,0,0,0,0,0\n");
}

TEST(WriteCsvTest, HeaderSizeMustMatch) {
  EXPECT_THROW(ToCsv(RowMatrix::Zero(1, 2), {"a"}), InvalidOptionError);
}

TEST(WriteCsvTest, AcceptsBlocksOfLargerMatrices) {
  RowMatrix values(3, 3);
  values << 1, 2, 3, 4, 5, 6, 7, 8, 9;
  std::ostringstream out;
  WriteCsv(out, values.block(1, 1, 2, 2));
  EXPECT_EQ(out.str(), "5,6\n8,9\n");
}

TEST(WriteCsvTest, Labels) {
  std::ostringstream out;
  WriteCsv(out, std::vector<int>{0, 2, -1, 1}, "cluster");
  EXPECT_EQ(out.str(), "cluster\n0\n2\n-1\n1\n");
  std::ostringstream bare;
  WriteCsv(bare, std::vector<int>{3}, "");
  EXPECT_EQ(bare.str(), "3\n");
}

TEST(WriteCsvTest, RoundTripIsBitExact) {
  std::mt19937_64 random(20240611);
  constexpr Eigen::Index kRows = 20000;
  constexpr Eigen::Index kCols = 5;
  RowMatrix values(kRows, kCols);
  for (Eigen::Index i = 0; i < kRows; ++i) {
    for (Eigen::Index j = 0; j < kCols; ++j) {
      double value;
      do {
        const std::uint64_t bits = random();
        std::memcpy(&value, &bits, sizeof(value));
      } while (!std::isfinite(value));
      values(i, j) = value;
    }
  }
  // Special values in the first rows, subnormals included.
  const std::vector<double> special = {
      -0.0,
      0.0,
      std::numeric_limits<double>::denorm_min(),
      -std::numeric_limits<double>::denorm_min(),
      std::numeric_limits<double>::min(),
      std::nextafter(std::numeric_limits<double>::min(), 0.0),
      std::numeric_limits<double>::max(),
      std::numeric_limits<double>::lowest(),
      1e300,
      -1e-300,
      1e-300,
      0.1,
      1.0 / 3.0,
      9007199254740993.0,
      123456789012345680000.0};
  for (std::size_t k = 0; k < special.size(); ++k) {
    values(static_cast<Eigen::Index>(k / kCols),
           static_cast<Eigen::Index>(k % kCols)) = special[k];
  }

  std::istringstream in(ToCsv(values, {"a", "b", "c", "d", "e"}));
  const Table table = ReadDelimited(in, "round.csv", {});
  EXPECT_THAT(table.column_names, ElementsAre("a", "b", "c", "d", "e"));
  ASSERT_EQ(table.values.rows(), kRows);
  ASSERT_EQ(table.values.cols(), kCols);
  for (Eigen::Index i = 0; i < kRows; ++i) {
    for (Eigen::Index j = 0; j < kCols; ++j) {
      ASSERT_EQ(BitsOf(table.values(i, j)), BitsOf(values(i, j)))
          << "at (" << i << ", " << j << "): " << values(i, j);
    }
  }
}

TEST(WriteCsvTest, NonFiniteValuesRoundTripWhenAllowed) {
  RowMatrix values(1, 3);
  values << std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN();
  const std::string text = ToCsv(values);
  EXPECT_EQ(text, "inf,-inf,nan\n");
  TableReadOptions options;
  options.allow_non_finite = true;
  std::istringstream in(text);
  const Table table = ReadDelimited(in, "x.csv", options);
  EXPECT_EQ(table.values(0, 0), values(0, 0));
  EXPECT_EQ(table.values(0, 1), values(0, 1));
  EXPECT_TRUE(std::isnan(table.values(0, 2)));
}

}  // namespace
}  // namespace emkit::io
