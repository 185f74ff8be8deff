// emkit hmm fit | decode | score | sample, end to end.

#include <algorithm>
#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "emkit/families/von_mises_fisher.h"
#include "emkit/hmm.h"
#include "emkit/io/model_file.h"
#include "test_files.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;
using cli_testing::CliTest;
using cli_testing::Json;
using cli_testing::kFaithful;
using cli_testing::kFaithfulRows;
using cli_testing::Lines;
using cli_testing::Result;
using io::testing::ReadFileBytes;

class CliHmmTest : public CliTest {
 protected:
  // faithful as two sequences of 100 and 172 rows.
  std::string Lengths() { return Write("lengths.txt", "100\n172\n"); }

  std::string FitFaithfulHmm(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"hmm", "fit", kFaithful, "-k", "2", "--lengths",
                                     Lengths(), "-o", Path(name), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Path(name);
  }
};

class CliHmmCovarianceTest : public CliHmmTest,
                             public ::testing::WithParamInterface<const char*> {};

TEST_P(CliHmmCovarianceTest, FitsDecodesScoresAndSamples) {
  const std::string model = FitFaithfulHmm("h.json", {"--covariance", GetParam()});
  const std::string text = ReadFileBytes(model);
  const Json j = Json::parse(text);
  EXPECT_EQ(j["model"], "hmm");
  EXPECT_EQ(j["emission"], "gaussian");
  EXPECT_EQ(j["covariance_type"], GetParam());
  EXPECT_EQ(j["startprob"].size(), 2u);
  EXPECT_EQ(j["transmat"].size(), 2u);
  std::vector<std::string> names;
  EXPECT_EQ(io::AnyModelToJson(io::LoadAnyModel(model, &names), names), text);

  Result r = Run({"hmm", "decode", model, kFaithful, "--lengths", Lengths()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), kFaithfulRows + 1u);
  EXPECT_EQ(lines[0], "state");

  r = Run({"hmm", "decode", model, kFaithful, "--lengths", Lengths(), "--method",
           "posterior"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), kFaithfulRows + 1u);
  EXPECT_EQ(lines[0], "p0,p1");
  const double p0 = std::stod(lines[1]);
  const double p1 = std::stod(lines[1].substr(lines[1].find(',') + 1));
  EXPECT_NEAR(p0 + p1, 1.0, 1e-12);

  r = Run({"hmm", "score", model, kFaithful, "--lengths", Lengths(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json score = Json::parse(r.out);
  EXPECT_EQ(score["n_samples"], kFaithfulRows);
  EXPECT_EQ(score["n_sequences"], 2);
  const double total = score["total_log_likelihood"];
  EXPECT_NEAR(score["sequence_log_likelihoods"][0].get<double>() +
                  score["sequence_log_likelihoods"][1].get<double>(),
              total, 1e-9 * std::abs(total));
  EXPECT_DOUBLE_EQ(score["mean_log_likelihood"].get<double>(), total / kFaithfulRows);

  r = Run({"hmm", "sample", model, "-n", "10", "--sequences", "3", "--seed", "4",
           "--states"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 31u);
  EXPECT_EQ(lines[0], "eruptions,waiting,sequence,state");
}

INSTANTIATE_TEST_SUITE_P(Covariance, CliHmmCovarianceTest,
                         ::testing::Values("full", "diag", "spherical", "tied"));

// GMM-HMMs (--emission gmm): every covariance structure fits, is read back
// to the same text, continues from its own file unchanged with no
// iterations, is byte-identical for any thread count, and decodes, scores
// and samples. Tied is one covariance per state ([K][D][D] in the file).
class CliGmmHmmTest : public CliHmmTest,
                      public ::testing::WithParamInterface<const char*> {};

TEST_P(CliGmmHmmTest, FitsRoundTripsAndIsUsed) {
  const std::vector<std::string> shape = {"--emission", "gmm", "--n-mix", "2",
                                          "--covariance", GetParam()};
  std::vector<std::string> two_threads = shape;
  two_threads.insert(two_threads.end(), {"--threads", "2"});
  const std::string model = FitFaithfulHmm("g.json", shape);
  const std::string text = ReadFileBytes(model);
  EXPECT_EQ(text, ReadFileBytes(FitFaithfulHmm("g2.json", two_threads)));
  const Json j = Json::parse(text);
  EXPECT_EQ(j["emission"], "gaussian_mixture");
  EXPECT_EQ(j["n_mix"], 2);
  EXPECT_EQ(j["weights"].size(), 2u);
  EXPECT_EQ(j["means"].size(), 4u);
  EXPECT_EQ(j["covariances"].size(), std::string(GetParam()) == "tied" ? 2u : 4u);
  std::vector<std::string> names;
  EXPECT_EQ(io::AnyModelToJson(io::LoadAnyModel(model, &names), names), text);

  Result r = Run({"hmm", "fit", kFaithful, "--lengths", Lengths(), "--init-model", model,
                  "--max-iter", "0", "-o", Path("same.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFileBytes(Path("same.json")), text);
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "--init-model", model, "--n-mix", "3"}),
                   "--n-mix 3 conflicts with --init-model " + model +
                       ", which has 2 Gaussians per state");

  r = Run({"hmm", "decode", model, kFaithful, "--lengths", Lengths()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), kFaithfulRows + 1u);
  r = Run({"hmm", "score", model, kFaithful, "--lengths", Lengths(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::isfinite(Json::parse(r.out)["total_log_likelihood"].get<double>()));
  r = Run({"hmm", "sample", model, "-n", "5", "--seed", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 6u);
  r = Run({"info", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Gaussian mixture, 2 components per state"));
}

INSTANTIATE_TEST_SUITE_P(Covariance, CliGmmHmmTest,
                         ::testing::Values("full", "diag", "spherical", "tied"));

TEST_F(CliHmmTest, NMixAppliesToGmmEmissionsOnly) {
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "-k", "2", "--n-mix", "2"}),
                   "--n-mix applies to --emission gmm only, not to gaussian");
  ExpectUsageError(
      Run({"hmm", "fit", kFaithful, "-k", "2", "--emission", "gmm", "--n-mix", "0"}),
      "--n-mix 0 must be >= 1");
}

TEST_F(CliHmmTest, ALongFitWhoseTransitionsDecayToZeroStaysUsable) {
  // With --tol 0 a 3-state fit of faithful runs until a transition's
  // posterior underflows; the M-step keeps it at the smallest positive
  // probability, so the certificate's bound stays finite.
  const Result r = Run({"hmm", "fit", kFaithful, "-k", "3", "--tol", "0", "--max-iter", "2000",
                        "-o", Path("long.json"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["termination"], "max_iterations") << r.out;
  EXPECT_EQ(report["certificate"]["violations"], 0);
}

TEST_F(CliHmmTest, ModelIsByteIdenticalForAnyThreadCount) {
  const std::string one = ReadFileBytes(FitFaithfulHmm("a.json", {"--threads", "1"}));
  const std::string four = ReadFileBytes(FitFaithfulHmm("b.json", {"--threads", "4"}));
  EXPECT_EQ(one, four);
}

TEST_F(CliHmmTest, SampledSequencesRefitWithSequenceColumn) {
  for (const std::string emission : {"categorical", "poisson", "bernoulli"}) {
    SCOPED_TRACE(emission);
    // A hand-written two-state model, sampled, then fitted back.
    const std::string params =
        emission == "categorical"
            ? R"("categorical_layout": "symbols", "probabilities": [[0.9, 0.1], [0.1, 0.9]])"
        : emission == "poisson" ? R"("rates": [[1], [12]])"
                                : R"("probabilities": [[0.1], [0.9]])";
    const std::string truth = Write(
        "truth.json", R"({"format": "emkit-model", "version": 1, "model": "hmm", "emission": ")" +
                          std::string(emission) +
                          R"(", "startprob": [0.5, 0.5], "transmat": [[0.9, 0.1], [0.1, 0.9]], )" +
                          params + R"(, "feature_names": ["x"]})");
    Result r = Run({"hmm", "sample", truth, "-n", "200", "--sequences", "3", "-o",
                    Path("s.csv")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The library's k-means++ start: one restart and the default tolerance
    // find the states.
    r = Run({"hmm", "fit", Path("s.csv"), "--sequence-column", "sequence", "-k", "2",
             "--emission", emission, "-o", Path("fit.json"), "--report", Path("r.json"),
             "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json fit = Json::parse(ReadFileBytes(Path("fit.json")));
    EXPECT_EQ(fit["emission"], emission);
    EXPECT_EQ(fit["feature_names"], Json::array({"x"}));
    // The states persist as in the truth.
    EXPECT_GT(fit["transmat"][0][0].get<double>(), 0.7);
    EXPECT_GT(fit["transmat"][1][1].get<double>(), 0.7);
    r = Run({"hmm", "score", Path("fit.json"), Path("s.csv"), "--sequence-column",
             "sequence", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Json::parse(r.out)["n_sequences"], 3);
  }
}

TEST_F(CliHmmTest, BernoulliEmissionsFitDecodeAndRoundTrip) {
  // Three 0/1 features; the first two switch with the hidden state.
  const std::string truth = Write("truth.json", R"({"format": "emkit-model", "version": 1,
      "model": "hmm", "emission": "bernoulli", "startprob": [0.5, 0.5],
      "transmat": [[0.95, 0.05], [0.05, 0.95]],
      "probabilities": [[0.9, 0.1, 0.5], [0.1, 0.9, 0.5]],
      "feature_names": ["a", "b", "c"]})");
  Result r = Run({"hmm", "sample", truth, "-n", "300", "--sequences", "2", "-o",
                  Path("s.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"hmm", "fit", Path("s.csv"), "--sequence-column", "sequence", "-k", "2",
           "--emission", "bernoulli", "-o", Path("fit.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadFileBytes(Path("fit.json"));
  const Json fit = Json::parse(text);
  EXPECT_EQ(fit["model"], "hmm");
  EXPECT_EQ(fit["emission"], "bernoulli");
  EXPECT_EQ(fit["feature_names"], Json::array({"a", "b", "c"}));
  EXPECT_EQ(fit["probabilities"].size(), 2u);
  std::vector<std::string> names;
  const io::AnyModel loaded = io::LoadAnyModel(Path("fit.json"), &names);
  EXPECT_TRUE(std::holds_alternative<io::BernoulliHmm>(loaded));
  EXPECT_EQ(io::AnyModelToJson(loaded, names), text);
  // The states are recovered: the first feature's probabilities are far
  // apart in the two states.
  const double p0 = fit["probabilities"][0][0];
  const double p1 = fit["probabilities"][1][0];
  EXPECT_GT(std::abs(p0 - p1), 0.6);
  r = Run({"hmm", "decode", Path("fit.json"), Path("s.csv"), "--sequence-column",
           "sequence"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 601u);
  const std::string bad = Write("bad.csv", "a,b,c\n1,0,1\n0,2,1\n");
  ExpectUsageError(Run({"hmm", "score", Path("fit.json"), bad}),
                   bad + ": X[1, 1] = 2: Bernoulli features must be 0 or 1");
  ExpectUsageError(Run({"hmm", "fit", bad, "-k", "1", "--emission", "bernoulli"}),
                   bad + ": X[1, 1] = 2: Bernoulli features must be 0 or 1");
  ExpectUsageError(Run({"hmm", "fit", bad, "-k", "1", "--emission", "bernoulli",
                        "--min-rate", "1"}),
                   "--min-rate applies to --emission poisson only, not to bernoulli");
}

TEST_F(CliHmmTest, VonMisesFisherEmissionsFitThroughTheRegistry) {
  // Two states emitting directions about the first and the second axis of
  // R^3, from a model file sampled by the command itself.
  const std::string truth = Write("truth.json", R"({"format": "emkit-model", "version": 1,
      "model": "hmm", "emission": "vmf", "startprob": [0.5, 0.5],
      "transmat": [[0.9, 0.1], [0.1, 0.9]], "n_features": 3,
      "mean_directions": [[1, 0, 0], [0, 1, 0]], "concentrations": [40, 40]})");
  Result r = Run({"hmm", "sample", truth, "-n", "200", "--sequences", "2", "--seed", "5",
                  "-o", Path("s.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"hmm", "fit", Path("s.csv"), "--sequence-column", "sequence", "-k", "2",
           "--emission", "vmf", "-o", Path("fit.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadFileBytes(Path("fit.json"));
  const Json fit = Json::parse(text);
  EXPECT_EQ(fit["emission"], "vmf");
  std::vector<std::string> names;
  const io::AnyModel loaded = io::LoadAnyModel(Path("fit.json"), &names);
  EXPECT_TRUE(std::holds_alternative<HiddenMarkovModel<VonMisesFisher>>(loaded));
  EXPECT_EQ(io::AnyModelToJson(loaded, names), text);
  // Each true direction is found by one state (the states may be swapped).
  const Json& mu = fit["mean_directions"];
  const double first = std::max(mu[0][0].get<double>(), mu[1][0].get<double>());
  const double second = std::max(mu[0][1].get<double>(), mu[1][1].get<double>());
  EXPECT_GT(first, 0.95);
  EXPECT_GT(second, 0.95);
  // Its option comes from the family's table, and applies to it alone.
  r = Run({"hmm", "fit", Path("s.csv"), "--sequence-column", "sequence", "-k", "2",
           "--emission", "vmf", "--max-concentration", "5", "-o", Path("capped.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(ReadFileBytes(Path("capped.json")))["max_concentration"], 5.0);
  ExpectUsageError(Run({"hmm", "fit", Path("s.csv"), "--sequence-column", "sequence", "-k",
                        "2", "--max-concentration", "5"}),
                   "--max-concentration applies to --emission vmf only, not to gaussian");
  ExpectUsageError(Run({"hmm", "fit", Path("s.csv"),
                        "--sequence-column", "sequence", "--init-model", Path("capped.json"),
                        "--max-concentration", "6"}),
                   "--max-concentration 6 conflicts with --init-model " + Path("capped.json") +
                       ", which has max_concentration 5");
}

TEST_F(CliHmmTest, InitModelContinuesAFit) {
  for (const std::string emission : {"gaussian", "poisson"}) {
    SCOPED_TRACE(emission);
    const std::string data =
        emission == "gaussian" ? std::string(kFaithful)
                               : Write("counts.csv", "x\n0\n1\n0\n9\n11\n10\n1\n0\n12\n8\n");
    const std::vector<std::string> sequences =
        emission == "gaussian" ? std::vector<std::string>{"--lengths", Lengths()}
                               : std::vector<std::string>{};
    auto fit = [&](std::vector<std::string> args) {
      std::vector<std::string> all = {"hmm", "fit", data};
      all.insert(all.end(), sequences.begin(), sequences.end());
      all.insert(all.end(), args.begin(), args.end());
      all.push_back("-q");
      return Run(all);
    };
    Result r = fit({"-k", "2", "--emission", emission, "--max-iter", "2", "-o",
                    Path("start.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // No iterations: the model comes back exactly.
    r = fit({"--init-model", Path("start.json"), "--max-iter", "0", "-o", Path("same.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFileBytes(Path("same.json")), ReadFileBytes(Path("start.json")));
    // More iterations continue the fit: the likelihood does not decrease,
    // and options that agree with the model are accepted.
    r = fit({"--init-model", Path("start.json"), "-k", "2", "--emission", emission, "-o",
             Path("more.json"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json report = Json::parse(r.out);
    EXPECT_GE(report["mean_log_likelihood"].get<double>(),
              report["restarts"][0]["initial_mean_log_likelihood"].get<double>());
    EXPECT_EQ(Json::parse(ReadFileBytes(Path("more.json")))["emission"], emission);
  }
}

TEST_F(CliHmmTest, InitModelRejectsOptionsThatDisagree) {
  const std::string model = FitFaithfulHmm("h.json");  // diag, 2 states
  auto fit = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"hmm", "fit", kFaithful, "--init-model", model};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  };
  ExpectUsageError(fit({"-k", "3"}), "-k 3 conflicts with --init-model " + model +
                                         ", which has 2 states; omit -k or make them agree");
  ExpectUsageError(fit({"--emission", "poisson"}),
                   "--emission poisson conflicts with --init-model " + model +
                       ", which has gaussian emissions");
  ExpectUsageError(fit({"--covariance", "full"}),
                   "--covariance full conflicts with --init-model " + model +
                       ", which has covariance type diag");
  ExpectUsageError(fit({"--reg-covar", "0.5"}), "--reg-covar 0.5 conflicts with --init-model");
  ExpectUsageError(fit({"--n-init", "3"}),
                   "--n-init 3 does not apply with --init-model: one fit starts from the model");
  ExpectUsageError(fit({"--min-rate", "1"}),
                   "--min-rate applies to --emission poisson only, not to gaussian");
  const Result mixture = Run({"fit", kFaithful, "-k", "2", "-o", Path("g.json"), "-q"});
  ASSERT_EQ(mixture.exit_code, 0) << mixture.err;
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "--init-model", Path("g.json")}),
                   "holds a gaussian_mixture, not a hidden Markov model");
  // The data must have the model's columns.
  const std::string one_column = Write("one.csv", "eruptions\n1.5\n2.5\n");
  ExpectUsageError(Run({"hmm", "fit", one_column, "--init-model", model}), "waiting");
  ExpectUsageError(Run({"hmm", "fit", kFaithful}),
                   "-k (the number of states) is required unless --init-model gives it");
}

TEST_F(CliHmmTest, RejectsBadSequences) {
  const std::string short_lengths = Write("short.txt", "100\n171\n");
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "-k", "2", "--lengths", short_lengths}),
                   short_lengths + ": the sequence lengths add up to 271 rows, but " +
                       kFaithful + " has 272");
  const std::string bad_line = Write("bad.txt", "100\nten\n");
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "-k", "2", "--lengths", bad_line}),
                   bad_line + ":2: \"ten\" is not a sequence length");
  ExpectUsageError(
      Run({"hmm", "fit", kFaithful, "-k", "2", "--sequence-column", "session"}),
      "no column \"session\" for --sequence-column");
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "-k", "2", "--lengths", Path("none.txt")}),
                   "none.txt: cannot open");
}

TEST_F(CliHmmTest, RejectsDataTheEmissionCannotHold) {
  const std::string negative = Write("neg.csv", "x\n1\n2\n-1\n");
  ExpectUsageError(Run({"hmm", "fit", negative, "-k", "1", "--emission", "poisson"}),
                   negative + ": X[2, 0] = -1: Poisson features must be non-negative");
  const std::string fraction = Write("frac.csv", "x\n1\n0.5\n");
  ExpectUsageError(Run({"hmm", "fit", fraction, "-k", "1", "--emission", "categorical"}),
                   fraction + ": X[1, 0] = 0.5");
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "-k", "2", "--emission", "categorical"}),
                   "categorical emissions read one symbol per row");
}

TEST_F(CliHmmTest, RejectsBadOptionsAndModels) {
  ExpectUsageError(Run({"hmm", "fit", kFaithful, "-k", "2", "--emission", "beta"}),
                   "--emission: unknown emission \"beta\"");
  ExpectUsageError(
      Run({"hmm", "fit", kFaithful, "-k", "2", "--emission", "poisson", "--covariance", "full"}),
      "--covariance applies to --emission gaussian or gmm only, not to poisson");
  const std::string model = FitFaithfulHmm("h.json");
  ExpectUsageError(Run({"hmm", "decode", model, kFaithful, "--method", "forward"}),
                   "--method: unknown method \"forward\"");
  ExpectUsageError(Run({"hmm", "sample", model, "-n", "0"}), "-n 0 must be >= 1");
  ExpectUsageError(Run({"hmm", "sample", model, "-n", "3", "--sequences", "0"}),
                   "--sequences 0 must be >= 1");
  // A mixture is not an HMM, and the reverse.
  const Result fit = Run({"fit", kFaithful, "-k", "2", "-o", Path("g.json"), "-q"});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  ExpectUsageError(Run({"hmm", "decode", Path("g.json"), kFaithful}),
                   "holds a gaussian_mixture, not a hidden Markov model");
  ExpectUsageError(Run({"predict", model, kFaithful}), "holds a hidden Markov model");
  const std::string no_transmat = Write(
      "broken.json", R"({"format": "emkit-model", "version": 1, "model": "hmm",
        "emission": "gaussian", "startprob": [0.5, 0.5]})");
  ExpectUsageError(Run({"hmm", "score", no_transmat, kFaithful}),
                   no_transmat + ": missing key \"transmat\"");
}

TEST_F(CliHmmTest, WritesReportAndJson) {
  const Result r = Run({"hmm", "fit", kFaithful, "-k", "2", "--json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_TRUE(report["usable"].get<bool>());
  EXPECT_EQ(report["num_samples"], kFaithfulRows);
}

}  // namespace
}  // namespace emkit
