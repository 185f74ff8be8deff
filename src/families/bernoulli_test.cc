// The Bernoulli family against closed forms: the log-probability of a row,
// Q from statistics against the direct weighted sum of log-probabilities,
// the K = 1 maximum-likelihood estimate (column means), smoothing, the
// handling of probabilities of exactly 0 and 1, validation and sampling.
#include "emkit/families/bernoulli.h"

#include <cmath>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/random.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;

RowMatrix RandomBinary(int n, int d, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = UniformDouble(rng) < 0.3 + 0.1 * j ? 1.0 : 0.0;
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

Bernoulli RandomFamily(int k, int d, std::uint64_t seed, BernoulliOptions options = {}) {
  Rng rng(seed);
  RowMatrix p(k, d);
  for (int c = 0; c < k; ++c) {
    for (int j = 0; j < d; ++j) p(c, j) = 0.05 + 0.9 * UniformDouble(rng);
  }
  return Bernoulli(p, options);
}

TEST(BernoulliTest, LogProbabilityOfARowIsTheProductOfItsFeatures) {
  RowMatrix p(2, 3);
  p << 0.2, 0.5, 0.9,
       0.7, 0.1, 0.4;
  const Bernoulli family(p, {});
  RowMatrix x(1, 3);
  x << 1, 0, 1;
  RowMatrix out(1, 2);
  family.LogProbabilities(ViewOf(x), out);
  // Closed form: prod_d p^x (1 - p)^(1 - x).
  EXPECT_NEAR(out(0, 0), std::log(0.2 * 0.5 * 0.9), 1e-14);
  EXPECT_NEAR(out(0, 1), std::log(0.7 * 0.9 * 0.4), 1e-14);
}

TEST(BernoulliTest, QFromStatisticsEqualsTheWeightedSumOfLogProbabilities) {
  const RowMatrix x = RandomBinary(200, 5, 1);
  const RowMatrix w = RandomWeights(200, 3, 2);
  const Bernoulli family = RandomFamily(3, 5, 3);
  Bernoulli::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &stats);
  RowMatrix log_p(200, 3);
  family.LogProbabilities(ViewOf(x), log_p);
  const double direct = (w.array() * log_p.array()).sum();
  EXPECT_NEAR(family.ExpectedLogLikelihood(stats), direct, 1e-11 * std::abs(direct));
}

TEST(BernoulliTest, StatisticsOfTwoHalvesMergeToThoseOfTheWhole) {
  const RowMatrix x = RandomBinary(100, 4, 4);
  const RowMatrix w = RandomWeights(100, 2, 5);
  const Bernoulli family = RandomFamily(2, 4, 6);
  Bernoulli::Statistics whole = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &whole);
  Bernoulli::Statistics first = family.NewStatistics();
  Bernoulli::Statistics second = family.NewStatistics();
  family.Accumulate(MatrixView(x.data(), 37, 4), w.topRows(37), &first);
  family.Accumulate(MatrixView(x.data() + 37 * 4, 63, 4), w.bottomRows(63), &second);
  first.Merge(second);
  EXPECT_TRUE(first.counts.isApprox(whole.counts, 1e-14));
  EXPECT_TRUE(first.ones.isApprox(whole.ones, 1e-14));
  EXPECT_TRUE(first.zeros.isApprox(whole.zeros, 1e-14));
  first.SetZero();
  EXPECT_EQ(first.ones.norm() + first.zeros.norm() + first.counts.norm(), 0.0);
}

TEST(BernoulliTest, OneComponentMaximumIsTheColumnMeans) {
  const RowMatrix x = RandomBinary(300, 4, 7);
  BernoulliOptions no_smoothing;
  no_smoothing.pseudo_count = 0.0;
  const Bernoulli family = RandomFamily(1, 4, 8, no_smoothing);
  Bernoulli::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), RowMatrix::Ones(300, 1), &stats);
  const Bernoulli mle = family.Maximize(stats, nullptr);
  const Eigen::RowVectorXd means = x.colwise().mean();
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(mle.probabilities()(0, j), means[j], 1e-15);

  // Smoothing: (ones + a) / (n + 2a), by hand.
  BernoulliOptions laplace;
  laplace.pseudo_count = 1.0;
  const Bernoulli smoothed = RandomFamily(1, 4, 8, laplace).Maximize(stats, nullptr);
  for (int j = 0; j < 4; ++j) {
    EXPECT_NEAR(smoothed.probabilities()(0, j), (x.col(j).sum() + 1.0) / 302.0, 1e-15);
  }
}

TEST(BernoulliTest, MaximizeMaximizesQ) {
  const RowMatrix x = RandomBinary(150, 3, 9);
  const RowMatrix w = RandomWeights(150, 2, 10);
  BernoulliOptions no_smoothing;
  no_smoothing.pseudo_count = 0.0;
  const Bernoulli family = RandomFamily(2, 3, 11, no_smoothing);
  Bernoulli::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &stats);
  const Bernoulli best = family.Maximize(stats, nullptr);
  const double q_best = best.ExpectedLogLikelihood(stats);
  for (double step : {-1e-3, 1e-3}) {
    for (int j = 0; j < 3; ++j) {
      RowMatrix p = best.probabilities();
      p(1, j) += step;
      EXPECT_LT(Bernoulli(p, no_smoothing).ExpectedLogLikelihood(stats), q_best);
    }
  }
}

TEST(BernoulliTest, ProbabilitiesOfZeroAndOneAreExactWithoutSmoothingAndNeverNan) {
  // Feature 0 is always 1 and feature 1 always 0 in the data.
  RowMatrix x(4, 3);
  x << 1, 0, 1,
       1, 0, 0,
       1, 0, 1,
       1, 0, 0;
  BernoulliOptions no_smoothing;
  no_smoothing.pseudo_count = 0.0;
  const Bernoulli start = RandomFamily(1, 3, 12, no_smoothing);
  Bernoulli::Statistics stats = start.NewStatistics();
  start.Accumulate(ViewOf(x), RowMatrix::Ones(4, 1), &stats);
  RepairCounts repairs;
  const Bernoulli mle = start.Maximize(stats, &repairs);
  EXPECT_EQ(mle.probabilities()(0, 0), 1.0);
  EXPECT_EQ(mle.probabilities()(0, 1), 0.0);
  EXPECT_EQ(repairs.Total(), 0);  // allowed on purpose, not a repair
  // The training rows have finite probability; Q is finite and equals the
  // direct sum: 4 log 1 + 4 log 1 + 4 log(1/2).
  RowMatrix log_p(4, 1);
  mle.LogProbabilities(ViewOf(x), log_p);
  EXPECT_TRUE(log_p.allFinite());
  EXPECT_NEAR(mle.ExpectedLogLikelihood(stats), 4.0 * std::log(0.5), 1e-14);
  EXPECT_NEAR(log_p.sum(), 4.0 * std::log(0.5), 1e-14);
  // A row that contradicts them has probability 0: -inf, not nan.
  RowMatrix other(1, 3);
  other << 0, 0, 1;
  RowMatrix out(1, 1);
  mle.LogProbabilities(ViewOf(other), out);
  EXPECT_EQ(out(0, 0), -std::numeric_limits<double>::infinity());

  // The default pseudo-count keeps them inside (0, 1) and finite.
  const Bernoulli smoothed = RandomFamily(1, 3, 12).Maximize(stats, nullptr);
  EXPECT_GT(smoothed.probabilities()(0, 1), 0.0);
  EXPECT_LT(smoothed.probabilities()(0, 0), 1.0);
  smoothed.LogProbabilities(ViewOf(other), out);
  EXPECT_TRUE(std::isfinite(out(0, 0)));
}

TEST(BernoulliTest, ACountThatRoundsAwayKeepsItsSupport) {
  // ones = 1, zeros = 1e-300: p = 1 / (1 + 1e-300) rounds to 1, but a row
  // with x = 0 did carry weight, so p must stay below 1.
  BernoulliOptions no_smoothing;
  no_smoothing.pseudo_count = 0.0;
  const Bernoulli family = RandomFamily(1, 1, 13, no_smoothing);
  Bernoulli::Statistics stats = family.NewStatistics();
  stats.counts[0] = 1.0;
  stats.ones(0, 0) = 1.0;
  stats.zeros(0, 0) = 1e-300;
  const Bernoulli mle = family.Maximize(stats, nullptr);
  EXPECT_LT(mle.probabilities()(0, 0), 1.0);
  EXPECT_TRUE(std::isfinite(mle.ExpectedLogLikelihood(stats)));
}

TEST(BernoulliTest, CollapsedComponentKeepsItsParametersAndIsCounted) {
  const RowMatrix x = RandomBinary(50, 3, 14);
  RowMatrix w = RowMatrix::Zero(50, 2);
  w.col(0).setOnes();
  const Bernoulli family = RandomFamily(2, 3, 15);
  Bernoulli::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &stats);
  RepairCounts repairs;
  const Bernoulli next = family.Maximize(stats, &repairs);
  EXPECT_EQ(repairs.collapsed_components, 1);
  EXPECT_EQ(next.probabilities().row(1), family.probabilities().row(1));
}

TEST(BernoulliTest, ValidationNamesTheElementAndTheRule) {
  RowMatrix x = RowMatrix::Zero(5, 2);
  x(3, 1) = 3.0;
  try {
    Bernoulli::ValidateData(ViewOf(x));
    FAIL() << "expected InvalidDataError";
  } catch (const InvalidDataError& e) {
    EXPECT_STREQ(e.what(), "X[3, 1] = 3: Bernoulli features must be 0 or 1");
  }
  x(3, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(Bernoulli::ValidateData(ViewOf(x)), InvalidDataError);
  x(3, 1) = 1.0;
  EXPECT_NO_THROW(Bernoulli::ValidateData(ViewOf(x)));

  RowMatrix p(1, 2);
  p << 0.5, 1.5;
  try {
    Bernoulli family(p, {});
    FAIL() << "expected InvalidDataError";
  } catch (const InvalidDataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("probabilities[0, 1] = 1.5 must be in [0, 1]"));
  }
  BernoulliOptions bad;
  bad.pseudo_count = -1.0;
  EXPECT_THROW(bad.Validate(), InvalidOptionError);
}

TEST(BernoulliTest, SamplesHaveTheComponentsMeansAndCountsParameters) {
  RowMatrix p(2, 3);
  p << 0.1, 0.5, 0.0,
       0.9, 0.25, 1.0;
  const Bernoulli family(p, {});
  EXPECT_EQ(family.NumFreeParameters(), 6);
  Rng rng(16);
  constexpr int kDraws = 20000;
  Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(3);
  double row[3];
  for (int i = 0; i < kDraws; ++i) {
    family.Sample(1, rng, row);
    for (int j = 0; j < 3; ++j) {
      ASSERT_TRUE(row[j] == 0.0 || row[j] == 1.0);
      sum[j] += row[j];
    }
  }
  // Five standard errors of a mean of kDraws Bernoulli draws.
  for (int j = 0; j < 3; ++j) {
    const double se = std::sqrt(p(1, j) * (1 - p(1, j)) / kDraws);
    EXPECT_NEAR(sum[j] / kDraws, p(1, j), 5 * se + 1e-12);
  }
}

}  // namespace
}  // namespace emkit
