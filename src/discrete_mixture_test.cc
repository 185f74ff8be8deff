// Mixtures of the discrete families: parity with independent implementations
// from the same initial parameters (fixtures written by
// tests/reference/make_discrete_fixtures.py: pomegranate 1.x for Bernoulli,
// Poisson and categorical symbols; a direct EM on scipy's multinomial pmf for
// count rows), recovery of known mixtures, determinism over thread counts,
// and validation before any work.
#include "emkit/discrete_mixture.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emkit/error.h"
#include "emkit/random.h"
#include "../tests/json_fixtures.h"

namespace emkit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

const fs::path kFixtureDir = fs::path(EMKIT_SOURCE_DIR) / "tests/reference/fixtures";

json LoadFixture(const std::string& name) {
  return testing_fixtures::LoadJsonFixture("discrete_" + name + ".json");
}

using testing_fixtures::MatrixFrom;
using testing_fixtures::VectorFrom;

// Runs exactly n_iter EM iterations of `model` on the fixture's data and
// compares parameters, weights and the likelihood trajectory.
template <class Family>
void ExpectParity(const json& f, Mixture<Family> model,
                  const RowMatrix& (*parameters)(const Family&)) {
  const RowMatrix x = MatrixFrom(f["X"]);
  std::vector<double> weights;
  if (!f["sample_weight"].is_null()) {
    for (const json& w : f["sample_weight"]) weights.push_back(w.get<double>());
  }
  const RowBlocks<double> data(ViewOf(x), weights.empty() ? nullptr : weights.data(), 64);
  FitOptions options;
  options.tol = 0.0;
  options.max_iter = f["n_iter"].get<int>();
  const FitReport report = Fit(options, data, &model);
  ASSERT_TRUE(report.IsUsable()) << report.FullReport();
  ASSERT_EQ(report.n_iter, options.max_iter);
  EXPECT_EQ(report.certificate_violations, 0);

  const RowMatrix expected = MatrixFrom(f["result"]["parameters"]);
  const RowMatrix& actual = parameters(model.components());
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  EXPECT_LT((actual - expected).cwiseAbs().maxCoeff(), 1e-10 * expected.cwiseAbs().maxCoeff())
      << "fitted\n" << actual << "\nexpected\n" << expected;
  const Vector expected_weights = VectorFrom(f["result"]["weights"]);
  EXPECT_LT((model.weights() - expected_weights).cwiseAbs().maxCoeff(), 1e-10);

  // The log-likelihood before each M-step and after the last one.
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

const RowMatrix& Probabilities(const Bernoulli& f) { return f.probabilities(); }
const RowMatrix& Probabilities(const Categorical& f) { return f.probabilities(); }
const RowMatrix& Rates(const Poisson& f) { return f.rates(); }

// Smoothing off: the references compute plain maximum-likelihood M-steps.
BernoulliOptions NoSmoothing() {
  BernoulliOptions o;
  o.pseudo_count = 0.0;
  return o;
}

class DiscreteParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DiscreteParityTest, MatchesTheIndependentImplementation) {
  const json f = LoadFixture(GetParam());
  const Vector weights = VectorFrom(f["init"]["weights"]);
  const RowMatrix init = MatrixFrom(f["init"]["parameters"]);
  const std::string family = f["family"].get<std::string>();
  if (family == "bernoulli") {
    ExpectParity<Bernoulli>(f, BernoulliMixture(weights, Bernoulli(init, NoSmoothing())),
                            &Probabilities);
  } else if (family == "poisson") {
    PoissonOptions o;
    o.min_rate = 0.0;
    ExpectParity<Poisson>(f, PoissonMixture(weights, Poisson(init, o)), &Rates);
  } else {
    CategoricalOptions o;
    o.pseudo_count = 0.0;
    o.layout = ParseCategoricalLayout(f["layout"].get<std::string>());
    ExpectParity<Categorical>(f, CategoricalMixture(weights, Categorical(init, o)),
                              &Probabilities);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DiscreteParityTest,
                         ::testing::Values("bernoulli_k3", "bernoulli_k2_weighted",
                                           "poisson_k3", "poisson_k2_weighted",
                                           "categorical_symbols_k2",
                                           "categorical_counts_k3",
                                           "categorical_counts_k2_weighted"));

// --- Fitting from the entry points ---

// Three well separated Bernoulli components.
BernoulliMixture BernoulliTruth() {
  RowMatrix p(3, 8);
  p << 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1,
       0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9,
       0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1;
  Vector w(3);
  w << 0.5, 0.3, 0.2;
  return BernoulliMixture(w, Bernoulli(p, {}));
}

// The largest |difference| between each true row and its closest fitted row.
double WorstMatch(const RowMatrix& truth, const RowMatrix& fitted) {
  double worst = 0.0;
  for (Eigen::Index k = 0; k < truth.rows(); ++k) {
    double best = 1e300;
    for (Eigen::Index j = 0; j < fitted.rows(); ++j) {
      best = std::min(best, (truth.row(k) - fitted.row(j)).cwiseAbs().maxCoeff());
    }
    worst = std::max(worst, best);
  }
  return worst;
}

TEST(DiscreteMixtureTest, RecoversABernoulliMixtureWithEveryInit) {
  const BernoulliMixture truth = BernoulliTruth();
  Rng rng(1);
  const RowMatrix x = truth.Sample(6000, rng, nullptr);
  for (InitMethod init :
       {InitMethod::kKMeansPlusPlus, InitMethod::kRandomFromData, InitMethod::kRandom}) {
    FitOptions fit;
    fit.n_init = 3;
    fit.block_rows = 500;
    DiscreteMixtureOptions options;
    options.n_components = 3;
    options.init = init;
    const Fitted<BernoulliMixture> fitted =
        FitBernoulliMixture(fit, options, {}, ViewOf(x), nullptr);
    ASSERT_TRUE(fitted.report.IsUsable()) << fitted.report.FullReport();
    EXPECT_EQ(fitted.report.certificate_violations, 0);
    // Standard error of a probability estimated from ~1200 rows is ~0.009.
    EXPECT_LT(WorstMatch(truth.components().probabilities(),
                         fitted.model.components().probabilities()),
              0.05)
        << InitMethodName(init) << "\n" << fitted.model.components().probabilities();
  }
}

TEST(DiscreteMixtureTest, RecoversPoissonAndCategoricalMixtures) {
  RowMatrix rates(2, 3);
  rates << 1.0, 8.0, 3.0,
           9.0, 2.0, 3.0;
  const PoissonMixture poisson_truth(Vector::Constant(2, 0.5), Poisson(rates, {}));
  Rng rng(2);
  const RowMatrix counts = poisson_truth.Sample(4000, rng, nullptr);
  FitOptions fit;
  fit.n_init = 2;
  DiscreteMixtureOptions options;
  options.n_components = 2;
  const Fitted<PoissonMixture> poisson =
      FitPoissonMixture(fit, options, {}, ViewOf(counts), nullptr);
  ASSERT_TRUE(poisson.report.IsUsable());
  EXPECT_EQ(poisson.report.certificate_violations, 0);
  // Standard error of a rate ~ sqrt(9 / 2000) = 0.07.
  EXPECT_LT(WorstMatch(rates, poisson.model.components().rates()), 0.35);

  RowMatrix theta(2, 4);
  theta << 0.7, 0.1, 0.1, 0.1,
           0.05, 0.15, 0.3, 0.5;
  CategoricalOptions words;
  words.sample_total = 20;
  const CategoricalMixture categorical_truth(Vector::Constant(2, 0.5),
                                             Categorical(theta, words));
  const RowMatrix documents = categorical_truth.Sample(1500, rng, nullptr);
  const Fitted<CategoricalMixture> categorical =
      FitCategoricalMixture(fit, options, {}, ViewOf(documents), nullptr);
  ASSERT_TRUE(categorical.report.IsUsable());
  EXPECT_EQ(categorical.report.certificate_violations, 0);
  EXPECT_LT(WorstMatch(theta, categorical.model.components().probabilities()), 0.02);
}

TEST(DiscreteMixtureTest, OneComponentFitIsTheClosedForm) {
  const BernoulliMixture truth = BernoulliTruth();
  Rng rng(3);
  const RowMatrix x = truth.Sample(500, rng, nullptr);
  FitOptions fit;
  DiscreteMixtureOptions options;
  const Fitted<BernoulliMixture> fitted =
      FitBernoulliMixture(fit, options, NoSmoothing(), ViewOf(x), nullptr);
  const Eigen::RowVectorXd means = x.colwise().mean();
  EXPECT_LT((fitted.model.components().probabilities().row(0) - means).cwiseAbs().maxCoeff(),
            1e-14);
  EXPECT_LE(fitted.report.n_iter, 2);  // already the maximum after initialisation
}

TEST(DiscreteMixtureTest, BitIdenticalForAnyThreadCount) {
  const BernoulliMixture truth = BernoulliTruth();
  Rng rng(4);
  const RowMatrix x = truth.Sample(3000, rng, nullptr);
  for (InitMethod init : {InitMethod::kKMeansPlusPlus, InitMethod::kRandom}) {
    std::vector<RowMatrix> results;
    for (int threads : {1, 2, 3}) {
      FitOptions fit;
      fit.num_threads = threads;
      fit.n_init = 2;
      fit.block_rows = 128;
      fit.seed = 99;
      DiscreteMixtureOptions options;
      options.n_components = 3;
      options.init = init;
      const Fitted<BernoulliMixture> fitted =
          FitBernoulliMixture(fit, options, {}, ViewOf(x), nullptr);
      results.push_back(fitted.model.components().probabilities());
    }
    EXPECT_EQ(results[0], results[1]);
    EXPECT_EQ(results[0], results[2]);
  }
}

TEST(DiscreteMixtureTest, WarmStartUsesTheGivenModel) {
  const BernoulliMixture truth = BernoulliTruth();
  Rng rng(5);
  const RowMatrix x = truth.Sample(800, rng, nullptr);
  FitOptions fit;
  fit.max_iter = 0;
  DiscreteMixtureOptions options;
  options.n_components = 7;  // ignored: the initial model has 3
  const Fitted<BernoulliMixture> fitted =
      FitBernoulliMixture(fit, options, {}, ViewOf(x), nullptr, &truth);
  EXPECT_EQ(fitted.model.components().probabilities(), truth.components().probabilities());
  EXPECT_EQ(fitted.model.num_components(), 3);
}

TEST(DiscreteMixtureTest, EmptyComponentsFromInitialisationAreCountedNotNan) {
  // Two distinct rows only, three components: k-means++ leaves one empty.
  RowMatrix x(40, 2);
  for (int i = 0; i < 40; ++i) x.row(i) << (i % 2), 1.0 - (i % 2);
  FitOptions fit;
  fit.max_iter = 5;
  DiscreteMixtureOptions options;
  options.n_components = 3;
  const Fitted<BernoulliMixture> fitted =
      FitBernoulliMixture(fit, options, {}, ViewOf(x), nullptr);
  EXPECT_TRUE(fitted.report.IsUsable()) << fitted.report.FullReport();
  EXPECT_GT(fitted.report.repairs.collapsed_components, 0);
  EXPECT_TRUE(fitted.model.components().probabilities().allFinite());
  EXPECT_TRUE(fitted.model.weights().allFinite());
}

TEST(DiscreteMixtureTest, SymbolsInferTheirNumberOfCategories) {
  RowMatrix x(6, 1);
  x << 0, 3, 1, 3, 2, 0;
  CategoricalOptions symbols;
  symbols.layout = CategoricalLayout::kSymbols;
  const Fitted<CategoricalMixture> fitted =
      FitCategoricalMixture(FitOptions{}, DiscreteMixtureOptions{}, symbols, ViewOf(x), nullptr);
  EXPECT_EQ(fitted.model.components().num_categories(), 4);
  EXPECT_NEAR(fitted.model.components().probabilities()(0, 3), 2.0 / 6.0, 1e-9);
}

TEST(DiscreteMixtureTest, InvalidDataThrowsBeforeAnyWork) {
  RowMatrix x = RowMatrix::Zero(10, 3);
  x(3, 1) = 3.0;
  int calls = 0;
  FitOptions fit;
  fit.callbacks.push_back([&calls](const IterationEvent&) {
    ++calls;
    return CallbackResult::kContinue;
  });
  try {
    (void)FitBernoulliMixture(fit, {}, {}, ViewOf(x), nullptr);
    FAIL() << "expected InvalidDataError";
  } catch (const InvalidDataError& e) {
    EXPECT_STREQ(e.what(), "X[3, 1] = 3: Bernoulli features must be 0 or 1");
  }
  x(3, 1) = -1.0;
  EXPECT_THAT([&] { (void)FitPoissonMixture(fit, {}, {}, ViewOf(x), nullptr); },
              ::testing::ThrowsMessage<InvalidDataError>(HasSubstr("X[3, 1] = -1")));
  EXPECT_THROW((void)FitCategoricalMixture(fit, {}, {}, ViewOf(x), nullptr),
               InvalidDataError);
  x(3, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT([&] { (void)FitPoissonMixture(fit, {}, {}, ViewOf(x), nullptr); },
              ::testing::ThrowsMessage<InvalidDataError>(HasSubstr("X[3, 1] = nan")));
  x(3, 1) = 1.0;
  DiscreteMixtureOptions too_many;
  too_many.n_components = 11;
  EXPECT_THROW((void)FitBernoulliMixture(fit, too_many, {}, ViewOf(x), nullptr),
               InvalidDataError);
  DiscreteMixtureOptions zero;
  zero.n_components = 0;
  EXPECT_THROW((void)FitBernoulliMixture(fit, zero, {}, ViewOf(x), nullptr),
               InvalidOptionError);
  BernoulliOptions negative;
  negative.pseudo_count = -1.0;
  EXPECT_THROW((void)FitBernoulliMixture(fit, {}, negative, ViewOf(x), nullptr),
               InvalidOptionError);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace emkit
