// A small Gaussian-mixture problem shared by the engine's tests, and exact
// comparisons of their results.
#ifndef EMKIT_SRC_ENGINE_ENGINE_TEST_PROBLEM_H_
#define EMKIT_SRC_ENGINE_ENGINE_TEST_PROBLEM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "../tests/synthetic_data.h"

namespace emkit::engine_testing {

struct Problem {
  RowMatrix x;
  std::vector<double> weights;  // per row, not all equal
  FitOptions options;
};

inline Problem MakeProblem(std::uint64_t seed) {
  const GaussianMixtureFull truth = testing_data::RandomTruth(3, 2, seed);
  Problem p{testing_data::SampleFrom(truth, 900, seed + 1), {}, FitOptions{}};
  for (Eigen::Index i = 0; i < p.x.rows(); ++i) p.weights.push_back(0.5 + (i % 7) * 0.25);
  p.options.n_init = 2;
  p.options.max_iter = 15;
  p.options.tol = 1e-8;
  p.options.seed = seed;
  // Blocks that do not divide the rows evenly: the last one is short.
  p.options.block_rows = 64;
  return p;
}

// Each restart starts from a random mixture drawn from its own seed.
inline GaussianMixtureFull Initialize(const InitContext& context) {
  return testing_data::RandomTruth(3, 2, context.seed, 2.0);
}

inline void ExpectSameModel(const GaussianMixtureFull& a, const GaussianMixtureFull& b) {
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_EQ(a.components().means(), b.components().means());
  EXPECT_EQ(a.components().covariances(), b.components().covariances());
}

// Every number of the two reports that does not measure time.
inline void ExpectSameReport(const FitReport& a, const FitReport& b) {
  EXPECT_EQ(a.total_log_likelihood, b.total_log_likelihood);
  EXPECT_EQ(a.best_restart, b.best_restart);
  EXPECT_EQ(a.n_iter, b.n_iter);
  EXPECT_EQ(a.termination, b.termination);
  EXPECT_EQ(a.certificate_checked, b.certificate_checked);
  EXPECT_EQ(a.certificate_violations, b.certificate_violations);
  ASSERT_EQ(a.restarts.size(), b.restarts.size());
  for (std::size_t r = 0; r < a.restarts.size(); ++r) {
    const RestartRecord& x = a.restarts[r];
    const RestartRecord& y = b.restarts[r];
    EXPECT_EQ(x.initial_mean_log_likelihood, y.initial_mean_log_likelihood) << "restart " << r;
    EXPECT_EQ(x.mean_log_likelihood, y.mean_log_likelihood) << "restart " << r;
    ASSERT_EQ(x.iterations.size(), y.iterations.size()) << "restart " << r;
    for (std::size_t i = 0; i < x.iterations.size(); ++i) {
      EXPECT_EQ(x.iterations[i].mean_log_likelihood, y.iterations[i].mean_log_likelihood);
      EXPECT_EQ(x.iterations[i].bound_gain, y.iterations[i].bound_gain);
      EXPECT_EQ(x.iterations[i].loglik_gain, y.iterations[i].loglik_gain);
    }
  }
}

}  // namespace emkit::engine_testing

#endif  // EMKIT_SRC_ENGINE_ENGINE_TEST_PROBLEM_H_
