// RowStream hands out the blocks RowBlocks cuts ReadNpy's rows into, with
// the same values at the same alignment; PrefetchingExecutor reduces its
// chunks to the threaded executor's bits; and mixture fits on the stream are
// bit-identical to the fits of the rows in memory, with the same errors.
#include "emkit/io/row_stream.h"

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/discrete_mixture.h"
#include "emkit/engine/prefetching_executor.h"
#include "emkit/engine/serial_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"
#include "emkit/family_fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/checkpoint.h"
#include "emkit/io/model_file.h"
#include "emkit/io/table.h"
#include "emkit/kmeans.h"
#include "emkit/row_blocks.h"
#include "emkit/stream_fit.h"
#include "emkit/thread_pool.h"
#include "test_files.h"

namespace emkit::io {
namespace {

using ::testing::HasSubstr;
using testing::BytesOf;
using testing::F4File;
using testing::F8File;
using testing::NpyFile;
using testing::TempDir;

static_assert(RowBlockSource<RowStream<double>>);
static_assert(BlockSource<RowStream<float>, RowBlock<float>>);
static_assert(ChunkedBlockSource<RowStream<double>>);
static_assert(ChunkedBlockSource<RowStream<float>>);
static_assert(!ChunkedBlockSource<RowBlocks<double>>);

// Rows whose sums round, so that the order of additions shows: three
// groups far apart, and a feature offset far from the origin.
RowMatrix MakeRows(Eigen::Index n, Eigen::Index d) {
  RowMatrix x(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double group = static_cast<double>(i % 3) * 7.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      x(i, j) = group + std::sin(0.37 * static_cast<double>(i * d + j)) +
                0.1 * std::sqrt(static_cast<double>(i + j)) + (j == 0 ? 1000.0 : 0.0);
    }
  }
  return x;
}

std::int64_t AddressMod64(const void* p) {
  return static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(p) % 64);
}

// Every block of the stream, from GetBlock and from its chunks, is the
// block of RowBlocks over `expected`: same rows, values and alignment.
template <DataScalar Scalar>
void ExpectSameBlocks(const RowStream<Scalar>& stream, const RowBlocks<Scalar>& expected) {
  ASSERT_EQ(stream.NumBlocks(), expected.NumBlocks());
  ASSERT_EQ(stream.num_rows(), expected.num_rows());
  ASSERT_EQ(stream.num_columns(), expected.num_columns());
  EXPECT_EQ(stream.block_rows(), expected.block_rows());
  EXPECT_EQ(stream.TotalWeight(), expected.TotalWeight());
  const auto same = [&](const RowBlock<Scalar>& got, std::int64_t b) {
    const RowBlock<Scalar> want = expected.GetBlock(b);
    EXPECT_EQ(got.first_row, want.first_row) << b;
    ASSERT_EQ(got.rows.rows(), want.rows.rows()) << b;
    EXPECT_EQ(got.weights, nullptr);
    EXPECT_EQ(std::memcmp(got.rows.data(), want.rows.data(), sizeof(Scalar) * want.rows.size()),
              0)
        << b;
    EXPECT_EQ(AddressMod64(got.rows.data()), AddressMod64(want.rows.data())) << b;
  };
  for (std::int64_t b = 0; b < stream.NumBlocks(); ++b) same(stream.GetBlock(b), b);
  typename RowStream<Scalar>::Chunk chunk;
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
}

TEST(NpyStreamTest, BlocksAreThoseOfRowBlocksOverTheRowsReadWhole) {
  TempDir dir;
  const RowMatrix x = MakeRows(1000, 3);
  const std::string path = dir.Write("x.npy", F8File(x));
  const Table table = ReadNpy(path, {});
  for (std::int64_t block_rows : {0, 1, 7, 64, 999, 1000, 5000}) {
    for (std::int64_t read_bytes : {1, 100, 4096, 1 << 23}) {
      SCOPED_TRACE(block_rows);
      SCOPED_TRACE(read_bytes);
      RowStreamOptions options;
      options.block_rows = block_rows;
      options.read_bytes = read_bytes;
      const RowStream<double> stream(path, options);
      ExpectSameBlocks(stream, RowBlocks<double>(ViewOf(table.values), nullptr, block_rows));
    }
  }
}

TEST(NpyStreamTest, Float32RowsAreTheFloat64RowsConvertedAsTheCommandConverts) {
  TempDir dir;
  const RowMatrix x = MakeRows(300, 5);
  const std::string f8 = dir.Write("x8.npy", F8File(x));
  const std::string f4 = dir.Write("x4.npy", F4File(x.cast<float>()));
  for (const std::string& path : {f8, f4}) {
    const RowMatrixF values = ReadNpy(path, {}).values.cast<float>();
    for (std::int64_t block_rows : {0, 3, 17}) {
      RowStreamOptions options;
      options.block_rows = block_rows;
      options.read_bytes = 200;
      ExpectSameBlocks(RowStream<float>(path, options),
                       RowBlocks<float>(ViewOf(values), nullptr, block_rows));
      // Rounded to float and widened: the rows a float32 fit initialises on.
      const RowMatrix widened = values.cast<double>();
      options.round_to_float = true;
      ExpectSameBlocks(RowStream<double>(path, options),
                       RowBlocks<double>(ViewOf(widened), nullptr, block_rows));
    }
  }
  // float64 values beyond float32's range do not become infinities.
  RowMatrix big = x;
  big(123, 2) = 1e300;
  const std::string path = dir.Write("big.npy", F8File(big));
  const RowStream<float> stream(path, {});
  EXPECT_THROW((void)stream.GetBlock(0), InvalidDataError);
}

TEST(NpyStreamTest, OtherDtypesAndSelectedColumnsAreReadAsReadNpyReadsThem) {
  TempDir dir;
  std::vector<std::int32_t> ints;
  for (int i = 0; i < 200 * 4; ++i) ints.push_back(i * 37 % 101 - 50);
  std::vector<double> values(200 * 4);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.5 * static_cast<double>(i);
  std::string swapped = BytesOf(values);
  for (std::size_t i = 0; i < swapped.size(); i += 8) {
    std::reverse(swapped.begin() + static_cast<std::ptrdiff_t>(i),
                 swapped.begin() + static_cast<std::ptrdiff_t>(i + 8));
  }
  const std::string i4 = dir.Write("i4.npy", NpyFile("<i4", false, 200, 4, BytesOf(ints)));
  const std::string big_endian = dir.Write("be.npy", NpyFile(">f8", false, 200, 4, swapped));
  for (const std::string& path : {i4, big_endian}) {
    for (const std::vector<std::string>& columns :
         std::vector<std::vector<std::string>>{{}, {"2", "0"}, {"1", "1", "3"}}) {
      TableReadOptions read;
      read.columns = columns;
      const Table table = ReadNpy(path, read);
      RowStreamOptions options;
      options.columns = columns;
      options.block_rows = 9;
      options.read_bytes = 300;
      ExpectSameBlocks(RowStream<double>(path, options),
                       RowBlocks<double>(ViewOf(table.values), nullptr, 9));
    }
  }
}

// The message of what `f` throws as E.
template <class E, class F>
std::string MessageOf(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "nothing thrown";
  return "";
}

TEST(NpyStreamTest, BadFilesGetTheMessagesOfTheReaderThatReadsThemWhole) {
  TempDir dir;
  const RowMatrix x = MakeRows(100, 2);
  const std::string good = F8File(x);
  // The header's errors, before any row is read.
  for (const std::string& bytes : {good.substr(0, good.size() - 8), std::string("\x93NUMPY\x09"),
                                   std::string("not numpy"), good.substr(0, 20)}) {
    const std::string path = dir.Write("bad.npy", bytes);
    EXPECT_EQ(MessageOf<FileFormatError>([&] { RowStream<double> s(path); }),
              MessageOf<FileFormatError>([&] { ReadNpy(path, {}); }));
  }
  // A value that is not finite, at its row and column of the file.
  RowMatrix with_nan = x;
  with_nan(77, 1) = std::numeric_limits<double>::quiet_NaN();
  const std::string nan_path = dir.Write("nan.npy", F8File(with_nan));
  const std::string expected = MessageOf<FileFormatError>([&] { ReadNpy(nan_path, {}); });
  EXPECT_THAT(expected, HasSubstr("X[77, 1] = nan is not finite"));
  RowStreamOptions options;
  options.block_rows = 10;
  options.read_bytes = 160;  // one block per chunk
  const RowStream<double> stream(nan_path, options);
  EXPECT_NO_THROW((void)stream.GetBlock(6));
  EXPECT_EQ(MessageOf<FileFormatError>([&] { (void)stream.GetBlock(7); }), expected);
  ThreadPool pool(2);
  PrefetchingExecutor executor(pool);
  internal::NoStatistics none;
  EXPECT_EQ(MessageOf<FileFormatError>([&] {
              executor.Reduce(stream, internal::NoStatistics{}, &none,
                              [](std::int64_t, const RowBlock<double>&, internal::NoStatistics*) {
                                return 0.0;
                              });
            }),
            expected);
  // Fortran order: refused, naming the file.
  const std::string fortran = dir.Write(
      "f.npy", NpyFile("<f8", true, 100, 2,
                       BytesOf(std::vector<double>(x.data(), x.data() + x.size()))));
  EXPECT_THAT(MessageOf<FileFormatError>([&] { RowStream<double> s(fortran); }),
              HasSubstr(fortran + ": the array is stored in Fortran order"));
  EXPECT_THROW(RowStream<double>(dir.File("missing.npy")), FileAccessError);
}

TEST(NpyStreamTest, AFileCutShortWhileStreamedEndsEarlyAsTheReaderSays) {
  TempDir dir;
  const RowMatrix x = MakeRows(100, 2);
  const std::string path = dir.Write("x.npy", F8File(x));
  RowStreamOptions options;
  options.block_rows = 10;
  const RowStream<double> stream(path, options);
  EXPECT_NO_THROW((void)stream.GetBlock(9));
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(std::filesystem::file_size(path) - 200)),
            0);
  EXPECT_NO_THROW((void)stream.GetBlock(0));
  EXPECT_EQ(MessageOf<FileFormatError>([&] { (void)stream.GetBlock(9); }),
            path + ": the file ended early (was it changed while being read?)");
}

// A statistic that shows the order of additions: a running sum of every
// value and the block's first row.
struct RowSums {
  double sum = 0.0;
  double first_rows = 0.0;
  void Merge(const RowSums& other) {
    sum += other.sum;
    first_rows = first_rows * 0.5 + other.first_rows;
  }
  void SetZero() {
    sum = 0.0;
    first_rows = 0.0;
  }
};

template <class Executor, class Data>
std::pair<double, RowSums> ReduceRowSums(Executor& executor, const Data& data) {
  RowSums total;
  const double value = executor.Reduce(
      data, RowSums{}, &total, [](std::int64_t, const RowBlock<double>& block, RowSums* s) {
        s->sum += block.rows.sum();
        s->first_rows += static_cast<double>(block.first_row);
        return block.rows.col(0).sum() / 3.0;
      });
  return {value, total};
}

TEST(PrefetchingExecutorTest, ChunksReduceToTheThreadedExecutorsBits) {
  TempDir dir;
  const RowMatrix x = MakeRows(2000, 3);
  const std::string path = dir.Write("x.npy", F8File(x));
  const RowBlocks<double> blocks(ViewOf(x), nullptr, 13);
  ThreadPool reference_pool(1);
  ThreadedExecutor reference(reference_pool);
  const auto [value, total] = ReduceRowSums(reference, blocks);
  for (int threads : {1, 2, 3}) {
    for (int depth : {1, 2, 3}) {
      for (std::int64_t read_bytes : {1, 1000, 1 << 20}) {
        RowStreamOptions options;
        options.block_rows = 13;
        options.read_bytes = read_bytes;
        const RowStream<double> stream(path, options);
        ThreadPool pool(threads);
        PrefetchingExecutor executor(pool, depth);
        const auto [got_value, got_total] = ReduceRowSums(executor, stream);
        EXPECT_EQ(got_value, value) << threads << " " << depth << " " << read_bytes;
        EXPECT_EQ(got_total.sum, total.sum);
        EXPECT_EQ(got_total.first_rows, total.first_rows);
        // Other sources are reduced as the threaded executor reduces them.
        const auto [memory_value, memory_total] = ReduceRowSums(executor, blocks);
        EXPECT_EQ(memory_value, value);
        EXPECT_EQ(memory_total.sum, total.sum);
      }
    }
  }
  EXPECT_THROW(PrefetchingExecutor(reference_pool, 0), InvalidOptionError);
}

TEST(PrefetchingExecutorTest, AnErrorInABlockStopsTheReaderAndReachesTheCaller) {
  TempDir dir;
  const RowMatrix x = MakeRows(500, 2);
  RowStreamOptions options;
  options.block_rows = 5;
  options.read_bytes = 80;
  const RowStream<double> stream(dir.Write("x.npy", F8File(x)), options);
  ThreadPool pool(2);
  PrefetchingExecutor executor(pool);
  internal::NoStatistics none;
  EXPECT_THROW(executor.Reduce(stream, internal::NoStatistics{}, &none,
                               [](std::int64_t b, const RowBlock<double>&,
                                  internal::NoStatistics*) -> double {
                                 if (b == 37) throw std::runtime_error("block 37");
                                 return 0.0;
                               }),
               std::runtime_error);
}

TEST(NpyStreamTest, TheFingerprintOfRowsAddedInBlocksIsThatOfAllRows) {
  const RowMatrix x = MakeRows(100, 3);
  const RowBlocks<double> blocks(ViewOf(x), nullptr, 7);
  DataFingerprinter fingerprinter(x.rows(), x.cols());
  for (std::int64_t b = 0; b < blocks.NumBlocks(); ++b) fingerprinter.Add(blocks.GetBlock(b).rows);
  EXPECT_EQ(fingerprinter.Finish(), FingerprintOf(ViewOf(x)));
}

TEST(StreamFitTest, RowOffsetsMoveTheRowOfDataMessages) {
  using internal::MessageWithRowOffset;
  EXPECT_EQ(MessageWithRowOffset("X[3, 1] = 2: must be 0 or 1", 40), "X[43, 1] = 2: must be 0 or 1");
  EXPECT_EQ(MessageWithRowOffset("X[3] has norm 2: ...", 40), "X[43] has norm 2: ...");
  EXPECT_EQ(MessageWithRowOffset("X has 3 columns", 40), "X has 3 columns");
  EXPECT_EQ(MessageWithRowOffset("X[a, 1]", 40), "X[a, 1]");
  EXPECT_EQ(MessageWithRowOffset("X[3, 1] = 2", 0), "X[3, 1] = 2");
}

// The model file's text of a fitted Gaussian mixture.
std::string TextOf(const GaussianMixtureModel& model) { return ModelToJson(model, {}); }

TEST(StreamFitTest, GaussianFitsOnTheStreamAreThoseOfTheRowsInMemory) {
  TempDir dir;
  const RowMatrix x = MakeRows(700, 3);
  const std::string path = dir.Write("x.npy", F8File(x));
  const RowMatrixF x32 = x.cast<float>();
  for (CovarianceType type : {CovarianceType::kFull, CovarianceType::kDiag,
                              CovarianceType::kSpherical, CovarianceType::kTied}) {
    GaussianMixtureOptions options;
    options.n_components = 3;
    options.covariance_type = type;
    for (std::int64_t block_rows : {0, 50, 64}) {
      for (int threads : {1, 2}) {
        SCOPED_TRACE(CovarianceTypeName(type));
        SCOPED_TRACE(block_rows);
        SCOPED_TRACE(threads);
        FitOptions fit;
        fit.n_init = 2;
        fit.max_iter = 15;
        fit.seed = 11;
        fit.num_threads = threads;
        fit.block_rows = block_rows;
        RowStreamOptions stream_options;
        stream_options.block_rows = block_rows;
        stream_options.read_bytes = 3000;
        const Fitted<GaussianMixtureModel> memory =
            FitGaussianMixture(fit, options, ViewOf(x), nullptr);
        const Fitted<GaussianMixtureModel> streamed =
            FitGaussianMixture(fit, options, RowStream<double>(path, stream_options));
        EXPECT_EQ(TextOf(streamed.model), TextOf(memory.model));
        EXPECT_EQ(streamed.report.restarts.size(), memory.report.restarts.size());
        EXPECT_EQ(streamed.report.block_rows, memory.report.block_rows);
        const Fitted<GaussianMixtureModel> memory32 =
            FitGaussianMixture(fit, options, ViewOf(x32), nullptr);
        const Fitted<GaussianMixtureModel> streamed32 =
            FitGaussianMixture(fit, options, RowStream<float>(path, stream_options));
        EXPECT_EQ(TextOf(streamed32.model), TextOf(memory32.model));
        // From a given model.
        FitOptions single = fit;
        single.n_init = 1;
        const Fitted<GaussianMixtureModel> from_memory =
            FitGaussianMixture(single, options, ViewOf(x), nullptr, &memory.model);
        const Fitted<GaussianMixtureModel> from_stream = FitGaussianMixture(
            single, options, RowStream<double>(path, stream_options), &memory.model);
        EXPECT_EQ(TextOf(from_stream.model), TextOf(from_memory.model));
      }
    }
  }
}

TEST(StreamFitTest, DiscreteFitsOnTheStreamAreThoseOfTheRowsInMemory) {
  TempDir dir;
  RowMatrix counts(500, 4);
  RowMatrix bits(500, 4);
  for (Eigen::Index i = 0; i < counts.rows(); ++i) {
    for (Eigen::Index j = 0; j < counts.cols(); ++j) {
      counts(i, j) = static_cast<double>((i * 7 + j * 3) % (i % 2 == 0 ? 4 : 11));
      bits(i, j) = static_cast<double>(((i * 5 + j) % 3 == 0) != (i % 2 == 0));
    }
  }
  const std::string counts_path = dir.Write("counts.npy", F8File(counts));
  const std::string bits_path = dir.Write("bits.npy", F8File(bits));
  MixtureOptions options;
  options.n_components = 2;
  for (int threads : {1, 2}) {
    for (std::int64_t block_rows : {0, 33}) {
      FitOptions fit;
      fit.n_init = 2;
      fit.max_iter = 20;
      fit.num_threads = threads;
      fit.block_rows = block_rows;
      RowStreamOptions stream_options;
      stream_options.block_rows = block_rows;
      stream_options.read_bytes = 1000;
      const auto poisson_memory =
          FitMixtureOfFamily<Poisson>(fit, options, PoissonOptions{}, ViewOf(counts), nullptr);
      const auto poisson_stream = FitMixtureOfFamily<Poisson>(
          fit, options, PoissonOptions{}, RowStream<double>(counts_path, stream_options));
      EXPECT_EQ(AnyModelToJson(AnyModel(poisson_stream.model), {}),
                AnyModelToJson(AnyModel(poisson_memory.model), {}));
      const RowMatrixF bits32 = bits.cast<float>();
      const auto bernoulli_memory = FitMixtureOfFamily<Bernoulli>(
          fit, options, BernoulliOptions{}, ViewOf(bits32), nullptr);
      const auto bernoulli_stream = FitMixtureOfFamily<Bernoulli>(
          fit, options, BernoulliOptions{}, RowStream<float>(bits_path, stream_options));
      EXPECT_EQ(AnyModelToJson(AnyModel(bernoulli_stream.model), {}),
                AnyModelToJson(AnyModel(bernoulli_memory.model), {}));
    }
  }
}

TEST(StreamFitTest, BadRowsGetTheInMemoryFitsMessages) {
  TempDir dir;
  RowMatrix bits(300, 2);
  for (Eigen::Index i = 0; i < bits.rows(); ++i) {
    bits(i, 0) = static_cast<double>(i % 2);
    bits(i, 1) = static_cast<double>(i % 3 == 0);
  }
  bits(213, 1) = 0.5;  // a Bernoulli error in a later block
  bits(250, 0) = 1e200;  // too large for any fit, found first
  RowStreamOptions stream_options;
  stream_options.block_rows = 20;
  MixtureOptions options;
  options.n_components = 2;
  const auto expect_same = [&](const RowMatrix& x, const std::string& name) {
    const std::string path = dir.Write(name, F8File(x));
    const std::string memory = MessageOf<InvalidDataError>([&] {
      (void)FitMixtureOfFamily<Bernoulli>({}, options, BernoulliOptions{}, ViewOf(x), nullptr);
    });
    EXPECT_EQ(MessageOf<InvalidDataError>([&] {
                (void)FitMixtureOfFamily<Bernoulli>(
                    {}, options, BernoulliOptions{}, RowStream<double>(path, stream_options));
              }),
              memory);
    return memory;
  };
  EXPECT_THAT(expect_same(bits, "both.npy"), HasSubstr("X[250, 0] = 1e+200"));
  RowMatrix family_only = bits;
  family_only(250, 0) = 1.0;
  EXPECT_THAT(expect_same(family_only, "family.npy"), HasSubstr("X[213, 1] = 0.5"));
  options.n_components = 400;
  EXPECT_THAT(expect_same(family_only, "rows.npy"), HasSubstr("fewer than n_components"));
}

// The categorical symbols layout takes its categories from every row: one
// more pass finds the largest symbol (here late in the file), and the
// model and the errors are the in-memory fit's.
TEST(StreamFitTest, CategoricalSymbolsAreShapedByEveryRowAsInMemory) {
  TempDir dir;
  RowMatrix symbols(400, 1);
  for (Eigen::Index i = 0; i < symbols.rows(); ++i) {
    symbols(i, 0) = static_cast<double>((i % 2) * 2 + (i * 7) % 3);
  }
  symbols(377, 0) = 6.0;
  CategoricalOptions layout;
  layout.layout = CategoricalLayout::kSymbols;
  MixtureOptions options;
  options.n_components = 2;
  for (std::int64_t block_rows : {0, 25}) {
    for (int threads : {1, 2}) {
      FitOptions fit;
      fit.n_init = 2;
      fit.num_threads = threads;
      fit.block_rows = block_rows;
      RowStreamOptions stream_options;
      stream_options.block_rows = block_rows;
      stream_options.read_bytes = 300;
      const std::string path = dir.Write("s.npy", F8File(symbols));
      const auto memory =
          FitMixtureOfFamily<Categorical>(fit, options, layout, ViewOf(symbols), nullptr);
      const auto streamed = FitMixtureOfFamily<Categorical>(
          fit, options, layout, RowStream<double>(path, stream_options));
      EXPECT_EQ(streamed.model.components().num_categories(), 7);
      EXPECT_EQ(AnyModelToJson(AnyModel(streamed.model), {}),
                AnyModelToJson(AnyModel(memory.model), {}));
    }
  }
  RowMatrix bad = symbols;
  bad(301, 0) = 2.5;
  const std::string bad_path = dir.Write("bad.npy", F8File(bad));
  RowStreamOptions stream_options;
  stream_options.block_rows = 25;
  std::string memory_error;
  try {
    (void)FitMixtureOfFamily<Categorical>({}, options, layout, ViewOf(bad), nullptr);
  } catch (const InvalidDataError& e) {
    memory_error = e.what();
  }
  EXPECT_THAT(memory_error, HasSubstr("X[301, 0] = 2.5"));
  try {
    (void)FitMixtureOfFamily<Categorical>({}, options, layout,
                                          RowStream<double>(bad_path, stream_options));
    ADD_FAILURE() << "no error";
  } catch (const InvalidDataError& e) {
    EXPECT_EQ(e.what(), memory_error);
  }
}


// Delimited text: the rows ReadTable reads, block by block from the byte
// ranges the first pass found.

// `x` as CSV with what the reader accepts: a byte order mark, a header
// whose quoted first name spans two lines, CRLF and LF line ends, blank
// lines, quoted cells and spaces around numbers.
std::string CsvFile(const RowMatrix& x) {
  std::string text = "\xEF\xBB\xBF\"first\nname\"";
  for (Eigen::Index j = 1; j < x.cols(); ++j) text += fmt::format(",c{}", j);
  text += "\r\n\n";
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    if (i % 11 == 3) text += "  \t\n";
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (j > 0) text += ',';
      text += (i + j) % 7 == 0 ? fmt::format("\" {:.17g} \"", x(i, j))
                               : fmt::format(" {:.17g}", x(i, j));
    }
    text += i % 2 == 0 ? "\r\n" : "\n";
  }
  return text;
}

TEST(TextStreamTest, BlocksAreThoseOfRowBlocksOverTheRowsReadWhole) {
  TempDir dir;
  const RowMatrix x = MakeRows(500, 3);
  const std::string path = dir.Write("x.csv", CsvFile(x));
  const Table table = ReadTable(path, {});
  ASSERT_EQ(table.values.rows(), 500);
  for (std::int64_t block_rows : {0, 1, 7, 499, 500, 5000}) {
    for (std::int64_t read_bytes : {1, 1000, 1 << 23}) {
      SCOPED_TRACE(block_rows);
      SCOPED_TRACE(read_bytes);
      RowStreamOptions options;
      options.block_rows = block_rows;
      options.read_bytes = read_bytes;
      const RowStream<double> stream(path, options);
      EXPECT_EQ(stream.column_names(), table.column_names);
      ExpectSameBlocks(stream, RowBlocks<double>(ViewOf(table.values), nullptr, block_rows));
      const RowMatrixF values = table.values.cast<float>();
      ExpectSameBlocks(RowStream<float>(path, options),
                       RowBlocks<float>(ViewOf(values), nullptr, block_rows));
    }
  }
  // Columns by name and by index, and the header options.
  RowStreamOptions options;
  options.block_rows = 9;
  options.columns = {"c2", "0"};
  TableReadOptions read;
  read.columns = options.columns;
  const Table picked = ReadTable(path, read);
  const RowStream<double> stream(path, options);
  EXPECT_EQ(stream.column_names(), (std::vector<std::string>{"c2", "first\nname"}));
  ExpectSameBlocks(stream, RowBlocks<double>(ViewOf(picked.values), nullptr, 9));
  const std::string bare = dir.Write("bare.txt", "1 2\n3 4\n\n5 6\n");
  options = {};
  options.block_rows = 2;
  options.header = HeaderMode::kAbsent;
  const RowStream<double> spaces(bare, options);
  EXPECT_TRUE(spaces.column_names().empty());
  ExpectSameBlocks(spaces,
                   RowBlocks<double>(ViewOf(ReadTable(bare, {}).values), nullptr, 2));
}

// Every problem is the in-memory reader's, found by the constructor.
TEST(TextStreamTest, BadTextGetsReadTablesMessageWhenOpened) {
  TempDir dir;
  std::string text = CsvFile(MakeRows(300, 2));
  const std::size_t at = text.rfind("\n 1", text.size() - 100);
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 1, 2, "zz");
  const std::string path = dir.Write("bad.csv", text);
  std::string expected;
  try {
    (void)ReadTable(path, {});
  } catch (const FileFormatError& e) {
    expected = e.what();
  }
  ASSERT_THAT(expected, HasSubstr("bad.csv:"));
  RowStreamOptions options;
  options.block_rows = 10;
  try {
    const RowStream<double> stream(path, options);
    ADD_FAILURE() << "no error";
  } catch (const FileFormatError& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
  EXPECT_THROW(RowStream<double>(dir.Write("empty.csv", "\n\n"), {}), FileFormatError);
  EXPECT_THROW(RowStream<double>(dir.Write("z.csv", std::string("\x1F\x8B\x08", 3)), {}),
               FileFormatError);
  EXPECT_THROW(RowStream<double>("-", {}), FileAccessError);
}

// A block read again names the line of the file, whatever block it is in;
// a file cut short after it was indexed is an error, not fewer rows.
TEST(TextStreamTest, AFileChangedAfterIndexingIsAnErrorNamingItsLine) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 100; ++i) text += fmt::format("{},{}\n", i, 2 * i);
  const std::string path = dir.Write("x.csv", text);
  RowStreamOptions options;
  options.block_rows = 10;
  const RowStream<double> stream(path, options);
  ASSERT_EQ(stream.NumBlocks(), 10);
  // Row 57 (line 58) becomes "5x,114", the same number of bytes.
  const std::size_t at = text.find("\n57,") + 1;
  text.replace(at, 2, "5x");
  (void)dir.Write("x.csv", text);
  try {
    (void)stream.GetBlock(5);
    ADD_FAILURE() << "no error";
  } catch (const FileFormatError& e) {
    EXPECT_THAT(e.what(), HasSubstr("x.csv:58:1: cannot parse \"5x\" as a number"));
  }
  EXPECT_NO_THROW((void)stream.GetBlock(4));
  (void)dir.Write("x.csv", text.substr(0, 200));
  EXPECT_THROW((void)stream.GetBlock(9), FileFormatError);
}

// Fits on a text stream are the fits of the rows read whole.
TEST(TextStreamTest, GaussianFitsAreBitIdenticalToTheInMemoryFit) {
  TempDir dir;
  const RowMatrix x = MakeRows(2000, 3);
  const std::string path = dir.Write("x.csv", CsvFile(x));
  const Table table = ReadTable(path, {});
  FitOptions fit_options;
  fit_options.max_iter = 20;
  fit_options.seed = 4;
  fit_options.num_threads = 2;
  GaussianMixtureOptions options;
  options.n_components = 3;
  const Fitted<GaussianMixtureModel> memory =
      FitGaussianMixture(fit_options, options, ViewOf(table.values), nullptr);
  for (std::int64_t read_bytes : {100, 1 << 20}) {
    RowStreamOptions stream_options;
    stream_options.read_bytes = read_bytes;
    const Fitted<GaussianMixtureModel> streamed =
        FitGaussianMixture(fit_options, options, RowStream<double>(path, stream_options));
    EXPECT_EQ(TextOf(streamed.model), TextOf(memory.model));
    EXPECT_EQ(streamed.report.mean_log_likelihood, memory.report.mean_log_likelihood);
  }
}

}  // namespace
}  // namespace emkit::io
