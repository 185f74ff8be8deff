// Checkpoint and resume: a fit continued from any saved FitProgress ends
// bit-identical to the fit that was never stopped; the time limit ends a fit
// with a usable result.
#include "emkit/fit_progress.h"

#include <any>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "../tests/synthetic_data.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;

struct Problem {
  RowMatrix x;
  FitOptions options;
};

Problem MakeProblem() {
  const GaussianMixtureFull truth = testing_data::RandomTruth(3, 2, 42);
  Problem p{testing_data::SampleFrom(truth, 1200, 43), FitOptions{}};
  p.options.n_init = 3;
  p.options.max_iter = 12;
  p.options.tol = 1e-6;
  p.options.seed = 7;
  return p;
}

// Each restart starts from a random mixture drawn from its own seed, as the
// shipped initialisers do.
GaussianMixtureFull Initialize(const InitContext& context) {
  return testing_data::RandomTruth(3, 2, context.seed, 2.0);
}

void ExpectSameModel(const GaussianMixtureFull& a, const GaussianMixtureFull& b) {
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_EQ(a.components().means(), b.components().means());
  EXPECT_EQ(a.components().covariances(), b.components().covariances());
}

void ExpectSameRecords(const FitReport& a, const FitReport& b) {
  ASSERT_EQ(a.restarts.size(), b.restarts.size());
  EXPECT_EQ(a.best_restart, b.best_restart);
  EXPECT_EQ(a.total_log_likelihood, b.total_log_likelihood);
  for (std::size_t r = 0; r < a.restarts.size(); ++r) {
    const RestartRecord& x = a.restarts[r];
    const RestartRecord& y = b.restarts[r];
    EXPECT_EQ(x.n_iter, y.n_iter) << "restart " << r;
    EXPECT_EQ(x.termination, y.termination) << "restart " << r;
    EXPECT_EQ(x.initial_mean_log_likelihood, y.initial_mean_log_likelihood);
    EXPECT_EQ(x.mean_log_likelihood, y.mean_log_likelihood) << "restart " << r;
    ASSERT_EQ(x.iterations.size(), y.iterations.size());
    for (std::size_t i = 0; i < x.iterations.size(); ++i) {
      EXPECT_EQ(x.iterations[i].bound_gain, y.iterations[i].bound_gain);
    }
  }
}

TEST(FitProgressTest, ResumingFromEverySnapshotGivesTheUninterruptedResult) {
  Problem p = MakeProblem();
  const RowBlocks<double> data(ViewOf(p.x), nullptr, 256);
  std::vector<FitProgress<GaussianMixtureFull>> snapshots;
  FitOptions recording = p.options;
  recording.on_progress = [&snapshots](const std::any& progress) {
    const auto* typed = ProgressOf<GaussianMixtureFull>(progress);
    ASSERT_NE(typed, nullptr);
    snapshots.push_back(*typed);
  };
  const Fitted<GaussianMixtureFull> whole = FitWithRestarts(recording, data, Initialize);
  // Every iteration that another follows, plus the two restart boundaries.
  int expected = 2;
  for (const RestartRecord& r : whole.report.restarts) {
    expected += r.n_iter - (r.termination == TerminationType::kConverged ? 1 : 0) -
                (r.n_iter == p.options.max_iter ? 1 : 0);
  }
  ASSERT_EQ(static_cast<int>(snapshots.size()), expected);

  bool saw_boundary = false;
  for (const FitProgress<GaussianMixtureFull>& snapshot : snapshots) {
    saw_boundary |= !snapshot.model.has_value();
    FitOptions resuming = p.options;
    resuming.resume_from = snapshot;
    resuming.num_threads = 2;  // the thread count is free to change
    const Fitted<GaussianMixtureFull> resumed = FitWithRestarts(resuming, data, Initialize);
    ExpectSameModel(resumed.model, whole.model);
    ExpectSameRecords(resumed.report, whole.report);
  }
  EXPECT_TRUE(saw_boundary);
}

TEST(FitProgressTest, ProgressOfAnotherModelTypeIsRejected) {
  Problem p = MakeProblem();
  const RowBlocks<double> data(ViewOf(p.x), nullptr, 256);
  FitOptions options = p.options;
  options.resume_from = FitProgress<GaussianMixtureDiag>{};
  try {
    (void)FitWithRestarts(options, data, Initialize);
    FAIL() << "expected InvalidOptionError";
  } catch (const InvalidOptionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("different model type"));
  }
}

TEST(FitProgressTest, InconsistentProgressIsRejected) {
  Problem p = MakeProblem();
  const RowBlocks<double> data(ViewOf(p.x), nullptr, 256);
  std::vector<FitProgress<GaussianMixtureFull>> snapshots;
  FitOptions recording = p.options;
  recording.on_progress = [&snapshots](const std::any& progress) {
    snapshots.push_back(*ProgressOf<GaussianMixtureFull>(progress));
  };
  (void)FitWithRestarts(recording, data, Initialize);
  ASSERT_FALSE(snapshots.empty());
  ASSERT_TRUE(snapshots.front().model.has_value());

  FitOptions fewer_iterations = p.options;
  fewer_iterations.max_iter = snapshots.front().current.n_iter;
  fewer_iterations.resume_from = snapshots.front();
  EXPECT_THROW((void)FitWithRestarts(fewer_iterations, data, Initialize),
               InvalidOptionError);

  FitOptions fewer_restarts = p.options;
  fewer_restarts.n_init = 1;
  fewer_restarts.resume_from = snapshots.back();  // restart 2 in progress
  EXPECT_THROW((void)FitWithRestarts(fewer_restarts, data, Initialize),
               InvalidOptionError);
}

TEST(FitProgressTest, TimeLimitEndsTheFitWithAUsableResult) {
  Problem p = MakeProblem();
  const RowBlocks<double> data(ViewOf(p.x), nullptr, 256);
  FitOptions options = p.options;
  options.tol = 0.0;
  options.max_seconds = 1e-9;  // runs out during the first iteration
  const Fitted<GaussianMixtureFull> fitted = FitWithRestarts(options, data, Initialize);
  ASSERT_EQ(fitted.report.restarts.size(), 1u);
  EXPECT_EQ(fitted.report.termination, TerminationType::kTimeLimit);
  EXPECT_EQ(fitted.report.n_iter, 1);
  EXPECT_TRUE(fitted.report.IsUsable());
  EXPECT_THAT(fitted.report.message, HasSubstr("time limit"));

  options.max_seconds = -1.0;
  EXPECT_THROW((void)FitWithRestarts(options, data, Initialize), InvalidOptionError);
}

TEST(FitProgressTest, ReportSaysWhyFewerRestartsRan) {
  Problem p = MakeProblem();
  const RowBlocks<double> data(ViewOf(p.x), nullptr, 256);
  FitOptions options = p.options;
  // Restart 1 is stopped after its first iteration; restart 0, run to the
  // end, has the higher likelihood and is the result.
  options.callbacks.push_back([](const IterationEvent& e) {
    return e.restart == 1 ? CallbackResult::kStop : CallbackResult::kContinue;
  });
  const Fitted<GaussianMixtureFull> fitted = FitWithRestarts(options, data, Initialize);
  ASSERT_EQ(fitted.report.restarts.size(), 2u);
  EXPECT_EQ(fitted.report.restarts[1].termination, TerminationType::kUserStop);
  ASSERT_EQ(fitted.report.best_restart, 0);
  EXPECT_THAT(fitted.report.message, HasSubstr("2 of 3 restarts ran"));
}

}  // namespace
}  // namespace emkit
