// The von Mises-Fisher family and its Bessel functions, against sources that
// share no code with them: 50-digit mpmath and scipy (ive,
// stats.vonmises_fisher, stats.vonmises) in
// tests/reference/fixtures/vmf_functions.json; closed forms for D = 1 and
// D = 3 and the sphere's area at kappa = 0; numerical integration of the
// density over the sphere; a direct numpy EM with scipy's ive and brentq
// (vmf_em_*.json, written by tests/reference/make_vmf_fixtures.py); the
// sampler's moments and, for D = 3, its exact distribution of the cosine.
// Then the family's own laws: Q from statistics, merges, the one-component
// maximum, validation, the codec and the repairs.
#include "emkit/families/von_mises_fisher.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../io/json_parameters.h"
#include "bessel_ratio.h"
#include "emkit/error.h"
#include "emkit/family.h"
#include "emkit/fit.h"
#include "emkit/mixture.h"
#include "emkit/random.h"
#include "emkit/row_blocks.h"
#include "emkit/testing/model_laws.h"
#include "../../tests/json_fixtures.h"

namespace emkit {
namespace {

static_assert(ComponentFamily<VonMisesFisher>);

namespace fs = std::filesystem;
using internal::BesselIRatio;
using internal::LogBesselIScaled;
using internal::VmfConcentration;
using internal::VmfLogDensityAtMean;
using internal::VmfLogNormalizer;
using internal::VmfMeanResultantLength;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr double kPi = std::numbers::pi;

const fs::path kFixtureDir = fs::path(EMKIT_SOURCE_DIR) / "tests/reference/fixtures";

json LoadFixture(const std::string& name) {
  return testing_fixtures::LoadJsonFixture(name + ".json");
}

using testing_fixtures::MatrixFrom;
using testing_fixtures::VectorFrom;

RowMatrix UnitRow(std::initializer_list<double> values) {
  RowMatrix m(1, static_cast<Eigen::Index>(values.size()));
  int j = 0;
  for (double v : values) m(0, j++) = v;
  m /= m.norm();
  return m;
}

RowMatrix RandomUnitRows(int n, int d, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = StandardNormal(rng);
    x.row(i) /= x.row(i).norm();
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

// A three-component family on the sphere of R^4.
VonMisesFisher ThreeComponents() {
  RowMatrix mu(3, 4);
  mu << 1.0, 0.0, 0.0, 0.0,
        0.0, 0.6, 0.8, 0.0,
        -0.5, 0.5, -0.5, 0.5;
  Vector kappa(3);
  kappa << 2.0, 30.0, 0.5;
  return VonMisesFisher(mu, kappa);
}

double LogDensity(const VonMisesFisher& family, const RowMatrix& x, int k) {
  RowMatrix out(x.rows(), family.num_components());
  family.LogProbabilities(ViewOf(x), out);
  return out(0, k);
}

// ---------------------------------------------------------------------------
// The Bessel functions
// ---------------------------------------------------------------------------

TEST(BesselRatioTest, MatchesMpmathAndScipy) {
  const json f = LoadFixture("vmf_functions");
  int scipy_compared = 0;
  for (const json& c : f["bessel"]) {
    const double nu = c["nu"].get<double>();
    const double kappa = c["kappa"].get<double>();
    const double log_ive = LogBesselIScaled(nu, kappa);
    const double ratio = BesselIRatio(nu, kappa);
    const double expected_log = c["log_ive"].get<double>();
    const double expected_ratio = c["ratio"].get<double>();
    // mpmath is exact to the digits shown: the functions' own accuracy.
    EXPECT_NEAR(log_ive, expected_log, 1e-14 * std::max(1.0, std::abs(expected_log)))
        << "nu = " << nu << ", kappa = " << kappa;
    EXPECT_NEAR(ratio, expected_ratio, 1e-14 * expected_ratio)
        << "nu = " << nu << ", kappa = " << kappa;
    // scipy (where ive does not underflow) has errors of its own.
    if (!c["scipy_log_ive"].is_null()) {
      const double s = c["scipy_log_ive"].get<double>();
      EXPECT_NEAR(log_ive, s, 1e-13 * std::max(1.0, std::abs(s)))
          << "nu = " << nu << ", kappa = " << kappa;
      ++scipy_compared;
    }
    if (!c["scipy_ratio"].is_null()) {
      const double s = c["scipy_ratio"].get<double>();
      // ive at high order loses digits to its own recurrence (1.6e-13 at
      // nu = 499, kappa = 3e4), where mpmath agrees with ours to 1e-14.
      EXPECT_NEAR(ratio, s, 1e-12 * s) << "nu = " << nu << ", kappa = " << kappa;
    }
  }
  EXPECT_GT(scipy_compared, 200);
}

TEST(BesselRatioTest, ClosedFormsInOneAndThreeDimensions) {
  for (double kappa : {1e-3, 0.1, 1.0, 7.5, 20.0, 20.5, 64.0, 1e3, 1e5, 1e6}) {
    // D = 1: p(+-mu) = e^{+-kappa} / (2 cosh kappa); A_1 = tanh.
    const double log_c1 = -kappa - std::log1p(std::exp(-2.0 * kappa));
    EXPECT_NEAR(VmfLogNormalizer(1, kappa), log_c1, 1e-15 * std::max(1.0, kappa)) << kappa;
    EXPECT_NEAR(VmfMeanResultantLength(1, kappa), std::tanh(kappa), 4.5e-16) << kappa;
    // D = 3: C_3 = kappa / (4 pi sinh kappa); A_3 = coth kappa - 1 / kappa.
    const double log_c3 =
        std::log(kappa) - std::log(2.0 * kPi) - kappa - std::log(-std::expm1(-2.0 * kappa));
    EXPECT_NEAR(VmfLogNormalizer(3, kappa), log_c3, 1e-15 * std::max(4.0, kappa)) << kappa;
    EXPECT_NEAR(VmfLogDensityAtMean(3, kappa), log_c3 + kappa, 4e-15 * std::max(4.0, kappa))
        << kappa;
    const double a3 = kappa < 0.01 ? kappa / 3.0 - kappa * kappa * kappa / 45.0
                                   : 1.0 / std::tanh(kappa) - 1.0 / kappa;
    // coth kappa - 1 / kappa itself cancels to ~ulp(1 / kappa).
    EXPECT_NEAR(VmfMeanResultantLength(3, kappa), a3, 4e-16 * (1.0 + 1.0 / kappa)) << kappa;
  }
  // At the mean, well past where log C_3 and kappa are each ~1e6, the sum
  // keeps its digits: log(kappa / 2 pi).
  EXPECT_NEAR(VmfLogDensityAtMean(3, 1e6), std::log(1e6 / (2.0 * kPi)), 1e-14);
}

TEST(BesselRatioTest, ZeroConcentrationIsOneOverTheSphereArea) {
  for (int d : {1, 2, 3, 4, 5, 10, 101, 1024, 4096}) {
    // The area of the unit sphere in R^d: 2 pi^{d/2} / Gamma(d/2).
    const double log_area = std::log(2.0) + 0.5 * d * std::log(kPi) - std::lgamma(0.5 * d);
    const double tolerance = 2e-15 * std::max(1.0, std::abs(log_area));
    EXPECT_NEAR(VmfLogNormalizer(d, 0.0), -log_area, tolerance) << d;
    EXPECT_EQ(VmfLogNormalizer(d, 0.0), VmfLogDensityAtMean(d, 0.0));
    EXPECT_EQ(VmfMeanResultantLength(d, 0.0), 0.0);
    // Continuous into kappa = 0 (no log kappa is formed).
    EXPECT_NEAR(VmfLogNormalizer(d, 1e-300), -log_area, tolerance) << d;
    EXPECT_NEAR(VmfMeanResultantLength(d, 1e-8), 1e-8 / d, 1e-22) << d;
  }
}

TEST(BesselRatioTest, StaysFiniteAndOrderedFarOut) {
  for (int d : {2, 3, 10, 100, 1000, 4096}) {
    double previous = 0.0;
    for (double kappa : {1e-6, 1e-2, 1.0, 30.0, 1e3, 1e5, 1e6, 1e8, 1e10, 1e12}) {
      const double a = VmfMeanResultantLength(d, kappa);
      ASSERT_TRUE(std::isfinite(VmfLogNormalizer(d, kappa))) << d << " " << kappa;
      ASSERT_TRUE(std::isfinite(VmfLogDensityAtMean(d, kappa))) << d << " " << kappa;
      EXPECT_GT(a, previous) << d << " " << kappa;
      EXPECT_LT(a, 1.0) << d << " " << kappa;
      previous = a;
    }
    // The large-kappa expansion A_D = 1 - (D - 1) / (2 kappa) + O(kappa^-2).
    const double kappa = 1e10;
    EXPECT_NEAR(1.0 - VmfMeanResultantLength(d, kappa), (d - 1) / (2.0 * kappa),
                2.3e-16 + d * d / (kappa * kappa))  // A to 1 ulp, and the next term
        << d;
  }
}

TEST(BesselRatioTest, ConcentrationInvertsTheMeanResultantLength) {
  for (int d : {2, 3, 10, 100, 1000}) {
    for (double kappa : {1e-3, 0.5, 5.0, 50.0, 500.0, 5e4}) {
      const double r = VmfMeanResultantLength(d, kappa);
      // The inverse is ill-conditioned as r nears 1: dkappa / dr ~ 2 kappa^2 / (D - 1).
      const double condition = 1.0 + kappa / d;
      EXPECT_NEAR(VmfConcentration(d, r, 1e6), kappa, 1e-13 * kappa * condition)
          << "d = " << d << ", kappa = " << kappa;
    }
    EXPECT_EQ(VmfConcentration(d, 0.0, 1e6), 0.0);
    EXPECT_EQ(VmfConcentration(d, -0.1, 1e6), 0.0);
    EXPECT_EQ(VmfConcentration(d, 1.0, 1e6), 1e6);
    EXPECT_EQ(VmfConcentration(d, VmfMeanResultantLength(d, 2e6), 1e6), 1e6);
  }
}

TEST(BesselRatioTest, LogGammaMatchesTheStandardLibrary) {
  for (double x : {0.5, 1.0, 1.5, 2.0, 3.7, 14.5, 15.0, 25.5, 512.0, 1e5}) {
    EXPECT_NEAR(internal::LogGamma(x), std::lgamma(x), 4e-15 * std::max(1.0, std::lgamma(x)))
        << x;
  }
}

// ---------------------------------------------------------------------------
// The density
// ---------------------------------------------------------------------------

TEST(VonMisesFisherTest, LogDensityMatchesScipyAndMpmath) {
  const json f = LoadFixture("vmf_functions");
  for (const json& c : f["logpdf"]) {
    const int d = c["d"].get<int>();
    const RowMatrix mu = MatrixFrom(json::array({c["mu"]}));
    const RowMatrix t = MatrixFrom(json::array({c["t"]}));
    for (const json& e : c["cases"]) {
      const double kappa = e["kappa"].get<double>();
      const VonMisesFisher family(mu, Vector::Constant(1, kappa));
      const std::vector<double> cosines = e["cosines"].get<std::vector<double>>();
      RowMatrix x(static_cast<Eigen::Index>(cosines.size()), d);
      for (std::size_t i = 0; i < cosines.size(); ++i) {
        // As the generator forms them: c mu_j + s t_j.
        const double cs = cosines[i];
        const double s = std::sqrt((1.0 - cs) * (1.0 + cs));
        for (int j = 0; j < d; ++j) x(i, j) = cs * mu(0, j) + s * t(0, j);
      }
      RowMatrix out(x.rows(), 1);
      family.LogProbabilities(ViewOf(x), out);
      for (std::size_t i = 0; i < cosines.size(); ++i) {
        const double exact = e["logpdf"][i].get<double>();
        // kappa (mu'x - 1) inherits kappa times the rounding of mu'x.
        const double rounding = 4e-16 * std::sqrt(static_cast<double>(d)) * kappa;
        EXPECT_NEAR(out(i, 0), exact, 1e-14 * std::max(1.0, std::abs(exact)) + rounding)
            << "D = " << d << ", kappa = " << kappa << ", cosine = " << cosines[i];
        if (!e["scipy_logpdf"][i].is_null()) {
          // scipy adds log C and kappa mu'x, both ~kappa: its own error.
          const double s = e["scipy_logpdf"][i].get<double>();
          EXPECT_NEAR(out(i, 0), s, 1e-13 * std::max(1.0, std::abs(s)) + 4.0 * rounding)
              << "D = " << d << ", kappa = " << kappa << ", cosine = " << cosines[i];
        }
      }
    }
  }
}

TEST(VonMisesFisherTest, TwoDimensionsIsScipysVonMises) {
  const json f = LoadFixture("vmf_functions");
  for (const json& c : f["von_mises"]) {
    const double kappa = c["kappa"].get<double>();
    const double loc = c["loc"].get<double>();
    const double theta = c["theta"].get<double>();
    RowMatrix mu(1, 2);
    mu << std::cos(loc), std::sin(loc);
    RowMatrix x(1, 2);
    x << std::cos(theta), std::sin(theta);
    const VonMisesFisher family(mu, Vector::Constant(1, kappa));
    const double expected = c["logpdf"].get<double>();
    EXPECT_NEAR(LogDensity(family, x, 0), expected,
                1e-13 * std::max(1.0, std::abs(expected)) + 1e-15 * kappa)
        << "kappa = " << kappa << ", loc = " << loc << ", theta = " << theta;
  }
}

TEST(VonMisesFisherTest, ThreeDimensionsIsTheClosedForm) {
  const RowMatrix mu = UnitRow({1.0, -2.0, 0.5});
  const RowMatrix x = UnitRow({0.3, 0.1, -0.9});
  const double cosine = (mu * x.transpose())(0, 0);
  for (double kappa : {0.0, 1e-3, 0.7, 12.0, 900.0, 1e5}) {
    const VonMisesFisher family(mu, Vector::Constant(1, kappa));
    // p = kappa / (4 pi sinh kappa) e^{kappa mu'x}, 1 / (4 pi) at kappa = 0.
    const double expected =
        kappa == 0.0 ? -std::log(4.0 * kPi)
                     : std::log(kappa / (2.0 * kPi)) - std::log(-std::expm1(-2.0 * kappa)) +
                           kappa * (cosine - 1.0);
    EXPECT_NEAR(LogDensity(family, x, 0), expected, 1e-14 * std::max(1.0, std::abs(expected)))
        << kappa;
  }
}

// The integral over the sphere of R^d, about the mean direction:
// area(S^{d-2}) int_0^pi p(cos theta) sin^{d-2} theta d theta, where p comes
// from the family at x = cos theta mu + sin theta e (e a unit vector
// orthogonal to mu), by Simpson's rule. Its error, ~(h sqrt(kappa))^4 / 180,
// is under 1e-12 for kappa <= 2000 with 40000 intervals.
double IntegralOverTheSphere(int d, double kappa) {
  RowMatrix mu = RowMatrix::Zero(1, d);
  mu(0, 0) = 0.6;
  mu(0, d - 1) = 0.8;
  RowMatrix e = RowMatrix::Zero(1, d);
  e(0, 0) = -0.8;
  e(0, d - 1) = 0.6;
  const VonMisesFisher family(mu, Vector::Constant(1, kappa));
  constexpr int kIntervals = 40000;
  RowMatrix x(kIntervals + 1, d);
  for (int i = 0; i <= kIntervals; ++i) {
    const double theta = kPi * i / kIntervals;
    x.row(i) = std::cos(theta) * mu + std::sin(theta) * e;
  }
  RowMatrix log_p(kIntervals + 1, 1);
  family.LogProbabilities(ViewOf(x), log_p);
  double sum = 0.0;
  for (int i = 0; i <= kIntervals; ++i) {
    const double theta = kPi * i / kIntervals;
    const double weight = (i == 0 || i == kIntervals) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    sum += weight * std::exp(log_p(i, 0)) * std::pow(std::sin(theta), d - 2);
  }
  const double log_area_below =  // area of S^{d-2}: 2 pi^{(d-1)/2} / Gamma((d-1)/2)
      std::log(2.0) + 0.5 * (d - 1) * std::log(kPi) - std::lgamma(0.5 * (d - 1));
  return std::exp(log_area_below) * sum * kPi / (3.0 * kIntervals);
}

TEST(VonMisesFisherTest, DensityIntegratesToOneOverTheSphere) {
  for (int d : {2, 3, 5, 10, 50}) {
    for (double kappa : {0.0, 0.3, 5.0, 80.0, 2000.0}) {
      EXPECT_NEAR(IntegralOverTheSphere(d, kappa), 1.0, 1e-10)
          << "d = " << d << ", kappa = " << kappa;
    }
  }
}

TEST(VonMisesFisherTest, RowsAreUsedDividedByTheirNorms) {
  const VonMisesFisher family = ThreeComponents();
  const RowMatrix x = RandomUnitRows(5, 4, 21);
  const RowMatrix off = x * (1.0 + 4e-7);
  RowMatrix a(5, 3);
  RowMatrix b(5, 3);
  family.LogProbabilities(ViewOf(x), a);
  family.LogProbabilities(ViewOf(off), b);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-13);
}

// ---------------------------------------------------------------------------
// Statistics and the M-step
// ---------------------------------------------------------------------------

TEST(VonMisesFisherTest, QFromStatisticsEqualsTheWeightedSumOfLogProbabilities) {
  const RowMatrix x = RandomUnitRows(200, 4, 1);
  const RowMatrix w = RandomWeights(200, 3, 2);
  const VonMisesFisher family = ThreeComponents();
  VonMisesFisher::Statistics stats = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &stats);
  RowMatrix log_p(200, 3);
  family.LogProbabilities(ViewOf(x), log_p);
  const double direct = (w.array() * log_p.array()).sum();
  EXPECT_NEAR(family.ExpectedLogLikelihood(stats), direct, 1e-12 * std::abs(direct));
}

TEST(VonMisesFisherTest, StatisticsOfTwoHalvesMergeToThoseOfTheWhole) {
  const RowMatrix x = RandomUnitRows(90, 4, 4);
  const RowMatrix w = RandomWeights(90, 3, 5);
  const VonMisesFisher family = ThreeComponents();
  VonMisesFisher::Statistics whole = family.NewStatistics();
  family.Accumulate(ViewOf(x), w, &whole);
  VonMisesFisher::Statistics first = family.NewStatistics();
  VonMisesFisher::Statistics second = family.NewStatistics();
  family.Accumulate(MatrixView(x.data(), 40, 4), w.topRows(40), &first);
  family.Accumulate(MatrixView(x.data() + 40 * 4, 50, 4), w.bottomRows(50), &second);
  first.Merge(second);
  EXPECT_TRUE(first.counts.isApprox(whole.counts, 1e-14));
  EXPECT_TRUE(first.sums.isApprox(whole.sums, 1e-14));
  // Accumulate adds; SetZero returns to NewStatistics().
  family.Accumulate(ViewOf(x), w, &whole);
  EXPECT_TRUE(whole.counts.isApprox(2.0 * first.counts, 1e-14));
  whole.SetZero();
  EXPECT_EQ(whole.counts, family.NewStatistics().counts);
  EXPECT_EQ(whole.sums, family.NewStatistics().sums);
}

TEST(VonMisesFisherTest, OneComponentMaximumIsTheMeanDirectionAndMaximizesQ) {
  RowMatrix mu = UnitRow({0.2, -0.4, 0.8, 0.4});
  const Mixture<VonMisesFisher> truth(Vector::Ones(1),
                                      VonMisesFisher(mu, Vector::Constant(1, 25.0)));
  Rng rng(7);
  const RowMatrix x = truth.Sample(3000, rng, nullptr);
  const VonMisesFisher start(UnitRow({1.0, 0.0, 0.0, 0.0}), Vector::Constant(1, 1.0));
  VonMisesFisher::Statistics stats = start.NewStatistics();
  start.Accumulate(ViewOf(x), RowMatrix::Ones(3000, 1), &stats);
  RepairCounts repairs;
  const VonMisesFisher mle = start.Maximize(stats, &repairs);
  EXPECT_EQ(repairs.Total(), 0);
  const Eigen::RowVectorXd mean = x.colwise().mean();
  EXPECT_LT((mle.mean_directions().row(0) - mean / mean.norm()).norm(), 1e-14);
  EXPECT_NEAR(VmfMeanResultantLength(4, mle.concentrations()[0]), mean.norm(), 1e-14);
  EXPECT_NEAR(mle.concentrations()[0], 25.0, 2.0);  // the data's own estimate
  const double q_best = mle.ExpectedLogLikelihood(stats);
  for (double factor : {0.999, 1.001}) {
    Vector kappa = mle.concentrations() * factor;
    EXPECT_LT(VonMisesFisher(mle.mean_directions(), kappa).ExpectedLogLikelihood(stats), q_best);
  }
  RowMatrix turned = mle.mean_directions();
  turned(0, 0) += 1e-3;
  turned /= turned.norm();
  EXPECT_LT(VonMisesFisher(turned, mle.concentrations()).ExpectedLogLikelihood(stats), q_best);
  EXPECT_EQ(mle.NumFreeParameters(), 4);
  EXPECT_EQ(ThreeComponents().NumFreeParameters(), 12);
}

class VonMisesFisherParityTest : public ::testing::TestWithParam<std::string> {};

// Exactly n_iter EM iterations from the fixture's start, against the direct
// numpy EM: parameters, weights and the likelihood before every M-step.
TEST_P(VonMisesFisherParityTest, MatchesTheDirectNumpyEm) {
  const json f = LoadFixture("vmf_em_" + GetParam());
  const RowMatrix x = MatrixFrom(f["X"]);
  std::vector<double> weights;
  if (!f["sample_weight"].is_null()) weights = f["sample_weight"].get<std::vector<double>>();
  VonMisesFisher::ValidateData(ViewOf(x));
  const RowBlocks<double> data(ViewOf(x), weights.empty() ? nullptr : weights.data(), 64);
  Mixture<VonMisesFisher> model(VectorFrom(f["init"]["weights"]),
                                VonMisesFisher(MatrixFrom(f["init"]["mean_directions"]),
                                               VectorFrom(f["init"]["concentrations"])));
  FitOptions options;
  options.tol = 0.0;
  options.max_iter = f["n_iter"].get<int>();
  const FitReport report = Fit(options, data, &model);
  ASSERT_TRUE(report.IsUsable()) << report.FullReport();
  ASSERT_EQ(report.n_iter, options.max_iter);
  EXPECT_EQ(report.certificate_violations, 0);
  EXPECT_EQ(report.repairs.Total(), 0);

  const RowMatrix mu = MatrixFrom(f["result"]["mean_directions"]);
  const Vector kappa = VectorFrom(f["result"]["concentrations"]);
  const VonMisesFisher& fitted = model.components();
  EXPECT_LT((fitted.mean_directions() - mu).cwiseAbs().maxCoeff(), 1e-10)
      << "fitted\n" << fitted.mean_directions() << "\nexpected\n" << mu;
  for (Eigen::Index k = 0; k < kappa.size(); ++k) {
    EXPECT_NEAR(fitted.concentrations()[k], kappa[k], 1e-9 * kappa[k]) << k;
  }
  EXPECT_LT((model.weights() - VectorFrom(f["result"]["weights"])).cwiseAbs().maxCoeff(), 1e-10);

  const std::vector<double> logliks = f["log_likelihoods"].get<std::vector<double>>();
  const RestartRecord& r = report.restarts[0];
  const double total = data.TotalWeight();
  ASSERT_EQ(logliks.size(), r.iterations.size() + 1);
  EXPECT_NEAR(r.initial_mean_log_likelihood * total, logliks[0], 1e-10 * std::abs(logliks[0]));
  for (std::size_t i = 0; i < r.iterations.size(); ++i) {
    EXPECT_NEAR(r.iterations[i].mean_log_likelihood * total, logliks[i + 1],
                1e-10 * std::abs(logliks[i + 1]))
        << "iteration " << i + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VonMisesFisherParityTest,
                         ::testing::Values("k3_d3", "k2_d10_weighted", "k2_d5_concentrated"));

std::vector<double> Flatten(const Mixture<VonMisesFisher>& m) {
  std::vector<double> out(m.weights().data(), m.weights().data() + m.weights().size());
  const VonMisesFisher& f = m.components();
  out.insert(out.end(), f.mean_directions().data(),
             f.mean_directions().data() + f.mean_directions().size());
  out.insert(out.end(), f.concentrations().data(),
             f.concentrations().data() + f.concentrations().size());
  return out;
}

// Save through the model-file JSON (text and back) and load.
VonMisesFisher ThroughJson(const VonMisesFisher& family, const std::string& edit_key = "",
                           const json& edit_value = nullptr) {
  io::internal::Json object = io::internal::Json::object();
  io::internal::JsonParameterWriter writer(&object);
  family.EncodeParameters(writer);
  io::internal::Json again = io::internal::Json::parse(object.dump());
  if (!edit_key.empty()) again[edit_key] = edit_value;
  const io::internal::ModelJsonReader reader("model.json");
  return VonMisesFisher::DecodeParameters(io::internal::JsonParameterReader(reader, again),
                                          family.num_components());
}

Mixture<VonMisesFisher> RoundTrip(const Mixture<VonMisesFisher>& m) {
  return Mixture<VonMisesFisher>(m.weights(), ThroughJson(m.components()));
}

TEST(VonMisesFisherTest, ObeysTheModelLaws) {
  RowMatrix mu(2, 3);
  mu << 0.0, 0.0, 1.0,
        0.6, 0.8, 0.0;
  Rng rng(12);
  const RowMatrix x = Mixture<VonMisesFisher>(Vector::Constant(2, 0.5),
                                              VonMisesFisher(mu, Vector::Constant(2, 8.0)))
                          .Sample(240, rng, nullptr);
  RowMatrix start(2, 3);
  start << 0.6, 0.0, 0.8,
           0.0, 1.0, 0.0;
  laws::LawOptions<Mixture<VonMisesFisher>> options;
  options.parameters = &Flatten;
  options.round_trip = &RoundTrip;
  laws::ExpectModelLaws(Mixture<VonMisesFisher>(Vector::Constant(2, 0.5),
                                                VonMisesFisher(start, Vector::Constant(2, 1.0))),
                        laws::RowDataMaker(x), 240, options);
}

// ---------------------------------------------------------------------------
// Repairs
// ---------------------------------------------------------------------------

TEST(VonMisesFisherTest, EmptyIdenticalAndBalancedComponentsAreHandledOnPurpose) {
  const VonMisesFisher family = ThreeComponents();
  VonMisesFisher::Statistics stats = family.NewStatistics();
  // Component 0: no weight at all. Component 1: four copies of one row.
  // Component 2: two antipodal rows of equal weight (resultant exactly 0).
  RowMatrix x(6, 4);
  x << 0.0, 0.6, 0.0, 0.8,
       0.0, 0.6, 0.0, 0.8,
       0.0, 0.6, 0.0, 0.8,
       0.0, 0.6, 0.0, 0.8,
       0.5, 0.5, 0.5, 0.5,
       -0.5, -0.5, -0.5, -0.5;
  RowMatrix w = RowMatrix::Zero(6, 3);
  w.block(0, 1, 4, 1).setOnes();
  w.block(4, 2, 2, 1).setOnes();
  family.Accumulate(ViewOf(x), w, &stats);
  RepairCounts repairs;
  const VonMisesFisher next = family.Maximize(stats, &repairs);
  EXPECT_EQ(repairs.collapsed_components, 1);
  EXPECT_EQ(repairs.regularized_covariances, 1);
  EXPECT_EQ(repairs.Total(), 2);
  // Collapsed: kept.
  EXPECT_EQ(next.mean_directions().row(0), family.mean_directions().row(0));
  EXPECT_EQ(next.concentrations()[0], family.concentrations()[0]);
  // No spread: capped.
  EXPECT_EQ(next.concentrations()[1], family.options().max_concentration);
  EXPECT_LT((next.mean_directions().row(1) - x.row(0)).norm(), 1e-15);
  // No resultant: uniform, direction kept (it no longer matters).
  EXPECT_EQ(next.concentrations()[2], 0.0);
  EXPECT_EQ(next.mean_directions().row(2), family.mean_directions().row(2));
  RowMatrix log_p(6, 3);
  next.LogProbabilities(ViewOf(x), log_p);
  EXPECT_TRUE(log_p.allFinite());
  EXPECT_NEAR(log_p(4, 2), VmfLogNormalizer(4, 0.0), 1e-15);
  EXPECT_TRUE(std::isfinite(next.ExpectedLogLikelihood(stats)));
  EXPECT_GE(next.ExpectedLogLikelihood(stats), family.ExpectedLogLikelihood(stats));
}

TEST(VonMisesFisherTest, FitWithADuplicatedClusterCapsAndCounts) {
  // Half the rows are one point: that component's kappa goes to the cap.
  RowMatrix x = RandomUnitRows(100, 3, 31);
  for (int i = 0; i < 50; ++i) x.row(i) = UnitRow({1.0, 1.0, 1.0});
  RowMatrix start(2, 3);
  start << 0.6, 0.8, 0.0,
           0.0, 0.0, 1.0;
  VonMisesFisherOptions options;
  options.max_concentration = 1e4;
  Mixture<VonMisesFisher> model(Vector::Constant(2, 0.5),
                                VonMisesFisher(start, Vector::Constant(2, 1.0), options));
  const RowBlocks<double> data(ViewOf(x), nullptr, 32);
  FitOptions fit;
  fit.max_iter = 50;
  const FitReport report = Fit(fit, data, &model);
  ASSERT_TRUE(report.IsUsable()) << report.FullReport();
  EXPECT_EQ(report.certificate_violations, 0);
  EXPECT_GT(report.repairs.regularized_covariances, 0);
  EXPECT_EQ(model.components().concentrations().maxCoeff(), 1e4);
  EXPECT_TRUE(std::isfinite(report.total_log_likelihood));
}

// ---------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------

TEST(VonMisesFisherTest, SamplesHaveTheMeanResultantAndDirection) {
  const json f = LoadFixture("vmf_functions");
  std::uint64_t seed = 100;
  for (const json& c : f["mean_resultant"]) {
    const int d = c["d"].get<int>();
    const double kappa = c["kappa"].get<double>();
    const double a = c["mean_resultant"].get<double>();  // scipy
    const RowMatrix mu = RandomUnitRows(1, d, seed);
    const VonMisesFisher family(mu, Vector::Constant(1, kappa));
    const int n = d >= 1000 ? 4000 : 20000;
    Rng rng(++seed);
    Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(d);
    Eigen::RowVectorXd draw(d);
    double cosine_sum = 0.0;
    for (int i = 0; i < n; ++i) {
      family.Sample(0, rng, draw.data());
      ASSERT_NEAR(draw.norm(), 1.0, 1e-13);
      cosine_sum += draw.dot(mu.row(0));
      sum += draw;
    }
    // The cosine has mean A_D and variance A_D' = 1 - A^2 - (D - 1) A / kappa.
    const double variance = kappa == 0.0 ? 1.0 / d : 1.0 - a * a - (d - 1) * a / kappa;
    EXPECT_NEAR(cosine_sum / n, a, 5.0 * std::sqrt(variance / n))
        << "d = " << d << ", kappa = " << kappa;
    // The tangent part of the mean is a sum of n independent tangent
    // vectors of mean 0 and E|.|^2 = 1 - E[w^2]: its norm is about
    // sqrt((1 - E[w^2]) / n).
    const Eigen::RowVectorXd mean = sum / n;
    const Eigen::RowVectorXd tangent = mean - mean.dot(mu.row(0)) * mu.row(0);
    const double second = variance + a * a;
    EXPECT_LT(tangent.norm(), 3.0 * std::sqrt((1.0 - second) / n) + 1e-15)
        << "d = " << d << ", kappa = " << kappa;
  }
}

TEST(VonMisesFisherTest, CosinesOfThreeDimensionalSamplesHaveTheExactDistribution) {
  // In D = 3, P(w <= t) = (e^{kappa (t - 1)} - e^{-2 kappa}) / (1 - e^{-2 kappa}).
  const RowMatrix mu = UnitRow({-0.3, 0.9, 0.2});
  for (double kappa : {0.5, 10.0, 1000.0, 1e6}) {
    const VonMisesFisher family(mu, Vector::Constant(1, kappa));
    constexpr int kDraws = 20000;
    Rng rng(static_cast<std::uint64_t>(kappa * 10));
    std::vector<double> cosines(kDraws);
    Eigen::RowVectorXd draw(3);
    for (double& w : cosines) {
      family.Sample(0, rng, draw.data());
      w = draw.dot(mu.row(0));
    }
    std::sort(cosines.begin(), cosines.end());
    double ks = 0.0;
    for (int i = 0; i < kDraws; ++i) {
      const double cdf = (std::exp(kappa * (cosines[i] - 1.0)) - std::exp(-2.0 * kappa)) /
                         -std::expm1(-2.0 * kappa);
      ks = std::max({ks, std::abs(cdf - static_cast<double>(i) / kDraws),
                     std::abs(cdf - static_cast<double>(i + 1) / kDraws)});
    }
    // Kolmogorov-Smirnov at the 0.1% level.
    EXPECT_LT(ks, 1.95 / std::sqrt(static_cast<double>(kDraws))) << kappa;
  }
}

// ---------------------------------------------------------------------------
// Validation and the codec
// ---------------------------------------------------------------------------

std::string DataError(const RowMatrix& x) {
  try {
    VonMisesFisher::ValidateData(ViewOf(x));
  } catch (const InvalidDataError& e) {
    return e.what();
  }
  return "";
}

TEST(VonMisesFisherTest, ValidationNamesTheRowAndTheRule) {
  RowMatrix x = RandomUnitRows(5, 3, 41);
  EXPECT_EQ(DataError(x), "");
  x.row(2) << 0.0, 1.5, 0.0;
  EXPECT_EQ(DataError(x),
            "X[2] has norm 1.5: von Mises-Fisher rows must be unit vectors (norm 1 within 1e-6)");
  x.row(2) << 0.0, 1.0 + 9e-7, 0.0;  // within the tolerance
  EXPECT_EQ(DataError(x), "");
  x(1, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(DataError(x), "X[1, 0] = nan: values must be finite (missing values are not supported)");
  x.row(1).setZero();
  EXPECT_THAT(DataError(x), HasSubstr("X[1] has norm 0:"));
  EXPECT_THAT(DataError(RowMatrix::Ones(2, 1)), HasSubstr("X has 1 column(s)"));
}

TEST(VonMisesFisherTest, ConstructorNamesTheKeyAndTheRule) {
  const auto error = [](RowMatrix mu, Vector kappa, VonMisesFisherOptions options = {}) {
    try {
      VonMisesFisher f(std::move(mu), std::move(kappa), options);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  RowMatrix mu(2, 2);
  mu << 1.0, 0.0,
        0.0, 0.5;
  EXPECT_EQ(error(mu, Vector::Ones(2)),
            "von Mises-Fisher mean_directions[1] has norm 0.5: mean directions must be unit "
            "vectors (norm 1 within 1e-6)");
  mu(1, 1) = 1.0;
  EXPECT_EQ(error(mu, Vector::Constant(2, -1.0)),
            "von Mises-Fisher concentrations[0] = -1 must be finite and >= 0");
  EXPECT_EQ(error(mu, Vector::Constant(2, 2e6)),
            "von Mises-Fisher concentrations[0] = 2000000 exceeds max_concentration = 1000000");
  EXPECT_THAT(error(mu, Vector::Ones(3)), HasSubstr("expected 2 values"));
  EXPECT_THAT(error(RowMatrix::Ones(2, 1), Vector::Ones(2)), HasSubstr("D >= 2"));
  VonMisesFisherOptions bad;
  bad.max_concentration = 0.0;
  EXPECT_THAT(error(mu, Vector::Ones(2), bad), HasSubstr("max_concentration = 0"));
  EXPECT_EQ(error(mu, Vector::Zero(2)), "");  // kappa = 0 is the uniform distribution
}

TEST(VonMisesFisherTest, CodecRoundTripsBitForBit) {
  // Parameters from an M-step (norms 1 to rounding, not exactly).
  const VonMisesFisher family = ThreeComponents();
  VonMisesFisher::Statistics stats = family.NewStatistics();
  const RowMatrix x = RandomUnitRows(100, 4, 51);
  family.Accumulate(ViewOf(x), RandomWeights(100, 3, 52), &stats);
  VonMisesFisherOptions options;
  options.max_concentration = 12345.5;
  const VonMisesFisher fitted =
      VonMisesFisher(family.mean_directions(), family.concentrations(), options)
          .Maximize(stats, nullptr);
  const VonMisesFisher again = ThroughJson(fitted);
  EXPECT_EQ(again.mean_directions(), fitted.mean_directions());
  EXPECT_EQ(again.concentrations(), fitted.concentrations());
  EXPECT_EQ(again.options().max_concentration, 12345.5);
  RowMatrix a(100, 3);
  RowMatrix b(100, 3);
  fitted.LogProbabilities(ViewOf(x), a);
  again.LogProbabilities(ViewOf(x), b);
  EXPECT_EQ(a, b);
}

TEST(VonMisesFisherTest, DecodingNamesTheKey) {
  const VonMisesFisher family = ThreeComponents();
  const auto error = [&](const std::string& key, const json& value) {
    try {
      (void)ThroughJson(family, key, value);
    } catch (const FileFormatError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error("concentrations", json::array({1.0, -1.0, 2.0})),
            "model.json: von Mises-Fisher concentrations[1] = -1 must be finite and >= 0");
  EXPECT_THAT(error("concentrations", json::array({1.0, 2.0})), HasSubstr("concentrations"));
  EXPECT_THAT(error("mean_directions", json::array({json::array({1.0, 0.0, 0.0, 0.0}),
                                                    json::array({0.0, 2.0, 0.0, 0.0}),
                                                    json::array({0.0, 0.0, 1.0, 0.0})})),
              HasSubstr("mean_directions[1] has norm 2"));
  EXPECT_THAT(error("max_concentration", -3.0), HasSubstr("max_concentration = -3"));
  EXPECT_THAT(error("max_concentration", 10.0), HasSubstr("exceeds max_concentration = 10"));
}

}  // namespace
}  // namespace emkit
