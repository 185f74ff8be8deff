// emkit fit on a streamed .npy DATA (--stream, or --memory-limit below the
// rows' size): the model file is the in-memory fit's, byte for byte, for
// every covariance type, a discrete family, float32, 1 and 2 threads and
// several read sizes; checkpoints pass between the two ways of reading;
// bad input gets the in-memory fit's message, exit 2 and no model file.
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_fixture.h"
#include "emkit/random.h"
#include "../under_sanitizer.h"

namespace emkit::cli_testing {
namespace {

// Three clusters in 3-D, one far from the origin.
std::vector<double> MakeValues(int rows, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> values;
  for (int i = 0; i < rows; ++i) {
    const int k = i % 3;
    values.push_back(4.0 * k + StandardNormal(rng) + 1000.0);
    values.push_back(-2.0 * k + StandardNormal(rng));
    values.push_back(0.5 * k * k + 0.3 * StandardNormal(rng));
  }
  return values;
}

class StreamTest : public CliTest {};

const std::vector<std::vector<std::string>> kStreamed = {
    {"--stream", "--threads", "1", "--read-size", "1K"},
    {"--stream", "--threads", "2", "--read-size", "1K"},
    {"--stream", "--threads", "2"},
    {"--memory-limit", "1K", "--threads", "1", "--read-size", "10000"},
};

TEST_F(StreamTest, GaussianModelsAreThoseOfTheInMemoryFit) {
  const std::string data = Write("d.npy", NpyBytes(MakeValues(3000, 1), 3000, 3));
  for (const char* covariance : {"full", "diag", "spherical", "tied"}) {
    for (const char* dtype : {"float64", "float32"}) {
      ExpectSameModel(data,
                      {"-k", "3", "--covariance", covariance, "--n-init", "2", "--seed", "5",
                       "--max-iter", "30", "--dtype", dtype},
                      kStreamed);
    }
  }
  // Every init, and a fit from a model.
  for (const char* init : {"random", "random_from_data"}) {
    ExpectSameModel(data, {"-k", "3", "--init", init, "--seed", "2", "--covariance", "diag"},
                    {kStreamed[1]});
  }
  ASSERT_EQ(Run({"fit", data, "-k", "3", "--max-iter", "2", "-o", Path("start.json"), "-q"})
                .exit_code,
            0);
  ExpectSameModel(data, {"--init-model", Path("start.json")}, {kStreamed[0], kStreamed[1]});
}

// SQUAREM's extrapolations read the same statistics from a stream.
TEST_F(StreamTest, AcceleratedFitsAreThoseOfTheInMemoryFit) {
  const std::string data = Write("d.npy", NpyBytes(MakeValues(3000, 1), 3000, 3));
  for (const char* covariance : {"full", "diag"}) {
    ExpectSameModel(data,
                    {"-k", "3", "--covariance", covariance, "--seed", "5", "--tol", "1e-9",
                     "--max-iter", "300", "--accelerate", "squarem"},
                    {kStreamed[0], kStreamed[1]});
  }
}

TEST_F(StreamTest, DiscreteModelsAreThoseOfTheInMemoryFit) {
  Rng rng(4);
  std::vector<double> counts;
  std::vector<double> bits;
  for (int i = 0; i < 2000; ++i) {
    for (int j = 0; j < 4; ++j) {
      const double rate = i % 2 == 0 ? 1.0 + j : 6.0 - j;
      counts.push_back(std::floor(2.0 * rate * UniformDouble(rng)));
      bits.push_back(UniformDouble(rng) < (i % 2 == 0 ? 0.2 : 0.7) ? 1.0 : 0.0);
    }
  }
  const std::string count_data = Write("counts.npy", NpyBytes(counts, 2000, 4));
  const std::string bit_data = Write("bits.npy", NpyBytes(bits, 2000, 4));
  ExpectSameModel(count_data, {"--model", "poisson", "-k", "2", "--n-init", "2", "--seed", "1"},
                  kStreamed);
  ExpectSameModel(bit_data,
                  {"--model", "bernoulli", "-k", "2", "--seed", "1", "--dtype", "float32"},
                  kStreamed);
  // Symbols: the categories come from every row, the largest here the last.
  std::vector<double> symbols;
  for (int i = 0; i < 2000; ++i) symbols.push_back(static_cast<double>((i % 2) * 2 + i % 3));
  symbols.back() = 7.0;
  const std::string symbol_data = Write("symbols.npy", NpyBytes(symbols, 2000, 1));
  ExpectSameModel(symbol_data,
                  {"--model", "categorical", "--categorical-layout", "symbols", "-k", "2",
                   "--n-init", "2"},
                  kStreamed);
}

// The values as delimited text with what ReadDelimited accepts: a header,
// CRLF line ends, blank lines, quoted fields and spaces around numbers.
std::string CsvText(const std::vector<double>& values, int columns) {
  std::string text = "\xEF\xBB\xBFx,\"y\",z\r\n";
  for (std::size_t i = 0; i < values.size(); i += static_cast<std::size_t>(columns)) {
    const std::size_t row = i / static_cast<std::size_t>(columns);
    if (row % 97 == 5) text += "\r\n  \r\n";
    for (int j = 0; j < columns; ++j) {
      const double value = values[i + static_cast<std::size_t>(j)];
      if (j > 0) text += ',';
      text += row % 13 == 0 && j == 1 ? fmt::format("\" {:.17g}\"", value)
                                      : fmt::format("{:.17g}", value);
    }
    text += row % 2 == 0 ? "\r\n" : "\n";
  }
  return text;
}

TEST_F(StreamTest, TextModelsAreThoseOfTheInMemoryFit) {
  const std::string data = Write("d.csv", CsvText(MakeValues(3000, 1), 3));
  for (const char* covariance : {"full", "diag"}) {
    for (const char* dtype : {"float64", "float32"}) {
      ExpectSameModel(data,
                      {"-k", "3", "--covariance", covariance, "--n-init", "2", "--seed", "5",
                       "--max-iter", "30", "--dtype", dtype},
                      kStreamed);
    }
  }
  // Columns by name, and a model whose features pick the columns by name.
  ExpectSameModel(data, {"-k", "2", "--columns", "z,x", "--seed", "3"}, {kStreamed[1]});
  ASSERT_EQ(Run({"fit", data, "-k", "2", "--columns", "z,x", "--max-iter", "2", "-o",
                 Path("start.json"), "-q"})
                .exit_code,
            0);
  ExpectSameModel(data, {"--init-model", Path("start.json")}, {kStreamed[0], kStreamed[1]});
  EXPECT_THAT(ReadFileBytes(Path("other.json")),
              ::testing::HasSubstr(R"("feature_names": ["z", "x"])"));
  // Without a header; a Poisson mixture of counts in whitespace-separated text.
  std::string counts;
  Rng rng(8);
  for (int i = 0; i < 1500; ++i) {
    counts += fmt::format("{}  {} {}\n", std::floor(4.0 * UniformDouble(rng)) + (i % 2) * 3,
                          std::floor(2.0 * UniformDouble(rng)), i % 5);
  }
  ExpectSameModel(Write("counts.txt", counts),
                  {"--model", "poisson", "-k", "2", "--seed", "1"}, kStreamed);
}

TEST_F(StreamTest, BadTextGetsTheInMemoryMessagesAndNoModel) {
  const std::string good = CsvText(MakeValues(3000, 2), 3);
  // Line 2600 of the file (a data row), made into a bad cell, a wrong
  // number of fields and an unclosed quote.
  std::size_t line_start = 0;
  for (int line = 1; line < 2600; ++line) line_start = good.find('\n', line_start) + 1;
  const std::size_t line_end = good.find('\n', line_start);
  const std::string line = good.substr(line_start, line_end - line_start);
  const std::size_t comma = line.find(',');
  ASSERT_NE(comma, std::string::npos) << line;
  for (const std::string& damaged :
       {line.substr(0, comma) + ",seven" + line.substr(line.find(',', comma + 1)),
        line + ",4", "\"" + line}) {
    std::string text = good;
    text.replace(line_start, line.size(), damaged);
    const std::string data = Write("bad.csv", text);
    const Result memory = Run({"fit", data, "-k", "2", "-o", Path("m.json")});
    const Result streamed = Run({"fit", data, "-k", "2", "-o", Path("s.json"), "--stream",
                                 "--read-size", "1K"});
    EXPECT_EQ(streamed.exit_code, 2) << damaged;
    EXPECT_THAT(streamed.err, ::testing::HasSubstr("bad.csv:")) << damaged;
    EXPECT_EQ(streamed.err, memory.err) << damaged;
    EXPECT_FALSE(Exists("s.json"));
  }
}

// predict and score stream their DATA too, with the same output to the
// byte; bad rows are found before anything is written.
TEST_F(StreamTest, PredictAndScoreGiveTheOutputOfTheRowsInMemory) {
  const std::vector<double> values = MakeValues(3000, 6);
  const std::string npy = Write("d.npy", NpyBytes(values, 3000, 3));
  const std::string csv = Write("d.csv", CsvText(values, 3));
  for (const char* covariance : {"full", "diag", "spherical"}) {
    const std::string model = Path(std::string(covariance) + ".json");
    ASSERT_EQ(Run({"fit", csv, "-k", "3", "--covariance", covariance, "--seed", "2", "-q",
                   "-o", model})
                  .exit_code,
              0);
    for (const std::string& data : {npy, csv}) {
      for (const std::vector<std::string>& command :
           {std::vector<std::string>{"predict", model, data},
            std::vector<std::string>{"predict", model, data, "--proba"},
            std::vector<std::string>{"score", model, data, "--json"}}) {
        const Result memory = Run(command);
        ASSERT_EQ(memory.exit_code, 0) << memory.err;
        for (const std::vector<std::string>& variant :
             {std::vector<std::string>{"--stream", "--read-size", "1K"},
              std::vector<std::string>{"--memory-limit", "1K"}}) {
          const Result streamed = Run(With(command, variant));
          ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
          EXPECT_EQ(streamed.out, memory.out) << fmt::format("{}", fmt::join(command, " "));
        }
      }
    }
  }
  // The columns of a header picked by the model's feature names.
  ASSERT_EQ(Run({"fit", csv, "-k", "2", "--columns", "z,x", "-q", "-o", Path("zx.json")})
                .exit_code,
            0);
  EXPECT_EQ(Run({"predict", Path("zx.json"), csv, "--proba", "--stream"}).out,
            Run({"predict", Path("zx.json"), csv, "--proba"}).out);

  // A count that is not a whole number, late in the file: no output at all.
  std::vector<double> counts(2000 * 2, 1.0);
  counts[2 * 1900 + 1] = 2.5;
  const std::string bad = Write("counts.npy", NpyBytes(counts, 2000, 2));
  const std::string good = Write("good.npy", NpyBytes(std::vector<double>(40, 1.0), 20, 2));
  ASSERT_EQ(Run({"fit", good, "-k", "1", "--model", "poisson", "-q", "-o", Path("p.json")})
                .exit_code,
            0);
  const Result memory = Run({"predict", Path("p.json"), bad, "-o", Path("m.csv")});
  ExpectUsageError(memory, "X[1900, 1]");
  const Result streamed = Run({"predict", Path("p.json"), bad, "-o", Path("s.csv"), "--stream",
                               "--read-size", "1K"});
  EXPECT_EQ(streamed.exit_code, 2);
  EXPECT_EQ(streamed.err, memory.err);
  EXPECT_FALSE(Exists("s.csv"));
  EXPECT_EQ(Run({"score", Path("p.json"), bad, "--stream"}).err,
            Run({"score", Path("p.json"), bad}).err);
}

TEST_F(StreamTest, CheckpointsPassBetweenStreamedAndInMemoryFits) {
  const std::string data = Write("d.npy", NpyBytes(MakeValues(2000, 3), 2000, 3));
  const std::vector<std::string> fit = {"-k", "3", "--n-init", "2", "--seed", "3", "-q"};
  ASSERT_EQ(Run(With({"fit", data, "-o", Path("whole.json")}, fit)).exit_code, 0);
  const std::string expected = ReadFileBytes(Path("whole.json"));
  // A fit that ran to the end leaves the state before its last iteration.
  for (const bool stream_first : {false, true}) {
    const std::string checkpoint = Path(stream_first ? "s.ck" : "m.ck");
    std::vector<std::string> first =
        With({"fit", data, "-o", Path("first.json"), "--checkpoint", checkpoint,
              "--checkpoint-every", "0"},
             fit);
    if (stream_first) first.push_back("--stream");
    const Result r = Run(first);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFileBytes(Path("first.json")), expected);
    std::vector<std::string> resume = {"fit", data, "--resume", checkpoint, "-o",
                                       Path("resumed.json"), "-q"};
    if (!stream_first) resume.push_back("--stream");
    const Result resumed = Run(resume);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(ReadFileBytes(Path("resumed.json")), expected);
  }
}

TEST_F(StreamTest, BadInputGetsTheInMemoryMessagesAndNoModel) {
  std::vector<double> values = MakeValues(3000, 2);
  values[3 * 2500 + 1] = std::numeric_limits<double>::quiet_NaN();
  const std::string nan_data = Write("nan.npy", NpyBytes(values, 3000, 3));
  const Result memory = Run({"fit", nan_data, "-k", "2", "-o", Path("m.json")});
  ExpectUsageError(memory, "X[2500, 1] = nan is not finite");
  const Result streamed =
      Run({"fit", nan_data, "-k", "2", "-o", Path("s.json"), "--stream", "--read-size", "1K"});
  ExpectUsageError(streamed, "X[2500, 1] = nan is not finite");
  EXPECT_EQ(streamed.err, memory.err);
  EXPECT_FALSE(Exists("s.json"));

  // A value beyond float32, late in the file.
  values[3 * 2500 + 1] = 1e300;
  const std::string big_data = Write("big.npy", NpyBytes(values, 3000, 3));
  const Result big_memory = Run({"fit", big_data, "-k", "2", "--dtype", "float32"});
  const Result big_streamed =
      Run({"fit", big_data, "-k", "2", "--dtype", "float32", "--stream"});
  ExpectUsageError(big_streamed, "X[2500, 1] = 1e+300 is outside the range of float32");
  EXPECT_EQ(big_streamed.err, big_memory.err);

  // A Bernoulli value that is not 0 or 1, in a later block.
  std::vector<double> bits(3000 * 2, 0.0);
  bits[2 * 2999] = 1.0;
  bits[2 * 2777 + 1] = 2.0;
  const std::string bit_data = Write("bits.npy", NpyBytes(bits, 3000, 2));
  const Result bits_memory = Run({"fit", bit_data, "-k", "2", "--model", "bernoulli"});
  const Result bits_streamed =
      Run({"fit", bit_data, "-k", "2", "--model", "bernoulli", "--stream"});
  ExpectUsageError(bits_streamed, "X[2777, 1] = 2: Bernoulli features must be 0 or 1");
  EXPECT_EQ(bits_streamed.err, bits_memory.err);

  // A file shorter than its header says.
  std::string bytes = NpyBytes(MakeValues(100, 2), 100, 3);
  const std::string short_data = Write("short.npy", bytes.substr(0, bytes.size() - 16));
  EXPECT_EQ(Run({"fit", short_data, "-k", "2", "--stream"}).err,
            Run({"fit", short_data, "-k", "2"}).err);
}

TEST_F(StreamTest, TheMemoryLimitDecidesAndStreamingNeedsAFile) {
  // A Fortran-order file is read whole, never streamed: the limit shows
  // which way it went.
  const std::vector<double> values = MakeValues(200, 4);  // 200 x 3
  std::string bytes = NpyBytes(values, 200, 3);
  const std::size_t at = bytes.find("False");
  bytes.replace(at, 5, "True ");
  const std::string fortran = Write("f.npy", bytes);
  EXPECT_EQ(Run({"fit", fortran, "-k", "2", "-q", "--memory-limit", "1G"}).exit_code, 0);
  // 200 x 3 float64 values: 4800 bytes.
  ExpectUsageError(Run({"fit", fortran, "-k", "2", "--memory-limit", "4799"}),
                   "the array is stored in Fortran order");
  EXPECT_EQ(Run({"fit", fortran, "-k", "2", "-q", "--memory-limit", "4800"}).exit_code, 0);
  ExpectUsageError(Run({"fit", fortran, "-k", "2", "--stream"}), "Fortran order");

  ExpectUsageError(Run({"fit", "-", "-k", "2", "--stream"}, "1,2\n3,4\n"),
                   "standard input can be read only once");
  // Text is streamed when the file alone is larger than the limit: the
  // same model either way.
  ExpectSameModel(kFaithful, {"-k", "2", "--seed", "1"},
                  {{"--memory-limit", "1K"}, {"--stream", "--read-size", "1K"}});
  for (const char* size : {"12x", "M", "0", "1.5Q", "4GG"}) {
    ExpectUsageError(Run({"fit", fortran, "-k", "2", "--memory-limit", size}), "--memory-limit");
  }
  ExpectUsageError(Run({"fit", fortran, "-k", "2", "--read-size", "0"}), "--read-size");
  for (const char* size : {"512M", "4G", "1.5g", "64KiB", "100000", "2T"}) {
    EXPECT_EQ(Run({"fit", fortran, "-k", "2", "-q", "--memory-limit", size}).exit_code, 0)
        << size;
  }
}

TEST_F(StreamTest, AStreamedFitHoldsMuchLessThanTheFile) {
  // 4 million rows of 3 float64 values: 96 MB, written a piece at a time.
  constexpr std::int64_t kRows = 4'000'000;
  const std::string path = Path("big.npy");
  {
    const std::string head = NpyBytes({}, static_cast<int>(kRows), 3);
    std::ofstream out(path, std::ios::binary);
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    std::vector<double> piece;
    for (std::int64_t first = 0; first < kRows; first += 100'000) {
      piece.clear();
      for (std::int64_t i = first; i < first + 100'000; ++i) {
        const double group = static_cast<double>(i % 2) * 5.0;
        piece.push_back(group + std::sin(0.001 * static_cast<double>(i)));
        piece.push_back(group + std::cos(0.0007 * static_cast<double>(i)));
        piece.push_back(std::sin(0.013 * static_cast<double>(i)));
      }
      out.write(reinterpret_cast<const char*>(piece.data()),
                static_cast<std::streamsize>(piece.size() * sizeof(double)));
    }
    ASSERT_TRUE(out.good());
  }
  constexpr std::int64_t kFileBytes = kRows * 3 * 8;
  const std::vector<std::string> fit = {"fit", path, "-k", "2", "--covariance", "diag",
                                        "--init", "random", "--max-iter", "3", "-q",
                                        "--threads", "2"};
  const auto [streamed_code, streamed_peak] = RunMeasuringMemory(
      With(fit, {"--memory-limit", "32M", "-o", Path("streamed.json")}));
  ASSERT_EQ(streamed_code, 0);
  const auto [memory_code, memory_peak] = RunMeasuringMemory(
      With(fit, {"--memory-limit", "1G", "-o", Path("memory.json")}));
  ASSERT_EQ(memory_code, 0);
  EXPECT_EQ(ReadFileBytes(Path("streamed.json")), ReadFileBytes(Path("memory.json")));
  // The in-memory fit holds the rows; the streamed one a few chunks.
  EXPECT_GT(memory_peak, kFileBytes);
#ifndef EMKIT_UNDER_SANITIZER
  EXPECT_LT(streamed_peak, kFileBytes / 3)
      << "peak resident memory " << streamed_peak << " bytes";
#endif
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace emkit::cli_testing
