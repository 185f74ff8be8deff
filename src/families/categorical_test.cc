// The categorical family in both layouts against closed forms: the
// multinomial probability of a count row, Q from statistics against the
// direct weighted sum of log-probabilities, normalised counts as the K = 1
// estimate, symbols equal to one-hot counts, zero probabilities, validation
// and sampling.
#include "emkit/families/categorical.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/random.h"

namespace emkit {
namespace {

CategoricalOptions Layout(CategoricalLayout layout, double pseudo_count = 1e-10) {
  CategoricalOptions o;
  o.layout = layout;
  o.pseudo_count = pseudo_count;
  return o;
}

RowMatrix RandomSymbols(int n, int v, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(n, 1);
  for (int i = 0; i < n; ++i) x(i, 0) = static_cast<double>(UniformIndex(rng, v));
  return x;
}

RowMatrix OneHot(const RowMatrix& symbols, int v) {
  RowMatrix x = RowMatrix::Zero(symbols.rows(), v);
  for (Eigen::Index i = 0; i < symbols.rows(); ++i) x(i, static_cast<int>(symbols(i, 0))) = 1.0;
  return x;
}

RowMatrix RandomCounts(int n, int v, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x = RowMatrix::Zero(n, v);
  for (int i = 0; i < n; ++i) {
    const int total = static_cast<int>(UniformIndex(rng, 12));
    for (int t = 0; t < total; ++t) x(i, static_cast<int>(UniformIndex(rng, v))) += 1.0;
  }
  return x;
}

RowMatrix RandomWeights(int n, int k, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix w(n, k);
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < k; ++c) w(i, c) = UniformDouble(rng);
  }
  return w;
}

RowMatrix RandomProbabilities(int k, int v, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix p(k, v);
  for (int c = 0; c < k; ++c) {
    for (int j = 0; j < v; ++j) p(c, j) = 0.1 + UniformDouble(rng);
    p.row(c) /= p.row(c).sum();
  }
  return p;
}

TEST(CategoricalTest, CountRowHasTheMultinomialProbability) {
  RowMatrix p(1, 3);
  p << 0.5, 0.3, 0.2;
  const Categorical family(p, Layout(CategoricalLayout::kCounts));
  RowMatrix x(2, 3);
  x << 2, 1, 0,
       0, 0, 0;
  RowMatrix out(2, 1);
  family.LogProbabilities(ViewOf(x), out);
  // Closed form: 3! / (2! 1! 0!) * 0.5^2 * 0.3 = 0.225; an empty row has
  // probability 1.
  EXPECT_NEAR(out(0, 0), std::log(0.225), 1e-14);
  EXPECT_EQ(out(1, 0), 0.0);
}

TEST(CategoricalTest, QFromStatisticsEqualsTheWeightedSumInBothLayouts) {
  const RowMatrix p = RandomProbabilities(3, 5, 1);
  const RowMatrix w = RandomWeights(150, 3, 2);
  for (CategoricalLayout layout : {CategoricalLayout::kCounts, CategoricalLayout::kSymbols}) {
    const RowMatrix x = layout == CategoricalLayout::kCounts ? RandomCounts(150, 5, 3)
                                                             : RandomSymbols(150, 5, 3);
    const Categorical family(p, Layout(layout));
    Categorical::Statistics stats = family.NewStatistics();
    family.Accumulate(ViewOf(x), w, &stats);
    RowMatrix log_p(150, 3);
    family.LogProbabilities(ViewOf(x), log_p);
    const double direct = (w.array() * log_p.array()).sum();
    EXPECT_NEAR(family.ExpectedLogLikelihood(stats), direct, 1e-11 * std::abs(direct))
        << CategoricalLayoutName(layout);
  }
}

TEST(CategoricalTest, SymbolsEqualOneHotCounts) {
  const RowMatrix symbols = RandomSymbols(120, 4, 4);
  const RowMatrix one_hot = OneHot(symbols, 4);
  const RowMatrix w = RandomWeights(120, 2, 5);
  const RowMatrix p = RandomProbabilities(2, 4, 6);
  const Categorical as_symbols(p, Layout(CategoricalLayout::kSymbols));
  const Categorical as_counts(p, Layout(CategoricalLayout::kCounts));
  EXPECT_EQ(as_symbols.num_features(), 1);
  EXPECT_EQ(as_counts.num_features(), 4);
  RowMatrix a(120, 2), b(120, 2);
  as_symbols.LogProbabilities(ViewOf(symbols), a);
  as_counts.LogProbabilities(ViewOf(one_hot), b);
  EXPECT_TRUE(a.isApprox(b, 1e-14));
  Categorical::Statistics sa = as_symbols.NewStatistics();
  Categorical::Statistics sb = as_counts.NewStatistics();
  as_symbols.Accumulate(ViewOf(symbols), w, &sa);
  as_counts.Accumulate(ViewOf(one_hot), w, &sb);
  EXPECT_TRUE(sa.categories.isApprox(sb.categories, 1e-14));
  EXPECT_TRUE(as_symbols.Maximize(sa, nullptr)
                  .probabilities()
                  .isApprox(as_counts.Maximize(sb, nullptr).probabilities(), 1e-14));
}

TEST(CategoricalTest, OneComponentMaximumIsTheNormalisedCounts) {
  const RowMatrix x = RandomCounts(200, 6, 7);
  const Categorical family(RandomProbabilities(1, 6, 8),
                           Layout(CategoricalLayout::kCounts, 0.0));
  Categorical::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), RowMatrix::Ones(200, 1), &stats);
  const Categorical mle = family.Maximize(stats, nullptr);
  const Eigen::RowVectorXd totals = x.colwise().sum();
  for (int v = 0; v < 6; ++v) {
    EXPECT_NEAR(mle.probabilities()(0, v), totals[v] / totals.sum(), 1e-15);
  }
  // Smoothing by hand: (c + a) / (sum c + V a).
  const Categorical smoothed =
      Categorical(RandomProbabilities(1, 6, 8), Layout(CategoricalLayout::kCounts, 0.5))
          .Maximize(stats, nullptr);
  for (int v = 0; v < 6; ++v) {
    EXPECT_NEAR(smoothed.probabilities()(0, v), (totals[v] + 0.5) / (totals.sum() + 3.0),
                1e-15);
  }
  // The maximum of Q: moving mass between two categories lowers it.
  const double q_best = mle.ExpectedLogLikelihood(stats);
  RowMatrix p = mle.probabilities();
  p(0, 0) += 1e-3;
  p(0, 1) -= 1e-3;
  EXPECT_LT(Categorical(p, Layout(CategoricalLayout::kCounts, 0.0)).ExpectedLogLikelihood(stats),
            q_best);
}

TEST(CategoricalTest, ZeroProbabilitiesAndOutOfRangeSymbols) {
  RowMatrix symbols(4, 1);
  symbols << 0, 2, 2, 0;
  const Categorical start(RandomProbabilities(1, 3, 9),
                          Layout(CategoricalLayout::kSymbols, 0.0));
  Categorical::Statistics stats = start.NewStatistics();
  start.Accumulate(ViewOf(symbols), RowMatrix::Ones(4, 1), &stats);
  RepairCounts repairs;
  const Categorical mle = start.Maximize(stats, &repairs);
  EXPECT_EQ(mle.probabilities()(0, 1), 0.0);
  EXPECT_EQ(repairs.Total(), 0);
  EXPECT_NEAR(mle.ExpectedLogLikelihood(stats), 4.0 * std::log(0.5), 1e-14);
  RowMatrix other(3, 1);
  other << 1, 7, 0.5;  // probability 0, out of range, not an integer
  RowMatrix out(3, 1);
  mle.LogProbabilities(ViewOf(other), out);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out(i, 0), -std::numeric_limits<double>::infinity());
}

TEST(CategoricalTest, ValidationNamesTheElementAndTheRule) {
  RowMatrix counts = RowMatrix::Ones(4, 3);
  counts(3, 1) = -2.0;
  try {
    Categorical::ValidateData(ViewOf(counts), CategoricalLayout::kCounts, 3);
    FAIL() << "expected InvalidDataError";
  } catch (const InvalidDataError& e) {
    EXPECT_STREQ(e.what(), "X[3, 1] = -2: Categorical counts must be non-negative integers");
  }
  counts(3, 1) = 1.0;
  EXPECT_THROW(Categorical::ValidateData(ViewOf(counts), CategoricalLayout::kCounts, 4),
               InvalidDataError);
  RowMatrix symbols = RowMatrix::Zero(6, 1);
  symbols(5, 0) = 7.0;
  try {
    Categorical::ValidateData(ViewOf(symbols), CategoricalLayout::kSymbols, 4);
    FAIL() << "expected InvalidDataError";
  } catch (const InvalidDataError& e) {
    EXPECT_STREQ(e.what(), "X[5, 0] = 7: Categorical symbols must be integers in [0, 4)");
  }
  EXPECT_THROW(Categorical::ValidateData(ViewOf(counts), CategoricalLayout::kSymbols, 4),
               InvalidDataError);  // three columns
  RowMatrix p(1, 2);
  p << 0.5, 0.6;
  EXPECT_THROW(Categorical(p, {}), InvalidDataError);
  EXPECT_THROW(ParseCategoricalLayout("words"), InvalidOptionError);
  EXPECT_EQ(ParseCategoricalLayout("symbols"), CategoricalLayout::kSymbols);
}

TEST(CategoricalTest, SamplesFollowTheProbabilities) {
  RowMatrix p(1, 3);
  p << 0.2, 0.0, 0.8;
  CategoricalOptions options = Layout(CategoricalLayout::kCounts);
  options.sample_total = 5;
  const Categorical counts(p, options);
  const Categorical symbols(p, Layout(CategoricalLayout::kSymbols));
  EXPECT_EQ(counts.NumFreeParameters(), 2);
  Rng rng(10);
  constexpr int kDraws = 20000;
  Eigen::RowVector3d seen = Eigen::RowVector3d::Zero();
  double row[3];
  for (int i = 0; i < kDraws; ++i) {
    counts.Sample(0, rng, row);
    ASSERT_EQ(row[0] + row[1] + row[2], 5.0);
    EXPECT_EQ(row[1], 0.0);
    symbols.Sample(0, rng, row);
    seen[static_cast<int>(row[0])] += 1.0;
  }
  EXPECT_EQ(seen[1], 0.0);
  // Five standard errors.
  EXPECT_NEAR(seen[0] / kDraws, 0.2, 5 * std::sqrt(0.2 * 0.8 / kDraws));
}

}  // namespace
}  // namespace emkit
