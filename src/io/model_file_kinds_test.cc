// Model files of the kinds besides Gaussian mixtures: discrete mixtures and
// HMMs round-trip bit-identically, and malformed files name the key at fault.

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/discrete_mixture.h"
#include "emkit/error.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"
#include "emkit/io/model_file.h"
#include "emkit/random.h"

namespace emkit::io {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

bool SameBits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      if (std::memcmp(&a(i, j), &b(i, j), sizeof(double)) != 0) return false;
    }
  }
  return true;
}

// Parameters with many significant digits, so that a lossy format fails.
RowMatrix Awkward(int rows, int cols, double scale, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * (0.05 + 0.9 * UniformDouble(rng));
  return m;
}

Vector Weights(int k) {
  Vector w = Awkward(k, 1, 1.0, 7).col(0);
  return w / w.sum();
}

RowMatrix Rows(int k, int v, std::uint64_t seed) {
  RowMatrix p = Awkward(k, v, 1.0, seed);
  for (int s = 0; s < k; ++s) p.row(s) /= p.row(s).sum();
  return p;
}

AnyModel RoundTrip(const AnyModel& model, const std::vector<std::string>& names = {}) {
  std::vector<std::string> loaded_names;
  AnyModel loaded = AnyModelFromJson(AnyModelToJson(model, names), "m.json", &loaded_names);
  EXPECT_EQ(loaded_names, names);
  EXPECT_EQ(loaded.index(), model.index());
  // Writing again gives the same text: nothing was lost or reordered.
  EXPECT_EQ(AnyModelToJson(loaded, names), AnyModelToJson(model, names));
  return loaded;
}

TEST(ModelFileKindsTest, BernoulliMixtureRoundTrips) {
  BernoulliOptions options;
  options.pseudo_count = 0.123456789012345;
  const BernoulliMixture m(Weights(3), Bernoulli(Awkward(3, 4, 1.0, 1), options));
  const auto loaded = std::get<BernoulliMixture>(RoundTrip(m, {"a", "b", "c", "d"}));
  EXPECT_TRUE(SameBits(loaded.weights(), m.weights()));
  EXPECT_TRUE(SameBits(loaded.components().probabilities(), m.components().probabilities()));
  EXPECT_EQ(loaded.components().options().pseudo_count, options.pseudo_count);
}

TEST(ModelFileKindsTest, CategoricalMixtureRoundTrips) {
  for (const CategoricalLayout layout :
       {CategoricalLayout::kCounts, CategoricalLayout::kSymbols}) {
    CategoricalOptions options;
    options.layout = layout;
    options.sample_total = 5;
    const CategoricalMixture m(Weights(2), Categorical(Rows(2, 5, 2), options));
    const auto loaded = std::get<CategoricalMixture>(RoundTrip(m));
    EXPECT_TRUE(SameBits(loaded.components().probabilities(),
                         m.components().probabilities()));
    EXPECT_EQ(loaded.components().layout(), layout);
    EXPECT_EQ(loaded.components().options().sample_total, 5);
  }
}

TEST(ModelFileKindsTest, PoissonMixtureRoundTrips) {
  PoissonOptions options;
  options.min_rate = 3e-7;
  const PoissonMixture m(Weights(2), Poisson(Awkward(2, 3, 40.0, 3), options));
  const auto loaded = std::get<PoissonMixture>(RoundTrip(m, {"x", "y", "z"}));
  EXPECT_TRUE(SameBits(loaded.components().rates(), m.components().rates()));
  EXPECT_EQ(loaded.components().options().min_rate, 3e-7);
}

MarkovChain Chain(int k) { return MarkovChain(Weights(k), Rows(k, k, 4)); }

void ExpectSameChain(const MarkovChain& a, const MarkovChain& b) {
  EXPECT_TRUE(SameBits(a.start(), b.start()));
  EXPECT_TRUE(SameBits(a.transitions(), b.transitions()));
}

TEST(ModelFileKindsTest, GaussianHmmRoundTripsForEveryCovarianceType) {
  Rng rng(5);
  RowMatrix x(200, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = StandardNormal(rng) + (i % 4);
  for (const CovarianceType type : {CovarianceType::kFull, CovarianceType::kDiag,
                                    CovarianceType::kSpherical, CovarianceType::kTied}) {
    GaussianHmmOptions options;
    options.hmm.n_states = 2;
    options.covariance_type = type;
    const Fitted<GaussianHmmModel> fitted =
        FitGaussianHmm(FitOptions{}, options, ViewOf(x), {});
    const AnyModel loaded = RoundTrip(fitted.model);
    const auto& hmm = std::get<GaussianHmmModel>(loaded);
    ASSERT_EQ(hmm.index(), static_cast<std::size_t>(type));
    // The loaded model scores the data exactly as the fitted one.
    std::visit(
        [&](const auto& original) {
          const auto& copy = std::get<std::decay_t<decltype(original)>>(hmm);
          ExpectSameChain(copy.chain(), original.chain());
          EXPECT_TRUE(SameBits(copy.emissions().means(), original.emissions().means()));
          EXPECT_EQ(copy.TotalLogLikelihood(ViewOf(x), {}),
                    original.TotalLogLikelihood(ViewOf(x), {}));
        },
        fitted.model);
  }
}

TEST(ModelFileKindsTest, GmmHmmRoundTripsForEveryCovarianceType) {
  Rng rng(6);
  RowMatrix x(300, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = StandardNormal(rng) + (i % 5);
  for (const CovarianceType type : {CovarianceType::kFull, CovarianceType::kDiag,
                                    CovarianceType::kSpherical, CovarianceType::kTied}) {
    GmmHmmOptions options;
    options.hmm.n_states = 2;
    options.n_mix = 3;
    options.covariance_type = type;
    FitOptions fit;
    fit.max_iter = 5;
    const Fitted<GmmHmmModel> fitted = FitGmmHmm(fit, options, ViewOf(x), {});
    const AnyModel loaded = RoundTrip(fitted.model);
    const auto& hmm = std::get<GmmHmmModel>(loaded);
    ASSERT_EQ(hmm.index(), static_cast<std::size_t>(type));
    std::visit(
        [&](const auto& original) {
          const auto& copy = std::get<std::decay_t<decltype(original)>>(hmm);
          ExpectSameChain(copy.chain(), original.chain());
          EXPECT_TRUE(SameBits(copy.emissions().weights(), original.emissions().weights()));
          EXPECT_TRUE(SameBits(copy.emissions().components().means(),
                               original.emissions().components().means()));
          EXPECT_EQ(copy.TotalLogLikelihood(ViewOf(x), {}),
                    original.TotalLogLikelihood(ViewOf(x), {}));
        },
        fitted.model);
  }
}

TEST(ModelFileKindsTest, CategoricalAndPoissonHmmsRoundTrip) {
  CategoricalOptions symbols;
  symbols.layout = CategoricalLayout::kSymbols;
  const CategoricalHmm categorical(Chain(3), Categorical(Rows(3, 4, 6), symbols));
  const auto c = std::get<CategoricalHmm>(RoundTrip(categorical, {"symbol"}));
  ExpectSameChain(c.chain(), categorical.chain());
  EXPECT_TRUE(SameBits(c.emissions().probabilities(), categorical.emissions().probabilities()));

  const PoissonHmm poisson(Chain(2), Poisson(Awkward(2, 3, 9.0, 8), PoissonOptions{}));
  const auto p = std::get<PoissonHmm>(RoundTrip(poisson));
  ExpectSameChain(p.chain(), poisson.chain());
  EXPECT_TRUE(SameBits(p.emissions().rates(), poisson.emissions().rates()));
}

TEST(ModelFileKindsTest, BernoulliHmmRoundTrips) {
  BernoulliOptions options;
  options.pseudo_count = 0.125;
  const BernoulliHmm hmm(Chain(3), Bernoulli(Awkward(3, 4, 1.0, 9), options));
  const std::string text = AnyModelToJson(hmm, {"a", "b", "c", "d"});
  EXPECT_THAT(text, HasSubstr("\"emission\": \"bernoulli\""));
  const auto loaded = std::get<BernoulliHmm>(RoundTrip(hmm, {"a", "b", "c", "d"}));
  ExpectSameChain(loaded.chain(), hmm.chain());
  EXPECT_TRUE(SameBits(loaded.emissions().probabilities(), hmm.emissions().probabilities()));
  EXPECT_EQ(loaded.emissions().options().pseudo_count, 0.125);
  EXPECT_EQ(ModelKindName(loaded), "hmm");
  EXPECT_EQ(NumFeaturesOf(loaded), 4);
  // A probability outside [0, 1] names the file.
  const std::string bad = R"({"format": "emkit-model", "version": 1, "model": "hmm",
      "emission": "bernoulli", "startprob": [1], "transmat": [[1]],
      "probabilities": [[1.5]]})";
  try {
    (void)AnyModelFromJson(bad, "b.json");
    ADD_FAILURE() << "no error";
  } catch (const FileFormatError& e) {
    EXPECT_THAT(e.what(), StartsWith("b.json: "));
    EXPECT_THAT(e.what(), HasSubstr("1.5"));
  }
}

TEST(ModelFileKindsTest, GaussianFilesLoadAsGaussianMixtures) {
  const std::string text = R"({"format": "emkit-model", "version": 1,
      "covariance_type": "diag", "weights": [1], "means": [[0, 1]],
      "covariances": [[1, 2]]})";
  const AnyModel model = AnyModelFromJson(text, "m.json");
  ASSERT_TRUE(std::holds_alternative<GaussianMixtureModel>(model));
  EXPECT_EQ(ModelKindName(model), "gaussian_mixture");
  EXPECT_EQ(NumFeaturesOf(model), 2);
}

std::string ParseError(const std::string& text) {
  try {
    (void)AnyModelFromJson(text, "m.json");
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "(no FileFormatError)";
}

std::string Doc(const std::string& body) {
  return R"({"format": "emkit-model", "version": 1, )" + body + "}";
}

TEST(ModelFileKindsErrorTest, UnknownKinds) {
  EXPECT_THAT(ParseError(Doc(R"("model": "beta_mixture")")),
              StartsWith("m.json: unknown \"model\" \"beta_mixture\" (expected"));
  EXPECT_THAT(ParseError(Doc(R"("model": "hmm", "startprob": [1], "transmat": [[1]],
                                "emission": "beta")")),
              StartsWith("m.json: unknown \"emission\" \"beta\""));
  EXPECT_THAT(ParseError(Doc(R"("model": "categorical_mixture", "weights": [1],
                                "categorical_layout": "bag", "probabilities": [[1]])")),
              StartsWith("m.json: unknown \"categorical_layout\" \"bag\""));
}

TEST(ModelFileKindsErrorTest, MissingAndMisshapenKeys) {
  EXPECT_EQ(ParseError(Doc(R"("model": "poisson_mixture", "weights": [1])")),
            "m.json: missing key \"rates\"");
  EXPECT_THAT(ParseError(Doc(R"("model": "bernoulli_mixture", "weights": [0.5, 0.5],
                                "probabilities": [[0.5, 0.5]])")),
              StartsWith("m.json: \"probabilities\" must have shape [2, 2]"));
  EXPECT_EQ(ParseError(Doc(R"("model": "hmm", "emission": "poisson", "startprob": [1])")),
            "m.json: missing key \"transmat\"");
  EXPECT_THAT(ParseError(Doc(R"("model": "hmm", "emission": "poisson",
                                "startprob": [0.5, 0.5], "transmat": [[1, 0]],
                                "rates": [[1], [2]])")),
              StartsWith("m.json: \"transmat\" must have shape [2, 2]"));
}

TEST(ModelFileKindsErrorTest, GmmHmmFilesNameTheirFaults) {
  const std::string chain = R"("model": "hmm", "emission": "gaussian_mixture",
      "startprob": [0.5, 0.5], "transmat": [[0.5, 0.5], [0.5, 0.5]], "n_features": 1,
      "means": [[0], [1], [2], [3]], )";
  // Tied: one covariance per state, so [2][1][1], not one matrix.
  EXPECT_THAT(ParseError(Doc(chain + R"("covariance_type": "tied",
      "weights": [[0.5, 0.5], [0.5, 0.5]], "covariances": [[1]])")),
              StartsWith("m.json: \"covariances\" must have shape [2, 1, 1]"));
  EXPECT_THAT(ParseError(Doc(chain + R"("covariance_type": "diag",
      "weights": [[0.5, 0.6], [0.5, 0.5]], "covariances": [[1], [1], [1], [1]])")),
              HasSubstr("mixture emission weights row 0 must sum to 1"));
  EXPECT_THAT(ParseError(Doc(chain + R"("covariance_type": "diag",
      "weights": [[1], [1]], "covariances": [[1], [1], [1], [1]])")),
              StartsWith("m.json: \"means\" must have shape [2, 1]"));
  EXPECT_THAT(ParseError(Doc(chain + R"("covariance_type": "tied",
      "weights": [[0.5, 0.5], [0.5, 0.5]], "covariances": [[[1]], [[-1]]])")),
              StartsWith("m.json: covariances[1] is not a symmetric positive definite"));
}

TEST(ModelFileKindsErrorTest, InvalidParametersNameTheFile) {
  // A probability outside [0, 1], a negative rate, a transition row that
  // does not sum to 1: the library's message, prefixed by the file.
  EXPECT_EQ(ParseError(Doc(R"("model": "bernoulli_mixture", "weights": [1],
                                "probabilities": [[1.5]])")),
              "m.json: Bernoulli probabilities[0, 0] = 1.5 must be in [0, 1]");
  EXPECT_EQ(ParseError(Doc(R"("model": "poisson_mixture", "weights": [1],
                                "rates": [[-1]])")),
              "m.json: Poisson rates[0, 0] = -1 must be finite and >= 0");
  EXPECT_EQ(ParseError(Doc(R"("model": "hmm", "emission": "poisson",
                                "startprob": [0.5, 0.5], "transmat": [[0.5, 0.6], [0.5, 0.5]],
                                "rates": [[1], [2]])")),
              "m.json: transitions row 0 must sum to 1, found sum 1.1");
  EXPECT_THAT(ParseError(Doc(R"("model": "poisson_mixture", "weights": [1],
                                "min_rate": "small", "rates": [[1]])")),
              HasSubstr("min_rate must be a number"));
  EXPECT_THAT(ParseError(Doc(R"("model": "categorical_mixture", "weights": [1],
                                "sample_total": -1, "probabilities": [[1]])")),
              HasSubstr("\"sample_total\" must be a non-negative integer"));
}

TEST(ModelFileKindsErrorTest, GaussianLoaderRejectsOtherKinds) {
  const std::string text = AnyModelToJson(
      PoissonMixture(Weights(1), Poisson(Awkward(1, 1, 2.0, 1), PoissonOptions{})));
  try {
    (void)ModelFromJson(text, "m.json");
    ADD_FAILURE() << "no error";
  } catch (const FileFormatError& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"model\" is \"poisson_mixture\""));
  }
}

}  // namespace
}  // namespace emkit::io
