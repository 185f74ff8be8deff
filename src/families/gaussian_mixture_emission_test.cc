// The Gaussian-mixture emission family against closed forms: with one
// component per state it is the plain Gaussian family, and with one state
// it is a Gaussian mixture (Mixture<GaussianDiag>, an independent code path).
#include "emkit/families/gaussian_mixture_emission.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/error.h"
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
  mixture.EStep(RowBlock<double>{ViewOf(x), nullptr, 0}, &ms);
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

// Tied per state: each state's Gaussians share that state's covariance, so
// its columns are those of a GaussianTied of the state's components alone.
TEST(GaussianMixtureEmission, TiedSharesOneCovariancePerState) {
  const RowMatrix x = RandomRows(60, 2, 8);
  const RowMatrix means = Components(4, 2, 9).means();
  const Eigen::MatrixXd a = (Eigen::MatrixXd(2, 2) << 1.0, 0.3, 0.3, 2.0).finished();
  const Eigen::MatrixXd b = (Eigen::MatrixXd(2, 2) << 0.5, -0.1, -0.1, 0.7).finished();
  const GaussianTied first(means.topRows(2), a, GaussianOptions{});
  const GaussianTied second(means.bottomRows(2), b, GaussianOptions{});
  const GaussianGroupTied groups({first, second});
  EXPECT_EQ(groups.num_components(), 4);
  EXPECT_EQ(groups.NumFreeParameters(), first.NumFreeParameters() * 2);
  RowMatrix together(60, 4), left(60, 2), right(60, 2);
  groups.LogProbabilities(ViewOf(x), together);
  first.LogProbabilities(ViewOf(x), left);
  second.LogProbabilities(ViewOf(x), right);
  EXPECT_EQ(together.leftCols(2), left);
  EXPECT_EQ(together.rightCols(2), right);

  // The M-step of the groups is each group's own.
  const RowMatrix w = RowMatrix::Random(60, 4).cwiseAbs();
  GaussianGroupTied::Statistics s = groups.NewStatistics();
  groups.Accumulate(ViewOf(x), w, &s);
  GaussianTied::Statistics s_second = second.NewStatistics();
  second.Accumulate(ViewOf(x), w.rightCols(2), &s_second);
  const GaussianGroupTied next = groups.Maximize(s, nullptr);
  EXPECT_EQ(next.groups()[1].covariance(), second.Maximize(s_second, nullptr).covariance());
  EXPECT_EQ(s.counts.tail(2), s_second.counts);

  // Groups of different sizes, and a group count other than the states'.
  const GaussianTied three(Components(3, 2, 10).means(), a, GaussianOptions{});
  EXPECT_THROW(GaussianGroupTied({first, three}), InvalidDataError);
  EXPECT_THROW(GaussianMixtureEmissionTied(RowMatrix::Constant(4, 1, 1.0), groups),
               InvalidDataError);
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
