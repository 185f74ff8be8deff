#include "emkit/io/model_file.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/random.h"
#include "test_files.h"

namespace emkit::io {
namespace {

using ::testing::AllOf;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Two well separated clusters in three dimensions, with correlation, so
// that every covariance type has something to fit.
RowMatrix ClusterData() {
  Rng rng(42);
  RowMatrix x(300, 3);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double shift = i % 2 == 0 ? -3.0 : 4.0;
    const double a = StandardNormal(rng);
    x(i, 0) = shift + a;
    x(i, 1) = 0.5 * shift + 0.7 * a + 0.3 * StandardNormal(rng);
    x(i, 2) = 2.0 * StandardNormal(rng);
  }
  return x;
}

GaussianMixtureModel FitSmallModel(CovarianceType type) {
  const RowMatrix x = ClusterData();
  GaussianMixtureOptions options;
  options.n_components = 2;
  options.covariance_type = type;
  Fitted<GaussianMixtureModel> fitted =
      FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr);
  EXPECT_TRUE(fitted.report.IsUsable());
  return std::move(fitted.model);
}

// Bitwise equality: == on doubles, with -0 and 0 told apart.
bool SameBits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      if (std::memcmp(&a(i, j), &b(i, j), sizeof(double)) != 0) return false;
    }
  }
  return true;
}

void ExpectSameParameters(const GaussianMixtureFull& a, const GaussianMixtureFull& b) {
  ASSERT_EQ(a.components().covariances().size(), b.components().covariances().size());
  for (std::size_t k = 0; k < a.components().covariances().size(); ++k) {
    EXPECT_TRUE(SameBits(a.components().covariances()[k], b.components().covariances()[k]));
    EXPECT_TRUE(SameBits(a.components().precision_cholesky()[k],
                         b.components().precision_cholesky()[k]));
  }
}
template <bool kSpherical>
void ExpectSameParameters(const Mixture<GaussianAxisAligned<kSpherical>>& a,
                          const Mixture<GaussianAxisAligned<kSpherical>>& b) {
  EXPECT_TRUE(SameBits(a.components().variances(), b.components().variances()));
}
void ExpectSameParameters(const GaussianMixtureTied& a, const GaussianMixtureTied& b) {
  EXPECT_TRUE(SameBits(a.components().covariance(), b.components().covariance()));
  EXPECT_TRUE(SameBits(a.components().precision_cholesky(),
                       b.components().precision_cholesky()));
}

class ModelFileRoundTripTest : public ::testing::TestWithParam<CovarianceType> {};

TEST_P(ModelFileRoundTripTest, LoadsBackBitIdentical) {
  const GaussianMixtureModel model = FitSmallModel(GetParam());
  const std::vector<std::string> names = {"a", "b", "c"};
  testing::TempDir dir;
  const std::string path = dir.File("model.json");
  SaveModel(path, model, names);

  std::vector<std::string> loaded_names;
  const GaussianMixtureModel loaded = LoadModel(path, &loaded_names);
  EXPECT_EQ(loaded_names, names);
  ASSERT_EQ(CovarianceTypeOf(loaded), GetParam());
  EXPECT_TRUE(SameBits(MixtureWeights(loaded), MixtureWeights(model)));
  EXPECT_TRUE(SameBits(MixtureMeans(loaded), MixtureMeans(model)));
  EXPECT_EQ(MixtureGaussianOptions(loaded).reg_covar, MixtureGaussianOptions(model).reg_covar);
  std::visit(
      [&loaded](const auto& original) {
        using M = std::decay_t<decltype(original)>;
        ExpectSameParameters(original, std::get<M>(loaded));
        const RowMatrix x = ClusterData();
        EXPECT_TRUE(SameBits(original.ScoreSamples(ViewOf(x)),
                             std::get<M>(loaded).ScoreSamples(ViewOf(x))));
      },
      model);
  // Saving the loaded model gives the same bytes.
  EXPECT_EQ(ModelToJson(loaded, names), testing::ReadFileBytes(path));
  EXPECT_EQ(dir.List(), std::vector<std::string>{"model.json"});
}

INSTANTIATE_TEST_SUITE_P(AllTypes, ModelFileRoundTripTest,
                         ::testing::Values(CovarianceType::kFull, CovarianceType::kDiag,
                                           CovarianceType::kSpherical,
                                           CovarianceType::kTied),
                         [](const auto& info) {
                           return std::string(CovarianceTypeName(info.param));
                         });

TEST(ModelFileTest, OmitsPrecisionsCholeskyForAxisAligned) {
  const std::string diag = ModelToJson(FitSmallModel(CovarianceType::kDiag));
  EXPECT_THAT(diag, Not(HasSubstr("precisions_cholesky")));
  EXPECT_THAT(diag, Not(HasSubstr("feature_names")));
  EXPECT_THAT(ModelToJson(FitSmallModel(CovarianceType::kTied)),
              HasSubstr("precisions_cholesky"));
}

TEST(ModelFileTest, RejectsFeatureNamesOfWrongCount) {
  EXPECT_THROW(ModelToJson(FitSmallModel(CovarianceType::kDiag), {"a"}),
               InvalidOptionError);
}

// A hand-written two-component, two-feature model with `parameters` (the
// JSON members after "means").
std::string HandWritten(const std::string& type, const std::string& parameters) {
  return R"({"format": "emkit-model", "version": 1, "covariance_type": ")" + type +
         R"(", "weights": [0.25, 0.75], "means": [[0, 1], [2, 3]], )" + parameters +
         "}";
}

TEST(ModelFileTest, AcceptsCovariancesAlone) {
  const GaussianMixtureModel model = ModelFromJson(
      HandWritten("full", R"("covariances": [[[2, 0.5], [0.5, 1]], [[1, 0], [0, 1]]])"),
      "m.json");
  const auto& full = std::get<GaussianMixtureFull>(model);
  EXPECT_EQ(full.components().covariances()[0](0, 1), 0.5);
  EXPECT_EQ(MixtureGaussianOptions(model).reg_covar, GaussianOptions{}.reg_covar);
  EXPECT_EQ(NumComponents(model), 2);
  EXPECT_EQ(NumFeatures(model), 2);
}

TEST(ModelFileTest, AcceptsPrecisions) {
  const GaussianMixtureModel diag = ModelFromJson(
      HandWritten("diag", R"("precisions": [[4, 2], [1, 0.5]])"), "m.json");
  EXPECT_EQ(std::get<GaussianMixtureDiag>(diag).components().variances()(0, 0), 0.25);
  EXPECT_EQ(std::get<GaussianMixtureDiag>(diag).components().variances()(1, 1), 2.0);
  const GaussianMixtureModel spherical = ModelFromJson(
      HandWritten("spherical", R"("precisions": [4, 0.5])"), "m.json");
  EXPECT_EQ(std::get<GaussianMixtureSpherical>(spherical).components().variances()(1, 1),
            2.0);
  const GaussianMixtureModel tied = ModelFromJson(
      HandWritten("tied", R"("precisions": [[2, 0], [0, 4]])"), "m.json");
  EXPECT_NEAR(std::get<GaussianMixtureTied>(tied).components().covariance()(1, 1), 0.25,
              1e-15);
  const GaussianMixtureModel full = ModelFromJson(
      HandWritten("full", R"("precisions": [[[2, 0], [0, 4]], [[1, 0], [0, 1]]])"),
      "m.json");
  EXPECT_NEAR(std::get<GaussianMixtureFull>(full).components().covariances()[0](0, 0),
              0.5, 1e-15);
}

std::string FormatErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "(no FileFormatError)";
}

std::string ParseError(const std::string& text) {
  return FormatErrorOf([&text] { (void)ModelFromJson(text, "m.json"); });
}

TEST(ModelFileErrorTest, NotJson) {
  EXPECT_THAT(ParseError("{\"format\": "), StartsWith("m.json: not valid JSON (byte 12)"));
  EXPECT_THAT(ParseError("eruptions,waiting\n1,2\n"),
              StartsWith("m.json: not valid JSON (byte "));
}

TEST(ModelFileErrorTest, NotAnEmkitModel) {
  const std::string expected =
      "m.json: not an emkit model file (no \"format\": \"emkit-model\")";
  EXPECT_EQ(ParseError("{}"), expected);
  EXPECT_EQ(ParseError("[1, 2]"), expected);
  EXPECT_EQ(ParseError(R"({"format": "other", "version": 1})"), expected);
}

TEST(ModelFileErrorTest, NewerVersion) {
  EXPECT_EQ(ParseError(R"({"format": "emkit-model", "version": 2})"),
            "m.json: model file version 2 is newer than this emkit supports (1); "
            "upgrade emkit");
  EXPECT_THAT(ParseError(R"({"format": "emkit-model"})"),
              HasSubstr("missing key \"version\""));
}

TEST(ModelFileErrorTest, UnknownCovarianceType) {
  EXPECT_THAT(ParseError(HandWritten("banded", R"("covariances": [1, 1])")),
              StartsWith("m.json: unknown \"covariance_type\" \"banded\""));
}

TEST(ModelFileErrorTest, WrongShapes) {
  EXPECT_EQ(ParseError(HandWritten("diag", R"("covariances": [[1, 1], [1]])")),
            "m.json: \"covariances\" must have shape [2, 2], but covariances[1] has "
            "1 entries");
  EXPECT_THAT(ParseError(HandWritten("full", R"("covariances": [[1, 0], [0, 1]])")),
              HasSubstr("\"covariances\" must have shape [2, 2, 2]"));
  EXPECT_THAT(ParseError(HandWritten("tied", R"("covariances": [[1, 0], [0, "x"]])")),
              HasSubstr("covariances[1][1] must be a number, found \"x\""));
  EXPECT_THAT(ParseError(R"({"format": "emkit-model", "version": 1,
      "covariance_type": "spherical", "n_components": 3, "weights": [0.5, 0.5],
      "means": [[0], [1]], "covariances": [1, 1]})"),
              HasSubstr("\"weights\" must have shape [3], but weights has 2 entries"));
  EXPECT_THAT(ParseError(HandWritten("spherical", R"("covariances": [1, 1],
      "feature_names": ["a"])")),
              HasSubstr("\"feature_names\" must be an array of 2 strings"));
  EXPECT_THAT(ParseError(HandWritten("spherical", "")), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseError(HandWritten("spherical", R"("x": 1)")),
              HasSubstr("missing key \"covariances\" (or \"precisions\")"));
}

TEST(ModelFileErrorTest, NonFiniteNumbers) {
  EXPECT_THAT(ParseError(HandWritten("spherical", R"("covariances": [1, 1e999])")),
              AllOf(StartsWith("m.json: not valid JSON: "), HasSubstr("1e999")));
  EXPECT_THAT(ParseError(HandWritten("spherical", R"("covariances": [1, NaN])")),
              StartsWith("m.json: not valid JSON"));
}

TEST(ModelFileErrorTest, NotPositiveDefinite) {
  EXPECT_THAT(
      ParseError(HandWritten("full", R"("covariances": [[[1, 2], [2, 1]], [[1, 0], [0, 1]]])")),
      Eq("m.json: covariances[0] is not a symmetric positive definite matrix"));
  EXPECT_THAT(ParseError(HandWritten("tied", R"("covariances": [[1, 0], [0, 0]])")),
              Eq("m.json: covariances is not a symmetric positive definite matrix"));
  EXPECT_THAT(
      ParseError(HandWritten("full", R"("precisions": [[[1, 2], [2, 1]], [[1, 0], [0, 1]]])")),
      StartsWith("m.json: "));
  EXPECT_THAT(ParseError(HandWritten("diag", R"("covariances": [[1, -1], [1, 1]])")),
              StartsWith("m.json: variance of component 0 feature 1 = -1"));
  EXPECT_THAT(ParseError(HandWritten("diag", R"("precisions": [[1, 0], [1, 1]])")),
              StartsWith("m.json: precisions must be positive"));
  EXPECT_THAT(ParseError(HandWritten("tied", R"("covariances": [[1, 0], [0, 1]],
      "precisions_cholesky": [[1, 0], [0, -1]])")),
              StartsWith("m.json: precisions_cholesky"));
}

TEST(ModelFileErrorTest, WeightsMustSumToOne) {
  EXPECT_THAT(ParseError(R"({"format": "emkit-model", "version": 1,
      "covariance_type": "spherical", "weights": [0.5, 0.6], "means": [[0], [1]],
      "covariances": [1, 1]})"),
              StartsWith("m.json: weights must sum to 1"));
}

TEST(ModelFileErrorTest, MissingFileIsAccessError) {
  testing::TempDir dir;
  try {
    (void)LoadModel(dir.File("absent.json"));
    FAIL() << "no error";
  } catch (const FileAccessError& e) {
    EXPECT_THAT(e.what(), HasSubstr("absent.json: cannot open: No such file"));
  }
}

TEST(ModelFileErrorTest, LoadNamesThePath) {
  testing::TempDir dir;
  const std::string path = dir.Write("bad.json", R"({"format": "emkit-model", "version": 7})");
  EXPECT_THAT(FormatErrorOf([&path] { (void)LoadModel(path); }),
              StartsWith(path + ": model file version 7 is newer"));
}

}  // namespace
}  // namespace emkit::io
