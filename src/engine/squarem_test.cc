// Monotone SQUAREM (emkit/engine/squarem.h) against plain EM from the same
// starts: the same optimum in fewer E-steps on slowly converging problems,
// a log-likelihood that never decreases, a certificate that holds on every
// iteration, and results that do not depend on the thread count. The
// reference is emkit's own plain EM run to a tight tolerance (the optimum
// it reaches is what scikit-learn's and mclust's parity tests check).
#include "emkit/engine/squarem.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/discrete_mixture.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/io/table.h"
#include "emkit/random.h"
#include "engine_test_problem.h"

namespace emkit {
namespace {

// A Poisson draw by inversion (small rates only).
std::int64_t PoissonCount(Rng& rng, double rate) {
  const double u = UniformDouble(rng);
  double p = std::exp(-rate);
  double cumulative = p;
  std::int64_t n = 0;
  while (u > cumulative && n < 1000) {
    ++n;
    p *= rate / static_cast<double>(n);
    cumulative += p;
  }
  return n;
}

RowMatrix Faithful() {
  return io::ReadTable(std::string(EMKIT_SOURCE_DIR) + "/data/faithful.csv", {}).values;
}

FitOptions Tight(Acceleration accelerate) {
  FitOptions o;
  o.max_iter = 20000;
  o.tol = 1e-11;
  o.seed = 3;
  o.accelerate = accelerate;
  return o;
}

// What every accelerated fit must show: no iteration lowered the
// log-likelihood, the certificate held on each, and the E-steps add up.
void ExpectMonotoneAndCertified(const FitReport& report) {
  EXPECT_EQ(report.certificate_violations, 0);
  for (const RestartRecord& r : report.restarts) {
    for (const IterationRecord& it : r.iterations) {
      // Rounding of the total log-likelihood at the optimum aside.
      const double rounding = 1e-12 * std::abs(it.mean_log_likelihood) * report.num_samples;
      EXPECT_GE(it.loglik_gain, -rounding) << "iteration " << it.iteration;
    }
    EXPECT_GE(r.e_steps, r.n_iter + 1);
    EXPECT_LE(r.e_steps, 4 * r.n_iter + 1);
  }
}

struct Comparison {
  FitReport plain;
  FitReport accelerated;
};

// The same optimum: plain EM crawls to within its tolerance of it, SQUAREM
// reaches it at least as closely (its final log-likelihood may be higher).
void ExpectSameOptimumInHalfTheESteps(const Comparison& c) {
  ASSERT_TRUE(c.plain.converged);
  ASSERT_TRUE(c.accelerated.converged);
  const double scale = 1e-8 * std::abs(c.plain.mean_log_likelihood);
  EXPECT_GE(c.accelerated.mean_log_likelihood, c.plain.mean_log_likelihood - scale);
  EXPECT_LE(c.accelerated.mean_log_likelihood, c.plain.mean_log_likelihood + 100 * scale);
  EXPECT_EQ(c.plain.e_steps, c.plain.n_iter + 1);  // plain EM: one per iteration
  ::testing::Test::RecordProperty("e_steps_plain", static_cast<int>(c.plain.e_steps));
  ::testing::Test::RecordProperty("e_steps_squarem", static_cast<int>(c.accelerated.e_steps));
  EXPECT_LE(2 * c.accelerated.e_steps, c.plain.e_steps)
      << "plain " << c.plain.e_steps << " E-steps, SQUAREM " << c.accelerated.e_steps;
  EXPECT_GT(c.accelerated.extrapolations_accepted, 0);
  ExpectMonotoneAndCertified(c.accelerated);
}

Comparison FitGaussians(const RowMatrix& x, int k, CovarianceType type) {
  GaussianMixtureOptions mixture;
  mixture.n_components = k;
  mixture.covariance_type = type;
  const MatrixView view(x.data(), x.rows(), x.cols());
  return {FitGaussianMixture(Tight(Acceleration::kNone), mixture, view, nullptr).report,
          FitGaussianMixture(Tight(Acceleration::kSquarem), mixture, view, nullptr).report};
}

TEST(SquaremTest, OldFaithfulThreeFullComponentsInHalfTheESteps) {
  ExpectSameOptimumInHalfTheESteps(FitGaussians(Faithful(), 3, CovarianceType::kFull));
}

TEST(SquaremTest, EveryCovarianceStructureStaysMonotoneAndReachesTheOptimum) {
  for (CovarianceType type : {CovarianceType::kDiag, CovarianceType::kSpherical,
                              CovarianceType::kTied}) {
    const Comparison c = FitGaussians(Faithful(), 3, type);
    ASSERT_TRUE(c.accelerated.converged) << CovarianceTypeName(type);
    EXPECT_GE(c.accelerated.mean_log_likelihood,
              c.plain.mean_log_likelihood - 1e-8 * std::abs(c.plain.mean_log_likelihood))
        << CovarianceTypeName(type);
    EXPECT_LE(c.accelerated.e_steps, c.plain.e_steps) << CovarianceTypeName(type);
    ExpectMonotoneAndCertified(c.accelerated);
  }
}

// Two Poisson components whose rates overlap (as in Hasselblad's death
// notices): EM crawls along the ridge between them.
TEST(SquaremTest, OverlappingPoissonMixtureInHalfTheESteps) {
  Rng rng(11);
  RowMatrix x(3000, 1);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double rate = UniformDouble(rng) < 0.4 ? 1.2 : 2.4;
    x(i, 0) = static_cast<double>(PoissonCount(rng, rate));
  }
  DiscreteMixtureOptions options;
  options.n_components = 2;
  const MatrixView view(x.data(), x.rows(), x.cols());
  const Comparison c{
      FitPoissonMixture(Tight(Acceleration::kNone), options, {}, view, nullptr).report,
      FitPoissonMixture(Tight(Acceleration::kSquarem), options, {}, view, nullptr).report};
  ExpectSameOptimumInHalfTheESteps(c);
}

// An HMM whose two states emit nearly the same Gaussian.
TEST(SquaremTest, HmmWithNearlyIdenticalStatesInHalfTheESteps) {
  Rng rng(5);
  RowMatrix x(2000, 1);
  int state = 0;
  for (Eigen::Index t = 0; t < x.rows(); ++t) {
    if (UniformDouble(rng) < 0.1) state = 1 - state;
    x(t, 0) = (state == 0 ? 0.0 : 0.6) + StandardNormal(rng);
  }
  GaussianHmmOptions options;
  options.hmm.n_states = 2;
  options.covariance_type = CovarianceType::kDiag;
  const std::vector<std::int64_t> lengths = {1000, 1000};
  const MatrixView view(x.data(), x.rows(), x.cols());
  const Comparison c{
      FitGaussianHmm(Tight(Acceleration::kNone), options, view, lengths).report,
      FitGaussianHmm(Tight(Acceleration::kSquarem), options, view, lengths).report};
  ExpectSameOptimumInHalfTheESteps(c);
}

// On fits that converge in a few steps there is nothing to gain, and
// nothing may be lost: a plain step under tol ends the iteration, so SQUAREM
// stops no later than plain EM (the benchmark cases: bench/squarem_esteps.py).
TEST(SquaremTest, FastFitsTakeNoMoreEStepsThanPlainEm) {
  Rng rng(17);
  RowMatrix separated(3000, 2);
  for (Eigen::Index i = 0; i < separated.rows(); ++i) {
    separated(i, 0) = 8.0 * static_cast<double>(i % 3) + StandardNormal(rng);
    separated(i, 1) = -5.0 * static_cast<double>(i % 3) + StandardNormal(rng);
  }
  const RowMatrix faithful = Faithful();
  for (const RowMatrix* x : {static_cast<const RowMatrix*>(&separated), &faithful}) {
    for (CovarianceType type : {CovarianceType::kFull, CovarianceType::kDiag}) {
      GaussianMixtureOptions mixture;
      mixture.n_components = x == &separated ? 3 : 2;
      mixture.covariance_type = type;
      const MatrixView view(x->data(), x->rows(), x->cols());
      FitOptions plain = Tight(Acceleration::kNone);
      plain.tol = 1e-6;
      FitOptions accelerated = plain;
      accelerated.accelerate = Acceleration::kSquarem;
      const FitReport a = FitGaussianMixture(plain, mixture, view, nullptr).report;
      const FitReport b = FitGaussianMixture(accelerated, mixture, view, nullptr).report;
      ASSERT_TRUE(a.converged && b.converged);
      EXPECT_LE(b.e_steps, a.e_steps) << CovarianceTypeName(type) << " " << x->rows();
      EXPECT_GE(b.mean_log_likelihood,
                a.mean_log_likelihood - 1e-6 * std::abs(a.mean_log_likelihood));
      ExpectMonotoneAndCertified(b);
    }
  }
}

TEST(SquaremTest, TheSameStepsOnAnyThreadCountAndBlockSplit) {
  const engine_testing::Problem p = engine_testing::MakeProblem(21);
  FitOptions one = p.options;
  one.accelerate = Acceleration::kSquarem;
  one.max_iter = 40;
  FitOptions two = one;
  two.num_threads = 2;
  const RowBlocks<double> data(MatrixView(p.x.data(), p.x.rows(), p.x.cols()), p.weights.data(), one.block_rows);
  const auto a = FitWithRestarts(one, data, engine_testing::Initialize);
  const auto b = FitWithRestarts(two, data, engine_testing::Initialize);
  engine_testing::ExpectSameModel(a.model, b.model);
  engine_testing::ExpectSameReport(a.report, b.report);
  EXPECT_EQ(a.report.e_steps, b.report.e_steps);
  EXPECT_EQ(a.report.extrapolations_accepted, b.report.extrapolations_accepted);
}

TEST(SquaremTest, PlainEmCountsOneEStepPerIteration) {
  const engine_testing::Problem p = engine_testing::MakeProblem(4);
  const RowBlocks<double> data(MatrixView(p.x.data(), p.x.rows(), p.x.cols()), p.weights.data(), p.options.block_rows);
  const auto fitted = FitWithRestarts(p.options, data, engine_testing::Initialize);
  for (const RestartRecord& r : fitted.report.restarts) EXPECT_EQ(r.e_steps, r.n_iter + 1);
  EXPECT_EQ(fitted.report.extrapolations_accepted + fitted.report.extrapolations_rejected, 0);
}

}  // namespace
}  // namespace emkit
