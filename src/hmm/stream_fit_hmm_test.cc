// SequenceStream hands out the blocks SequenceBlocks cuts the same rows into,
// and HMM fits on it are bit-identical to the fits of the rows in memory,
// for every emission (Gaussian, GMM, Poisson, Bernoulli, categorical, a
// generic family), float32, a given model, several block and
// read sizes, one and two threads, .npy and text; bad rows get the
// in-memory fits' messages.
#include "emkit/hmm/stream_fit_hmm.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../io/test_files.h"
#include "emkit/error.h"
#include "emkit/families/von_mises_fisher.h"
#include "emkit/io/model_file.h"
#include "emkit/io/table.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;
using io::testing::F8File;
using io::testing::TempDir;

static_assert(BlockSource<SequenceStream<double>, SequenceBlock<double>>);
static_assert(ChunkedBlockSource<SequenceStream<double>>);
static_assert(ChunkedBlockSource<SequenceStream<float>>);

// Three regimes visited in runs, values whose sums round, a feature offset
// far from the origin.
RowMatrix MakeSequenceRows(Eigen::Index n, Eigen::Index d) {
  RowMatrix x(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double regime = static_cast<double>((i / 9) % 3) * 6.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      x(i, j) = regime + std::sin(0.41 * static_cast<double>(i * d + j)) +
                0.1 * std::sqrt(static_cast<double>(i + j)) + (j == 0 ? 500.0 : 0.0);
    }
  }
  return x;
}

// Lengths 1, 7, 13, ... cycling, the last cut to fit n rows.
std::vector<std::int64_t> MakeLengths(std::int64_t n) {
  std::vector<std::int64_t> lengths;
  std::int64_t total = 0;
  for (std::int64_t i = 0; total < n; ++i) {
    const std::int64_t length = std::min<std::int64_t>(1 + (i * 6) % 40, n - total);
    lengths.push_back(length);
    total += length;
  }
  return lengths;
}

std::string CsvOf(const RowMatrix& x) {
  std::string text = "a,b,c\n";
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      text += fmt::format("{}{:.17g}", j == 0 ? "" : ",", x(i, j));
    }
    text += "\n";
  }
  return text;
}

template <class Model>
std::string TextOf(const Model& model) {
  return io::AnyModelToJson(io::AnyModel(model), {});
}

TEST(SequenceStreamTest, BlocksAndChunksAreThoseOfSequenceBlocks) {
  TempDir dir;
  const RowMatrix x = MakeSequenceRows(400, 3);
  const std::vector<std::int64_t> lengths = MakeLengths(x.rows());
  for (const std::string& path : {dir.Write("x.npy", F8File(x)), dir.Write("x.csv", CsvOf(x))}) {
    for (std::int64_t block_rows : {0, 16, 50}) {
      SCOPED_TRACE(path);
      SCOPED_TRACE(block_rows);
      io::RowStreamOptions options;
      options.block_rows = block_rows;
      options.read_bytes = 700;
      const io::RowStream<double> rows(path, options);
      const RowMatrix in_memory = io::ReadTable(path, {}).values;
      const SequenceBlocks<double> expected(ViewOf(in_memory), lengths, block_rows);
      const SequenceStream<double> stream(rows, lengths);
      ASSERT_EQ(stream.NumBlocks(), expected.NumBlocks());
      const auto same = [&](const SequenceBlock<double>& got, std::int64_t b) {
        const SequenceBlock<double> want = expected.GetBlock(b);
        EXPECT_EQ(got.first_row, want.first_row) << b;
        EXPECT_EQ(got.first_sequence, want.first_sequence) << b;
        ASSERT_EQ(got.rows.rows(), want.rows.rows()) << b;
        EXPECT_TRUE(std::equal(got.lengths.begin(), got.lengths.end(), want.lengths.begin(),
                               want.lengths.end()))
            << b;
        EXPECT_EQ(std::memcmp(got.rows.data(), want.rows.data(),
                              sizeof(double) * static_cast<std::size_t>(want.rows.size())),
                  0)
            << b;
      };
      for (std::int64_t b = 0; b < stream.NumBlocks(); ++b) same(stream.GetBlock(b), b);
      SequenceStream<double>::Chunk chunk;
      std::int64_t next = 0;
      for (std::int64_t c = 0; c < stream.NumChunks(); ++c) {
        stream.ReadChunk(c, &chunk);
        const auto [first, end] = stream.ChunkBlocks(c);
        EXPECT_EQ(first, next);
        EXPECT_LT(first, end);
        for (std::int64_t b = first; b < end; ++b) same(stream.BlockInChunk(chunk, b), b);
        next = end;
      }
      EXPECT_EQ(next, stream.NumBlocks());
      if (block_rows > 0) {
        EXPECT_GT(stream.NumChunks(), 1);
      }
    }
  }
}

TEST(StreamFitHmmTest, GaussianFitsOnTheStreamAreThoseOfTheRowsInMemory) {
  TempDir dir;
  const RowMatrix x = MakeSequenceRows(600, 3);
  const RowMatrixF x32 = x.cast<float>();
  const std::vector<std::int64_t> lengths = MakeLengths(x.rows());
  const std::string npy = dir.Write("x.npy", F8File(x));
  const std::string csv = dir.Write("x.csv", CsvOf(x));
  for (CovarianceType type : {CovarianceType::kFull, CovarianceType::kDiag,
                              CovarianceType::kSpherical, CovarianceType::kTied}) {
    GaussianHmmOptions options;
    options.hmm.n_states = 3;
    options.covariance_type = type;
    for (std::int64_t block_rows : {0, 40}) {
      for (int threads : {1, 2}) {
        SCOPED_TRACE(CovarianceTypeName(type));
        SCOPED_TRACE(block_rows);
        SCOPED_TRACE(threads);
        FitOptions fit;
        fit.n_init = 2;
        fit.max_iter = 12;
        fit.seed = 5;
        fit.num_threads = threads;
        fit.block_rows = block_rows;
        io::RowStreamOptions stream_options;
        stream_options.block_rows = block_rows;
        stream_options.read_bytes = 2000;
        const Fitted<GaussianHmmModel> memory =
            FitGaussianHmm(fit, options, ViewOf(x), lengths, nullptr);
        for (const std::string& path : {npy, csv}) {
          const Fitted<GaussianHmmModel> streamed = FitGaussianHmm(
              fit, options, io::RowStream<double>(path, stream_options), lengths);
          EXPECT_EQ(TextOf(streamed.model), TextOf(memory.model)) << path;
          EXPECT_EQ(streamed.report.restarts.size(), memory.report.restarts.size());
        }
        GmmHmmOptions gmm;
        gmm.hmm.n_states = 2;
        gmm.n_mix = 2;
        gmm.covariance_type = type;
        const Fitted<GmmHmmModel> gmm_memory = FitGmmHmm(fit, gmm, ViewOf(x), lengths, nullptr);
        const Fitted<GmmHmmModel> gmm_stream =
            FitGmmHmm(fit, gmm, io::RowStream<double>(csv, stream_options), lengths);
        EXPECT_EQ(TextOf(gmm_stream.model), TextOf(gmm_memory.model));
        const Fitted<GaussianHmmModel> memory32 =
            FitGaussianHmm(fit, options, ViewOf(x32), lengths, nullptr);
        const Fitted<GaussianHmmModel> streamed32 = FitGaussianHmm(
            fit, options, io::RowStream<float>(npy, stream_options), lengths);
        EXPECT_EQ(TextOf(streamed32.model), TextOf(memory32.model));
        // From a given model, one sequence of all rows.
        FitOptions single = fit;
        single.n_init = 1;
        const Fitted<GaussianHmmModel> from_memory =
            FitGaussianHmm(single, options, ViewOf(x), {}, &memory.model);
        const Fitted<GaussianHmmModel> from_stream = FitGaussianHmm(
            single, options, io::RowStream<double>(npy, stream_options), {}, &memory.model);
        EXPECT_EQ(TextOf(from_stream.model), TextOf(from_memory.model));
      }
    }
  }
}

TEST(StreamFitHmmTest, DiscreteAndGenericFitsOnTheStreamAreThoseOfTheRowsInMemory) {
  TempDir dir;
  RowMatrix counts(500, 3);
  RowMatrix bits(500, 3);
  RowMatrix directions(500, 3);
  for (Eigen::Index i = 0; i < counts.rows(); ++i) {
    const bool high = (i / 11) % 2 == 0;
    for (Eigen::Index j = 0; j < counts.cols(); ++j) {
      counts(i, j) = static_cast<double>((i * 7 + j * 3) % (high ? 4 : 11));
      bits(i, j) = static_cast<double>(((i * 5 + j) % 3 == 0) != high);
      directions(i, j) = std::cos(0.3 * static_cast<double>(i + 2 * j)) + (high ? 2.0 : -1.0);
    }
    directions.row(i).normalize();
  }
  const std::vector<std::int64_t> lengths = MakeLengths(counts.rows());
  const std::string counts_path = dir.Write("counts.npy", F8File(counts));
  const std::string bits_path = dir.Write("bits.npy", F8File(bits));
  const std::string directions_path = dir.Write("directions.npy", F8File(directions));
  HmmOptions options;
  options.n_states = 2;
  for (int threads : {1, 2}) {
    for (std::int64_t block_rows : {0, 33}) {
      SCOPED_TRACE(threads);
      SCOPED_TRACE(block_rows);
      FitOptions fit;
      fit.n_init = 2;
      fit.max_iter = 15;
      fit.num_threads = threads;
      fit.block_rows = block_rows;
      io::RowStreamOptions stream_options;
      stream_options.block_rows = block_rows;
      stream_options.read_bytes = 900;
      const auto poisson_memory =
          FitPoissonHmm(fit, options, PoissonOptions{}, ViewOf(counts), lengths, nullptr);
      const auto poisson_stream = FitPoissonHmm(
          fit, options, PoissonOptions{}, io::RowStream<double>(counts_path, stream_options),
          lengths);
      EXPECT_EQ(TextOf(poisson_stream.model), TextOf(poisson_memory.model));
      const RowMatrixF bits32 = bits.cast<float>();
      const auto bernoulli_memory =
          FitBernoulliHmm(fit, options, BernoulliOptions{}, ViewOf(bits32), lengths, nullptr);
      const auto bernoulli_stream = FitBernoulliHmm(
          fit, options, BernoulliOptions{}, io::RowStream<float>(bits_path, stream_options),
          lengths);
      EXPECT_EQ(TextOf(bernoulli_stream.model), TextOf(bernoulli_memory.model));
      const auto vmf_memory = FitHmmOfFamily<VonMisesFisher>(
          fit, options, VonMisesFisherOptions{}, ViewOf(directions), lengths, nullptr);
      const auto vmf_stream = FitHmmOfFamily<VonMisesFisher>(
          fit, options, VonMisesFisherOptions{},
          io::RowStream<double>(directions_path, stream_options), lengths);
      EXPECT_EQ(TextOf(vmf_stream.model), TextOf(vmf_memory.model));
      RowMatrix symbols(counts.rows(), 1);
      for (Eigen::Index i = 0; i < symbols.rows(); ++i) symbols(i, 0) = counts(i, 0);
      symbols(470, 0) = 12.0;  // the largest symbol, late
      const std::string symbols_path = dir.Write("symbols.npy", F8File(symbols));
      const auto categorical_memory = FitCategoricalHmm(
          fit, options, CategoricalOptions{}, ViewOf(symbols), lengths, 0, nullptr);
      const auto categorical_stream = FitCategoricalHmm(
          fit, options, CategoricalOptions{}, io::RowStream<double>(symbols_path, stream_options),
          lengths);
      EXPECT_EQ(categorical_stream.model.emissions().num_categories(), 13);
      EXPECT_EQ(TextOf(categorical_stream.model), TextOf(categorical_memory.model));
      FitOptions single = fit;
      single.n_init = 1;
      const auto from_memory = FitPoissonHmm(single, options, PoissonOptions{}, ViewOf(counts),
                                             lengths, &poisson_memory.model);
      const auto from_stream = FitPoissonHmm(
          single, options, PoissonOptions{}, io::RowStream<double>(counts_path, stream_options),
          lengths, &poisson_memory.model);
      EXPECT_EQ(TextOf(from_stream.model), TextOf(from_memory.model));
    }
  }
}

// The message of what `fit` throws, or "" when it throws nothing.
template <class Fit>
std::string ErrorOf(Fit&& fit) {
  try {
    fit();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(StreamFitHmmTest, BadRowsGetTheInMemoryFitsMessages) {
  TempDir dir;
  RowMatrix counts(300, 2);
  for (Eigen::Index i = 0; i < counts.rows(); ++i) {
    counts(i, 0) = static_cast<double>(i % 4);
    counts(i, 1) = static_cast<double>(i % 3);
  }
  counts(217, 1) = -2.0;  // a negative count in a later block
  const std::string path = dir.Write("counts.npy", F8File(counts));
  io::RowStreamOptions stream_options;
  stream_options.block_rows = 20;
  FitOptions fit;
  fit.block_rows = 20;
  HmmOptions options;
  options.n_states = 2;
  const auto gaussian = [&options] {
    GaussianHmmOptions g;
    g.hmm = options;
    return g;
  };
  const std::string in_memory = ErrorOf([&] {
    (void)FitPoissonHmm(fit, options, PoissonOptions{}, ViewOf(counts), {}, nullptr);
  });
  EXPECT_THAT(in_memory, HasSubstr("217"));
  EXPECT_EQ(ErrorOf([&] {
              (void)FitPoissonHmm(fit, options, PoissonOptions{},
                                  io::RowStream<double>(path, stream_options), {});
            }),
            in_memory);
  // Fewer rows than states, and lengths that do not add up.
  options.n_states = 400;
  EXPECT_EQ(ErrorOf([&] {
              (void)FitGaussianHmm(fit, gaussian(),
                                   io::RowStream<double>(path, stream_options), {});
            }),
            ErrorOf([&] {
              (void)FitGaussianHmm(fit, gaussian(), ViewOf(counts), {},
                                   nullptr);
            }));
  options.n_states = 2;
  const std::vector<std::int64_t> short_lengths = {100, 100};
  EXPECT_EQ(ErrorOf([&] {
              (void)FitGaussianHmm(fit, gaussian(),
                                   io::RowStream<double>(path, stream_options), short_lengths);
            }),
            ErrorOf([&] {
              (void)FitGaussianHmm(fit, gaussian(), ViewOf(counts),
                                   short_lengths, nullptr);
            }));
}

}  // namespace
}  // namespace emkit
