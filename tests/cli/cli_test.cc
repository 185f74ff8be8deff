// Runs the built emkit command as scripts do and checks its outputs, exit
// codes and messages.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/model_file.h"
#include "emkit/option_table.h"
#include "emkit/options.h"
#include "test_files.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using cli_testing::CliTest;
using cli_testing::Json;
using cli_testing::kFaithful;
using cli_testing::kFaithfulRows;
using cli_testing::Lines;
using cli_testing::Result;
using io::testing::ReadFileBytes;

// ---------------------------------------------------------------------------
// fit

class CliFitTypeTest : public CliTest,
                       public ::testing::WithParamInterface<const char*> {};

TEST_P(CliFitTypeTest, FitsFaithful) {
  const Result r = Run({"fit", kFaithful, "-k", "2", "--covariance", GetParam(), "-o",
                        Path("m.json"), "--report", Path("r.json"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");

  std::vector<std::string> names;
  const GaussianMixtureModel model = io::LoadModel(Path("m.json"), &names);
  EXPECT_STREQ(CovarianceTypeName(CovarianceTypeOf(model)), GetParam());
  EXPECT_EQ(NumComponents(model), 2);
  EXPECT_EQ(NumFeatures(model), 2);
  EXPECT_EQ(names, (std::vector<std::string>{"eruptions", "waiting"}));

  const Json report = Json::parse(ReadFileBytes(Path("r.json")));
  for (const char* key :
       {"total_log_likelihood", "mean_log_likelihood", "converged", "n_iter",
        "termination", "message", "usable", "bic", "aic", "num_free_parameters",
        "num_samples", "threads_given", "threads_used", "block_rows", "total_seconds",
        "certificate", "repairs", "best_restart", "restarts"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  EXPECT_EQ(report["certificate"]["violations"], 0);
  EXPECT_GT(report["certificate"]["checked"].get<int>(), 0);
  EXPECT_EQ(report["usable"], true);
  EXPECT_EQ(report["num_samples"].get<double>(), kFaithfulRows);
  EXPECT_EQ(report["num_free_parameters"].get<std::int64_t>(), NumFreeParameters(model));
  for (const char* key : {"collapsed_components", "regularized_covariances",
                          "initial_covariances_from_data"}) {
    EXPECT_TRUE(report["repairs"].contains(key)) << key;
  }
  ASSERT_EQ(report["restarts"].size(), 1u);
  const Json& restart = report["restarts"][0];
  for (const char* key :
       {"restart", "seed", "initial_mean_log_likelihood", "mean_log_likelihood", "n_iter",
        "converged", "termination", "message", "certificate_violations", "repairs",
        "seconds", "iterations"}) {
    EXPECT_TRUE(restart.contains(key)) << key;
  }
  ASSERT_FALSE(restart["iterations"].empty());
  for (const char* key : {"iteration", "mean_log_likelihood", "bound_gain",
                          "loglik_gain", "seconds", "certificate_violated"}) {
    EXPECT_TRUE(restart["iterations"][0].contains(key)) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, CliFitTypeTest,
                         ::testing::Values("full", "diag", "spherical", "tied"));

TEST_F(CliTest, FitPrintsHumanReportOnStderr) {
  const Result r = Run({"fit", kFaithful, "-k", "2", "-o", Path("m.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("emkit: converged"));
  EXPECT_THAT(r.err, HasSubstr("certificate: "));
  EXPECT_THAT(r.err, HasSubstr("repairs: "));
  // Standard error is not a terminal here: no progress line.
  EXPECT_THAT(r.err, Not(HasSubstr("\r")));
}

TEST_F(CliTest, FitWithoutOutputPrintsModelOrReport) {
  const Result model = Run({"fit", kFaithful, "-k", "2", "--quiet"});
  ASSERT_EQ(model.exit_code, 0) << model.err;
  EXPECT_EQ(model.out, ReadFileBytes(FitFaithful("m.json")));

  const Result report = Run({"fit", kFaithful, "-k", "2", "--json", "-o", Path("j.json")});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_TRUE(Json::parse(report.out).contains("restarts"));
  EXPECT_EQ(ReadFileBytes(Path("j.json")), ReadFileBytes(Path("m.json")));
}

TEST_F(CliTest, ModelIsByteIdenticalForAnyThreadCountAndRun) {
  const std::vector<std::string> options = {"--n-init", "3", "--seed", "5",
                                            "--init", "random"};
  std::vector<std::string> one = options, two = options, all = options;
  one.insert(one.end(), {"--threads", "1"});
  two.insert(two.end(), {"--threads", "2"});
  all.insert(all.end(), {"--threads", "0"});
  const std::string a = ReadFileBytes(FitFaithful("a.json", one));
  const std::string b = ReadFileBytes(FitFaithful("b.json", two));
  const std::string again = ReadFileBytes(FitFaithful("c.json", one));
  const std::string c = ReadFileBytes(FitFaithful("d.json", all));
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, again);
  EXPECT_EQ(a, c);
}

TEST_F(CliTest, DifferentSeedsGiveDifferentRandomStarts) {
  const std::string base = ReadFileBytes(
      FitFaithful("s0.json", {"--init", "random", "--n-init", "1", "--seed", "0"}));
  bool any_differs = false;
  for (const char* seed : {"1", "2", "3"}) {
    const std::string other = ReadFileBytes(FitFaithful(
        std::string("s") + seed + ".json", {"--init", "random", "--n-init", "1", "--seed", seed}));
    any_differs = any_differs || other != base;
  }
  EXPECT_TRUE(any_differs);
}

TEST_F(CliTest, InitModelContinuesAFit) {
  const std::string start = FitFaithful("start.json", {"--max-iter", "1", "--init", "random"});
  const Result r = Run({"fit", kFaithful, "--init-model", start, "-o", Path("next.json"),
                        "--report", Path("r.json"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(ReadFileBytes(Path("r.json")));
  EXPECT_GE(report["restarts"][0]["mean_log_likelihood"].get<double>(),
            report["restarts"][0]["initial_mean_log_likelihood"].get<double>());
  std::vector<std::string> names;
  const GaussianMixtureModel next = io::LoadModel(Path("next.json"), &names);
  EXPECT_EQ(NumComponents(next), 2);
  EXPECT_EQ(names, (std::vector<std::string>{"eruptions", "waiting"}));

  // Options that agree with the model may be given; others are rejected.
  EXPECT_EQ(Run({"fit", kFaithful, "--init-model", start, "-k", "2", "--covariance",
                 "full", "-o", Path("agree.json"), "--quiet"}).exit_code, 0);
  ExpectUsageError(Run({"fit", kFaithful, "--init-model", start, "-k", "3", "-o",
                        Path("x.json")}),
                   "-k 3 conflicts with --init-model");
  ExpectUsageError(Run({"fit", kFaithful, "--init-model", start, "--covariance", "diag",
                        "-o", Path("x.json")}),
                   "--covariance diag conflicts with --init-model");
  ExpectUsageError(Run({"fit", kFaithful, "--init-model", start, "--init", "random"}),
                   "--init does not apply with --init-model");
  EXPECT_FALSE(Exists("x.json"));
}

// ---------------------------------------------------------------------------
// predict, score, sample, info

TEST_F(CliTest, PredictWritesLabels) {
  const std::string model = FitFaithful("m.json");
  const Result r = Run({"predict", model, kFaithful});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), kFaithfulRows + 1u);
  EXPECT_EQ(lines[0], "label");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_TRUE(lines[i] == "0" || lines[i] == "1") << lines[i];
  }
  const Result to_file = Run({"predict", model, kFaithful, "-o", Path("labels.csv")});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(to_file.out, "");
  EXPECT_EQ(ReadFileBytes(Path("labels.csv")), r.out);
}

TEST_F(CliTest, PredictProbaWritesProbabilities) {
  const Result r = Run({"predict", FitFaithful("m.json"), kFaithful, "--proba"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), kFaithfulRows + 1u);
  EXPECT_EQ(lines[0], "p0,p1");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t comma = lines[i].find(',');
    ASSERT_NE(comma, std::string::npos);
    const double sum = std::stod(lines[i].substr(0, comma)) + std::stod(lines[i].substr(comma + 1));
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
}

TEST_F(CliTest, ScorePrintsMeanLogLikelihood) {
  const std::string model = FitFaithful("m.json", {"--report", Path("r.json")});
  const Result r = Run({"score", model, kFaithful});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(ReadFileBytes(Path("r.json")));
  EXPECT_EQ(std::stod(r.out), report["mean_log_likelihood"].get<double>());

  const Result j = Run({"score", model, kFaithful, "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const Json score = Json::parse(j.out);
  EXPECT_EQ(score["n_samples"], kFaithfulRows);
  EXPECT_EQ(score["mean_log_likelihood"].get<double>(), std::stod(r.out));
  EXPECT_EQ(score["total_log_likelihood"].get<double>(),
            report["total_log_likelihood"].get<double>());
  EXPECT_NEAR(score["bic"].get<double>(), report["bic"].get<double>(), 1e-9);
  EXPECT_NEAR(score["aic"].get<double>(), report["aic"].get<double>(), 1e-9);
}

TEST_F(CliTest, SampleIsSeeded) {
  const std::string model = FitFaithful("m.json");
  const Result a = Run({"sample", model, "-n", "50", "--seed", "3"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::vector<std::string> lines = Lines(a.out);
  ASSERT_EQ(lines.size(), 51u);
  EXPECT_EQ(lines[0], "eruptions,waiting");
  EXPECT_EQ(Run({"sample", model, "-n", "50", "--seed", "3"}).out, a.out);
  EXPECT_NE(Run({"sample", model, "-n", "50", "--seed", "4"}).out, a.out);

  const Result labelled = Run({"sample", model, "-n", "5", "--labels", "-o", Path("s.csv")});
  ASSERT_EQ(labelled.exit_code, 0) << labelled.err;
  const std::vector<std::string> rows = Lines(ReadFileBytes(Path("s.csv")));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0], "eruptions,waiting,component");
  ExpectUsageError(Run({"sample", model, "-n", "0"}), "-n 0 must be >= 1");
}

TEST_F(CliTest, SampledDataRefits) {
  const std::string model = FitFaithful("m.json", {"--covariance", "diag"});
  ASSERT_EQ(Run({"sample", model, "-n", "200", "-o", Path("s.csv")}).exit_code, 0);
  EXPECT_EQ(Run({"fit", Path("s.csv"), "-k", "2", "-o", Path("refit.json"), "--quiet"})
                .exit_code,
            0);
}

TEST_F(CliTest, InfoSummarisesModel) {
  const Result r = Run({"info", FitFaithful("m.json", {"--covariance", "tied"})});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("tied covariance"));
  EXPECT_THAT(r.out, HasSubstr("components:       2"));
  EXPECT_THAT(r.out, HasSubstr("features:         2"));
  EXPECT_THAT(r.out, HasSubstr("eruptions, waiting"));
  EXPECT_THAT(r.out, HasSubstr("free parameters:  8"));
  EXPECT_THAT(r.out, HasSubstr("shared covariance"));
}

TEST_F(CliTest, VersionAndUsage) {
  const Result version = Run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, StartsWith("emkit "));
  EXPECT_EQ(Run({"--help"}).exit_code, 0);
  ExpectUsageError(Run({}), "subcommand");
  ExpectUsageError(Run({"fit", kFaithful, "-k", "2", "--bogus"}), "--bogus");
  ExpectUsageError(Run({"fit", kFaithful}), "-k (the number of components) is required");
  ExpectUsageError(Run({"fit", kFaithful, "-k", "two"}), "two");
}

// The text of `flag` in a help screen: from its line to the next option's.
std::string HelpOf(const std::string& help, const std::string& flag) {
  const std::size_t at = help.find("  " + flag + " ");
  if (at == std::string::npos) return "";
  return help.substr(at, help.find("\n  -", at) - at);
}

// Both fit commands take their engine flags, help and defaults from
// FitOptions' option table; compared with FitOptions{} itself, so that a
// changed default cannot leave the help text behind.
TEST_F(CliTest, EngineOptionHelpComesFromTheEngineTable) {
  const FitOptions defaults;
  const std::vector<std::pair<std::string, std::string>> flags = {
      {"--n-init", internal::IntegerText(defaults.n_init)},
      {"--max-iter", internal::IntegerText(defaults.max_iter)},
      {"--tol", internal::NumberText(defaults.tol)},
      {"--seed", internal::IntegerText(defaults.seed)},
      {"--threads", internal::IntegerText(defaults.num_threads)},
      {"--max-time", internal::NumberText(defaults.max_seconds)}};
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"fit", "--help"}, {"hmm", "fit", "--help"}}) {
    SCOPED_TRACE(command[0]);
    const Result r = Run(command);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [flag, value] : flags) {
      EXPECT_THAT(HelpOf(r.out, flag), HasSubstr("(default " + value + ")")) << flag;
    }
    EXPECT_THAT(HelpOf(r.out, "--max-iter"),
                HasSubstr(fmt::format("Maximum EM iterations per restart (default {})",
                                      defaults.max_iter)));
  }
}

TEST_F(CliTest, EngineFlagsParseIntegersStrictly) {
  for (const char* command : {"fit", "hmm"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> fit = {"fit", kFaithful, "-k", "2", "-o", Path("m.json")};
    if (std::string(command) == "hmm") fit.insert(fit.begin(), "hmm");
    const auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = fit;
      args.insert(args.end(), extra.begin(), extra.end());
      return Run(args);
    };
    ExpectUsageError(with({"--max-iter", "12x"}),
                     "--max-iter: max_iter = \"12x\" is not an integer");
    ExpectUsageError(with({"--n-init", "1.5"}), "--n-init: n_init = \"1.5\" is not an integer");
    ExpectUsageError(with({"--seed", "-1"}), "--seed: seed = \"-1\" is not an integer >= 0");
    ExpectUsageError(with({"--threads", "99999999999"}),
                     "--threads: num_threads = \"99999999999\" is outside the range");
    ExpectUsageError(with({"--tol", "x"}), "--tol: tol = \"x\" is not a number");
  }
}

// ---------------------------------------------------------------------------
// Data sources and column selection

TEST_F(CliTest, ReadsCsvFromStandardInput) {
  const std::string text = ReadFileBytes(kFaithful);
  const Result fit = Run({"fit", "-", "-k", "2", "--quiet"}, text);
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_EQ(fit.out, ReadFileBytes(FitFaithful("m.json")));
  const Result predict = Run({"predict", Path("m.json"), "-"}, text);
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(predict.out, Run({"predict", Path("m.json"), kFaithful}).out);
  ExpectUsageError(Run({"fit", "-", "-k", "2"}, "1,2\n3,x\n"), "<stdin>:2:2");
}

TEST_F(CliTest, SelectsColumnsByNameAndIndex) {
  const Result by_name =
      Run({"fit", kFaithful, "-k", "2", "--columns", "waiting", "-o", Path("w.json"), "-q"});
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  std::vector<std::string> names;
  EXPECT_EQ(NumFeatures(io::LoadModel(Path("w.json"), &names)), 1);
  EXPECT_EQ(names, std::vector<std::string>{"waiting"});

  const Result by_index =
      Run({"fit", kFaithful, "-k", "2", "--columns", "1,0", "-o", Path("r.json"), "-q"});
  ASSERT_EQ(by_index.exit_code, 0) << by_index.err;
  (void)io::LoadModel(Path("r.json"), &names);
  EXPECT_EQ(names, (std::vector<std::string>{"waiting", "eruptions"}));

  // The reversed model picks its columns from faithful by name.
  const Result predict = Run({"predict", Path("r.json"), kFaithful});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  EXPECT_EQ(Lines(predict.out).size(), kFaithfulRows + 1u);
  // The one-feature model too, and an explicit --columns overrides names.
  EXPECT_EQ(Run({"score", Path("w.json"), kFaithful}).exit_code, 0);
  EXPECT_EQ(Run({"score", Path("w.json"), kFaithful, "--columns", "1"}).out,
            Run({"score", Path("w.json"), kFaithful}).out);

  const std::string other = Write("other.csv", "eruptions,delay\n1,2\n3,4\n");
  ExpectUsageError(Run({"predict", Path("r.json"), other}), "no column \"waiting\"");
  ExpectUsageError(Run({"fit", kFaithful, "-k", "2", "--columns", "nope"}),
                   "unknown column \"nope\"");
}

TEST_F(CliTest, ChecksFeatureCount) {
  const std::string model = FitFaithful("m.json");
  const std::string three = Write("three.csv", "1,2,3\n4,5,6\n");
  ExpectUsageError(Run({"predict", model, three}),
                   "three.csv: the data has 3 columns, but the model has 2 features");
}

TEST_F(CliTest, ReadsFilesWithoutHeader) {
  const std::string data = Write("plain.csv", "1,2\n1.5,2.5\n8,9\n8.5,9.5\n8.2,9.1\n");
  const Result r = Run({"fit", data, "-k", "2", "--no-header", "-o", Path("m.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  EXPECT_EQ(NumFeatures(io::LoadModel(Path("m.json"), &names)), 2);
  EXPECT_TRUE(names.empty());
  EXPECT_EQ(Lines(Run({"sample", Path("m.json"), "-n", "2"}).out)[0], "x0,x1");
  // Forcing a header makes the first row names.
  const Result header = Run({"fit", data, "-k", "2", "--header", "-o", Path("h.json"), "-q"});
  ASSERT_EQ(header.exit_code, 0) << header.err;
  (void)io::LoadModel(Path("h.json"), &names);
  EXPECT_EQ(names, (std::vector<std::string>{"1", "2"}));
  ExpectUsageError(Run({"fit", data, "-k", "2", "--header", "--no-header"}), "excludes");
}

TEST_F(CliTest, ReadsTsvAndDelimiters) {
  std::string tsv = ReadFileBytes(kFaithful);
  for (char& c : tsv) {
    if (c == ',') c = '\t';
  }
  const std::string path = Write("faithful.tsv", tsv);
  const Result r = Run({"fit", path, "-k", "2", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ReadFileBytes(FitFaithful("m.json")));

  const std::string txt = Write("faithful.txt", tsv);
  for (const char* delimiter : {"tab", "\\t"}) {
    const Result d = Run({"fit", txt, "-k", "2", "--quiet", "--delimiter", delimiter});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_EQ(d.out, r.out);
  }
  ExpectUsageError(Run({"fit", txt, "-k", "2", "--delimiter", "ab"}), "--delimiter \"ab\"");
}

TEST_F(CliTest, ReadsNpy) {
  const std::vector<double> values = {1, 2, 1.5, 2.5, 1.2, 2.1, 8, 9, 8.5, 9.5, 8.2, 9.1};
  const std::string path = Write("data.npy", cli_testing::NpyBytes(values, 6, 2));
  const Result r = Run({"fit", path, "-k", "2", "-o", Path("m.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Result p = Run({"predict", Path("m.json"), path});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const std::vector<std::string> lines = Lines(p.out);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[1], lines[2]);
  EXPECT_NE(lines[1], lines[4]);
}

// ---------------------------------------------------------------------------
// Bad input: exit code 2, one line naming the problem, no output file.

TEST_F(CliTest, RejectsNonNumericCell) {
  const std::string data = Write("bad.csv", "a,b\n1,2\n3,x\n");
  ExpectUsageError(Run({"fit", data, "-k", "1"}), "bad.csv:3:2: cannot parse \"x\"");
}

TEST_F(CliTest, RejectsRaggedRow) {
  const std::string data = Write("ragged.csv", "1,2\n3,4\n5\n");
  ExpectUsageError(Run({"fit", data, "-k", "1"}), "ragged.csv:3: expected 2 fields, found 1");
}

TEST_F(CliTest, RejectsEmptyFile) {
  const std::string data = Write("empty.csv", "");
  ExpectUsageError(Run({"fit", data, "-k", "1"}), "empty.csv: the file is empty");
}

TEST_F(CliTest, RejectsNanCell) {
  const std::string data = Write("nan.csv", "a,b\n1,2\nnan,3\n");
  ExpectUsageError(Run({"fit", data, "-k", "1"}), "nan.csv:3:1: \"nan\" is not a finite number");
}

TEST_F(CliTest, RejectsFewerRowsThanComponents) {
  const std::string data = Write("few.csv", "1,2\n3,4\n");
  ExpectUsageError(Run({"fit", data, "-k", "3"}), "few.csv: X has 2 rows, fewer than n_components = 3");
}

TEST_F(CliTest, RejectsUnknownOptionValues) {
  ExpectUsageError(Run({"fit", kFaithful, "-k", "2", "--covariance", "banded"}),
                   "--covariance: covariance type \"banded\" is not one of");
  ExpectUsageError(Run({"fit", kFaithful, "-k", "2", "--init", "kmedoids"}),
                   "--init: init method \"kmedoids\" is not one of");
  ExpectUsageError(Run({"fit", kFaithful, "-k", "0"}), "n_components = 0 must be >= 1");
  ExpectUsageError(Run({"fit", kFaithful, "-k", "2", "--tol", "-1"}), "tol");
}

TEST_F(CliTest, RejectsFilesThatAreNotModels) {
  const std::string json = Write("other.json", "{\"weights\": [1]}\n");
  ExpectUsageError(Run({"predict", json, kFaithful}),
                   "other.json: not an emkit model file (no \"format\": \"emkit-model\")");
  ExpectUsageError(Run({"info", kFaithful}), "faithful.csv: not valid JSON (byte ");
  ExpectUsageError(Run({"score", Path("absent.json"), kFaithful}),
                   "absent.json: cannot open: No such file or directory");
  ExpectUsageError(Run({"fit", kFaithful, "--init-model", json}), "not an emkit model file");
}

TEST_F(CliTest, RejectsMissingDataFile) {
  ExpectUsageError(Run({"fit", Path("absent.csv"), "-k", "2"}),
                   "absent.csv: cannot open: No such file or directory");
  ExpectUsageError(Run({"predict", FitFaithful("m.json"), Path("absent.csv")}),
                   "absent.csv: cannot open");
}

TEST_F(CliTest, FailedFitLeavesNoOutput) {
  const std::string bad = Write("bad.csv", "a,b\n1,2\n3,x\n");
  ExpectUsageError(Run({"fit", bad, "-k", "1", "-o", Path("out.json"), "--report",
                        Path("report.json")}),
                   "bad.csv:3:2");
  EXPECT_FALSE(Exists("out.json"));
  EXPECT_FALSE(Exists("report.json"));

  const std::string kept = Write("kept.json", "previous content");
  ExpectUsageError(Run({"fit", bad, "-k", "1", "-o", kept}), "bad.csv:3:2");
  EXPECT_EQ(ReadFileBytes(kept), "previous content");
  ExpectUsageError(Run({"fit", kFaithful, "-k", "500", "-o", kept}), "fewer than n_components");
  EXPECT_EQ(ReadFileBytes(kept), "previous content");
  ExpectUsageError(Run({"predict", Path("absent.json"), kFaithful, "-o", kept}), "cannot open");
  EXPECT_EQ(ReadFileBytes(kept), "previous content");
  // No temporary files are left behind either.
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr(".tmp")));
  }
}

TEST_F(CliTest, RejectsOutputInMissingDirectory) {
  ExpectUsageError(Run({"fit", kFaithful, "-k", "2", "-o", Path("no/such/m.json")}),
                   "does not exist");
}

}  // namespace
}  // namespace emkit
