// Forward-backward and Viterbi against brute-force enumeration of all K^T
// state paths (an independent computation: no recursion), and the
// underflow-free behaviour on long sequences.
#include "emkit/hmm/forward_backward.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/random.h"

namespace emkit {
namespace {

struct Enumerated {
  double loglik;
  RowMatrix posteriors;
  RowMatrix transition_counts;
  std::vector<int> best_path;
  double best_log_probability;
};

// Sums p(x, z) over every path z explicitly.
Enumerated Enumerate(const Vector& start, const RowMatrix& a, const RowMatrix& log_b) {
  const int t_count = static_cast<int>(log_b.rows());
  const int k = static_cast<int>(log_b.cols());
  int paths = 1;
  for (int t = 0; t < t_count; ++t) paths *= k;
  Enumerated e{0.0, RowMatrix::Zero(t_count, k), RowMatrix::Zero(k, k), {}, -1e300};
  double total = 0.0;
  std::vector<int> z(t_count);
  for (int p = 0; p < paths; ++p) {
    int code = p;
    for (int t = t_count - 1; t >= 0; --t) {  // lowest index varies last
      z[t] = code % k;
      code /= k;
    }
    double prob = start[z[0]] * std::exp(log_b(0, z[0]));
    for (int t = 1; t < t_count; ++t) prob *= a(z[t - 1], z[t]) * std::exp(log_b(t, z[t]));
    total += prob;
    for (int t = 0; t < t_count; ++t) e.posteriors(t, z[t]) += prob;
    for (int t = 0; t + 1 < t_count; ++t) e.transition_counts(z[t], z[t + 1]) += prob;
    if (prob > 0.0 && std::log(prob) > e.best_log_probability) {
      e.best_log_probability = std::log(prob);
      e.best_path = z;
    }
  }
  e.loglik = std::log(total);
  e.posteriors /= total;
  e.transition_counts /= total;
  return e;
}

Vector RandomDistribution(int k, Rng& rng) {
  Vector p(k);
  for (int i = 0; i < k; ++i) p[i] = 0.1 + UniformDouble(rng);
  return p / p.sum();
}

MarkovChain RandomChain(int k, Rng& rng, bool with_zero) {
  RowMatrix a(k, k);
  for (int i = 0; i < k; ++i) a.row(i) = RandomDistribution(k, rng).transpose();
  if (with_zero && k > 1) {
    a(0, k - 1) = 0.0;  // a structural zero
    a.row(0) /= a.row(0).sum();
  }
  return MarkovChain(RandomDistribution(k, rng), a);
}

class BruteForce : public ::testing::TestWithParam<RecursionMethod> {};

TEST_P(BruteForce, MatchesEnumerationOverAllPaths) {
  Rng rng(7);
  int cases = 0;
  for (int k = 1; k <= 3; ++k) {
    for (int t_count = 1; t_count <= 6; ++t_count) {
      for (int with_zero = 0; with_zero < 2; ++with_zero) {
        const MarkovChain chain = RandomChain(k, rng, with_zero == 1);
        RowMatrix log_b(t_count, k);
        for (int t = 0; t < t_count; ++t) {
          for (int j = 0; j < k; ++j) log_b(t, j) = -3.0 * UniformDouble(rng) - 1.0;
        }
        const Enumerated e = Enumerate(chain.start(), chain.transitions(), log_b);
        RowMatrix posteriors = log_b;
        Vector start_counts = Vector::Zero(k);
        RowMatrix transition_counts = RowMatrix::Zero(k, k);
        const double loglik = ForwardBackward(chain, posteriors, &start_counts,
                                              &transition_counts, GetParam());
        EXPECT_NEAR(loglik, e.loglik, 1e-12 * std::abs(e.loglik) + 1e-13);
        EXPECT_LT((posteriors - e.posteriors).cwiseAbs().maxCoeff(), 1e-13);
        EXPECT_LT((start_counts.transpose() - e.posteriors.row(0)).cwiseAbs().maxCoeff(), 1e-13);
        EXPECT_LT((transition_counts - e.transition_counts).cwiseAbs().maxCoeff(), 1e-13);
        if (with_zero == 1 && k > 1) {
          EXPECT_EQ(transition_counts(0, k - 1), 0.0);
        }
        EXPECT_NEAR(ForwardLogLikelihood(chain, log_b), e.loglik,
                    1e-12 * std::abs(e.loglik) + 1e-13);

        std::vector<int> path(t_count);
        const double best = Viterbi(chain, log_b, path.data());
        EXPECT_EQ(path, e.best_path);
        EXPECT_NEAR(best, e.best_log_probability, 1e-12 * std::abs(best));
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 36);
}

INSTANTIATE_TEST_SUITE_P(Methods, BruteForce,
                         ::testing::Values(RecursionMethod::kAuto, RecursionMethod::kScaled,
                                           RecursionMethod::kLog));

// Log-probabilities around -700 per step: the unscaled forward variables
// would underflow after one step, the raw likelihood after two.
RowMatrix LongSequence(std::int64_t t_count, int k, Rng& rng) {
  RowMatrix log_b(t_count, k);
  for (std::int64_t t = 0; t < t_count; ++t) {
    for (int j = 0; j < k; ++j) log_b(t, j) = -700.0 - 5.0 * UniformDouble(rng);
  }
  return log_b;
}

TEST(ForwardBackward, MillionStepsNoUnderflow) {
  Rng rng(11);
  const int k = 2;
  const std::int64_t t_count = 1000000;
  const MarkovChain chain = RandomChain(k, rng, false);
  const RowMatrix log_b = LongSequence(t_count, k, rng);
  RowMatrix posteriors = log_b;
  Vector start_counts = Vector::Zero(k);
  RowMatrix transition_counts = RowMatrix::Zero(k, k);
  const double loglik = ForwardBackward(chain, posteriors, &start_counts, &transition_counts);
  ASSERT_TRUE(std::isfinite(loglik));
  // Each step contributes between -705 and -700 plus log of a probability.
  EXPECT_LT(loglik, -700.0 * t_count);
  EXPECT_GT(loglik, -706.0 * t_count);
  EXPECT_TRUE(posteriors.allFinite());
  EXPECT_LT((posteriors.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-12);
  // Every step but the last starts one transition.
  EXPECT_NEAR(transition_counts.sum(), static_cast<double>(t_count - 1), 1e-6 * t_count);
  EXPECT_NEAR(ForwardLogLikelihood(chain, log_b), loglik, 1e-12 * std::abs(loglik));
  std::vector<int> path(t_count);
  EXPECT_TRUE(std::isfinite(Viterbi(chain, log_b, path.data())));
}

TEST(ForwardBackward, ScaledAndLogSpaceAgreeOnALongSequence) {
  Rng rng(12);
  const int k = 3;
  const MarkovChain chain = RandomChain(k, rng, true);
  const RowMatrix log_b = LongSequence(20000, k, rng);
  RowMatrix scaled = log_b, logspace = log_b;
  Vector s1 = Vector::Zero(k), s2 = Vector::Zero(k);
  RowMatrix t1 = RowMatrix::Zero(k, k), t2 = RowMatrix::Zero(k, k);
  const double l1 = ForwardBackward(chain, scaled, &s1, &t1, RecursionMethod::kScaled);
  const double l2 = ForwardBackward(chain, logspace, &s2, &t2, RecursionMethod::kLog);
  EXPECT_NEAR(l1, l2, 1e-12 * std::abs(l2));
  EXPECT_LT((scaled - logspace).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT((t1 - t2).cwiseAbs().maxCoeff(), 1e-7);
}

// A chain that must pass through a state whose transition probability is
// below the smallest normal double: the scaled recursion breaks down, the
// automatic method falls back to log space and matches it.
TEST(ForwardBackward, FallsBackToLogSpaceWhenScalingUnderflows) {
  RowMatrix a(2, 2);
  a << 1.0 - 1e-310, 1e-310, 0.5, 0.5;
  const MarkovChain chain((Vector(2) << 1.0, 0.0).finished(), a);
  RowMatrix log_b(3, 2);
  log_b << 0.0, 0.0, -800.0, 0.0, 0.0, 0.0;  // step 1 is impossible in state 0 (almost)
  RowMatrix automatic = log_b, logspace = log_b;
  Vector s1 = Vector::Zero(2), s2 = Vector::Zero(2);
  RowMatrix t1 = RowMatrix::Zero(2, 2), t2 = RowMatrix::Zero(2, 2);
  const double scaled_only = [&] {
    RowMatrix p = log_b;
    Vector s = Vector::Zero(2);
    RowMatrix t = RowMatrix::Zero(2, 2);
    return ForwardBackward(chain, p, &s, &t, RecursionMethod::kScaled);
  }();
  EXPECT_TRUE(std::isnan(scaled_only));
  const double l1 = ForwardBackward(chain, automatic, &s1, &t1, RecursionMethod::kAuto);
  const double l2 = ForwardBackward(chain, logspace, &s2, &t2, RecursionMethod::kLog);
  ASSERT_TRUE(std::isfinite(l1));
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(automatic, logspace);
  // The paths through state 1 at step 1 carry almost all the probability,
  // 1e-310 (the path through state 0 has e^-800).
  EXPECT_NEAR(l1, std::log(1e-310), 1e-9);
}

TEST(ForwardBackward, NoPathWithPositiveProbabilityGivesMinusInfinity) {
  RowMatrix a(2, 2);
  a << 1.0, 0.0, 0.0, 1.0;
  const MarkovChain chain((Vector(2) << 1.0, 0.0).finished(), a);
  RowMatrix log_b(2, 2);
  const double inf = std::numeric_limits<double>::infinity();
  log_b << 0.0, 0.0, -inf, 0.0;  // state 0 cannot emit step 1, state 1 is unreachable
  Vector s = Vector::Zero(2);
  RowMatrix t = RowMatrix::Zero(2, 2);
  EXPECT_EQ(ForwardBackward(chain, log_b, &s, &t), -inf);
  EXPECT_EQ(s.sum(), 0.0);
  EXPECT_EQ(t.sum(), 0.0);
}

}  // namespace
}  // namespace emkit
