// Parity with scikit-learn's GaussianMixture: from the same initial
// parameters and the same number of EM iterations, the fitted parameters and
// the mean log-likelihood must agree to 1e-8 relative. The fixtures were
// computed by scikit-learn (tests/reference/make_sklearn_fixtures.py, which
// records the versions); this test does not need scikit-learn.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emkit/gaussian_mixture.h"
#include "json_fixtures.h"

namespace emkit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kFixtureDir = fs::path(EMKIT_SOURCE_DIR) / "tests/reference/fixtures";

using testing_fixtures::MatrixFrom;
using testing_fixtures::VectorFrom;

// The initial model exactly as scikit-learn receives it: weights, means and
// precisions (precisions_init).
GaussianMixtureModel InitialModel(const json& f) {
  const json& init = f["init"];
  const Vector weights = VectorFrom(init["weights"]);
  const RowMatrix means = MatrixFrom(init["means"]);
  GaussianOptions options;
  options.reg_covar = f["reg_covar"].get<double>();
  const CovarianceType type = ParseCovarianceType(f["covariance_type"].get<std::string>());
  switch (type) {
    case CovarianceType::kFull: {
      std::vector<Eigen::MatrixXd> precisions;
      for (const json& p : init["precisions"]) precisions.push_back(MatrixFrom(p));
      return GaussianMixtureFull(weights, GaussianFull::FromPrecisions(means, precisions, options));
    }
    case CovarianceType::kTied:
      return GaussianMixtureTied(
          weights, GaussianTied::FromPrecision(means, MatrixFrom(init["precisions"]), options));
    case CovarianceType::kDiag:
      return GaussianMixtureDiag(
          weights, GaussianDiag(means, MatrixFrom(init["precisions"]).cwiseInverse(), options));
    case CovarianceType::kSpherical:
      return GaussianMixtureSpherical(
          weights, GaussianSpherical(means,
                                     GaussianSpherical::SphericalVariances(
                                         VectorFrom(init["precisions"]).cwiseInverse(),
                                         static_cast<int>(means.cols())),
                                     options));
  }
  throw std::logic_error("unknown covariance type");
}

// Covariances in scikit-learn's layout, flattened.
std::vector<double> FlatCovariances(const GaussianMixtureModel& model) {
  std::vector<double> out;
  auto append = [&out](const Eigen::MatrixXd& m) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      for (Eigen::Index j = 0; j < m.cols(); ++j) out.push_back(m(i, j));
    }
  };
  switch (CovarianceTypeOf(model)) {
    case CovarianceType::kFull:
      for (const auto& c : std::get<GaussianMixtureFull>(model).components().covariances()) append(c);
      break;
    case CovarianceType::kTied:
      append(std::get<GaussianMixtureTied>(model).components().covariance());
      break;
    case CovarianceType::kDiag:
      append(std::get<GaussianMixtureDiag>(model).components().variances());
      break;
    case CovarianceType::kSpherical:
      append(std::get<GaussianMixtureSpherical>(model).components().variances().col(0));
      break;
  }
  return out;
}

std::vector<double> Flatten(const json& j) {
  std::vector<double> out;
  if (j.is_number()) {
    out.push_back(j.get<double>());
  } else {
    for (const json& e : j) {
      const std::vector<double> inner = Flatten(e);
      out.insert(out.end(), inner.begin(), inner.end());
    }
  }
  return out;
}

// max |a - b| / max |b|: relative to the array's scale, so that near-zero
// off-diagonal entries are judged against the matrix, not alone.
double RelativeDifference(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double scale = 0.0, worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    scale = std::max(scale, std::abs(b[i]));
    worst = std::max(worst, std::abs(a[i] - b[i]));
  }
  return worst / scale;
}

std::vector<double> ToStd(const Eigen::Ref<const RowMatrix>& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

class SklearnParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SklearnParityTest, SameParametersAndLikelihood) {
  std::ifstream in(kFixtureDir / GetParam());
  ASSERT_TRUE(in) << GetParam();
  const json f = json::parse(in);
  const RowMatrix x = MatrixFrom(f["X"]);
  const GaussianMixtureModel init = InitialModel(f);
  FitOptions fit;
  fit.max_iter = f["n_iter"].get<int>();
  fit.tol = 0.0;  // exactly n_iter iterations, as scikit-learn ran them
  GaussianMixtureOptions options;
  const auto [model, report] = FitGaussianMixture(fit, options, ViewOf(x), nullptr, &init);
  ASSERT_EQ(report.n_iter, fit.max_iter);

  // scikit-learn computes the diag, spherical and tied second moments as
  // E[x^2] - mean^2, which loses about 7 digits on data offset by 1e4
  // (tests/reference/README.md); emkit's shifted moments do not. There the
  // reference itself is good to ~1e-7 only.
  const std::string ct = f["covariance_type"].get<std::string>();
  const bool reference_inexact = f["dataset"] == "offset" && ct != "full";
  const double tol = reference_inexact ? 1e-6 : 1e-8;
  const json& want = f["result"];
  const double weights = RelativeDifference(ToStd(MixtureWeights(model).transpose()),
                                            Flatten(want["weights"]));
  const double means = RelativeDifference(ToStd(MixtureMeans(model)), Flatten(want["means"]));
  const double covariances =
      RelativeDifference(FlatCovariances(model), Flatten(want["covariances"]));
  const double want_ll = want["mean_log_likelihood"].get<double>();
  const double loglik = std::abs(report.mean_log_likelihood - want_ll) / std::abs(want_ll);
  EXPECT_LE(weights, tol);
  EXPECT_LE(means, tol);
  EXPECT_LE(covariances, tol);
  EXPECT_LE(loglik, tol);
  EXPECT_EQ(report.certificate_violations, 0);
  // The figures themselves, for the record.
  std::printf("parity %-40s weights %.1e  means %.1e  covariances %.1e  loglik %.1e\n",
              GetParam().c_str(), weights, means, covariances, loglik);
}

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kFixtureDir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("sklearn_gmm_") && name.ends_with(".json")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SklearnParityTest, ::testing::ValuesIn(FixtureNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(SklearnParityFixtures, AllCovarianceTypesArePresent) {
  std::set<std::string> types;
  for (const std::string& name : FixtureNames()) {
    std::ifstream in(kFixtureDir / name);
    types.insert(json::parse(in)["covariance_type"].get<std::string>());
  }
  EXPECT_EQ(types, (std::set<std::string>{"diag", "full", "spherical", "tied"}));
}

}  // namespace
}  // namespace emkit
