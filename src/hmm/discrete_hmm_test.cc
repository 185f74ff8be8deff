// The k-means++ initialisers of Bernoulli, categorical and Poisson HMM
// emissions, and the fitting entry points that use them. The reference for
// "a good start" is a closed form: the log-likelihood of the parameters the
// data were sampled from.
#include "emkit/hmm/discrete_hmm.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/random.h"
#include "emkit/thread_pool.h"

namespace emkit {
namespace {

MarkovChain StickyChain(int k) {
  RowMatrix a = RowMatrix::Constant(k, k, 0.1 / (k - 1));
  a.diagonal().setConstant(0.9);
  return MarkovChain(Vector::Constant(k, 1.0 / k), a);
}

template <class Model>
RowMatrix SampleRows(const Model& model, const std::vector<std::int64_t>& lengths,
                     std::uint64_t seed) {
  Rng rng(seed);
  std::int64_t total = 0;
  for (std::int64_t n : lengths) total += n;
  RowMatrix x(total, model.emissions().num_features());
  std::int64_t row = 0;
  for (std::int64_t n : lengths) {
    x.middleRows(row, n) = model.Sample(n, rng, nullptr);
    row += n;
  }
  return x;
}

const std::vector<std::int64_t> kLengths{400, 300, 500, 250, 550};

PoissonHmm TruePoisson() {
  RowMatrix rates(3, 2);
  rates << 1.0, 6.0, 5.0, 5.0, 12.0, 2.0;
  return PoissonHmm(StickyChain(3), Poisson(rates, PoissonOptions{}));
}

BernoulliHmm TrueBernoulli() {
  RowMatrix p(3, 6);
  p << 0.9, 0.8, 0.1, 0.2, 0.5, 0.1,  //
      0.1, 0.2, 0.9, 0.8, 0.5, 0.1,   //
      0.5, 0.5, 0.5, 0.1, 0.9, 0.9;
  return BernoulliHmm(StickyChain(3), Bernoulli(p, BernoulliOptions{}));
}

CategoricalHmm TrueCategorical() {
  RowMatrix p(3, 5);
  // Overlapping supports: no symbol belongs to one state alone.
  p << 0.5, 0.3, 0.1, 0.05, 0.05,  //
      0.05, 0.2, 0.5, 0.2, 0.05,   //
      0.1, 0.05, 0.1, 0.3, 0.45;
  CategoricalOptions options;
  options.layout = CategoricalLayout::kSymbols;
  return CategoricalHmm(StickyChain(3), Categorical(p, options));
}

InitContext Context(std::uint64_t seed, ThreadPool* pool, RepairCounts* repairs) {
  InitContext c;
  c.seed = seed;
  c.pool = pool;
  c.repairs = repairs;
  return c;
}

template <class Family>
bool AllRowsDistinct(const RowMatrix& p) {
  for (Eigen::Index s = 0; s < p.rows(); ++s) {
    for (Eigen::Index t = 0; t < s; ++t) {
      if (p.row(s) == p.row(t)) return false;
    }
  }
  return true;
}

TEST(DiscreteHmmInit, BreaksSymmetryWithFewerDistinctRowsThanStates) {
  ThreadPool pool(1);
  RepairCounts repairs;
  // Two distinct values, four states: k-means++ must repeat centres.
  RowMatrix binary(6, 1);
  binary << 0, 1, 0, 1, 1, 0;
  const RowBlocks<double> data(ViewOf(binary), nullptr, 0);
  const Bernoulli b = BernoulliEmissionsFromKMeans(data, 4, {}, {}, Context(3, &pool, &repairs));
  EXPECT_TRUE(AllRowsDistinct<Bernoulli>(b.probabilities())) << b.probabilities();
  EXPECT_TRUE((b.probabilities().array() > 0.0).all() &&
              (b.probabilities().array() < 1.0).all());

  const Poisson p = PoissonEmissionsFromKMeans(data, 4, {}, {}, Context(3, &pool, &repairs));
  EXPECT_TRUE(AllRowsDistinct<Poisson>(p.rates())) << p.rates();

  const Categorical c =
      CategoricalEmissionsFromKMeans(data, 4, 2, {}, {}, Context(3, &pool, &repairs));
  EXPECT_TRUE(AllRowsDistinct<Categorical>(c.probabilities())) << c.probabilities();
  EXPECT_EQ(c.layout(), CategoricalLayout::kSymbols);
  for (int s = 0; s < 4; ++s) EXPECT_NEAR(c.probabilities().row(s).sum(), 1.0, 1e-12);
}

TEST(DiscreteHmmInit, SplitsWellSeparatedDataAndIsDeterministic) {
  ThreadPool pool(1);
  RepairCounts repairs;
  const RowMatrix x = SampleRows(TruePoisson(), kLengths, 1);
  const RowBlocks<double> data(ViewOf(x), nullptr, 0);
  const Poisson a = PoissonEmissionsFromKMeans(data, 3, {}, {}, Context(9, &pool, &repairs));
  const Poisson b = PoissonEmissionsFromKMeans(data, 3, {}, {}, Context(9, &pool, &repairs));
  EXPECT_EQ(a.rates(), b.rates());
  // Each true state has a different nearest initial state (the order is
  // k-means').
  const RowMatrix truth = TruePoisson().emissions().rates();
  std::vector<int> nearest;
  for (int s = 0; s < 3; ++s) {
    Eigen::Index best;
    (a.rates().rowwise() - truth.row(s)).rowwise().norm().minCoeff(&best);
    nearest.push_back(static_cast<int>(best));
  }
  EXPECT_NE(nearest[0], nearest[1]) << a.rates();
  EXPECT_NE(nearest[0], nearest[2]) << a.rates();
  EXPECT_NE(nearest[1], nearest[2]) << a.rates();
  // The symbols' split: each state's most probable symbol differs.
  const RowMatrix symbols = SampleRows(TrueCategorical(), kLengths, 2);
  const RowBlocks<double> symbol_data(ViewOf(symbols), nullptr, 0);
  const Categorical c =
      CategoricalEmissionsFromKMeans(symbol_data, 3, 5, {}, {}, Context(9, &pool, &repairs));
  std::vector<int> modes;
  for (int s = 0; s < 3; ++s) {
    Eigen::Index mode;
    c.probabilities().row(s).maxCoeff(&mode);
    modes.push_back(static_cast<int>(mode));
  }
  EXPECT_NE(modes[0], modes[1]);
  EXPECT_NE(modes[0], modes[2]);
  EXPECT_NE(modes[1], modes[2]);
}

// The fit from the initialiser, with the default tol and one restart,
// reaches the log-likelihood of the true parameters (which the maximum
// likelihood exceeds a little); a symmetric start, which EM cannot leave,
// stays far below, so the margin is meaningful.
template <class Model, class FitFn>
void ExpectReachesTruth(const Model& truth, FitFn fit, std::uint64_t seed) {
  const RowMatrix x = SampleRows(truth, kLengths, seed);
  const double n = static_cast<double>(x.rows());
  const double true_loglik = truth.TotalLogLikelihood(ViewOf(x), kLengths);
  FitOptions options;  // default tol 1e-3 per step, n_init 1
  const auto fitted = fit(options, x);
  ASSERT_TRUE(fitted.report.IsUsable());
  const double loglik = fitted.model.TotalLogLikelihood(ViewOf(x), kLengths);
  EXPECT_GT(loglik, true_loglik - 2e-3 * n) << "per step: " << loglik / n << " vs "
                                              << true_loglik / n;
  // The symmetric point: every state has the pooled fit's emissions.
  HmmOptions one;
  one.n_states = 1;
  const auto pooled = fit(options, x, &one);
  const double symmetric = pooled.model.TotalLogLikelihood(ViewOf(x), kLengths);
  EXPECT_LT(symmetric, true_loglik - 0.05 * n);
}

TEST(DiscreteHmmFit, PoissonReachesTheTrueLikelihood) {
  ExpectReachesTruth(
      TruePoisson(),
      [](const FitOptions& o, const RowMatrix& x, const HmmOptions* h = nullptr) {
        HmmOptions hmm;
        hmm.n_states = 3;
        return FitPoissonHmm(o, h ? *h : hmm, {}, ViewOf(x), kLengths);
      },
      11);
}

TEST(DiscreteHmmFit, BernoulliReachesTheTrueLikelihood) {
  ExpectReachesTruth(
      TrueBernoulli(),
      [](const FitOptions& o, const RowMatrix& x, const HmmOptions* h = nullptr) {
        HmmOptions hmm;
        hmm.n_states = 3;
        return FitBernoulliHmm(o, h ? *h : hmm, {}, ViewOf(x), kLengths);
      },
      12);
}

TEST(DiscreteHmmFit, CategoricalReachesTheTrueLikelihood) {
  ExpectReachesTruth(
      TrueCategorical(),
      [](const FitOptions& o, const RowMatrix& x, const HmmOptions* h = nullptr) {
        HmmOptions hmm;
        hmm.n_states = 3;
        return FitCategoricalHmm(o, h ? *h : hmm, {}, ViewOf(x), kLengths);
      },
      13);
}

TEST(DiscreteHmmFit, UsableThroughFitHmmAndIndependentOfThreads) {
  const RowMatrix x = SampleRows(TruePoisson(), kLengths, 4);
  HmmOptions hmm;
  hmm.n_states = 3;
  const RowBlocks<double> pooled(ViewOf(x), nullptr, 0);
  const SequenceBlocks blocks(ViewOf(x), kLengths, 0);
  FitOptions options;
  options.n_init = 2;
  const auto through_fit_hmm = FitHmm<Poisson>(
      options, hmm, blocks, [&](const InitContext& context) {
        return PoissonEmissionsFromKMeans(pooled, 3, {}, {}, context);
      });
  const auto direct = FitPoissonHmm(options, hmm, {}, ViewOf(x), kLengths);
  EXPECT_EQ(through_fit_hmm.model.emissions().rates(), direct.model.emissions().rates());
  options.num_threads = 3;
  const auto threaded = FitPoissonHmm(options, hmm, {}, ViewOf(x), kLengths);
  EXPECT_EQ(threaded.model.emissions().rates(), direct.model.emissions().rates());
  EXPECT_EQ(threaded.model.transitions(), direct.model.transitions());
}

TEST(DiscreteHmmFit, StartsFromAGivenModel) {
  const BernoulliHmm truth = TrueBernoulli();
  const RowMatrix x = SampleRows(truth, kLengths, 5);
  FitOptions options;
  options.max_iter = 0;
  HmmOptions hmm;  // n_states 1: the model's 3 states win
  const auto fitted = FitBernoulliHmm(options, hmm, {}, ViewOf(x), kLengths, &truth);
  EXPECT_EQ(fitted.model.num_states(), 3);
  EXPECT_EQ(fitted.model.emissions().probabilities(), truth.emissions().probabilities());
  const RowMatrix wide = RowMatrix::Zero(10, 7);
  EXPECT_THROW((void)FitBernoulliHmm(options, hmm, {}, ViewOf(wide), {}, &truth),
               InvalidDataError);
}

TEST(DiscreteHmmFit, RejectsBadData) {
  HmmOptions hmm;
  hmm.n_states = 2;
  RowMatrix x(3, 1);
  x << 0, 2, 1;
  EXPECT_THROW((void)FitBernoulliHmm({}, hmm, {}, ViewOf(x), {}), InvalidDataError);
  x << 0, -1, 1;
  EXPECT_THROW((void)FitPoissonHmm({}, hmm, {}, ViewOf(x), {}), InvalidDataError);
  x << 0, 0.5, 1;
  EXPECT_THROW((void)FitCategoricalHmm({}, hmm, {}, ViewOf(x), {}), InvalidDataError);
  hmm.n_states = 4;
  x << 0, 1, 1;
  EXPECT_THROW((void)FitPoissonHmm({}, hmm, {}, ViewOf(x), {}), InvalidDataError);
}

}  // namespace
}  // namespace emkit
