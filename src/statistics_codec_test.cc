// The flat form of statistics: its writer and reader, word for word, and
// which shipped statistics merge as a plain sum. The round trips of every
// shipped model's statistics are a law (emkit/testing/model_laws.h), run
// in tests/laws.
#include "emkit/statistics_codec.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/model_registry.h"

namespace emkit {
namespace {

// As documented in emkit/statistics_codec.h: counts merge by addition,
// pooled moments do not.
static_assert(SummableStatistics<Bernoulli::Statistics>);
static_assert(SummableStatistics<Categorical::Statistics>);
static_assert(SummableStatistics<Poisson::Statistics>);
static_assert(SummableStatistics<VonMisesFisher::Statistics>);
static_assert(SummableStatistics<PoissonHmm::Statistics>);
static_assert(!SummableStatistics<GaussianFull::Statistics>);
static_assert(!SummableStatistics<GaussianDiag::Statistics>);
static_assert(!SummableStatistics<GaussianSpherical::Statistics>);
static_assert(!SummableStatistics<GaussianTied::Statistics>);
static_assert(!SummableStatistics<GaussianGroupTied::Statistics>);
static_assert(!SummableStatistics<GaussianMixtureEmissionDiag::Statistics>);
static_assert(!SummableStatistics<GaussianHmmDiag::Statistics>);
static_assert(SerializableStatistics<GaussianGroupTied::Statistics>);

template <class Fn>
std::string MessageOf(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

Poisson::Statistics SomePoissonStatistics() {
  const Poisson family((RowMatrix(2, 3) << 1.0, 2.0, 3.0, 4.0, 5.0, 6.0).finished(), {});
  Poisson::Statistics stats = family.NewStatistics();
  const RowMatrix x = (RowMatrix(2, 3) << 0.0, 1.0, 2.0, 3.0, 4.0, 5.0).finished();
  const RowMatrix weights = (RowMatrix(2, 2) << 0.25, 0.75, 1.0, 0.0).finished();
  family.Accumulate(ViewOf(x), weights, &stats);
  return stats;
}

TEST(StatisticsCodec, FlattensTheArraysInTheOrderEncodeWritesThem) {
  const Poisson::Statistics stats = SomePoissonStatistics();
  const StatisticsLayout layout = LayoutOf(stats);
  ASSERT_EQ(layout.size(), 3u);
  EXPECT_EQ(layout[0].key, "counts");
  EXPECT_EQ(layout[0].shape, (std::vector<Eigen::Index>{2}));
  EXPECT_EQ(layout[1].key, "sums");
  EXPECT_EQ(layout[1].shape, (std::vector<Eigen::Index>{2, 3}));
  EXPECT_EQ(layout[2].key, "log_factorials");
  EXPECT_EQ(FlatLength(layout), 10u);
  const std::vector<double> flat = FlattenStatistics(stats);
  ASSERT_EQ(flat.size(), 10u);
  EXPECT_EQ(flat[0], stats.counts[0]);
  EXPECT_EQ(flat[2 + 3 + 1], stats.sums(1, 1));  // row-major
  EXPECT_EQ(flat[9], stats.log_factorials[1]);
}

TEST(StatisticsCodec, CarriesNonFiniteValuesAsTheyAre) {
  Poisson::Statistics stats = SomePoissonStatistics();
  stats.sums(0, 2) = std::numeric_limits<double>::quiet_NaN();
  stats.counts[1] = -std::numeric_limits<double>::infinity();
  const Poisson::Statistics back = UnflattenStatistics(stats, FlattenStatistics(stats));
  EXPECT_TRUE(std::isnan(back.sums(0, 2)));
  EXPECT_EQ(back.counts[1], -std::numeric_limits<double>::infinity());
}

TEST(StatisticsCodec, ABufferOfAnotherLengthIsRefused) {
  const Poisson::Statistics stats = SomePoissonStatistics();
  const std::vector<double> flat(11, 0.0);
  EXPECT_EQ(MessageOf([&] { (void)UnflattenStatistics(stats, flat); }),
            "statistics: 11 values, but the layout holds 10");
  std::vector<double> total = FlattenStatistics(stats);
  EXPECT_THROW(MergeFlattened(stats, std::span<double>(total), flat), InvalidDataError);
}

TEST(StatisticsCodec, AnArrayOfAnotherShapeIsNamed) {
  StatisticsLayout layout = LayoutOf(SomePoissonStatistics());
  layout[1].shape = {3, 3};
  const std::vector<double> values(FlatLength(layout), 0.0);
  Poisson::Statistics target = SomePoissonStatistics();
  EXPECT_EQ(MessageOf([&] { target.Decode(FlatStatisticsReader(layout, values, "rank 2")); }),
            "rank 2: \"sums\" has shape [3, 3], expected [2, 3]");
  StatisticsLayout shorter = LayoutOf(target);
  shorter.pop_back();
  const std::vector<double> fewer(FlatLength(shorter), 0.0);
  EXPECT_EQ(MessageOf([&] { target.Decode(FlatStatisticsReader(shorter, fewer)); }),
            "statistics: missing \"log_factorials\"");
}

TEST(StatisticsCodec, TheWriterTakesArraysOnlyAndEachKeyOnce) {
  FlatStatisticsWriter out;
  EXPECT_EQ(MessageOf([&] { out.Number("reg_covar", 1.0); }),
            "statistics are arrays only, but \"reg_covar\" was written as a setting");
  const Vector v = Vector::Ones(2);
  out.Vector1("counts", v);
  EXPECT_EQ(MessageOf([&] { out.Vector1("counts", v); }),
            "statistics key \"counts\" written twice");
}

TEST(StatisticsCodec, MergesPooledMomentsByTheirMergeNotByASum) {
  const GaussianDiag family((RowMatrix(1, 1) << 0.0).finished(),
                            (RowMatrix(1, 1) << 1.0).finished(), {});
  GaussianDiag::Statistics a = family.NewStatistics();
  GaussianDiag::Statistics b = family.NewStatistics();
  const RowMatrix x_a = (RowMatrix(2, 1) << 1.0, 3.0).finished();
  const RowMatrix x_b = (RowMatrix(1, 1) << 8.0).finished();
  family.Accumulate(ViewOf(x_a), RowMatrix::Ones(2, 1), &a);
  family.Accumulate(ViewOf(x_b), RowMatrix::Ones(1, 1), &b);
  std::vector<double> total = FlattenStatistics(a);
  MergeFlattened(a, std::span<double>(total), FlattenStatistics(b));
  // counts, the mean of 1, 3, 8 and the squares about it.
  ASSERT_EQ(total.size(), 3u);
  EXPECT_EQ(total[0], 3.0);
  EXPECT_DOUBLE_EQ(total[1], 4.0);
  EXPECT_DOUBLE_EQ(total[2], 9.0 + 1.0 + 16.0);
}

}  // namespace
}  // namespace emkit
