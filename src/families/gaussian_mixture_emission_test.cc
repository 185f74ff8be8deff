// The Gaussian-mixture emission family against closed forms: with one
// component per state it is the plain Gaussian family, and with one state
// it is a Gaussian mixture (Mixture<GaussianDiag>, an independent code path).
#include "emkit/families/gaussian_mixture_emission.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/fit.h"
#include "emkit/hmm.h"
#include "emkit/mixture.h"

namespace emkit {
namespace {

RowMatrix RandomRows(int n, int d, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = 3.0 * StandardNormal(rng) + (i % 3) * 2.0;
  }
  return x;
}

GaussianDiag Components(int count, int d, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix means(count, d), variances(count, d);
  for (int k = 0; k < count; ++k) {
    for (int j = 0; j < d; ++j) {
      means(k, j) = 3.0 * StandardNormal(rng);
      variances(k, j) = 0.5 + UniformDouble(rng);
    }
  }
  return GaussianDiag(means, variances, GaussianOptions{});
}

TEST(GaussianMixtureEmission, OneComponentPerStateIsThePlainFamily) {
  const RowMatrix x = RandomRows(50, 2, 1);
  const GaussianDiag plain = Components(3, 2, 2);
  const GaussianMixtureEmissionDiag mixed(RowMatrix::Ones(3, 1), plain);
  RowMatrix a(50, 3), b(50, 3);
  plain.LogProbabilities(ViewOf(x), a);
  mixed.LogProbabilities(ViewOf(x), b);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12);
  RowMatrix w = RowMatrix::Random(50, 3).cwiseAbs();
  GaussianDiag::Statistics s1 = plain.NewStatistics();
  GaussianMixtureEmissionDiag::Statistics s2 = mixed.NewStatistics();
  plain.Accumulate(ViewOf(x), w, &s1);
  mixed.Accumulate(ViewOf(x), w, &s2);
  EXPECT_NEAR(plain.ExpectedLogLikelihood(s1), mixed.ExpectedLogLikelihood(s2), 1e-9);
  const GaussianDiag p1 = plain.Maximize(s1, nullptr);
  const GaussianMixtureEmissionDiag p2 = mixed.Maximize(s2, nullptr);
  EXPECT_LT((p1.means() - p2.components().means()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((p1.variances() - p2.components().variances()).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(GaussianMixtureEmission, OneStateIsAGaussianMixture) {
  const RowMatrix x = RandomRows(80, 2, 3);
  const GaussianDiag components = Components(3, 2, 4);
  const Vector weights = (Vector(3) << 0.2, 0.5, 0.3).finished();
  const Mixture<GaussianDiag> mixture(weights, components);
  const GaussianMixtureEmissionDiag emission(weights.transpose(), components);

  RowMatrix log_p(80, 1);
  emission.LogProbabilities(ViewOf(x), log_p);
  EXPECT_LT((log_p.col(0) - mixture.ScoreSamples(ViewOf(x))).cwiseAbs().maxCoeff(), 1e-12);

  // One EM step: the state weight of every row is 1, so the statistics are
  // the mixture's.
  Mixture<GaussianDiag>::Statistics ms = mixture.NewStatistics();
  mixture.EStep(RowBlock{ViewOf(x), nullptr, 0}, &ms);
  GaussianMixtureEmissionDiag::Statistics es = emission.NewStatistics();
  emission.Accumulate(ViewOf(x), RowMatrix::Ones(80, 1), &es);
  const Mixture<GaussianDiag> m_next = mixture.MStep(ms, nullptr);
  const GaussianMixtureEmissionDiag e_next = emission.Maximize(es, nullptr);
  EXPECT_LT((m_next.weights().transpose() - e_next.weights()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((m_next.components().means() - e_next.components().means()).cwiseAbs().maxCoeff(),
            1e-12);
  EXPECT_NEAR(mixture.ExpectedCompleteLogLikelihood(ms), emission.ExpectedLogLikelihood(es),
              1e-9);
  EXPECT_EQ(emission.NumFreeParameters(), mixture.NumFreeParameters());
}

TEST(GaussianMixtureEmission, GmmHmmFitKeepsTheCertificate) {
  const RowMatrix x = RandomRows(400, 2, 5);
  const std::vector<std::int64_t> lengths{150, 100, 150};
  const GaussianMixtureEmissionDiag emission(
      (RowMatrix(2, 2) << 0.5, 0.5, 0.3, 0.7).finished(), Components(4, 2, 6));
  HiddenMarkovModel<GaussianMixtureEmissionDiag> model(MarkovChain::Uniform(2), emission);
  FitOptions options;
  options.max_iter = 30;
  options.tol = 0.0;
  const SequenceBlocks data(ViewOf(x), lengths, 0);
  const FitReport report = Fit(options, data, &model);
  EXPECT_TRUE(report.IsUsable()) << report.BriefReport();
  EXPECT_EQ(report.certificate_violations, 0);
  EXPECT_GT(report.mean_log_likelihood, report.restarts[0].initial_mean_log_likelihood);
  // Sampling draws from the fitted model.
  Rng rng(7);
  std::vector<int> states;
  const RowMatrix sample = model.Sample(20, rng, &states);
  EXPECT_TRUE(sample.allFinite());
  EXPECT_EQ(states.size(), 20u);
}

}  // namespace
}  // namespace emkit
