// Data that breaks naive EM. Each case asserts its specific outcome: a fit
// with finite parameters (and the repair counted where one was needed), or a
// specific clear error. In every fitted case the likelihood never decreases
// beyond rounding and the certificate reports no violation.
#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/random.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;

constexpr CovarianceType kAllTypes[] = {CovarianceType::kFull, CovarianceType::kDiag,
                                        CovarianceType::kSpherical, CovarianceType::kTied};

RowMatrix Gaussian(int n, int d, std::uint64_t seed, double scale = 1.0, double offset = 0.0) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = offset + scale * StandardNormal(rng);
  }
  return x;
}

bool AllFinite(const GaussianMixtureModel& model) {
  return std::visit(
      [](const auto& m) {
        return m.weights().allFinite() && m.components().means().allFinite() &&
               m.components().ExpectedLogLikelihood(m.NewStatistics()) == 0.0 &&
               m.Score(MatrixView(m.components().means().data(), m.num_components(),
                                  m.num_features())) < std::numeric_limits<double>::infinity();
      },
      model);
}

// Fits every covariance type and init method and checks the invariants.
// Returns the reports for case-specific checks.
std::vector<FitReport> FitAll(const RowMatrix& x, int k, const std::string& what,
                              int max_iter = 50) {
  std::vector<FitReport> reports;
  for (CovarianceType type : kAllTypes) {
    for (InitMethod init : {InitMethod::kKMeansPlusPlus, InitMethod::kRandom,
                            InitMethod::kRandomFromData}) {
      FitOptions fit;
      fit.max_iter = max_iter;
      fit.seed = 3;
      GaussianMixtureOptions options;
      options.n_components = k;
      options.covariance_type = type;
      options.init = init;
      const auto [model, report] = FitGaussianMixture(fit, options, ViewOf(x), nullptr);
      const std::string label =
          what + " / " + CovarianceTypeName(type) + " / " + InitMethodName(init);
      EXPECT_TRUE(report.IsUsable()) << label << "\n" << report.FullReport();
      EXPECT_TRUE(std::isfinite(report.total_log_likelihood)) << label;
      EXPECT_TRUE(AllFinite(model)) << label;
      EXPECT_EQ(report.certificate_violations, 0) << label << "\n" << report.FullReport();
      const double scale = std::abs(report.total_log_likelihood) + 1.0;
      for (const IterationRecord& it : report.restarts[0].iterations) {
        EXPECT_GE(it.loglik_gain, -1e-9 * scale) << label << " iteration " << it.iteration;
      }
      reports.push_back(report);
    }
  }
  return reports;
}

TEST(DegenerateDataTest, DuplicatePoints) {
  RowMatrix x = Gaussian(100, 2, 1);
  RowMatrix doubled(200, 2);
  doubled << x, x;
  FitAll(doubled, 3, "duplicates");
}

TEST(DegenerateDataTest, AllPointsIdentical) {
  const RowMatrix x = RowMatrix::Constant(50, 3, 2.5);
  for (const FitReport& r : FitAll(x, 2, "identical")) {
    EXPECT_NEAR(r.mean_log_likelihood, r.mean_log_likelihood, 0.0);
  }
}

TEST(DegenerateDataTest, ConstantColumn) {
  RowMatrix x = Gaussian(200, 3, 2);
  x.col(1).setConstant(-7.0);
  FitAll(x, 3, "constant column");
}

TEST(DegenerateDataTest, KEqualsNumberOfDistinctPoints) {
  RowMatrix x(60, 2);
  for (int i = 0; i < 60; ++i) x.row(i) << (i % 3), 10.0 * (i % 3);
  FitAll(x, 3, "K = distinct");
}

TEST(DegenerateDataTest, OnePointPerComponent) {
  const RowMatrix x = Gaussian(4, 2, 3);
  FitAll(x, 4, "N = K");
}

TEST(DegenerateDataTest, MoreComponentsThanRowsIsAClearError) {
  const RowMatrix x = Gaussian(3, 2, 4);
  GaussianMixtureOptions options;
  options.n_components = 5;
  EXPECT_THAT([&] { (void)FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr); },
              ::testing::ThrowsMessage<InvalidDataError>(
                  HasSubstr("X has 3 rows, fewer than n_components = 5")));
}

TEST(DegenerateDataTest, CollinearFeatures) {
  RowMatrix x = Gaussian(300, 3, 5);
  x.col(2) = 2.0 * x.col(0) - x.col(1);  // rank 2
  FitAll(x, 2, "collinear");
}

TEST(DegenerateDataTest, LargeOffsetWithUnitSpread) {
  const RowMatrix x = Gaussian(400, 2, 6, 1.0, 1e8);
  const std::vector<FitReport> reports = FitAll(x, 2, "offset 1e8");
  // The per-sample log-likelihood of unit-spread data is about -2.8 for two
  // features; cancellation would show as wildly wrong values.
  for (const FitReport& r : reports) {
    EXPECT_GT(r.mean_log_likelihood, -4.0);
    EXPECT_LT(r.mean_log_likelihood, -1.0);
  }
}

TEST(DegenerateDataTest, TinyValues) {
  const RowMatrix x = Gaussian(200, 2, 7, 1e-300);
  FitAll(x, 2, "values near 1e-300");
}

TEST(DegenerateDataTest, HugeValuesAreAClearError) {
  const RowMatrix x = Gaussian(200, 2, 8, 1e300);
  GaussianMixtureOptions options;
  options.n_components = 2;
  EXPECT_THAT([&] { (void)FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr); },
              ::testing::ThrowsMessage<InvalidDataError>(HasSubstr("rescale the data")));
}

TEST(DegenerateDataTest, SingleOutlier) {
  RowMatrix x = Gaussian(300, 2, 9);
  x(17, 0) = 1e12;
  FitAll(x, 3, "outlier 1e12");
}

TEST(DegenerateDataTest, ComponentThatEmptiesDuringTheFit) {
  // Two far clusters and a start with a third component far from all data:
  // its responsibility vanishes on the first E-step.
  RowMatrix x(200, 1);
  for (int i = 0; i < 200; ++i) x(i, 0) = (i < 100 ? -10.0 : 10.0) + 0.1 * (i % 10);
  const GaussianMixtureModel start = GaussianMixtureDiag(
      Vector::Constant(3, 1.0 / 3),
      GaussianDiag((RowMatrix(3, 1) << -10.0, 10.0, 1e6).finished(),
                   RowMatrix::Constant(3, 1, 0.5), GaussianOptions{}));
  FitOptions fit;
  fit.max_iter = 20;
  const auto [model, report] = FitGaussianMixture(fit, GaussianMixtureOptions{}, ViewOf(x),
                                                  nullptr, &start);
  EXPECT_TRUE(report.IsUsable());
  EXPECT_GT(report.repairs.collapsed_components, 0);
  EXPECT_TRUE(AllFinite(model));
  EXPECT_EQ(report.certificate_violations, 0) << report.FullReport();
}

}  // namespace
}  // namespace emkit
