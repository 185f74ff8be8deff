// emkit fit --online: stepwise EM over mini-batches of DATA's rows. The
// model file is the same in memory and streamed (.npy and text), for 1 and
// 2 threads and several read sizes; the report has one iteration per
// batch; bad options and bad rows found in a later batch get exit 2 and no
// model file. (The convergence of stepwise EM itself is checked in
// src/engine/stepwise_em_test.cc, against batch EM.)
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_fixture.h"
#include "emkit/random.h"

namespace emkit::cli_testing {
namespace {

// Three clusters in 3-D.
std::vector<double> MakeValues(int rows, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> values;
  for (int i = 0; i < rows; ++i) {
    const int k = i % 3;
    values.push_back(4.0 * k + StandardNormal(rng));
    values.push_back(-2.0 * k + StandardNormal(rng));
    values.push_back(0.5 * k * k + 0.3 * StandardNormal(rng));
  }
  return values;
}

std::string CsvText(const std::vector<double>& values, int columns) {
  std::string text = "x,y,z\n";
  for (std::size_t i = 0; i < values.size(); i += static_cast<std::size_t>(columns)) {
    for (int j = 0; j < columns; ++j) {
      if (j > 0) text += ',';
      text += fmt::format("{:.17g}", values[i + static_cast<std::size_t>(j)]);
    }
    text += '\n';
  }
  return text;
}

class OnlineTest : public CliTest {};

const std::vector<std::vector<std::string>> kVariants = {
    {"--threads", "2"},
    {"--stream", "--threads", "1", "--read-size", "1K"},
    {"--stream", "--threads", "2", "--read-size", "1K"},
    {"--memory-limit", "1K", "--threads", "2"},
};

TEST_F(OnlineTest, GaussianModelsAreTheSameStreamedOrInMemory) {
  const std::vector<double> values = MakeValues(3000, 1);
  const std::string npy = Write("d.npy", NpyBytes(values, 3000, 3));
  for (const char* covariance : {"full", "diag", "spherical", "tied"}) {
    for (const char* dtype : {"float64", "float32"}) {
      ExpectSameModel(npy,
                      {"-k", "3", "--covariance", covariance, "--seed", "5", "--online",
                       "--batch-size", "250", "--passes", "2", "--dtype", dtype},
                      kVariants);
    }
  }
  const std::string csv = Write("d.csv", CsvText(values, 3));
  ExpectSameModel(csv, {"-k", "3", "--seed", "5", "--online", "--batch-size", "333",
                        "--average", "--step-exponent", "0.9"},
                  kVariants);
  // The text and the .npy file hold the same doubles.
  ASSERT_EQ(Run({"fit", npy, "-k", "3", "--seed", "5", "--online", "--batch-size", "333",
                 "--average", "--step-exponent", "0.9", "-o", Path("npy.json"), "-q"})
                .exit_code,
            0);
  ASSERT_EQ(Run({"fit", csv, "-k", "3", "--seed", "5", "--online", "--batch-size", "333",
                 "--average", "--step-exponent", "0.9", "-o", Path("csv.json"), "-q"})
                .exit_code,
            0);
  const Json from_npy = Json::parse(ReadFileBytes(Path("npy.json")));
  const Json from_csv = Json::parse(ReadFileBytes(Path("csv.json")));
  for (const char* key : {"weights", "means", "covariances"}) {
    EXPECT_EQ(from_npy[key], from_csv[key]) << key;
  }
}

TEST_F(OnlineTest, DiscreteModelsAreTheSameStreamedOrInMemory) {
  std::vector<double> counts;
  Rng rng(3);
  for (int i = 0; i < 2000; ++i) {
    for (int j = 0; j < 4; ++j) counts.push_back(static_cast<double>((i % 2 == 0 ? j : 5 - j) + (rng() % 3)));
  }
  const std::string npy = Write("c.npy", NpyBytes(counts, 2000, 4));
  for (const char* model : {"poisson", "categorical"}) {
    ExpectSameModel(npy, {"--model", model, "-k", "2", "--seed", "1", "--online",
                          "--batch-size", "128"},
                    kVariants);
  }
}

TEST_F(OnlineTest, TheReportHasOneIterationPerBatch) {
  const std::string npy = Write("d.npy", NpyBytes(MakeValues(1000, 2), 1000, 3));
  const Result r = Run({"fit", npy, "-k", "3", "--online", "--batch-size", "300", "--passes",
                        "2", "--json", "-o", Path("m.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["termination"], "passes_done");
  EXPECT_EQ(report["n_iter"], 8);  // 4 batches (300, 300, 300, 100) a pass
  EXPECT_EQ(report["online"]["batch_size"], 300);
  EXPECT_EQ(report["online"]["passes"], 2);
  EXPECT_EQ(report["online"]["batches"], 8);
  EXPECT_EQ(report["online"]["step_exponent"], 0.6);
  EXPECT_EQ(report["online"]["averaged"], false);
  EXPECT_EQ(report["certificate"]["checked"], 0);
  ASSERT_EQ(report["restarts"][0]["iterations"].size(), 8u);
}

TEST_F(OnlineTest, BadOptionsAreRefusedBeforeAnyWork) {
  const std::string npy = Write("d.npy", NpyBytes(MakeValues(300, 3), 300, 3));
  const std::string out = Path("m.json");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--online", "--batch-size", "10", "--step-exponent", "0.5"}, "--step-exponent"},
      {{"--online", "--batch-size", "10", "--step-exponent", "1.5"}, "(0.5, 1]"},
      {{"--online", "--batch-size", "0"}, "--batch-size"},
      {{"--online", "--batch-size", "10", "--passes", "0"}, "--passes"},
      {{"--online"}, "--online needs --batch-size"},
      {{"--batch-size", "10"}, "--batch-size applies with --online only"},
      {{"--average"}, "--average applies with --online only"},
      {{"--online", "--batch-size", "10", "--max-iter", "5"}, "--max-iter applies to batch EM"},
      {{"--online", "--batch-size", "10", "--n-init", "3"}, "--n-init applies to batch EM"},
      {{"--online", "--batch-size", "10", "--accelerate", "squarem"}, "--accelerate"},
      {{"--online", "--batch-size", "10", "--checkpoint", Path("c.ckpt")}, "--checkpoint"},
  };
  for (const auto& [flags, message] : cases) {
    const Result r = Run(With({"fit", npy, "-k", "3", "-o", out}, flags));
    EXPECT_EQ(r.exit_code, 2) << fmt::format("{}", fmt::join(flags, " "));
    EXPECT_THAT(r.err, HasSubstr(message)) << fmt::format("{}", fmt::join(flags, " "));
    EXPECT_FALSE(Exists("m.json"));
  }
}

TEST_F(OnlineTest, ABadRowInALaterBatchNamesItsRowAndWritesNothing) {
  std::vector<double> bits;
  for (int i = 0; i < 1000; ++i) {
    for (int j = 0; j < 3; ++j) bits.push_back(static_cast<double>((i * 7 + j * 3) % 5 < 2));
  }
  bits[1800 / 3 * 3 + 1] = 2.0;  // row 600, column 1
  const std::string npy = Write("b.npy", NpyBytes(bits, 1000, 3));
  for (const char* stream : {"--threads=1", "--stream"}) {
    const Result r = Run({"fit", npy, "--model", "bernoulli", "-k", "2", "--online",
                          "--batch-size", "128", stream, "-o", Path("m.json")});
    EXPECT_EQ(r.exit_code, 2) << stream;
    EXPECT_THAT(r.err, HasSubstr("X[600, 1] = 2")) << r.err;
    EXPECT_FALSE(Exists("m.json"));
  }
}

}  // namespace
}  // namespace emkit::cli_testing
