// emkit hmm fit on a streamed DATA (--stream, or --memory-limit below the
// rows' size): the model file is the in-memory fit's, byte for byte, for
// Gaussian and GMM emissions of every covariance type, Poisson, Bernoulli
// and categorical emissions, float32, a given model, --lengths and --sequence-column, .npy
// and text, 1 and 2 threads and several read sizes; checkpoints pass
// between the two ways of reading; bad input gets the in-memory fit's
// message, exit 2 and no model file.
#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_fixture.h"
#include "emkit/random.h"
#include "../under_sanitizer.h"

namespace emkit::cli_testing {
namespace {

const std::vector<std::string> kHmmFit = {"hmm", "fit"};

// A three-state chain's observations in 3-D, one feature far from the
// origin: rows of `rows` x 3, state changing every few rows.
std::vector<double> MakeSequenceValues(int rows, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> values;
  int state = 0;
  for (int i = 0; i < rows; ++i) {
    if (UniformDouble(rng) < 0.2) state = static_cast<int>(UniformIndex(rng, 3));
    values.push_back(3.0 * state + StandardNormal(rng) + 500.0);
    values.push_back(-2.0 * state + StandardNormal(rng));
    values.push_back(0.5 * state * state + 0.3 * StandardNormal(rng));
  }
  return values;
}

// Lengths 5, 17, 29, ... cycling, adding up to `rows`, one per line.
std::string LengthsText(int rows) {
  std::string text;
  for (int i = 0, total = 0; total < rows; ++i) {
    const int length = std::min(5 + (i * 12) % 60, rows - total);
    text += std::to_string(length) + "\n";
    total += length;
  }
  return text;
}

class HmmStreamTest : public CliTest {};

const std::vector<std::vector<std::string>> kStreamed = {
    {"--stream", "--threads", "1", "--read-size", "1K"},
    {"--stream", "--threads", "2", "--read-size", "1K"},
    {"--stream", "--threads", "2"},
    {"--memory-limit", "1K", "--threads", "1", "--read-size", "10000"},
};

TEST_F(HmmStreamTest, GaussianModelsAreThoseOfTheInMemoryFit) {
  const std::string data = Write("d.npy", NpyBytes(MakeSequenceValues(2000, 1), 2000, 3));
  const std::string lengths = Write("lengths.txt", LengthsText(2000));
  for (const char* covariance : {"full", "diag", "spherical", "tied"}) {
    for (const char* dtype : {"float64", "float32"}) {
      ExpectSameModel(data,
                      {"-k", "3", "--covariance", covariance, "--n-init", "2", "--seed", "5",
                       "--max-iter", "20", "--dtype", dtype, "--lengths", lengths},
                      kStreamed, kHmmFit);
    }
  }
  // One sequence of all rows, accelerated; and a fit from a model.
  ExpectSameModel(data, {"-k", "2", "--seed", "3", "--accelerate", "squarem", "--max-iter", "50"},
                  {kStreamed[1]}, kHmmFit);
  ASSERT_EQ(Run({"hmm", "fit", data, "-k", "3", "--max-iter", "2", "--lengths", lengths, "-o",
                 Path("start.json"), "-q"})
                .exit_code,
            0);
  ExpectSameModel(data, {"--init-model", Path("start.json"), "--lengths", lengths},
                  {kStreamed[0], kStreamed[1]}, kHmmFit);
}

TEST_F(HmmStreamTest, DiscreteModelsAreThoseOfTheInMemoryFit) {
  Rng rng(4);
  std::vector<double> counts;
  std::vector<double> bits;
  for (int i = 0; i < 1500; ++i) {
    const bool high = (i / 13) % 2 == 0;
    for (int j = 0; j < 3; ++j) {
      counts.push_back(std::floor((high ? 6.0 : 1.5) * (1.0 + UniformDouble(rng))));
      bits.push_back(UniformDouble(rng) < (high ? 0.8 : 0.25) ? 1.0 : 0.0);
    }
  }
  const std::string count_data = Write("counts.npy", NpyBytes(counts, 1500, 3));
  const std::string bit_data = Write("bits.npy", NpyBytes(bits, 1500, 3));
  const std::string lengths = Write("lengths.txt", LengthsText(1500));
  // Symbols 0..5, the largest late in the file: it decides the categories.
  std::vector<double> symbols;
  for (int i = 0; i < 1500; ++i) symbols.push_back(static_cast<double>((i / 9) % 2 * 2 + i % 3));
  symbols[1400] = 5.0;
  const std::string symbol_data = Write("symbols.npy", NpyBytes(symbols, 1500, 1));
  ExpectSameModel(symbol_data,
                  {"-k", "2", "--emission", "categorical", "--n-init", "2", "--lengths", lengths},
                  kStreamed, kHmmFit);
  const Result streamed_symbols = Run({"hmm", "fit", symbol_data, "-k", "2", "--emission",
                                       "categorical", "--stream", "-o", Path("c.json"), "-q"});
  ASSERT_EQ(streamed_symbols.exit_code, 0) << streamed_symbols.err;
  EXPECT_THAT(Run({"info", Path("c.json")}).out, HasSubstr("6 categories"));
  for (const char* dtype : {"float64", "float32"}) {
    ExpectSameModel(count_data,
                    {"-k", "2", "--emission", "poisson", "--n-init", "2", "--lengths", lengths,
                     "--dtype", dtype},
                    kStreamed, kHmmFit);
    ExpectSameModel(bit_data,
                    {"-k", "2", "--emission", "bernoulli", "--n-init", "2", "--lengths", lengths,
                     "--dtype", dtype},
                    kStreamed, kHmmFit);
  }
}

TEST_F(HmmStreamTest, TextWithASequenceColumnGivesTheInMemoryModel) {
  const std::vector<double> values = MakeSequenceValues(900, 2);
  std::string csv = "x,run,y,z\n";
  for (int i = 0; i < 900; ++i) {
    csv += fmt::format("{:.17g},{},{:.17g},{:.17g}\n", values[3 * i], (i / 37) % 5,
                       values[3 * i + 1], values[3 * i + 2]);
  }
  const std::string data = Write("d.csv", csv);
  ExpectSameModel(data, {"-k", "3", "--sequence-column", "run", "--seed", "2"}, kStreamed,
                  kHmmFit);
  ExpectSameModel(data, {"-k", "2", "--sequence-column", "run", "--columns", "z,run,x"},
                  {kStreamed[1]}, kHmmFit);
  ExpectUsageError(Run({"hmm", "fit", data, "-k", "2", "--sequence-column", "none", "--stream"}),
                   "no column \"none\" for --sequence-column");
  EXPECT_EQ(Run({"hmm", "fit", data, "-k", "2", "--sequence-column", "none", "--stream"}).err,
            Run({"hmm", "fit", data, "-k", "2", "--sequence-column", "none"}).err);
}

TEST_F(HmmStreamTest, CheckpointsPassBetweenStreamedAndInMemoryFits) {
  const std::string data = Write("d.npy", NpyBytes(MakeSequenceValues(1200, 3), 1200, 3));
  const std::string lengths = Write("lengths.txt", LengthsText(1200));
  const std::vector<std::string> fit = {"-k", "3", "--n-init", "2", "--seed", "3", "-q",
                                        "--lengths", lengths};
  ASSERT_EQ(Run(With({"hmm", "fit", data, "-o", Path("whole.json")}, fit)).exit_code, 0);
  const std::string expected = ReadFileBytes(Path("whole.json"));
  for (const bool stream_first : {false, true}) {
    const std::string checkpoint = Path(stream_first ? "s.ck" : "m.ck");
    std::vector<std::string> first =
        With({"hmm", "fit", data, "-o", Path("first.json"), "--checkpoint", checkpoint,
              "--checkpoint-every", "0"},
             fit);
    if (stream_first) first.push_back("--stream");
    const Result r = Run(first);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFileBytes(Path("first.json")), expected);
    std::vector<std::string> resume = {"hmm", "fit", data, "--lengths", lengths, "--resume",
                                       checkpoint, "-o", Path("resumed.json"), "-q"};
    if (!stream_first) resume.push_back("--stream");
    const Result resumed = Run(resume);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(ReadFileBytes(Path("resumed.json")), expected);
  }
}

TEST_F(HmmStreamTest, BadInputGetsTheInMemoryMessagesAndNoModel) {
  std::vector<double> values = MakeSequenceValues(2000, 2);
  values[3 * 1800 + 2] = std::numeric_limits<double>::quiet_NaN();
  const std::string nan_data = Write("nan.npy", NpyBytes(values, 2000, 3));
  const Result memory = Run({"hmm", "fit", nan_data, "-k", "2", "-o", Path("m.json")});
  ExpectUsageError(memory, "X[1800, 2] = nan is not finite");
  const Result streamed = Run({"hmm", "fit", nan_data, "-k", "2", "-o", Path("s.json"),
                               "--stream", "--read-size", "1K"});
  EXPECT_EQ(streamed.err, memory.err);
  EXPECT_EQ(streamed.exit_code, 2);
  EXPECT_FALSE(Exists("s.json"));

  // A negative count in a later block, lengths that do not add up.
  std::vector<double> counts(2000, 1.0);
  counts[1777] = -3.0;
  const std::string count_data = Write("counts.npy", NpyBytes(counts, 2000, 1));
  const std::vector<std::string> poisson = {"hmm", "fit", count_data, "-k", "2",
                                            "--emission", "poisson"};
  const Result counts_memory = Run(poisson);
  EXPECT_THAT(counts_memory.err, HasSubstr("1777"));
  const Result counts_streamed = Run(With(poisson, {"--stream", "-o", Path("c.json")}));
  ExpectUsageError(counts_streamed, "1777");
  EXPECT_EQ(counts_streamed.err, counts_memory.err);
  EXPECT_FALSE(Exists("c.json"));
  const std::string good_data = Write("good.npy", NpyBytes(MakeSequenceValues(2000, 2), 2000, 3));
  const std::string short_lengths = Write("short.txt", "1000\n999\n");
  const Result short_streamed =
      Run({"hmm", "fit", good_data, "-k", "2", "--lengths", short_lengths, "--stream"});
  ExpectUsageError(short_streamed, "the sequence lengths add up to 1999 rows");
  EXPECT_EQ(short_streamed.err,
            Run({"hmm", "fit", good_data, "-k", "2", "--lengths", short_lengths}).err);

  // A file shorter than its header says.
  std::string bytes = NpyBytes(MakeSequenceValues(100, 2), 100, 3);
  const std::string short_data = Write("short.npy", bytes.substr(0, bytes.size() - 16));
  EXPECT_EQ(Run({"hmm", "fit", short_data, "-k", "2", "--stream"}).err,
            Run({"hmm", "fit", short_data, "-k", "2"}).err);
}

TEST_F(HmmStreamTest, DecodeAndScoreGiveTheOutputOfTheRowsInMemory) {
  const std::string data = Write("d.npy", NpyBytes(MakeSequenceValues(1500, 6), 1500, 3));
  const std::string lengths = Write("lengths.txt", LengthsText(1500));
  const std::string model = Path("model.json");
  ASSERT_EQ(Run({"hmm", "fit", data, "-k", "3", "--lengths", lengths, "-o", model, "-q"})
                .exit_code,
            0);
  const std::vector<std::vector<std::string>> uses = {
      {"decode", "-o", Path("out.csv")},
      {"decode", "--method", "posterior", "-o", Path("out.csv")},
      {"decode"},
      {"score", "--json"},
  };
  for (const std::vector<std::string>& use : uses) {
    const std::vector<std::string> command =
        With({"hmm", use[0], model, data, "--lengths", lengths},
             std::vector<std::string>(use.begin() + 1, use.end()));
    const Result memory = Run(command);
    ASSERT_EQ(memory.exit_code, 0) << memory.err;
    const std::string memory_file = Exists("out.csv") ? ReadFileBytes(Path("out.csv")) : "";
    std::filesystem::remove(Path("out.csv"));
    for (const std::vector<std::string>& variant :
         std::vector<std::vector<std::string>>{{"--stream", "--read-size", "1K"},
                                               {"--stream"},
                                               {"--memory-limit", "1K", "--read-size", "10000"}}) {
      const Result streamed = Run(With(command, variant));
      ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
      EXPECT_EQ(streamed.out, memory.out) << fmt::format("{}", fmt::join(variant, " "));
      if (!memory_file.empty()) {
        EXPECT_EQ(ReadFileBytes(Path("out.csv")), memory_file);
        std::filesystem::remove(Path("out.csv"));
      }
    }
  }
  // A bad value late in the file: the in-memory message, no output file.
  std::vector<double> counts(1500, 1.0);
  counts[1444] = -1.0;
  const std::string count_data = Write("counts.npy", NpyBytes(counts, 1500, 1));
  ASSERT_EQ(Run({"hmm", "fit", Write("ok.npy", NpyBytes(std::vector<double>(1500, 2.0), 1500, 1)),
                 "-k", "1", "--emission", "poisson", "-o", Path("poisson.json"), "-q"})
                .exit_code,
            0);
  const Result bad_memory = Run({"hmm", "decode", Path("poisson.json"), count_data});
  const Result bad_streamed = Run({"hmm", "decode", Path("poisson.json"), count_data, "--stream",
                                   "--read-size", "1K", "-o", Path("bad.csv")});
  ExpectUsageError(bad_streamed, "1444");
  EXPECT_EQ(bad_streamed.err, bad_memory.err);
  EXPECT_FALSE(Exists("bad.csv"));
}

// The GMM emissions' two-level k-means gathers each state's rows block by
// block from the stream: the same Gaussians, for every covariance type.
TEST_F(HmmStreamTest, GmmModelsAreThoseOfTheInMemoryFit) {
  const std::string data = Write("d.npy", NpyBytes(MakeSequenceValues(1500, 5), 1500, 3));
  const std::string lengths = Write("lengths.txt", LengthsText(1500));
  for (const char* covariance : {"full", "diag", "spherical", "tied"}) {
    ExpectSameModel(data,
                    {"-k", "3", "--emission", "gmm", "--n-mix", "2", "--covariance", covariance,
                     "--n-init", "2", "--max-iter", "10", "--lengths", lengths},
                    kStreamed, kHmmFit);
  }
  ExpectSameModel(data,
                  {"-k", "2", "--emission", "gmm", "--n-mix", "3", "--dtype", "float32",
                   "--lengths", lengths},
                  {kStreamed[1]}, kHmmFit);
}

TEST_F(HmmStreamTest, AStreamedFitHoldsMuchLessThanTheFile) {
  // 2 million rows of 3 float64 values in sequences of 1000: 48 MB.
  constexpr int kRows = 2'000'000;
  const std::string path = Path("big.npy");
  {
    const std::string head = NpyBytes({}, kRows, 3);
    std::ofstream out(path, std::ios::binary);
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    std::vector<double> piece;
    for (int first = 0; first < kRows; first += 100'000) {
      piece.clear();
      for (int i = first; i < first + 100'000; ++i) {
        const double state = static_cast<double>((i / 7) % 2) * 4.0;
        piece.push_back(state + std::sin(0.001 * i));
        piece.push_back(state + std::cos(0.0007 * i));
        piece.push_back(std::sin(0.013 * i));
      }
      out.write(reinterpret_cast<const char*>(piece.data()),
                static_cast<std::streamsize>(piece.size() * sizeof(double)));
    }
    ASSERT_TRUE(out.good());
  }
  std::string lengths;
  for (int i = 0; i < kRows / 1000; ++i) lengths += "1000\n";
  const std::string lengths_path = Write("lengths.txt", lengths);
  constexpr std::int64_t kFileBytes = std::int64_t{kRows} * 3 * 8;
  const std::vector<std::string> fit = {"hmm", "fit", path, "-k", "2", "--lengths",
                                        lengths_path, "--max-iter", "2", "-q", "--threads", "2"};
  const auto [streamed_code, streamed_peak] =
      RunMeasuringMemory(With(fit, {"--memory-limit", "16M", "--read-size", "1M", "-o",
                                     Path("streamed.json")}));
  ASSERT_EQ(streamed_code, 0);
  const auto [memory_code, memory_peak] =
      RunMeasuringMemory(With(fit, {"--memory-limit", "1G", "-o", Path("memory.json")}));
  ASSERT_EQ(memory_code, 0);
  EXPECT_EQ(ReadFileBytes(Path("streamed.json")), ReadFileBytes(Path("memory.json")));
  EXPECT_GT(memory_peak, kFileBytes);
#ifndef EMKIT_UNDER_SANITIZER
  EXPECT_LT(streamed_peak, kFileBytes / 2) << "peak resident memory " << streamed_peak << " bytes";
#endif
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace emkit::cli_testing
