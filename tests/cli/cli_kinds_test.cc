// emkit fit --model bernoulli|categorical|poisson|vmf and the mixture commands
// on those models, end to end.

#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "cli_fixture.h"
#include "emkit/io/model_file.h"
#include "test_files.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;
using cli_testing::CliTest;
using cli_testing::Json;
using cli_testing::Lines;
using cli_testing::Result;
using io::testing::ReadFileBytes;

// Two clear groups of rows for each family, with a header.
std::string BinaryRows() {
  std::string text = "a,b,c\n";
  for (int i = 0; i < 60; ++i) {
    const bool g = i % 2 == 0;
    text += g ? (i % 6 == 0 ? "1,0,0\n" : "1,0,1\n") : (i % 5 == 0 ? "0,1,1\n" : "0,1,0\n");
  }
  return text;
}
std::string CountRows() {
  std::string text = "x,y\n";
  for (int i = 0; i < 60; ++i) {
    text += i % 2 == 0 ? std::to_string(i % 3) + "," + std::to_string(10 + i % 4) + "\n"
                       : std::to_string(20 + i % 5) + "," + std::to_string(i % 2) + "\n";
  }
  return text;
}

// Unit vectors about two directions of R^3, alternating.
std::string DirectionRows() {
  std::string text = "u,v,w\n";
  for (int i = 0; i < 60; ++i) {
    const double a = 0.05 * (i % 7) - 0.15;
    const double b = 0.04 * (i % 5) - 0.08;
    double x[3] = {1.0, a, b};
    if (i % 2 == 1) x[0] = a, x[1] = 1.0;
    const double norm = std::sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    text += fmt::format("{},{},{}\n", x[0] / norm, x[1] / norm, x[2] / norm);
  }
  return text;
}

struct KindCase {
  const char* model;       // --model
  const char* kind;        // "model" in the file
  std::string (*data)();
  int features;
};

class CliKindTest : public CliTest, public ::testing::WithParamInterface<KindCase> {};

TEST_P(CliKindTest, FitsPredictsScoresSamplesAndSummarises) {
  const KindCase& c = GetParam();
  const std::string data = Write("data.csv", c.data());
  const std::string model = Path("m.json");
  Result r = Run({"fit", "--model", c.model, data, "-k", "2", "-o", model, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string text = ReadFileBytes(model);
  const Json j = Json::parse(text);
  EXPECT_EQ(j["format"], "emkit-model");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["model"], c.kind);
  EXPECT_EQ(j["n_components"], 2);
  // The file reads back to the same parameters: writing them again gives
  // the same bytes.
  std::vector<std::string> names;
  const io::AnyModel loaded = io::LoadAnyModel(model, &names);
  EXPECT_EQ(io::AnyModelToJson(loaded, names), text);
  EXPECT_EQ(io::NumFeaturesOf(loaded), c.features);

  r = Run({"predict", model, data});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 61u);
  EXPECT_EQ(lines[0], "label");
  // The two groups alternate, and so do their labels.
  EXPECT_NE(lines[1], lines[2]);
  EXPECT_EQ(lines[1], lines[3]);

  r = Run({"predict", model, data, "--proba"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out)[0], "p0,p1");

  r = Run({"score", model, data, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json score = Json::parse(r.out);
  EXPECT_EQ(score["n_samples"], 60);
  // (A density on the sphere may exceed 1: the sign says nothing.)
  EXPECT_TRUE(std::isfinite(score["mean_log_likelihood"].get<double>()));

  r = Run({"sample", model, "-n", "7", "--seed", "3", "--labels"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_THAT(lines[0], HasSubstr("component"));

  r = Run({"info", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("components:       2"));
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, CliKindTest,
    ::testing::Values(KindCase{"bernoulli", "bernoulli_mixture", BinaryRows, 3},
                      KindCase{"categorical", "categorical_mixture", CountRows, 2},
                      KindCase{"poisson", "poisson_mixture", CountRows, 2},
                      KindCase{"vmf", "vmf_mixture", DirectionRows, 3}),
    [](const ::testing::TestParamInfo<KindCase>& info) {
      return std::string(info.param.model);
    });

TEST_F(CliTest, FamilyOptionsReachTheModel) {
  const std::string data = Write("data.csv", BinaryRows());
  Result r = Run({"fit", "--model", "bernoulli", data, "-k", "2", "--pseudo-count", "0.5",
                  "-o", Path("b.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(ReadFileBytes(Path("b.json")))["pseudo_count"], 0.5);

  const std::string counts = Write("counts.csv", CountRows());
  r = Run({"fit", "--model", "poisson", counts, "-k", "2", "--min-rate", "0.25", "-o",
           Path("p.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(ReadFileBytes(Path("p.json")))["min_rate"], 0.25);

  const std::string directions = Write("directions.csv", DirectionRows());
  r = Run({"fit", "--model", "vmf", directions, "-k", "2", "--max-concentration", "50", "-o",
           Path("v.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json v = Json::parse(ReadFileBytes(Path("v.json")));
  EXPECT_EQ(v["max_concentration"], 50.0);
  // The clusters are tighter than kappa = 50 allows: both are capped.
  for (const Json& kappa : v["concentrations"]) EXPECT_EQ(kappa.get<double>(), 50.0);
}

TEST_F(CliTest, FamilyOptionHelpComesFromTheOptionTables) {
  const Result r = Run({"fit", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("vmf: upper bound on every concentration kappa (default 1000000)"));
  EXPECT_THAT(r.out,
              HasSubstr("bernoulli, categorical: added to every count in the M-step "
                        "(default 1e-10)"));
  EXPECT_THAT(r.out, HasSubstr("categorical: a row holds category counts or one symbol "
                               "(counts|symbols, default counts)"));
  EXPECT_THAT(r.out, HasSubstr("gaussian, bernoulli, categorical, poisson, vmf"));
}

TEST_F(CliTest, RejectsDirectionsThatAreNotUnitVectors) {
  const std::string data = Write("long.csv", "a,b\n1,0\n0,2\n");
  ExpectUsageError(Run({"fit", "--model", "vmf", data, "-k", "1"}),
                   data + ": X[1] has norm 2: von Mises-Fisher rows must be unit vectors");
}

TEST_F(CliTest, CategoricalSymbolsLayout) {
  std::string text = "symbol\n";
  for (int i = 0; i < 40; ++i) text += std::to_string(i % 3) + "\n";
  const std::string data = Write("symbols.csv", text);
  const Result r = Run({"fit", "--model", "categorical", "--categorical-layout", "symbols",
                        data, "-k", "1", "-o", Path("c.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(ReadFileBytes(Path("c.json")));
  EXPECT_EQ(j["categorical_layout"], "symbols");
  EXPECT_EQ(j["n_categories"], 3);
}

TEST_F(CliTest, RejectsDataTheFamilyCannotHold) {
  const std::string binary = Write("bad.csv", "a,b\n0,1\n1,3\n0,0\n");
  ExpectUsageError(Run({"fit", "--model", "bernoulli", binary, "-k", "1"}),
                   "emkit: error: " + binary +
                       ": X[1, 1] = 3: Bernoulli features must be 0 or 1");
  const std::string negative = Write("neg.csv", "a,b\n0,1\n-1,3\n");
  ExpectUsageError(Run({"fit", "--model", "poisson", negative, "-k", "1"}),
                   negative + ": X[1, 0] = -1: Poisson features must be non-negative "
                              "integers (counts)");
  ExpectUsageError(Run({"fit", "--model", "categorical", negative, "-k", "1"}),
                   negative + ": X[1, 0] = -1");

  // The same checks when a fitted model meets new data.
  const std::string data = Write("data.csv", BinaryRows());
  ASSERT_EQ(Run({"fit", "--model", "bernoulli", data, "-k", "2", "-o", Path("b.json"), "-q"})
                .exit_code,
            0);
  const std::string three = Write("three.csv", "a,b,c\n0,1,0\n1,0,2\n");
  ExpectUsageError(Run({"predict", Path("b.json"), three}),
                   three + ": X[1, 2] = 2: Bernoulli features must be 0 or 1");
  ExpectUsageError(Run({"score", Path("b.json"), three}), three + ": X[1, 2] = 2");
}

TEST_F(CliTest, RejectsOptionsOfAnotherFamily) {
  const std::string data = Write("data.csv", CountRows());
  ExpectUsageError(Run({"fit", "--model", "poisson", data, "-k", "2", "--covariance", "full"}),
                   "--covariance applies to --model gaussian only, not to poisson");
  ExpectUsageError(Run({"fit", "--model", "bernoulli", data, "-k", "2", "--min-rate", "1"}),
                   "--min-rate applies to --model poisson only, not to bernoulli");
  ExpectUsageError(Run({"fit", data, "-k", "2", "--pseudo-count", "1"}),
                   "--pseudo-count applies to --model bernoulli or categorical only");
  ExpectUsageError(Run({"fit", "--model", "beta", data, "-k", "2"}),
                   "--model: unknown model \"beta\"");
  ExpectUsageError(Run({"fit", "--model", "poisson", data, "-k", "2", "--min-rate", "-1"}),
                   "min_rate");
  ExpectUsageError(
      Run({"fit", "--model", "poisson", data, "-k", "2", "--max-concentration", "10"}),
      "--max-concentration applies to --model vmf only, not to poisson");
  ExpectUsageError(Run({"fit", "--model", "vmf", data, "-k", "2", "--max-concentration", "x"}),
                   "--max-concentration: max_concentration = \"x\" is not a number");
}

TEST_F(CliTest, RejectsMalformedModelsOfEveryKind) {
  const std::string data = Write("data.csv", CountRows());
  const std::string unknown = Write(
      "unknown.json", R"({"format": "emkit-model", "version": 1, "model": "beta_mixture"})");
  ExpectUsageError(Run({"predict", unknown, data}),
                   unknown + ": unknown \"model\" \"beta_mixture\"");
  const std::string misshapen = Write(
      "misshapen.json", R"({"format": "emkit-model", "version": 1, "model": "poisson_mixture",
        "weights": [0.5, 0.5], "rates": [[1, 2]]})");
  ExpectUsageError(Run({"score", misshapen, data}),
                   misshapen + ": \"rates\" must have shape [2, 2]");
  const std::string hmm = Write(
      "hmm.json", R"({"format": "emkit-model", "version": 1, "model": "hmm",
        "emission": "poisson", "startprob": [1], "transmat": [[1]], "rates": [[1, 2]]})");
  ExpectUsageError(Run({"predict", hmm, data}),
                   hmm + " holds a hidden Markov model; use emkit hmm");
  ExpectUsageError(Run({"sample", hmm, "-n", "2"}), "holds a hidden Markov model");
}

}  // namespace
}  // namespace emkit
