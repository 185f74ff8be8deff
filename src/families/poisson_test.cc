// The Poisson family against closed forms: the probability mass of a row,
// Q from statistics against the direct weighted sum of log-probabilities,
// the K = 1 estimate (column means), the rate floor, rates of 0, validation,
// the sampler's moments and log(x!).
#include "emkit/families/poisson.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/random.h"

namespace emkit {
namespace {

RowMatrix RandomCounts(int n, int d, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = static_cast<double>(SamplePoisson(1.0 + 4.0 * j, rng));
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

Poisson RandomFamily(int k, int d, std::uint64_t seed, PoissonOptions options = {}) {
  Rng rng(seed);
  RowMatrix rates(k, d);
  for (int c = 0; c < k; ++c) {
    for (int j = 0; j < d; ++j) rates(c, j) = 0.5 + 10.0 * UniformDouble(rng);
  }
  return Poisson(rates, options);
}

TEST(PoissonTest, LogProbabilityIsThePoissonMass) {
  RowMatrix rates(2, 2);
  rates << 2.0, 0.5,
           7.0, 3.0;
  const Poisson family(rates, {});
  RowMatrix x(1, 2);
  x << 3, 0;
  RowMatrix out(1, 2);
  family.LogProbabilities(ViewOf(x), out);
  // Closed form: prod_d lambda^x e^-lambda / x!.
  EXPECT_NEAR(out(0, 0), std::log(std::pow(2.0, 3) * std::exp(-2.0) / 6.0 * std::exp(-0.5)),
              1e-13);
  EXPECT_NEAR(out(0, 1), std::log(std::pow(7.0, 3) * std::exp(-7.0) / 6.0 * std::exp(-3.0)),
              1e-13);
}

TEST(PoissonTest, QFromStatisticsEqualsTheWeightedSumOfLogProbabilities) {
  const RowMatrix x = RandomCounts(200, 4, 1);
  const RowMatrix w = RandomWeights(200, 3, 2);
  const Poisson family = RandomFamily(3, 4, 3);
  Poisson::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &stats);
  RowMatrix log_p(200, 3);
  family.LogProbabilities(ViewOf(x), log_p);
  const double direct = (w.array() * log_p.array()).sum();
  EXPECT_NEAR(family.ExpectedLogLikelihood(stats), direct, 1e-11 * std::abs(direct));
}

TEST(PoissonTest, StatisticsOfTwoHalvesMergeToThoseOfTheWhole) {
  const RowMatrix x = RandomCounts(90, 3, 4);
  const RowMatrix w = RandomWeights(90, 2, 5);
  const Poisson family = RandomFamily(2, 3, 6);
  Poisson::Statistics whole = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &whole);
  Poisson::Statistics first = family.NewStatistics();
  Poisson::Statistics second = family.NewStatistics();
  family.Accumulate(MatrixView(x.data(), 40, 3), w.topRows(40), &first);
  family.Accumulate(MatrixView(x.data() + 40 * 3, 50, 3), w.bottomRows(50), &second);
  first.Merge(second);
  EXPECT_TRUE(first.counts.isApprox(whole.counts, 1e-14));
  EXPECT_TRUE(first.sums.isApprox(whole.sums, 1e-14));
  EXPECT_TRUE(first.log_factorials.isApprox(whole.log_factorials, 1e-14));
}

TEST(PoissonTest, OneComponentMaximumIsTheColumnMeansAndMaximizesQ) {
  const RowMatrix x = RandomCounts(250, 3, 7);
  PoissonOptions no_floor;
  no_floor.min_rate = 0.0;
  const Poisson family = RandomFamily(1, 3, 8, no_floor);
  Poisson::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), RowMatrix::Ones(250, 1), &stats);
  const Poisson mle = family.Maximize(stats, nullptr);
  const Eigen::RowVectorXd means = x.colwise().mean();
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(mle.rates()(0, j), means[j], 1e-14 * means[j]);
  const double q_best = mle.ExpectedLogLikelihood(stats);
  for (double factor : {0.999, 1.001}) {
    RowMatrix rates = mle.rates();
    rates(0, 1) *= factor;
    EXPECT_LT(Poisson(rates, no_floor).ExpectedLogLikelihood(stats), q_best);
  }
}

TEST(PoissonTest, ZeroRatesAreExactWithoutTheFloorAndFlooredWithIt) {
  RowMatrix x(3, 2);
  x << 0, 2,
       0, 5,
       0, 1;
  PoissonOptions no_floor;
  no_floor.min_rate = 0.0;
  const Poisson start = RandomFamily(1, 2, 9, no_floor);
  Poisson::Statistics stats = start.NewStatistics();
  start.Accumulate(ViewOf(x), RowMatrix::Ones(3, 1), &stats);
  RepairCounts repairs;
  const Poisson mle = start.Maximize(stats, &repairs);
  EXPECT_EQ(mle.rates()(0, 0), 0.0);
  EXPECT_EQ(repairs.Total(), 0);
  RowMatrix log_p(3, 1);
  mle.LogProbabilities(ViewOf(x), log_p);
  EXPECT_TRUE(log_p.allFinite());
  EXPECT_NEAR(mle.ExpectedLogLikelihood(stats), log_p.sum(), 1e-13);
  RowMatrix other(1, 2);
  other << 1, 2;
  RowMatrix out(1, 1);
  mle.LogProbabilities(ViewOf(other), out);
  EXPECT_EQ(out(0, 0), -std::numeric_limits<double>::infinity());

  PoissonOptions floor;
  floor.min_rate = 1e-3;
  const Poisson floored = RandomFamily(1, 2, 9, floor).Maximize(stats, nullptr);
  EXPECT_EQ(floored.rates()(0, 0), 1e-3);
  floored.LogProbabilities(ViewOf(other), out);
  EXPECT_TRUE(std::isfinite(out(0, 0)));
}

TEST(PoissonTest, ValidationNamesTheElementAndTheRule) {
  RowMatrix x = RowMatrix::Ones(5, 2);
  x(4, 0) = -1.0;
  try {
    Poisson::ValidateData(ViewOf(x));
    FAIL() << "expected InvalidDataError";
  } catch (const InvalidDataError& e) {
    EXPECT_STREQ(e.what(),
                 "X[4, 0] = -1: Poisson features must be non-negative integers (counts)");
  }
  x(4, 0) = 2.5;
  EXPECT_THROW(Poisson::ValidateData(ViewOf(x)), InvalidDataError);
  x(4, 0) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(Poisson::ValidateData(ViewOf(x)), InvalidDataError);
  x(4, 0) = 7.0;
  EXPECT_NO_THROW(Poisson::ValidateData(ViewOf(x)));
  EXPECT_THROW(Poisson(RowMatrix::Constant(1, 1, -0.5), {}), InvalidDataError);
  PoissonOptions bad;
  bad.min_rate = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(bad.Validate(), InvalidOptionError);
}

TEST(PoissonTest, LogFactorialMatchesLgamma) {
  for (double x : {0.0, 1.0, 2.0, 10.0, 170.0, 255.0, 256.0, 257.0, 1000.0, 123456.0, 1e9}) {
    EXPECT_NEAR(LogFactorial(x), std::lgamma(x + 1.0),
                4 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::lgamma(x + 1.0)))
        << "x = " << x;
  }
}

TEST(PoissonTest, SamplerHasThePoissonMeanAndVariance) {
  // Both branches: multiplication below rate 10, transformed rejection above.
  for (double rate : {0.7, 4.0, 25.0, 400.0}) {
    Rng rng(static_cast<std::uint64_t>(rate * 10));
    constexpr int kDraws = 40000;
    double sum = 0.0;
    double squares = 0.0;
    for (int i = 0; i < kDraws; ++i) {
      const double v = static_cast<double>(SamplePoisson(rate, rng));
      ASSERT_GE(v, 0.0);
      sum += v;
      squares += v * v;
    }
    const double mean = sum / kDraws;
    const double variance = squares / kDraws - mean * mean;
    // Five standard errors: of the mean sqrt(rate / n), of the variance
    // about rate * sqrt(2 / n) (the fourth cumulant is small beside it).
    EXPECT_NEAR(mean, rate, 5 * std::sqrt(rate / kDraws)) << rate;
    EXPECT_NEAR(variance, rate, 5 * rate * std::sqrt((2.0 + 1.0 / rate) / kDraws)) << rate;
  }
  Rng rng(1);
  EXPECT_EQ(SamplePoisson(0.0, rng), 0);
  const Poisson family(RowMatrix::Constant(1, 2, 3.0), {});
  EXPECT_EQ(family.NumFreeParameters(), 2);
}

}  // namespace
}  // namespace emkit
