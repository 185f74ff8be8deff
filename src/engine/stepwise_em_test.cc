// Stepwise EM (emkit/engine/stepwise_em.h) and online fits
// (emkit/online_fit.h). References: closed forms (running statistics mixed
// with eta_b = n_b / N_b are the batch statistics of all rows: a weighted
// mean) and emkit's batch EM run to convergence on the same rows (whose
// optimum the scikit-learn and mclust parity tests check).
#include "emkit/engine/stepwise_em.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/context.h"
#include "emkit/discrete_mixture.h"
#include "emkit/engine/serial_executor.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/online_fit.h"
#include "emkit/random.h"
#include "emkit/statistics_codec.h"
#include "../tests/synthetic_data.h"

namespace emkit {
namespace {

// The largest difference between two flat statistics buffers, relative to
// the larger magnitude of the two.
double RelativeDifference(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double scale = std::max({std::abs(a[i]), std::abs(b[i]), 1e-300});
    worst = std::max(worst, std::abs(a[i] - b[i]) / scale);
  }
  return worst;
}

// The values of stats that mean something: the Gaussians keep the lower
// triangle of their scatter matrices only (the upper one is scratch), so
// it is set to zero.
template <class S>
std::vector<double> MeaningfulValues(const S& stats) {
  std::vector<double> flat = FlattenStatistics(stats);
  std::size_t offset = 0;
  for (const StatisticsArray& array : LayoutOf(stats)) {
    std::size_t size = 1;
    for (Eigen::Index extent : array.shape) size *= static_cast<std::size_t>(extent);
    if (array.key.find("scatter") != std::string::npos && array.shape.size() >= 2) {
      const auto d = static_cast<std::size_t>(array.shape.back());
      for (std::size_t m = 0; m < size / (d * d); ++m) {
        for (std::size_t i = 0; i < d; ++i) {
          for (std::size_t j = i + 1; j < d; ++j) flat[offset + m * d * d + i * d + j] = 0.0;
        }
      }
    }
    offset += size;
  }
  return flat;
}

// With frozen parameters and eta_b = n_b / (n_1 + ... + n_b), the running
// statistics times the rows seen are the statistics of all rows.
template <class M>
void ExpectStepwiseIdentity(const M& model, const RowMatrix& x) {
  SerialExecutor executor;
  const std::vector<std::int64_t> batch_rows = {37, 200, 1, 512, 250};
  typename M::Statistics running = model.NewStatistics();
  std::int64_t first = 0;
  std::int64_t seen = 0;
  for (std::int64_t n : batch_rows) {
    const RowBlocks<double> batch(MatrixView(x.data() + first * x.cols(), n, x.cols()), nullptr,
                                  64);
    typename M::Statistics stats = model.NewStatistics();
    EStepAll(executor, batch, model, &stats);
    ScaleStatistics(1.0 / static_cast<double>(n), &stats);
    seen += n;
    MixStatistics(static_cast<double>(n) / static_cast<double>(seen), stats, &running);
    first += n;
  }
  ASSERT_EQ(first, x.rows());
  ScaleStatistics(static_cast<double>(seen), &running);
  const RowBlocks<double> all(MatrixView(x.data(), x.rows(), x.cols()), nullptr, 64);
  typename M::Statistics batch = model.NewStatistics();
  EStepAll(executor, all, model, &batch);
  EXPECT_LT(RelativeDifference(MeaningfulValues(running), MeaningfulValues(batch)), 1e-11);
}

const GaussianMixtureFull& Truth() {
  static const GaussianMixtureFull truth = testing_data::RandomTruth(4, 3, 11, 4.0);
  return truth;
}

TEST(StepwiseEmTest, RunningStatisticsOfFrozenParametersAreTheBatchStatistics) {
  const RowMatrix x = testing_data::SampleFrom(Truth(), 1000, 12);
  const GaussianMixtureFull full = Truth();
  ExpectStepwiseIdentity(full, x);
  const RowMatrix variances = RowMatrix::Constant(4, 3, 1.5);
  ExpectStepwiseIdentity(
      GaussianMixtureDiag(full.weights(),
                          GaussianDiag(full.components().means(), variances, GaussianOptions{})),
      x);
  ExpectStepwiseIdentity(
      GaussianMixtureSpherical(full.weights(), GaussianSpherical(full.components().means(),
                                                                 variances, GaussianOptions{})),
      x);
  ExpectStepwiseIdentity(
      GaussianMixtureTied(full.weights(),
                          GaussianTied(full.components().means(),
                                       Eigen::MatrixXd::Identity(3, 3) * 2.0, GaussianOptions{})),
      x);
  // Summable statistics (every value scales).
  const RowMatrix counts = x.array().abs().round();
  RowMatrix rates(4, 3);
  rates << 0.5, 1, 2, 3, 1, 0.2, 1, 1, 1, 4, 5, 6;
  ExpectStepwiseIdentity(PoissonMixture(full.weights(), Poisson(rates, PoissonOptions{})),
                         counts);
  const RowMatrix bits = (x.array() > 0.0).cast<double>();
  RowMatrix probabilities(4, 3);
  probabilities << 0.2, 0.5, 0.7, 0.9, 0.1, 0.4, 0.5, 0.5, 0.5, 0.3, 0.6, 0.8;
  ExpectStepwiseIdentity(
      BernoulliMixture(full.weights(), Bernoulli(probabilities, BernoulliOptions{})), bits);
}

TEST(StepwiseEmTest, RefusesStepExponentsOutsideTheRobbinsMonroRange) {
  for (double alpha : {0.5, 0.3, 1.0000001, 2.0, -1.0, std::numeric_limits<double>::quiet_NaN()}) {
    StepwiseOptions options;
    options.step_exponent = alpha;
    EXPECT_THROW(options.Validate(), InvalidOptionError) << alpha;
    EXPECT_THROW(StepwiseEm<GaussianMixtureFull>(Truth(), options), InvalidOptionError);
  }
  for (double alpha : {0.5000001, 0.6, 1.0}) {
    StepwiseOptions options;
    options.step_exponent = alpha;
    EXPECT_NO_THROW(options.Validate()) << alpha;
  }
}

TEST(StepwiseEmTest, StepSizesFollowTheSchedule) {
  StepwiseOptions options;
  options.step_exponent = 0.7;
  StepwiseEm<GaussianMixtureFull> stepwise(Truth(), options);
  const RowMatrix x = testing_data::SampleFrom(Truth(), 300, 5);
  SerialExecutor executor;
  EXPECT_EQ(stepwise.NextStepSize(), 1.0);
  for (int t = 0; t < 3; ++t) {
    const RowBlocks<double> batch(MatrixView(x.data() + 100 * t * 3, 100, 3), nullptr, 0);
    const StepwiseUpdate update = stepwise.Step(executor, batch);
    EXPECT_EQ(update.weight, 100.0);
    EXPECT_EQ(update.step_size, t == 0 ? 1.0 : std::pow(t + 1.0, -0.7));
  }
  EXPECT_EQ(stepwise.state().steps, 3);
  EXPECT_EQ(stepwise.state().weight_seen, 300.0);
}

// The mean log-likelihood of held-out rows under a fitted mixture.
template <class M>
double HeldOut(const M& model, const RowMatrix& x) {
  return model.Score(MatrixView(x.data(), x.rows(), x.cols()));
}

GaussianMixtureFull FarStart() {
  const GaussianMixtureFull& truth = Truth();
  RowMatrix means = truth.components().means();
  means.array() += 1.5;
  std::vector<Eigen::MatrixXd> covariances(4, Eigen::MatrixXd::Identity(3, 3) * 3.0);
  return GaussianMixtureFull(Vector::Constant(4, 0.25),
                             GaussianFull(means, covariances, GaussianOptions{}));
}

// One pass over a stationary stream reaches batch EM's optimum closely:
// stepwise EM's error shrinks like the step sizes.
TEST(StepwiseEmTest, OnePassOverAStationaryStreamNearsTheBatchOptimum) {
  const RowMatrix x = testing_data::SampleFrom(Truth(), 200000, 21);
  const RowMatrix held_out = testing_data::SampleFrom(Truth(), 20000, 22);
  Context context(2);
  FitOptions batch_options;
  batch_options.max_iter = 500;
  batch_options.tol = 1e-10;
  GaussianMixtureFull batch = FarStart();
  (void)Fit(context, batch_options, RowBlocks<double>(MatrixView(x.data(), x.rows(), 3), nullptr, 0),
            &batch);

  OnlineFitOptions online;
  online.batch_size = 1000;
  for (bool average : {false, true}) {
    online.stepwise.average = average;
    const Fitted<GaussianMixtureFull> fitted = FitOnline<GaussianMixtureFull, double>(
        context, FitOptions{}, online, FarStart(), x.rows(), 3,
        RowRangesOf<double>(MatrixView(x.data(), x.rows(), 3)));
    EXPECT_EQ(fitted.report.termination, TerminationType::kPassesDone);
    EXPECT_EQ(fitted.report.n_iter, 200);
    ASSERT_TRUE(fitted.report.online.has_value());
    EXPECT_EQ(fitted.report.online->batches, 200);
    EXPECT_EQ(fitted.report.certificate_checked, 0);
    // The average weighs the early iterates, far from the optimum, as much
    // as the late ones, so after one pass it is looser.
    EXPECT_NEAR(HeldOut(fitted.model, held_out), HeldOut(batch, held_out),
                average ? 5e-3 : 2e-3)
        << "average " << average;
    // The report's log-likelihood is that of the result on all rows.
    EXPECT_NEAR(fitted.report.mean_log_likelihood, HeldOut(fitted.model, x), 1e-10);
  }
}

TEST(StepwiseEmTest, OnlineFitsAreBitIdenticalForAnyThreadCount) {
  const RowMatrix x = testing_data::SampleFrom(Truth(), 30000, 31);
  OnlineFitOptions online;
  online.batch_size = 777;
  online.passes = 2;
  online.stepwise.average = true;
  FitOptions options;
  options.block_rows = 100;
  std::vector<Fitted<GaussianMixtureFull>> fits;
  for (int threads : {1, 2}) {
    Context context(threads);
    fits.push_back(FitOnline<GaussianMixtureFull, double>(
        context, options, online, FarStart(), x.rows(), 3,
        RowRangesOf<double>(MatrixView(x.data(), x.rows(), 3))));
  }
  EXPECT_EQ(fits[0].model.weights(), fits[1].model.weights());
  EXPECT_EQ(fits[0].model.components().means(), fits[1].model.components().means());
  EXPECT_EQ(fits[0].model.components().covariances(), fits[1].model.components().covariances());
  EXPECT_EQ(fits[0].report.total_log_likelihood, fits[1].report.total_log_likelihood);
  ASSERT_EQ(fits[0].report.restarts[0].iterations.size(), 2u * 39u);
  for (std::size_t i = 0; i < fits[0].report.restarts[0].iterations.size(); ++i) {
    EXPECT_EQ(fits[0].report.restarts[0].iterations[i].mean_log_likelihood,
              fits[1].report.restarts[0].iterations[i].mean_log_likelihood);
  }
}

// A run resumed from its state continues exactly as one that never stopped
// (Python's partial_fit keeps the state between calls).
TEST(StepwiseEmTest, AResumedRunContinuesBitForBit) {
  const RowMatrix x = testing_data::SampleFrom(Truth(), 900, 41);
  StepwiseOptions options;
  options.average = true;
  SerialExecutor executor;
  const auto batch = [&](int b) {
    return RowBlocks<double>(MatrixView(x.data() + 300 * b * 3, 300, 3), nullptr, 0);
  };
  StepwiseEm<GaussianMixtureFull> whole(FarStart(), options);
  for (int b = 0; b < 3; ++b) whole.Step(executor, batch(b));
  StepwiseEm<GaussianMixtureFull> first(FarStart(), options);
  first.Step(executor, batch(0));
  StepwiseEm<GaussianMixtureFull> resumed(first.state(), options);
  resumed.Step(executor, batch(1));
  resumed.Step(executor, batch(2));
  EXPECT_EQ(whole.model().components().means(), resumed.model().components().means());
  EXPECT_EQ(whole.model().weights(), resumed.model().weights());
  // Averaged parameters differ from the latest iterate.
  EXPECT_NE(whole.model().components().means(), whole.state().current.components().means());
}

TEST(StepwiseEmTest, RefusesBadOnlineOptionsAndRowlessData) {
  Context context(1);
  const RowMatrix x = testing_data::SampleFrom(Truth(), 10, 1);
  const auto fit = [&](OnlineFitOptions online, std::int64_t rows) {
    return FitOnline<GaussianMixtureFull, double>(
        context, FitOptions{}, online, Truth(), rows, 3,
        RowRangesOf<double>(MatrixView(x.data(), x.rows(), 3)));
  };
  OnlineFitOptions online;
  EXPECT_THROW((void)fit(online, 10), InvalidOptionError);  // batch_size 0
  online.batch_size = 4;
  online.passes = 0;
  EXPECT_THROW((void)fit(online, 10), InvalidOptionError);
  online.passes = 1;
  online.stepwise.step_exponent = 0.4;
  EXPECT_THROW((void)fit(online, 10), InvalidOptionError);
  online.stepwise.step_exponent = 0.6;
  EXPECT_THROW((void)fit(online, 0), InvalidDataError);
  EXPECT_NO_THROW((void)fit(online, 10));
}

// Every batch is checked as it is read; the message names the row of the
// data, not of the batch.
TEST(StepwiseEmTest, AnOnlineMixtureFitNamesTheRowOfABadValueInALaterBatch) {
  RowMatrix bits = (testing_data::SampleFrom(Truth(), 400, 51).array() > 0.0).cast<double>();
  bits(250, 1) = 2.0;
  RowMatrix probabilities = RowMatrix::Constant(2, 3, 0.5);
  probabilities(0, 0) = 0.2;
  const BernoulliMixture initial(Vector::Constant(2, 0.5),
                                 Bernoulli(probabilities, BernoulliOptions{}));
  OnlineFitOptions online;
  online.batch_size = 100;
  try {
    (void)FitMixtureOnline<Bernoulli, double>(FitOptions{}, online, initial, bits.rows(), 3,
                                              RowRangesOf<double>(MatrixView(bits.data(), 400, 3)));
    FAIL() << "no error";
  } catch (const InvalidDataError& e) {
    EXPECT_NE(std::string(e.what()).find("X[250, 1]"), std::string::npos) << e.what();
  }
}

// float32 rows: float E-step, double statistics, as a batch float32 fit.
TEST(StepwiseEmTest, AFloat32OnlineFitAgreesWithTheFloat64One) {
  const RowMatrix x = testing_data::SampleFrom(Truth(), 20000, 61);
  const RowMatrixF x32 = x.cast<float>();
  const RowMatrix rounded = x32.cast<double>();
  OnlineFitOptions online;
  online.batch_size = 500;
  const GaussianMixtureFull start = FarStart();
  const Fitted<GaussianMixtureFull> wide = FitMixtureOnline<GaussianFull, double>(
      FitOptions{}, online, start, x.rows(), 3,
      RowRangesOf<double>(MatrixView(rounded.data(), x.rows(), 3)));
  const Fitted<GaussianMixtureFull> narrow = FitMixtureOnline<GaussianFull, float>(
      FitOptions{}, online, start, x.rows(), 3,
      RowRangesOf<float>(MatrixViewF(x32.data(), x.rows(), 3)));
  EXPECT_NEAR(narrow.report.mean_log_likelihood, wide.report.mean_log_likelihood,
              1e-5 * std::abs(wide.report.mean_log_likelihood));
  EXPECT_LT((narrow.model.components().means() - wide.model.components().means())
                .cwiseAbs()
                .maxCoeff(),
            1e-3);
}

}  // namespace
}  // namespace emkit
