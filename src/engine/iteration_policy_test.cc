// The restart driver runs whatever iteration policy it is given, and
// checks the certificate on what the policy reports.
#include "emkit/engine/iteration_policy.h"

#include <gtest/gtest.h>

#include "emkit/context.h"
#include "emkit/engine/plain_em.h"
#include "emkit/engine/restart_driver.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/row_blocks.h"
#include "engine_test_problem.h"

namespace emkit {
namespace {

using engine_testing::ExpectSameModel;
using engine_testing::Initialize;
using engine_testing::MakeProblem;

static_assert(IterationPolicyFor<PlainEm, GaussianMixtureFull, RowBlocks<double>, ThreadedExecutor>);

// Plain EM that counts how often the driver calls it.
class CountingPolicy {
 public:
  template <class M, class Data, class Executor>
  EmStep<M> Step(const EmIterate<M>& current, Executor& executor, const Data& data,
                 RepairCounts* repairs) {
    ++steps;
    return plain_.Step(current, executor, data, repairs);
  }
  template <class M>
  void StartRestart(const EmIterate<M>&) {
    ++restarts;
  }

  int steps = 0;
  int restarts = 0;

 private:
  PlainEm plain_;
};

// Two plain EM iterations per iteration: two M-steps and two E-steps.
class DoubleStepPolicy {
 public:
  template <class M, class Data, class Executor>
  EmStep<M> Step(const EmIterate<M>& current, Executor& executor, const Data& data,
                 RepairCounts* repairs) {
    const EmStep<M> half = plain_.Step(current, executor, data, repairs);
    return plain_.Step(half.next, executor, data, repairs);
  }

 private:
  PlainEm plain_;
};

TEST(IterationPolicyTest, TheDriverCallsThePolicyOncePerIteration) {
  auto p = MakeProblem(41);
  p.options.n_init = 3;
  p.options.max_iter = 6;
  p.options.tol = 0.0;  // every restart runs max_iter iterations
  const RowBlocks<double> data(ViewOf(p.x), nullptr, p.options.block_rows);
  Context context(2);
  ThreadedExecutor executor(context.pool());
  CountingPolicy policy;
  const Fitted<GaussianMixtureFull> counted =
      DriveRestarts(context, executor, policy, p.options, data, Initialize);
  EXPECT_EQ(policy.restarts, 3);
  EXPECT_EQ(policy.steps, 3 * 6);
  EXPECT_EQ(counted.report.certificate_checked, 3 * 6);

  const Fitted<GaussianMixtureFull> plain = FitWithRestarts(p.options, data, Initialize);
  ExpectSameModel(counted.model, plain.model);
  EXPECT_EQ(counted.report.total_log_likelihood, plain.report.total_log_likelihood);
}

TEST(IterationPolicyTest, APolicyMayRunSeveralEStepsPerIteration) {
  auto p = MakeProblem(42);
  p.options.n_init = 1;
  p.options.tol = 0.0;
  const RowBlocks<double> data(ViewOf(p.x), p.weights.data(), p.options.block_rows);
  p.options.max_iter = 4;
  Context context(2);
  ThreadedExecutor executor(context.pool());
  DoubleStepPolicy policy;
  const Fitted<GaussianMixtureFull> doubled =
      DriveRestarts(context, executor, policy, p.options, data, Initialize);

  // Iteration i of the double step ends where plain EM's iteration 2i does.
  FitOptions twice = p.options;
  twice.max_iter = 8;
  const Fitted<GaussianMixtureFull> plain = FitWithRestarts(twice, data, Initialize);
  ExpectSameModel(doubled.model, plain.model);
  const auto& d = doubled.report.restarts[0].iterations;
  const auto& e = plain.report.restarts[0].iterations;
  ASSERT_EQ(d.size(), 4u);
  ASSERT_EQ(e.size(), 8u);
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(d[i].mean_log_likelihood, e[2 * i + 1].mean_log_likelihood) << i;
    // The certificate is that of the second M-step.
    EXPECT_EQ(d[i].bound_gain, e[2 * i + 1].bound_gain) << i;
  }
  EXPECT_EQ(doubled.report.certificate_violations, 0);
}

}  // namespace
}  // namespace emkit
