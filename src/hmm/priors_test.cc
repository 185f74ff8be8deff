// Conjugate priors of the HMM M-steps against their closed forms (the
// hmmlearn parity of the same rules is in hmmlearn_parity_test.cc):
// Dirichlet priors of the chain and of categorical emissions,
// max(alpha - 1 + counts, 0) normalised, and the Gamma prior of Poisson
// rates, (prior_sum + sum w x) / (prior_weight + sum w).
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/families/categorical.h"
#include "emkit/families/poisson.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/markov_chain.h"

namespace emkit {
namespace {

TEST(ChainPriors, MaximizeIsTheClippedPosteriorMode) {
  RowMatrix a(3, 3);
  a << 0.5, 0.5, 0.0,  // a structural zero
      0.2, 0.3, 0.5,   //
      0.3, 0.3, 0.4;
  const MarkovChain chain(Vector::Constant(3, 1.0 / 3), a);
  Vector start_counts(3);
  start_counts << 2.0, 0.2, 0.0;
  RowMatrix counts(3, 3);
  counts << 4.0, 1.0, 0.0,  //
      0.1, 3.0, 2.0,        //
      1.0, 1.0, 1.0;
  ChainPriors priors;
  priors.start = Vector::Constant(3, 0.5);  // below 1: clips
  priors.transitions = RowMatrix::Constant(3, 3, 3.0);
  const MarkovChain next = chain.Maximize(start_counts, counts, true, true, priors);
  // start: max(0.5 - 1 + (2, 0.2, 0), 0) = (1.5, 0, 0).
  EXPECT_DOUBLE_EQ(next.start()[0], 1.0);
  EXPECT_EQ(next.start()[1], 0.0);
  // Row 0: (2 + 4, 2 + 1, structural 0) / 9.
  EXPECT_DOUBLE_EQ(next.transitions()(0, 0), 6.0 / 9.0);
  EXPECT_DOUBLE_EQ(next.transitions()(0, 1), 3.0 / 9.0);
  EXPECT_EQ(next.transitions()(0, 2), 0.0);
  // Row 1: (2.1, 5, 4) / 11.1.
  EXPECT_DOUBLE_EQ(next.transitions()(1, 0), 2.1 / 11.1);
  // Without priors: the maximum-likelihood rows.
  const MarkovChain ml = chain.Maximize(start_counts, counts, true, true);
  EXPECT_DOUBLE_EQ(ml.transitions()(1, 0), 0.1 / 5.1);
}

TEST(ChainPriors, ValidateNamesTheProblem) {
  ChainPriors priors;
  priors.start = Vector::Constant(2, 1.0);
  EXPECT_THROW(priors.Validate(3), InvalidOptionError);
  priors.start = Vector::Constant(3, -1.0);
  EXPECT_THROW(priors.Validate(3), InvalidOptionError);
  priors.start.resize(0);
  priors.transitions = RowMatrix::Constant(3, 2, 1.0);
  EXPECT_THROW(priors.Validate(3), InvalidOptionError);
  HmmOptions options;
  options.n_states = 2;
  options.priors.start = Vector::Constant(3, 1.0);
  EXPECT_THROW(options.Validate(), InvalidOptionError);
}

TEST(EmissionPriors, PoissonRateIsTheGammaPosteriorMean) {
  PoissonOptions options;
  options.min_rate = 0.0;
  options.prior_sums = RowMatrix::Constant(2, 1, 6.0);
  options.prior_weights = RowMatrix::Constant(2, 1, 2.0);
  const Poisson family(RowMatrix::Ones(2, 1), options);
  Poisson::Statistics stats = family.NewStatistics();
  stats.counts << 10.0, 0.5;
  stats.sums << 30.0, 4.0;
  const Poisson next = family.Maximize(stats, nullptr);
  EXPECT_DOUBLE_EQ(next.rates()(0, 0), (6.0 + 30.0) / (2.0 + 10.0));
  EXPECT_DOUBLE_EQ(next.rates()(1, 0), (6.0 + 4.0) / (2.0 + 0.5));
  PoissonOptions mismatched;
  mismatched.prior_sums = RowMatrix::Ones(2, 1);
  EXPECT_THROW(mismatched.Validate(), InvalidOptionError);
  EXPECT_THROW(Poisson(RowMatrix::Ones(3, 1), options), InvalidOptionError);
}

TEST(EmissionPriors, CategoricalIsTheClippedPosteriorMode) {
  CategoricalOptions options;
  options.layout = CategoricalLayout::kSymbols;
  options.pseudo_count = 0.0;
  options.dirichlet_prior = RowMatrix(1, 3);
  options.dirichlet_prior << 0.5, 2.0, 1.0;
  const Categorical family(RowMatrix::Constant(1, 3, 1.0 / 3), options);
  Categorical::Statistics stats = family.NewStatistics();
  stats.counts << 4.2;
  stats.categories << 0.2, 3.0, 1.0;
  const Categorical next = family.Maximize(stats, nullptr);
  // max(0.5 - 1 + 0.2, 0) = 0; 2 - 1 + 3 = 4; 1 - 1 + 1 = 1.
  EXPECT_EQ(next.probabilities()(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(next.probabilities()(0, 1), 0.8);
  EXPECT_DOUBLE_EQ(next.probabilities()(0, 2), 0.2);
  options.dirichlet_prior(0, 0) = -1.0;
  EXPECT_THROW(options.Validate(), InvalidOptionError);
}

TEST(EmissionPriors, FitHmmAppliesTheChainPriors) {
  RowMatrix x(8, 1);
  x << 0, 0, 1, 1, 0, 1, 1, 1;
  HmmOptions options;
  options.n_states = 2;
  FitOptions fit;
  fit.max_iter = 1;
  const auto plain = FitPoissonHmm(fit, options, {}, ViewOf(x), {});
  options.priors.transitions = RowMatrix::Constant(2, 2, 50.0);
  const auto with_prior = FitPoissonHmm(fit, options, {}, ViewOf(x), {});
  EXPECT_EQ(with_prior.model.chain_priors().transitions, options.priors.transitions);
  // A strong symmetric prior pulls every transition row towards uniform.
  const double spread_plain = (plain.model.transitions().array() - 0.5).abs().maxCoeff();
  const double spread_prior = (with_prior.model.transitions().array() - 0.5).abs().maxCoeff();
  EXPECT_LT(spread_prior, spread_plain);
  EXPECT_LT(spread_prior, 0.05);
}

}  // namespace
}  // namespace emkit
