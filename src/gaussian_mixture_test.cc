#include "emkit/gaussian_mixture.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/LU>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "../tests/synthetic_data.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;

constexpr CovarianceType kAllTypes[] = {CovarianceType::kFull, CovarianceType::kDiag,
                                        CovarianceType::kSpherical, CovarianceType::kTied};

struct Problem {
  RowMatrix x;
  GaussianMixtureFull truth;
};

Problem MakeProblem(int k, int d, std::int64_t n, std::uint64_t seed) {
  GaussianMixtureFull truth = testing_data::RandomTruth(k, d, seed);
  return Problem{testing_data::SampleFrom(truth, n, seed + 1), truth};
}

FitReport FitWith(const RowMatrix& x, int k, CovarianceType type, int threads,
                  GaussianMixtureModel* model, InitMethod init = InitMethod::kKMeansPlusPlus,
                  int n_init = 1, std::uint64_t seed = 0) {
  FitOptions fit;
  fit.num_threads = threads;
  fit.n_init = n_init;
  fit.seed = seed;
  fit.block_rows = 128;  // several blocks even for small data
  GaussianMixtureOptions options;
  options.n_components = k;
  options.covariance_type = type;
  options.init = init;
  Fitted<GaussianMixtureModel> fitted = FitGaussianMixture(fit, options, ViewOf(x), nullptr);
  *model = std::move(fitted.model);
  return std::move(fitted.report);
}

TEST(GaussianMixtureTest, RecoversKnownParameters) {
  const Problem p = MakeProblem(3, 2, 6000, 11);
  GaussianMixtureModel model = p.truth;
  const FitReport report = FitWith(p.x, 3, CovarianceType::kFull, 1, &model);
  ASSERT_TRUE(report.IsUsable()) << report.FullReport();
  const auto& fitted = std::get<GaussianMixtureFull>(model);
  // Match each true component to the nearest fitted mean.
  for (int c = 0; c < 3; ++c) {
    Eigen::Index best;
    (fitted.components().means().rowwise() - p.truth.components().means().row(c))
        .rowwise()
        .squaredNorm()
        .minCoeff(&best);
    // Sampling error of a mean from ~2000 points is ~0.05.
    EXPECT_LT((fitted.components().means().row(best) -
               p.truth.components().means().row(c)).norm(), 0.2);
    EXPECT_NEAR(fitted.weights()[best], p.truth.weights()[c], 0.03);
    EXPECT_LT((fitted.components().covariances()[best] -
               p.truth.components().covariances()[c]).norm(),
              0.25 * p.truth.components().covariances()[c].norm());
  }
}

TEST(GaussianMixtureTest, SingleComponentEqualsSampleMeanAndMleCovariance) {
  const Problem p = MakeProblem(2, 3, 500, 5);
  const Eigen::RowVectorXd mean = p.x.colwise().mean();
  const RowMatrix centered = p.x.rowwise() - mean;
  const Eigen::MatrixXd mle = centered.transpose() * centered / 500.0;  // closed form
  for (CovarianceType type : kAllTypes) {
    GaussianMixtureModel model = p.truth;
    const FitReport report = FitWith(p.x, 1, type, 1, &model);
    ASSERT_TRUE(report.IsUsable());
    EXPECT_LT((MixtureMeans(model).row(0) - mean).norm(), 1e-12);
    const double reg = 1e-6;
    Eigen::MatrixXd expected;
    switch (type) {
      case CovarianceType::kFull:
        expected = std::get<GaussianMixtureFull>(model).components().covariances()[0];
        break;
      case CovarianceType::kTied:
        expected = std::get<GaussianMixtureTied>(model).components().covariance();
        break;
      case CovarianceType::kDiag:
        expected = std::get<GaussianMixtureDiag>(model).components().variances().row(0).asDiagonal();
        break;
      case CovarianceType::kSpherical:
        expected = std::get<GaussianMixtureSpherical>(model).components().variances().row(0).asDiagonal();
        break;
    }
    Eigen::MatrixXd want = mle;
    if (type == CovarianceType::kDiag) want = Eigen::MatrixXd(mle.diagonal().asDiagonal());
    if (type == CovarianceType::kSpherical) {
      want = mle.diagonal().mean() * Eigen::MatrixXd::Identity(3, 3);
    }
    want.diagonal().array() += reg;
    EXPECT_LT((expected - want).cwiseAbs().maxCoeff(), 1e-12 * want.norm())
        << CovarianceTypeName(type);
    // The log-likelihood of K=1 has a closed form.
    if (type == CovarianceType::kFull || type == CovarianceType::kTied) {
      const double closed = -0.5 * 500 * (3 * kLog2Pi + std::log(want.determinant())) -
                            0.5 * (want.inverse() * mle * 500).trace();
      EXPECT_NEAR(report.total_log_likelihood, closed, 1e-9 * std::abs(closed));
    }
  }
}

TEST(GaussianMixtureTest, BitIdenticalForOneAndTwoThreads) {
  const Problem p = MakeProblem(4, 3, 3000, 21);
  for (CovarianceType type : kAllTypes) {
    for (InitMethod init : {InitMethod::kKMeansPlusPlus, InitMethod::kRandom,
                            InitMethod::kRandomFromData}) {
      GaussianMixtureModel one = p.truth, two = p.truth;
      const FitReport r1 = FitWith(p.x, 4, type, 1, &one, init, 2, 7);
      const FitReport r2 = FitWith(p.x, 4, type, 2, &two, init, 2, 7);
      EXPECT_EQ(r1.total_log_likelihood, r2.total_log_likelihood);
      EXPECT_EQ(r1.n_iter, r2.n_iter);
      EXPECT_EQ(r2.threads_used, 2);
      EXPECT_TRUE(MixtureMeans(one) == MixtureMeans(two)) << CovarianceTypeName(type);
      EXPECT_TRUE(MixtureWeights(one) == MixtureWeights(two));
    }
  }
}

TEST(GaussianMixtureTest, CertificateHoldsOverRandomProblems) {
  int checked = 0;
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    const int k = 1 + static_cast<int>(seed % 4);
    const int d = 1 + static_cast<int>(seed % 3);
    // Overlapping components (separation 1.5) make EM take many steps.
    GaussianMixtureFull truth = testing_data::RandomTruth(k + 1, d, 100 + seed, 1.5);
    const RowMatrix x = testing_data::SampleFrom(truth, 400, 200 + seed);
    for (CovarianceType type : kAllTypes) {
      FitOptions fit;
      fit.tol = 0.0;
      fit.max_iter = 60;
      fit.seed = seed;
      GaussianMixtureOptions options;
      options.n_components = k + 1;
      options.covariance_type = type;
      options.init = seed % 2 == 0 ? InitMethod::kRandom : InitMethod::kKMeansPlusPlus;
        const FitReport report = FitGaussianMixture(fit, options, ViewOf(x), nullptr).report;
      EXPECT_EQ(report.certificate_violations, 0)
          << "seed " << seed << " " << CovarianceTypeName(type) << "\n"
          << report.FullReport();
      for (const IterationRecord& it : report.restarts[0].iterations) {
        EXPECT_GE(it.loglik_gain, -1e-9 * std::abs(report.total_log_likelihood));
      }
      checked += report.certificate_checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(GaussianMixtureTest, RestartsKeepTheBest) {
  const Problem p = MakeProblem(5, 2, 2000, 3);
  GaussianMixtureModel model = p.truth;
  const FitReport report = FitWith(p.x, 5, CovarianceType::kFull, 1, &model,
                                   InitMethod::kRandom, 4, 9);
  ASSERT_EQ(report.restarts.size(), 4u);
  for (const RestartRecord& r : report.restarts) {
    EXPECT_LE(r.mean_log_likelihood, report.mean_log_likelihood);
  }
  EXPECT_EQ(report.mean_log_likelihood,
            report.restarts[report.best_restart].mean_log_likelihood);
  // The reported likelihood belongs to the returned parameters.
  const double score = std::get<GaussianMixtureFull>(model).Score(ViewOf(p.x));
  EXPECT_NEAR(score, report.mean_log_likelihood, 1e-12 * std::abs(score));
}

TEST(GaussianMixtureTest, SampleWeightsActLikeRepeatedRows) {
  const Problem p = MakeProblem(2, 2, 300, 8);
  RowMatrix repeated(450, 2);
  std::vector<double> weights(300);
  for (int i = 0; i < 300; ++i) {
    weights[i] = i < 150 ? 2.0 : 1.0;
    repeated.row(i) = p.x.row(i);
  }
  for (int i = 0; i < 150; ++i) repeated.row(300 + i) = p.x.row(i);
  FitOptions fit;
  fit.max_iter = 20;
  fit.tol = 0.0;
  GaussianMixtureOptions options;
  options.n_components = 2;
  GaussianMixtureModel start = p.truth;
  const auto [weighted, rw] = FitGaussianMixture(fit, options, ViewOf(p.x), weights.data(), &start);
  const auto [plain, rp] = FitGaussianMixture(fit, options, ViewOf(repeated), nullptr, &start);
  EXPECT_NEAR(rw.total_log_likelihood, rp.total_log_likelihood,
              1e-10 * std::abs(rp.total_log_likelihood));
  EXPECT_LT((MixtureMeans(weighted) - MixtureMeans(plain)).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(GaussianMixtureTest, InitialCovariancesComeFromTheData) {
  const Problem p = MakeProblem(3, 2, 600, 4);
  for (InitMethod init : {InitMethod::kKMeansPlusPlus, InitMethod::kRandomFromData,
                          InitMethod::kRandom}) {
    FitOptions fit;
    fit.max_iter = 0;  // evaluate the initial parameters only
    GaussianMixtureOptions options;
    options.n_components = 3;
    options.init = init;
    const auto [model, report] = FitGaussianMixture(fit, options, ViewOf(p.x), nullptr);
    EXPECT_EQ(report.n_iter, 0);
    for (const Eigen::MatrixXd& cov :
         std::get<GaussianMixtureFull>(model).components().covariances()) {
      // Far above reg_covar (1e-6): estimated from a partition of the data.
      EXPECT_GT(cov.diagonal().minCoeff(), 1e-2) << InitMethodName(init);
    }
  }
}

TEST(GaussianMixtureTest, RejectsInvalidDataBeforeAnyWork) {
  RowMatrix x = RowMatrix::Ones(10, 2);
  x(7, 1) = std::nan("");
  GaussianMixtureOptions options;
  options.n_components = 2;
  try {
    (void)FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr);
    FAIL() << "no error";
  } catch (const InvalidDataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "X[7, 1] = nan: values must be finite (missing values are not supported)");
  }
  x(7, 1) = 1.0;
  options.n_components = 11;
  try {
    (void)FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr);
    FAIL() << "no error";
  } catch (const InvalidDataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "X has 10 rows, fewer than n_components = 11: each component needs at "
              "least one row");
  }
}

TEST(GaussianMixtureTest, RejectsInvalidOptions) {
  RowMatrix x = RowMatrix::Random(20, 2);
  GaussianMixtureOptions options;
  options.n_components = 0;
  EXPECT_THROW((void)FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr),
               InvalidOptionError);
  options.n_components = 2;
  options.gaussian.reg_covar = -1;
  try {
    (void)FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr);
    FAIL();
  } catch (const InvalidOptionError& e) {
    EXPECT_EQ(std::string(e.what()), "reg_covar = -1 must be a finite number >= 0");
  }
  EXPECT_THAT([] { ParseCovarianceType("ful"); },
              ::testing::ThrowsMessage<InvalidOptionError>(
                  HasSubstr("\"ful\" is not one of full, diag, spherical, tied")));
  EXPECT_THROW(ParseInitMethod("kmeans+"), InvalidOptionError);
}

TEST(GaussianMixtureTest, FreeParametersBicAndAic) {
  const Problem p = MakeProblem(2, 3, 200, 6);
  struct Case { CovarianceType type; std::int64_t params; };
  // K - 1 + K D + covariance parameters (scikit-learn's _n_parameters).
  for (Case c : {Case{CovarianceType::kFull, 1 + 6 + 12}, Case{CovarianceType::kDiag, 1 + 6 + 6},
                 Case{CovarianceType::kSpherical, 1 + 6 + 2},
                 Case{CovarianceType::kTied, 1 + 6 + 6}}) {
    GaussianMixtureModel model = p.truth;
    const FitReport report = FitWith(p.x, 2, c.type, 1, &model);
    EXPECT_EQ(report.num_free_parameters, c.params);
    EXPECT_EQ(NumFreeParameters(model), c.params);
    EXPECT_NEAR(report.bic, -2 * report.total_log_likelihood + c.params * std::log(200.0), 1e-9);
    EXPECT_NEAR(report.aic, -2 * report.total_log_likelihood + 2 * c.params, 1e-9);
  }
}

// Densities written out from the textbook formula with a determinant and an
// inverse: an independent check of the Cholesky-based log-probabilities.
double DirectLogDensity(const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& mean,
                        const Eigen::MatrixXd& cov) {
  const Eigen::VectorXd diff = (x - mean).transpose();
  const double d = static_cast<double>(x.size());
  return -0.5 * (d * kLog2Pi + std::log(cov.determinant()) +
                 diff.dot(cov.inverse() * diff));
}

TEST(GaussianMixtureTest, PredictProbaAndScoreMatchTheDensityFormula) {
  const Problem p = MakeProblem(3, 2, 500, 12);
  const RowMatrix proba = p.truth.PredictProba(ViewOf(p.x));
  const Vector scores = p.truth.ScoreSamples(ViewOf(p.x));
  const std::vector<int> labels = p.truth.Predict(ViewOf(p.x));
  for (Eigen::Index i = 0; i < p.x.rows(); ++i) {
    Eigen::VectorXd joint(3);
    for (int k = 0; k < 3; ++k) {
      joint[k] = p.truth.weights()[k] *
                 std::exp(DirectLogDensity(p.x.row(i), p.truth.components().means().row(k),
                                           p.truth.components().covariances()[k]));
    }
    EXPECT_NEAR(scores[i], std::log(joint.sum()), 1e-11);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(proba(i, k), joint[k] / joint.sum(), 1e-12);
    Eigen::Index best;
    joint.maxCoeff(&best);
    EXPECT_EQ(labels[i], best);
  }
  EXPECT_NEAR(p.truth.Score(ViewOf(p.x)), scores.mean(), 1e-15);
}

TEST(GaussianMixtureTest, SamplesHaveTheModelsMoments) {
  const Problem p = MakeProblem(3, 2, 10, 12);
  Rng rng(6);
  std::vector<int> labels;
  const RowMatrix big = p.truth.Sample(200000, rng, &labels);
  for (int k = 0; k < 3; ++k) {
    RowMatrix rows(std::count(labels.begin(), labels.end(), k), 2);
    Eigen::Index n = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == k) rows.row(n++) = big.row(i);
    }
    // Law of large numbers: frequencies, means and covariances approach
    // the model's within a few standard errors.
    EXPECT_NEAR(n / 200000.0, p.truth.weights()[k], 0.01);
    const Eigen::RowVectorXd mean = rows.colwise().mean();
    EXPECT_LT((mean - p.truth.components().means().row(k)).norm(), 0.05);
    const RowMatrix centered = rows.rowwise() - mean;
    const Eigen::MatrixXd cov = centered.transpose() * centered / static_cast<double>(n);
    EXPECT_LT((cov - p.truth.components().covariances()[k]).norm(), 0.1);
  }
}

}  // namespace
}  // namespace emkit
