// HiddenMarkovModel<Family> through the engine: the certificate, structure
// and frozen parameters, the mixture special case, determinism, decoding.
#include "emkit/hmm.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/fit.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/sequence_blocks.h"
#include "emkit/mixture.h"

namespace emkit {
namespace {

// A 3-state diagonal-Gaussian HMM with well separated means.
GaussianHmmDiag TrueModel() {
  RowMatrix a(3, 3);
  a << 0.8, 0.15, 0.05, 0.1, 0.8, 0.1, 0.2, 0.0, 0.8;
  RowMatrix means(3, 2);
  means << 0.0, 0.0, 4.0, 1.0, -3.0, 5.0;
  RowMatrix variances(3, 2);
  variances << 1.0, 0.5, 0.7, 1.2, 0.9, 0.9;
  return GaussianHmmDiag(MarkovChain((Vector(3) << 0.5, 0.3, 0.2).finished(), a),
                         GaussianDiag(means, variances, GaussianOptions{}));
}

struct Sequences {
  RowMatrix x;
  std::vector<std::int64_t> lengths;
  std::vector<int> states;
};

template <class Model>
Sequences SampleSequences(const Model& model, const std::vector<std::int64_t>& lengths,
                          std::uint64_t seed) {
  Rng rng(seed);
  Sequences s;
  s.lengths = lengths;
  std::int64_t total = 0;
  for (std::int64_t n : lengths) total += n;
  s.x.resize(total, model.emissions().num_features());
  std::int64_t row = 0;
  for (std::int64_t n : lengths) {
    std::vector<int> states;
    s.x.middleRows(row, n) = model.Sample(n, rng, &states);
    s.states.insert(s.states.end(), states.begin(), states.end());
    row += n;
  }
  return s;
}

TEST(SequenceBlocks, GroupsWholeSequencesAndIsolatesLongOnes) {
  const RowMatrix x = RowMatrix::Zero(42, 1);
  const std::vector<std::int64_t> lengths{3, 10, 2, 2, 1, 20, 4};
  const SequenceBlocks blocks(ViewOf(x), lengths, /*block_rows=*/5);
  ASSERT_EQ(blocks.NumBlocks(), 5);
  const std::vector<std::vector<std::int64_t>> expected{{3}, {10}, {2, 2, 1}, {20}, {4}};
  std::int64_t row = 0;
  for (std::int64_t b = 0; b < blocks.NumBlocks(); ++b) {
    const SequenceBlock<double> block = blocks.GetBlock(b);
    EXPECT_EQ(std::vector<std::int64_t>(block.lengths.begin(), block.lengths.end()), expected[b]);
    EXPECT_EQ(block.first_row, row);
    row += block.rows.rows();
  }
  EXPECT_EQ(row, 42);
  EXPECT_EQ(blocks.TotalWeight(), 42.0);
}

TEST(SequenceBlocks, RejectsLengthsThatDoNotMatch) {
  const RowMatrix x = RowMatrix::Zero(5, 1);
  const std::vector<std::int64_t> short_lengths{2, 2};
  const std::vector<std::int64_t> zero_length{5, 0};
  EXPECT_THROW(SequenceBlocks(ViewOf(x), short_lengths, 0), InvalidDataError);
  EXPECT_THROW(SequenceBlocks(ViewOf(x), zero_length, 0), InvalidDataError);
  const SequenceBlocks one(ViewOf(x), {}, 0);  // no lengths: one sequence
  EXPECT_EQ(one.NumSequences(), 1);
}

TEST(Hmm, CertificateHoldsOnRandomProblems) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const Sequences s = SampleSequences(TrueModel(), {150, 80, 200, 40}, seed);
    for (CovarianceType type : {CovarianceType::kDiag, CovarianceType::kFull,
                                CovarianceType::kSpherical, CovarianceType::kTied}) {
      FitOptions fit;
      fit.max_iter = 40;
      fit.tol = 0.0;
      fit.n_init = 2;
      fit.seed = seed;
      fit.block_rows = 100;
      GaussianHmmOptions options;
      options.hmm.n_states = 3;
      options.covariance_type = type;
      const Fitted<GaussianHmmModel> fitted =
          FitGaussianHmm(fit, options, ViewOf(s.x), s.lengths);
      EXPECT_TRUE(fitted.report.IsUsable()) << fitted.report.BriefReport();
      EXPECT_GT(fitted.report.certificate_checked, 0);
      EXPECT_EQ(fitted.report.certificate_violations, 0)
          << CovarianceTypeName(type) << " seed " << seed;
      for (const RestartRecord& r : fitted.report.restarts) {
        for (const IterationRecord& it : r.iterations) EXPECT_GE(it.bound_gain, -1e-9);
      }
    }
  }
}

// The HMM with an M-step that ignores its statistics' transitions: Q drops,
// and the certificate must say so.
struct WrongMStepHmm {
  using Block = SequenceBlock<double>;
  using Statistics = GaussianHmmDiag::Statistics;
  GaussianHmmDiag inner;

  Statistics NewStatistics() const { return inner.NewStatistics(); }
  double EStep(const Block& block, Statistics* stats) const { return inner.EStep(block, stats); }
  WrongMStepHmm MStep(const Statistics& stats, RepairCounts* repairs) const {
    const GaussianHmmDiag right = inner.MStep(stats, repairs);
    // Reverse each transition row: probability moves to the wrong states.
    const RowMatrix wrong = right.transitions().rowwise().reverse();
    return WrongMStepHmm{GaussianHmmDiag(MarkovChain(right.start(), wrong), right.emissions())};
  }
  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return inner.ExpectedCompleteLogLikelihood(stats);
  }
  std::int64_t NumFreeParameters() const { return inner.NumFreeParameters(); }
};
static_assert(EmModel<WrongMStepHmm>);
static_assert(EmModel<GaussianHmmDiag>);

TEST(Hmm, CertificateCatchesAWrongMStep) {
  const Sequences s = SampleSequences(TrueModel(), {300, 300}, 5);
  const SequenceBlocks data(ViewOf(s.x), s.lengths, 0);
  FitOptions fit;
  fit.max_iter = 5;
  fit.tol = 0.0;
  WrongMStepHmm model{TrueModel()};
  const FitReport report = Fit(fit, data, &model);
  EXPECT_GT(report.certificate_violations, 0);
}

TEST(Hmm, StructuralZerosStayZero) {
  const Sequences s = SampleSequences(TrueModel(), {120, 90, 150}, 6);
  RowMatrix left_to_right(3, 3);
  left_to_right << 0.6, 0.4, 0.0, 0.0, 0.7, 0.3, 0.0, 0.0, 1.0;
  FitOptions fit;
  fit.max_iter = 30;
  fit.tol = 0.0;
  GaussianHmmOptions options;
  options.hmm.n_states = 3;
  options.hmm.start = (Vector(3) << 1.0, 0.0, 0.0).finished();
  options.hmm.transitions = left_to_right;
  const Fitted<GaussianHmmModel> fitted = FitGaussianHmm(fit, options, ViewOf(s.x), s.lengths);
  const auto& model = std::get<GaussianHmmDiag>(fitted.model);
  ASSERT_TRUE(fitted.report.IsUsable()) << fitted.report.BriefReport();
  EXPECT_EQ(fitted.report.n_iter, 30);
  EXPECT_EQ(fitted.report.certificate_violations, 0);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (left_to_right(i, j) == 0.0) {
        EXPECT_EQ(model.transitions()(i, j), 0.0) << i << j;
      }
    }
  }
  EXPECT_EQ(model.start()[1], 0.0);
  EXPECT_EQ(model.start()[2], 0.0);
  EXPECT_NE(model.transitions()(0, 0), 0.6);  // the free entries did move
}

TEST(Hmm, FrozenTransitionsAreUnchanged) {
  const Sequences s = SampleSequences(TrueModel(), {200, 200}, 7);
  GaussianHmmDiag init = TrueModel();
  RowMatrix a = RowMatrix::Constant(3, 3, 1.0 / 3.0);
  GaussianHmmModel start_model = GaussianHmmDiag(
      MarkovChain(init.start(), a), init.emissions(),
      HmmFitParameters{.start = true, .transitions = false, .emissions = true});
  FitOptions fit;
  fit.max_iter = 20;
  fit.tol = 0.0;
  GaussianHmmOptions options;
  options.hmm.fit.transitions = false;
  const Fitted<GaussianHmmModel> fitted =
      FitGaussianHmm(fit, options, ViewOf(s.x), s.lengths, &start_model);
  const auto& model = std::get<GaussianHmmDiag>(fitted.model);
  EXPECT_EQ(model.transitions(), a);  // bit for bit
  EXPECT_NE(model.emissions().means(), init.emissions().means());
  EXPECT_EQ(fitted.report.certificate_violations, 0);
  // Frozen transitions are not free parameters.
  EXPECT_EQ(model.NumFreeParameters(), 2 + init.emissions().NumFreeParameters());
}

// With every transition row (and the start) equal to w, the states are
// independent draws from w: the HMM is the mixture with weights w.
TEST(Hmm, IdenticalTransitionRowsEqualTheMixture) {
  const Sequences s = SampleSequences(TrueModel(), {100, 57, 143}, 8);
  const Vector w = (Vector(3) << 0.2, 0.5, 0.3).finished();
  RowMatrix a(3, 3);
  a.rowwise() = w.transpose();
  const GaussianDiag family = TrueModel().emissions();
  const GaussianHmmDiag hmm(MarkovChain(w, a), family);
  const Mixture<GaussianDiag> mixture(w, family);

  const double hmm_loglik = hmm.TotalLogLikelihood(ViewOf(s.x), s.lengths);
  const double mixture_loglik = mixture.ScoreSamples(ViewOf(s.x)).sum();
  EXPECT_NEAR(hmm_loglik, mixture_loglik, 1e-12 * std::abs(mixture_loglik));
  EXPECT_LT((hmm.PredictProba(ViewOf(s.x), s.lengths) - mixture.PredictProba(ViewOf(s.x)))
                .cwiseAbs()
                .maxCoeff(),
            1e-12);

  // One E-step and M-step: the same emission statistics and parameters.
  const SequenceBlocks sequences(ViewOf(s.x), s.lengths, 0);
  const RowBlocks<double> rows(ViewOf(s.x), nullptr, 0);
  ThreadPool pool(1);
  GaussianHmmDiag::Statistics hmm_stats = hmm.NewStatistics();
  Mixture<GaussianDiag>::Statistics mixture_stats = mixture.NewStatistics();
  const double l1 = EStepAll(pool, sequences, hmm, &hmm_stats);
  const double l2 = EStepAll(pool, rows, mixture, &mixture_stats);
  EXPECT_NEAR(l1, l2, 1e-12 * std::abs(l2));
  EXPECT_LT((hmm_stats.emission.counts - mixture_stats.counts).cwiseAbs().maxCoeff(), 1e-9);
  // Each step's posterior is counted once as a start or transition target.
  const Vector occupancy =
      hmm_stats.start_counts + hmm_stats.transition_counts.colwise().sum().transpose();
  EXPECT_LT((occupancy - mixture_stats.counts).cwiseAbs().maxCoeff(), 1e-9);
  const GaussianHmmDiag hmm_next = hmm.MStep(hmm_stats, nullptr);
  const Mixture<GaussianDiag> mixture_next = mixture.MStep(mixture_stats, nullptr);
  EXPECT_LT((hmm_next.emissions().means() - mixture_next.components().means())
                .cwiseAbs()
                .maxCoeff(),
            1e-10);
  EXPECT_LT((hmm_next.emissions().variances() - mixture_next.components().variances())
                .cwiseAbs()
                .maxCoeff(),
            1e-10);
}

TEST(Hmm, OneAndTwoThreadsAreBitIdentical) {
  const Sequences s = SampleSequences(TrueModel(), {90, 130, 70, 210, 55, 160}, 9);
  Fitted<GaussianHmmModel> results[2] = {
      {TrueModel(), {}}, {TrueModel(), {}}};
  for (int threads = 1; threads <= 2; ++threads) {
    FitOptions fit;
    fit.max_iter = 15;
    fit.tol = 0.0;
    fit.n_init = 2;
    fit.num_threads = threads;
    fit.block_rows = 100;
    GaussianHmmOptions options;
    options.hmm.n_states = 3;
    options.covariance_type = CovarianceType::kFull;
    results[threads - 1] = FitGaussianHmm(fit, options, ViewOf(s.x), s.lengths);
  }
  const auto& m1 = std::get<GaussianHmmFull>(results[0].model);
  const auto& m2 = std::get<GaussianHmmFull>(results[1].model);
  EXPECT_EQ(results[0].report.total_log_likelihood, results[1].report.total_log_likelihood);
  EXPECT_EQ(m1.transitions(), m2.transitions());
  EXPECT_EQ(m1.start(), m2.start());
  EXPECT_EQ(m1.emissions().means(), m2.emissions().means());
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(m1.emissions().covariances()[k], m2.emissions().covariances()[k]);
  }
  EXPECT_EQ(results[1].report.threads_used, 2);
}

TEST(Hmm, DecodingRecoversTheStatesOfSeparatedData) {
  const GaussianHmmDiag model = TrueModel();
  const Sequences s = SampleSequences(model, {400, 300}, 10);
  double viterbi_log_probability = 0.0;
  const std::vector<int> viterbi =
      model.Viterbi(ViewOf(s.x), s.lengths, &viterbi_log_probability);
  const std::vector<int> posterior = model.PredictPosteriorStates(ViewOf(s.x), s.lengths);
  int viterbi_right = 0, posterior_right = 0;
  for (std::size_t t = 0; t < s.states.size(); ++t) {
    viterbi_right += viterbi[t] == s.states[t];
    posterior_right += posterior[t] == s.states[t];
  }
  EXPECT_GT(viterbi_right, 0.95 * s.states.size());
  EXPECT_GT(posterior_right, 0.95 * s.states.size());
  // p(x, z*) <= p(x).
  EXPECT_LE(viterbi_log_probability, model.TotalLogLikelihood(ViewOf(s.x), s.lengths));
  const RowMatrix p = model.PredictProba(ViewOf(s.x), s.lengths);
  EXPECT_LT((p.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-12);
  // A structural zero (2 -> 1) never appears in a sampled path.
  for (std::size_t t = 1; t < s.states.size(); ++t) {
    if (t == 400) continue;  // a new sequence
    EXPECT_FALSE(s.states[t - 1] == 2 && s.states[t] == 1);
  }
}

TEST(Hmm, ScoresAMillionStepSequence) {
  const GaussianHmmDiag model = TrueModel();
  const Sequences s = SampleSequences(model, {1000000}, 11);
  const double loglik = model.TotalLogLikelihood(ViewOf(s.x), s.lengths);
  ASSERT_TRUE(std::isfinite(loglik));
  // Per step between a generous bound and 0 (densities of variance ~1).
  EXPECT_LT(loglik, 0.0);
  EXPECT_GT(loglik, -10.0 * 1e6);
  // One E-step over it: finite statistics that count every step.
  const SequenceBlocks data(ViewOf(s.x), s.lengths, 0);
  GaussianHmmDiag::Statistics stats = model.NewStatistics();
  EXPECT_EQ(model.EStep(data.GetBlock(0), &stats), loglik);
  EXPECT_NEAR(stats.emission.counts.sum(), 1e6, 1e-6);
}

TEST(Hmm, RejectsBadInput) {
  const Sequences s = SampleSequences(TrueModel(), {20}, 12);
  FitOptions fit;
  GaussianHmmOptions options;
  options.hmm.n_states = 0;
  EXPECT_THROW((void)FitGaussianHmm(fit, options, ViewOf(s.x), s.lengths), InvalidOptionError);
  options.hmm.n_states = 3;
  const std::vector<std::int64_t> wrong{10, 11};
  EXPECT_THROW((void)FitGaussianHmm(fit, options, ViewOf(s.x), wrong), InvalidDataError);
  RowMatrix x = s.x;
  x(4, 1) = std::nan("");
  EXPECT_THROW((void)FitGaussianHmm(fit, options, ViewOf(x), s.lengths), InvalidDataError);
  RowMatrix not_stochastic = RowMatrix::Constant(3, 3, 0.5);
  options.hmm.transitions = not_stochastic;
  EXPECT_THROW((void)FitGaussianHmm(fit, options, ViewOf(s.x), s.lengths), InvalidDataError);
}

}  // namespace
}  // namespace emkit
