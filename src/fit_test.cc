// Engine tests: the certificate, convergence, callbacks and options, on
// models written against the public concept only.
#include "emkit/fit.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/gaussian_mixture.h"
#include "../tests/synthetic_data.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;

// A Gaussian mixture whose M-step is deliberately wrong: it moves every
// mean away from its estimate by `push`. The certificate must notice.
class WrongMStepMixture {
 public:
  using Block = RowBlock<double>;
  using Statistics = GaussianMixtureFull::Statistics;

  WrongMStepMixture(GaussianMixtureFull inner, double push)
      : inner_(std::move(inner)), push_(push) {}

  Statistics NewStatistics() const { return inner_.NewStatistics(); }
  double EStep(const RowBlock<double>& block, Statistics* stats) const {
    return inner_.EStep(block, stats);
  }
  WrongMStepMixture MStep(const Statistics& stats, RepairCounts* repairs) const {
    const GaussianMixtureFull right = inner_.MStep(stats, repairs);
    RowMatrix means = right.components().means().array() + push_;
    return WrongMStepMixture(
        GaussianMixtureFull(right.weights(),
                            GaussianFull(means, right.components().covariances(),
                                         right.components().options())),
        push_);
  }
  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return inner_.ExpectedCompleteLogLikelihood(stats);
  }
  std::int64_t NumFreeParameters() const { return inner_.NumFreeParameters(); }

 private:
  GaussianMixtureFull inner_;
  double push_;
};

static_assert(EmModel<WrongMStepMixture>);
static_assert(EmModel<GaussianMixtureFull>);

struct Problem {
  RowMatrix x;
  GaussianMixtureFull start;
};

Problem MakeSetup() {
  const GaussianMixtureFull truth = testing_data::RandomTruth(3, 2, 42);
  RowMatrix x = testing_data::SampleFrom(truth, 1500, 43);
  // Start away from the truth so EM has work to do.
  GaussianMixtureFull start = testing_data::RandomTruth(3, 2, 44, 2.0);
  return Problem{std::move(x), std::move(start)};
}

TEST(FitTest, CertificateCatchesAWrongMStep) {
  const Problem s = MakeSetup();
  const RowBlocks<double> data(ViewOf(s.x), nullptr, 256);
  FitOptions options;
  options.tol = 0.0;
  options.max_iter = 10;
  WrongMStepMixture model(s.start, 0.5);
  const FitReport report = Fit(options, data, &model);
  EXPECT_EQ(report.certificate_checked, 10);
  EXPECT_GT(report.certificate_violations, 0);
  // The same with a correct M-step: no violation.
  GaussianMixtureFull right = s.start;
  const FitReport good = Fit(options, data, &right);
  EXPECT_EQ(good.certificate_checked, 10);
  EXPECT_EQ(good.certificate_violations, 0);
}

TEST(FitTest, RecordsBoundAndLikelihoodGainsPerIteration) {
  const Problem s = MakeSetup();
  const RowBlocks<double> data(ViewOf(s.x), nullptr, 100);
  FitOptions options;
  options.tol = 0.0;
  options.max_iter = 15;
  GaussianMixtureFull model = s.start;
  const FitReport report = Fit(options, data, &model);
  const RestartRecord& r = report.restarts[0];
  ASSERT_EQ(r.iterations.size(), 15u);
  double previous = r.initial_mean_log_likelihood;
  for (const IterationRecord& it : r.iterations) {
    EXPECT_GE(it.bound_gain, 0.0);
    EXPECT_GE(it.loglik_gain, it.bound_gain - 1e-9 * 1500 * std::abs(previous));
    EXPECT_NEAR(it.loglik_gain, (it.mean_log_likelihood - previous) * 1500,
                1e-9 * 1500 * std::abs(previous));
    previous = it.mean_log_likelihood;
  }
  EXPECT_EQ(report.mean_log_likelihood, r.iterations.back().mean_log_likelihood);
  EXPECT_EQ(report.termination, TerminationType::kMaxIterations);
  EXPECT_FALSE(report.converged);
}

TEST(FitTest, ConvergesOnSmallGainAndNeverOnADecrease) {
  const Problem s = MakeSetup();
  const RowBlocks<double> data(ViewOf(s.x), nullptr, 0);
  FitOptions options;
  options.tol = 1e-3;
  GaussianMixtureFull model = s.start;
  const FitReport report = Fit(options, data, &model);
  EXPECT_TRUE(report.converged);
  EXPECT_EQ(report.termination, TerminationType::kConverged);
  const IterationRecord& last = report.restarts[0].iterations.back();
  EXPECT_GE(last.loglik_gain / 1500, 0.0);
  EXPECT_LT(last.loglik_gain / 1500, 1e-3);

  // A wrong M-step lowers the likelihood; a decrease is not convergence,
  // however small the change.
  WrongMStepMixture wrong(s.start, 0.3);
  options.max_iter = 5;
  options.tol = 1e9;
  const FitReport bad = Fit(options, data, &wrong);
  for (const IterationRecord& it : bad.restarts[0].iterations) {
    if (it.loglik_gain < 0) {
      EXPECT_FALSE(bad.converged);
    }
  }
}

TEST(FitTest, CallbacksSeeEveryIterationAndCanStopOrAbort) {
  const Problem s = MakeSetup();
  const RowBlocks<double> data(ViewOf(s.x), nullptr, 0);
  FitOptions options;
  options.tol = 0.0;
  options.max_iter = 20;
  std::vector<int> seen;
  options.callbacks.push_back([&seen](const IterationEvent& e) {
    seen.push_back(e.iteration);
    return e.iteration == 4 ? CallbackResult::kStop : CallbackResult::kContinue;
  });
  GaussianMixtureFull model = s.start;
  const FitReport stopped = Fit(options, data, &model);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(stopped.termination, TerminationType::kUserStop);
  EXPECT_EQ(stopped.n_iter, 4);
  EXPECT_TRUE(stopped.IsUsable());

  options.callbacks = {[](const IterationEvent&) { return CallbackResult::kAbort; }};
  model = s.start;
  const FitReport aborted = Fit(options, data, &model);
  EXPECT_EQ(aborted.termination, TerminationType::kUserAbort);
  EXPECT_FALSE(aborted.IsUsable());
}

TEST(FitTest, ValidatesOptionsBeforeAnyWork) {
  const Problem s = MakeSetup();
  const RowBlocks<double> data(ViewOf(s.x), nullptr, 0);
  GaussianMixtureFull model = s.start;
  auto message = [&](FitOptions options) {
    try {
      (void)Fit(options, data, &model);
    } catch (const InvalidOptionError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  FitOptions o;
  o.max_iter = -1;
  EXPECT_EQ(message(o), "max_iter = -1 must be >= 0");
  o = FitOptions{};
  o.tol = -0.5;
  EXPECT_EQ(message(o), "tol = -0.5 must be a finite number >= 0");
  o = FitOptions{};
  o.n_init = 0;
  EXPECT_EQ(message(o), "n_init = 0 must be >= 1");
  o = FitOptions{};
  o.num_threads = -2;
  EXPECT_EQ(message(o), "num_threads = -2 must be >= 0 (0 = all cores)");
  EXPECT_TRUE(model.components().means() == s.start.components().means());
}

TEST(FitTest, StatisticsAreAdditiveOverBlocks) {
  const Problem s = MakeSetup();
  const GaussianMixtureFull& m = s.start;
  GaussianMixtureFull::Statistics whole = m.NewStatistics();
  const double ll_whole = m.EStep(RowBlock<double>{ViewOf(s.x), nullptr, 0}, &whole);
  GaussianMixtureFull::Statistics parts = m.NewStatistics();
  GaussianMixtureFull::Statistics tail = m.NewStatistics();
  const MatrixView head_rows(s.x.data(), 600, 2);
  const MatrixView tail_rows(s.x.data() + 600 * 2, 900, 2);
  double ll = m.EStep(RowBlock<double>{head_rows, nullptr, 0}, &parts);
  ll += m.EStep(RowBlock<double>{tail_rows, nullptr, 600}, &tail);
  parts.Merge(tail);
  EXPECT_NEAR(ll, ll_whole, 1e-12 * std::abs(ll_whole));
  EXPECT_LT((parts.counts - whole.counts).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((parts.means - whole.means).cwiseAbs().maxCoeff(), 1e-12);
  for (int k = 0; k < 3; ++k) {
    // Only the lower triangle of a scatter is kept.
    const Eigen::MatrixXd difference = parts.scatters[k] - whole.scatters[k];
    EXPECT_LT(difference.triangularView<Eigen::Lower>().toDenseMatrix().cwiseAbs().maxCoeff(),
              1e-8);
  }
}

TEST(FitTest, ReportTextNamesTheOutcome) {
  const Problem s = MakeSetup();
  const RowBlocks<double> data(ViewOf(s.x), nullptr, 0);
  GaussianMixtureFull model = s.start;
  FitOptions options;
  options.num_threads = 2;
  const FitReport report = Fit(options, data, &model);
  EXPECT_THAT(report.BriefReport(), HasSubstr("converged"));
  EXPECT_THAT(report.FullReport(), HasSubstr("Threads"));
  EXPECT_THAT(report.FullReport(), HasSubstr("Certificate violations"));
  EXPECT_EQ(report.threads_given, 2);
}

}  // namespace
}  // namespace emkit
