// A Context reused across fits gives each fit the result a fresh one gives.
#include "emkit/context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/row_blocks.h"
#include "engine_test_problem.h"

namespace emkit {
namespace {

using engine_testing::ExpectSameModel;
using engine_testing::ExpectSameReport;
using engine_testing::Initialize;
using engine_testing::MakeProblem;
using ::testing::HasSubstr;

TEST(ContextTest, AReusedContextGivesTheResultsOfFreshOnes) {
  const auto a = MakeProblem(11);
  const auto b = MakeProblem(12);
  const RowBlocks<double> data_a(ViewOf(a.x), a.weights.data(), a.options.block_rows);
  const RowBlocks<double> data_b(ViewOf(b.x), nullptr, b.options.block_rows);
  const Fitted<GaussianMixtureFull> fresh_a = FitWithRestarts(a.options, data_a, Initialize);
  const Fitted<GaussianMixtureFull> fresh_b = FitWithRestarts(b.options, data_b, Initialize);

  Context context(2);
  const Fitted<GaussianMixtureFull> first_a =
      FitWithRestarts(context, a.options, data_a, Initialize);
  const Fitted<GaussianMixtureFull> then_b =
      FitWithRestarts(context, b.options, data_b, Initialize);
  const Fitted<GaussianMixtureFull> again_a =
      FitWithRestarts(context, a.options, data_a, Initialize);
  ExpectSameModel(first_a.model, fresh_a.model);
  ExpectSameReport(first_a.report, fresh_a.report);
  ExpectSameModel(then_b.model, fresh_b.model);
  ExpectSameReport(then_b.report, fresh_b.report);
  ExpectSameModel(again_a.model, fresh_a.model);
  ExpectSameReport(again_a.report, fresh_a.report);
  EXPECT_EQ(first_a.report.threads_used, 2);
}

TEST(ContextTest, AWarmStartOnAContextEqualsOneWithout) {
  const auto p = MakeProblem(13);
  const RowBlocks<double> data(ViewOf(p.x), p.weights.data(), p.options.block_rows);
  GaussianMixtureFull fresh = testing_data::RandomTruth(3, 2, 3, 2.0);
  GaussianMixtureFull reused = fresh;
  const FitReport fresh_report = Fit(p.options, data, &fresh);
  Context context(3);
  GaussianMixtureFull other = testing_data::RandomTruth(3, 2, 4, 2.0);
  (void)Fit(context, p.options, data, &other);  // the context's first fit
  const FitReport reused_report = Fit(context, p.options, data, &reused);
  ExpectSameModel(reused, fresh);
  ExpectSameReport(reused_report, fresh_report);
}

TEST(ContextTest, ItsThreadsAreTheFitsThreads) {
  const auto p = MakeProblem(14);
  const RowBlocks<double> data(ViewOf(p.x), nullptr, p.options.block_rows);
  Context context(3);
  EXPECT_EQ(context.num_threads(), 3);
  FitOptions options = p.options;
  options.num_threads = 1;  // only reported: the context's threads run
  const Fitted<GaussianMixtureFull> fitted = FitWithRestarts(context, options, data, Initialize);
  EXPECT_EQ(fitted.report.threads_given, 1);
  EXPECT_EQ(fitted.report.threads_used, 3);
}

TEST(ContextTest, RejectsANegativeThreadCount) {
  try {
    Context context(-2);
    FAIL() << "no error";
  } catch (const InvalidOptionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("num_threads = -2 must be >= 0"));
  }
}

}  // namespace
}  // namespace emkit
