// The laws every EM model must obey, as GoogleTest checks a user runs on
// their own model (emkit's shipped models run through the same checks in
// tests/laws/). Each law holds for any correct model because of the shape of
// EM itself (emkit/model.h), not because of what the model is:
//
//   - the likelihood never decreases from one iteration to the next, and
//     the engine's certificate L(new) - L(old) >= Q(new|old) - Q(old|old) >= 0
//     holds at every iteration (a wrong M-step breaks it);
//   - statistics are additive: the E-step ADDS into the caller's value, the
//     statistics of two parts merge to those of the whole, and a block split
//     gives the whole's result;
//   - a sample weight of m behaves like m copies of the sample (0 like
//     leaving it out), when the model's blocks carry weights;
//   - a fit is bit-identical for 1, 2 and 3 threads;
//   - statistics that have a codec (SerializableStatistics, emkit/model.h)
//     come back from it bit for bit, and their flat buffers merge as the
//     statistics do (emkit/statistics_codec.h);
//   - saving and loading the model (when the user supplies a round trip)
//     gives back a model that scores the data bit-identically.
//
// Statistics are opaque to the engine, so two statistics values are compared
// through what the model makes of them: the log-likelihood the E-steps
// returned, Q(theta | S) and the M-step's model (its Q and its likelihood on
// the data, and its parameters when LawOptions::parameters is given).
//
// The functions live in emkit::laws (not emkit::testing, which would hide
// GoogleTest's ::testing inside namespace emkit).
//
// Usage, for a model M whose data a "data maker" can build:
//
//   TEST(MyModel, ObeysTheLaws) {
//     emkit::laws::LawOptions<MyModel> options;
//     options.parameters = [](const MyModel& m) { return Flatten(m); };
//     emkit::laws::ExpectModelLaws(start_model, make_data, num_samples, options);
//   }
//
// A data maker is a callable
//
//   Data make_data(const std::vector<std::int64_t>& samples,
//                  const std::vector<double>* weights, std::int64_t block_rows)
//
// that returns a BlockSource (emkit/model.h) over the given samples of the
// user's data set, in the given order (a sample may be repeated), weighted
// by (*weights)[j] when weights is not null, cut into blocks of block_rows
// samples. The returned value must own whatever its blocks point into. For
// models whose Block is a RowBlock, RowDataMaker(x) is such a maker; for
// hidden Markov models (SequenceBlock), SequenceDataMaker(x, lengths), whose
// samples are whole sequences.
#ifndef EMKIT_TESTING_MODEL_LAWS_H_
#define EMKIT_TESTING_MODEL_LAWS_H_

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/fit.h"
#include "emkit/hmm/sequence_blocks.h"
#include "emkit/matrix.h"
#include "emkit/model.h"
#include "emkit/options.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"
#include "emkit/statistics_codec.h"
#include "emkit/thread_pool.h"

namespace emkit::laws {

template <class M>
struct LawOptions {
  // EM iterations of the likelihood, certificate and thread laws (run with
  // tol = 0, so every one of them happens). Start the model away from a
  // fixed point, or these laws test little.
  int max_iter = 20;

  // Samples per block where the laws need several blocks. Keep it well
  // under the number of samples.
  std::int64_t block_rows = 16;

  // Relative tolerance of comparisons that differ only by the order of
  // floating-point additions (block splits, merges, weights).
  double tolerance = 1e-9;

  // The certificate's relative tolerance (FitOptions::certificate_tolerance).
  double certificate_tolerance = 1e-9;

  // Whether the data maker honours weights (the model's blocks carry them).
  bool weights = true;

  // Optional: the model's parameters as numbers, compared elementwise
  // between models that must be equal. Without it, models are compared by
  // their Q and likelihood only.
  std::function<std::vector<double>(const M&)> parameters;

  // Optional: save then load (e.g. through a file or a string). Checked to
  // give a model whose likelihood and Q are bit-identical.
  std::function<M(const M&)> round_trip;

  // Relative tolerance of the round trip's likelihood and Q; 0 (the default)
  // demands bit-identical values, which a format that stores every number
  // that the model computes with can always give.
  double round_trip_tolerance = 0.0;
};

// ---------------------------------------------------------------------------
// Data over rows of a matrix, for models whose Block is a RowBlock.
// ---------------------------------------------------------------------------

// Owns selected rows (and weights) of a matrix and cuts them into blocks.
class OwnedRowBlocks {
 public:
  OwnedRowBlocks(RowMatrix rows, std::vector<double> weights, std::int64_t block_rows)
      : storage_(std::make_unique<Storage>(std::move(rows), std::move(weights), block_rows)) {}

  std::int64_t NumBlocks() const { return storage_->blocks.NumBlocks(); }
  RowBlock<double> GetBlock(std::int64_t b) const { return storage_->blocks.GetBlock(b); }
  double TotalWeight() const { return storage_->blocks.TotalWeight(); }
  std::int64_t block_rows() const { return storage_->blocks.block_rows(); }
  const RowBlocks<double>& blocks() const { return storage_->blocks; }

 private:
  // Behind a pointer so that moving this object keeps the views valid.
  struct Storage {
    Storage(RowMatrix r, std::vector<double> w, std::int64_t block_rows)
        : rows(std::move(r)),
          weights(std::move(w)),
          blocks(ViewOf(rows), weights.empty() ? nullptr : weights.data(), block_rows) {}
    RowMatrix rows;
    std::vector<double> weights;
    RowBlocks<double> blocks;
  };
  std::unique_ptr<Storage> storage_;
};

// A data maker (see the top of this file) over the rows of x; x is copied.
inline auto RowDataMaker(RowMatrix x) {
  return [x = std::move(x)](const std::vector<std::int64_t>& samples,
                            const std::vector<double>* weights,
                            std::int64_t block_rows) {
    RowMatrix rows(static_cast<Eigen::Index>(samples.size()), x.cols());
    for (std::size_t j = 0; j < samples.size(); ++j) rows.row(j) = x.row(samples[j]);
    return OwnedRowBlocks(std::move(rows), weights ? *weights : std::vector<double>{},
                          block_rows);
  };
}

// ---------------------------------------------------------------------------
// Data over whole sequences, for hidden Markov models (SequenceBlock).
// ---------------------------------------------------------------------------

// Owns selected sequences (one after another) and cuts them into blocks of
// whole sequences. Sequence blocks carry no weights: use it with
// LawOptions::weights = false.
class OwnedSequenceBlocks {
 public:
  OwnedSequenceBlocks(RowMatrix rows, std::vector<std::int64_t> lengths,
                      std::int64_t block_rows)
      : storage_(std::make_unique<Storage>(std::move(rows), std::move(lengths), block_rows)) {}

  std::int64_t NumBlocks() const { return storage_->blocks.NumBlocks(); }
  SequenceBlock<double> GetBlock(std::int64_t b) const { return storage_->blocks.GetBlock(b); }
  double TotalWeight() const { return storage_->blocks.TotalWeight(); }
  std::int64_t block_rows() const { return storage_->blocks.block_rows(); }

 private:
  struct Storage {
    Storage(RowMatrix r, std::vector<std::int64_t> l, std::int64_t block_rows)
        : rows(std::move(r)), lengths(std::move(l)), blocks(ViewOf(rows), lengths, block_rows) {}
    RowMatrix rows;
    std::vector<std::int64_t> lengths;
    SequenceBlocks<double> blocks;
  };
  std::unique_ptr<Storage> storage_;
};

// A data maker over the sequences of x (rows concatenated, `lengths` as
// hmmlearn takes them); a sample is a sequence, and a block holds at least
// block_rows whole sequences (block_rows times the longest length in
// rows, as SequenceBlocks counts). x is copied.
inline auto SequenceDataMaker(RowMatrix x, std::vector<std::int64_t> lengths) {
  std::vector<std::int64_t> first(lengths.size() + 1, 0);
  for (std::size_t s = 0; s < lengths.size(); ++s) first[s + 1] = first[s] + lengths[s];
  const std::int64_t longest =
      lengths.empty() ? 1 : *std::max_element(lengths.begin(), lengths.end());
  return [x = std::move(x), lengths = std::move(lengths), first = std::move(first),
          longest](const std::vector<std::int64_t>& samples, const std::vector<double>*,
                   std::int64_t block_sequences) {
    std::int64_t total = 0;
    for (std::int64_t s : samples) total += lengths[s];
    RowMatrix rows(total, x.cols());
    std::vector<std::int64_t> chosen;
    std::int64_t at = 0;
    for (std::int64_t s : samples) {
      rows.middleRows(at, lengths[s]) = x.middleRows(first[s], lengths[s]);
      at += lengths[s];
      chosen.push_back(lengths[s]);
    }
    return OwnedSequenceBlocks(std::move(rows), std::move(chosen), block_sequences * longest);
  };
}

namespace internal {

inline double Scale(double a, double b) {
  return std::max({1.0, std::abs(a), std::abs(b)});
}

inline void ExpectNear(double actual, double expected, double tolerance,
                       const std::string& what) {
  EXPECT_LE(std::abs(actual - expected), tolerance * Scale(actual, expected))
      << what << ": " << actual << " vs " << expected;
}

inline void ExpectParametersNear(const std::vector<double>& a, const std::vector<double>& b,
                                 double tolerance, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what << ": different numbers of parameters";
  double scale = 1.0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_LE(std::abs(a[i] - b[i]), tolerance * scale)
        << what << ": parameter " << i << " is " << a[i] << " vs " << b[i];
  }
}

inline std::vector<std::int64_t> AllSamples(std::int64_t n) {
  std::vector<std::int64_t> all(n);
  std::iota(all.begin(), all.end(), std::int64_t{0});
  return all;
}

// Everything the laws compare about one statistics value of `model` over
// `data`: the E-step's log-likelihood, Q(model | S), and the M-step's model
// judged by its Q on S, its likelihood on `data` and its parameters.
template <class M>
struct StatisticsSummary {
  double loglik = 0.0;
  double q = 0.0;
  double q_next = 0.0;
  double loglik_next = 0.0;
  std::vector<double> next_parameters;
};

template <class M, class Data>
StatisticsSummary<M> Summarize(const M& model, const Data& data,
                               const typename M::Statistics& stats, double loglik,
                               const LawOptions<M>& options) {
  StatisticsSummary<M> s;
  s.loglik = loglik;
  s.q = model.ExpectedCompleteLogLikelihood(stats);
  RepairCounts repairs;
  const M next = model.MStep(stats, &repairs);
  s.q_next = next.ExpectedCompleteLogLikelihood(stats);
  ThreadPool pool(1);
  typename M::Statistics scratch = next.NewStatistics();
  s.loglik_next = EStepAll(pool, data, next, &scratch);
  if (options.parameters) s.next_parameters = options.parameters(next);
  return s;
}

template <class M>
void ExpectSameSummary(const StatisticsSummary<M>& a, const StatisticsSummary<M>& b,
                       double tolerance, const std::string& what) {
  ExpectNear(a.loglik, b.loglik, tolerance, what + ": E-step log-likelihood");
  ExpectNear(a.q, b.q, tolerance, what + ": Q(theta | S)");
  ExpectNear(a.q_next, b.q_next, tolerance, what + ": Q of the M-step's model");
  ExpectNear(a.loglik_next, b.loglik_next, tolerance,
             what + ": log-likelihood of the M-step's model");
  ExpectParametersNear(a.next_parameters, b.next_parameters, 1e3 * tolerance,
                       what + ": the M-step's parameters");
}

// Compares bit patterns, so that -0.0 and NaN count as what they are; a
// difference is reported with the key of `layout` it falls in.
inline void ExpectSameBits(const std::vector<double>& actual, const std::vector<double>& expected,
                           const StatisticsLayout& layout, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what << ": buffers of different lengths";
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(actual[i]) == std::bit_cast<std::uint64_t>(expected[i])) {
      continue;
    }
    std::string key;
    for (std::size_t a = 0, end = 0; a < layout.size() && key.empty(); ++a) {
      end += FlatLength({layout[a]});
      if (i < end) key = layout[a].key;
    }
    ADD_FAILURE() << what << ": value " << i << " (of \"" << key << "\") is " << actual[i]
                  << " vs " << expected[i];
    return;
  }
}

template <class M, class Data>
FitReport RunEm(const M& model, const Data& data, const LawOptions<M>& options,
                int threads, M* fitted) {
  FitOptions fit;
  fit.tol = 0.0;
  fit.max_iter = options.max_iter;
  fit.num_threads = threads;
  fit.certificate_tolerance = options.certificate_tolerance;
  *fitted = model;
  return Fit(fit, data, fitted);
}

}  // namespace internal

// ---------------------------------------------------------------------------
// The laws, one function each.
// ---------------------------------------------------------------------------

// EM from `model` never lowers the likelihood, and the engine's certificate
// holds at every iteration (no violation, a usable result).
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
void ExpectLikelihoodNeverDecreases(const M& model, const Data& data,
                                    const LawOptions<M>& options = {}) {
  SCOPED_TRACE("law: the likelihood never decreases and the certificate holds");
  M fitted = model;
  const FitReport report = internal::RunEm(model, data, options, 1, &fitted);
  ASSERT_TRUE(report.IsUsable()) << report.FullReport();
  const RestartRecord& restart = report.restarts.at(0);
  ASSERT_EQ(static_cast<int>(restart.iterations.size()), options.max_iter)
      << report.FullReport();
  double previous = restart.initial_mean_log_likelihood * data.TotalWeight();
  for (const IterationRecord& it : restart.iterations) {
    const double current = it.mean_log_likelihood * data.TotalWeight();
    const double slack = options.certificate_tolerance * internal::Scale(current, previous);
    EXPECT_GE(it.loglik_gain, -slack)
        << "iteration " << it.iteration << " lowered the log-likelihood";
    EXPECT_GE(it.bound_gain, -slack)
        << "iteration " << it.iteration << ": the M-step lowered Q (bound_gain < 0)";
    EXPECT_FALSE(it.certificate_violated)
        << "iteration " << it.iteration << ": loglik_gain " << it.loglik_gain
        << " < bound_gain " << it.bound_gain;
    previous = current;
  }
  EXPECT_EQ(report.certificate_violations, 0) << report.FullReport();
}

// Statistics are additive: the E-step adds into the caller's value; two
// parts merged, the same two parts E-stepped into one value, and a split
// into blocks all give the result of the whole in one block. SetZero
// returns a value to empty.
template <EmModel M, class MakeData>
void ExpectStatisticsAreAdditive(const M& model, MakeData&& make_data,
                                 std::int64_t num_samples,
                                 const LawOptions<M>& options = {}) {
  SCOPED_TRACE("law: statistics merge additively and a block split equals the whole");
  ASSERT_GE(num_samples, 2);
  const std::vector<std::int64_t> all = internal::AllSamples(num_samples);
  const auto whole = make_data(all, nullptr, num_samples);
  ASSERT_EQ(whole.NumBlocks(), 1);
  typename M::Statistics s_whole = model.NewStatistics();
  const double l_whole = model.EStep(whole.GetBlock(0), &s_whole);
  const auto reference = internal::Summarize(model, whole, s_whole, l_whole, options);

  // Two parts of unequal size.
  const std::int64_t cut = num_samples / 3 + 1;
  const std::vector<std::int64_t> first(all.begin(), all.begin() + cut);
  const std::vector<std::int64_t> second(all.begin() + cut, all.end());
  const auto data_first = make_data(first, nullptr, num_samples);
  const auto data_second = make_data(second, nullptr, num_samples);

  // Merge of separately computed parts.
  typename M::Statistics a = model.NewStatistics();
  typename M::Statistics b = model.NewStatistics();
  double l_merged = model.EStep(data_first.GetBlock(0), &a);
  l_merged += model.EStep(data_second.GetBlock(0), &b);
  a.Merge(b);
  internal::ExpectSameSummary(internal::Summarize(model, whole, a, l_merged, options),
                              reference, options.tolerance, "two parts merged");

  // The E-step adds into a value that already holds statistics.
  typename M::Statistics c = model.NewStatistics();
  double l_added = model.EStep(data_first.GetBlock(0), &c);
  l_added += model.EStep(data_second.GetBlock(0), &c);
  internal::ExpectSameSummary(internal::Summarize(model, whole, c, l_added, options),
                              reference, options.tolerance,
                              "two E-steps into one value (the E-step must add, not overwrite)");

  // SetZero empties a value: afterwards it holds the whole's statistics only.
  c.SetZero();
  const double l_again = model.EStep(whole.GetBlock(0), &c);
  internal::ExpectSameSummary(internal::Summarize(model, whole, c, l_again, options),
                              reference, options.tolerance, "after SetZero");

  // Blocks reduced by the engine.
  const auto split = make_data(all, nullptr, options.block_rows);
  EXPECT_GT(split.NumBlocks(), 1) << "block_rows leaves a single block";
  ThreadPool pool(1);
  typename M::Statistics s_split = model.NewStatistics();
  const double l_split = EStepAll(pool, split, model, &s_split);
  internal::ExpectSameSummary(internal::Summarize(model, whole, s_split, l_split, options),
                              reference, options.tolerance, "blocks of block_rows");
}

// A sample with weight m gives the statistics of m copies of it (m = 0: of
// leaving it out), and the total weight counts it m times.
template <EmModel M, class MakeData>
void ExpectWeightsActLikeRepeatedRows(const M& model, MakeData&& make_data,
                                      std::int64_t num_samples,
                                      const LawOptions<M>& options = {}) {
  SCOPED_TRACE("law: weights behave like repeated rows");
  std::vector<std::int64_t> once;
  std::vector<double> weights;
  std::vector<std::int64_t> repeated;
  for (std::int64_t i = 0; i < num_samples; ++i) {
    const int m = static_cast<int>(i % 4);  // 0, 1, 2, 3 copies
    once.push_back(i);
    weights.push_back(m);
    for (int r = 0; r < m; ++r) repeated.push_back(i);
  }
  const auto weighted = make_data(once, &weights, options.block_rows);
  const auto copies = make_data(repeated, nullptr, options.block_rows);
  EXPECT_EQ(weighted.TotalWeight(), copies.TotalWeight());
  ThreadPool pool(1);
  typename M::Statistics s_weighted = model.NewStatistics();
  typename M::Statistics s_copies = model.NewStatistics();
  const double l_weighted = EStepAll(pool, weighted, model, &s_weighted);
  const double l_copies = EStepAll(pool, copies, model, &s_copies);
  internal::ExpectSameSummary(
      internal::Summarize(model, copies, s_weighted, l_weighted, options),
      internal::Summarize(model, copies, s_copies, l_copies, options), options.tolerance,
      "weights 0..3 against copies");
}

// Fits with 1, 2 and 3 threads agree to the last bit, iteration by
// iteration (the engine's fixed blocks and ordered merges guarantee it for
// any model whose E-step depends only on its block).
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
void ExpectThreadCountInvariance(const M& model, const Data& data,
                                 const LawOptions<M>& options = {}) {
  SCOPED_TRACE("law: fits are bit-identical for any number of threads");
  EXPECT_GT(data.NumBlocks(), 2) << "too few blocks for threads to matter";
  M one = model;
  const FitReport reference = internal::RunEm(model, data, options, 1, &one);
  for (int threads : {2, 3}) {
    M many = model;
    const FitReport report = internal::RunEm(model, data, options, threads, &many);
    const auto& a = reference.restarts.at(0).iterations;
    const auto& b = report.restarts.at(0).iterations;
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].mean_log_likelihood, b[i].mean_log_likelihood)
          << threads << " threads, iteration " << i + 1;
      EXPECT_EQ(a[i].bound_gain, b[i].bound_gain) << threads << " threads, iteration " << i + 1;
    }
    if (options.parameters) {
      EXPECT_EQ(options.parameters(one), options.parameters(many)) << threads << " threads";
    }
  }
}

// Saving and loading gives a model that scores `data` bit-identically (and
// has the same parameters, when LawOptions::parameters is given).
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
void ExpectRoundTrip(const M& model, const Data& data, const LawOptions<M>& options) {
  SCOPED_TRACE("law: a save/load round trip gives the same model");
  ASSERT_TRUE(static_cast<bool>(options.round_trip)) << "no round_trip given";
  const M loaded = options.round_trip(model);
  ThreadPool pool(1);
  typename M::Statistics s_model = model.NewStatistics();
  typename M::Statistics s_loaded = loaded.NewStatistics();
  const double l_model = EStepAll(pool, data, model, &s_model);
  const double l_loaded = EStepAll(pool, data, loaded, &s_loaded);
  const double q_model = model.ExpectedCompleteLogLikelihood(s_model);
  const double q_loaded = loaded.ExpectedCompleteLogLikelihood(s_model);
  if (options.round_trip_tolerance == 0.0) {
    EXPECT_EQ(l_model, l_loaded) << "log-likelihood after the round trip";
    EXPECT_EQ(q_model, q_loaded) << "Q after the round trip";
  } else {
    internal::ExpectNear(l_loaded, l_model, options.round_trip_tolerance,
                         "log-likelihood after the round trip");
    internal::ExpectNear(q_loaded, q_model, options.round_trip_tolerance,
                         "Q after the round trip");
  }
  EXPECT_EQ(model.NumFreeParameters(), loaded.NumFreeParameters());
  if (options.parameters) {
    EXPECT_EQ(options.parameters(model), options.parameters(loaded));
  }
}

// Statistics leave the process through their codec unchanged
// (emkit/statistics_codec.h): the statistics of an E-step on the data,
// encoded as named arrays and decoded (into a value that held other
// statistics), or flattened and unflattened, have the same bits and give
// the same Q and M-step; merging flat buffers (MergeFlattened, and a plain
// sum where SummableStatistics says so) gives the buffer of the merge, bit
// for bit; and an array of another shape fails naming its key, as does a
// buffer of another length.
template <EmModel M, class MakeData>
  requires SerializableStatistics<typename M::Statistics>
void ExpectStatisticsCodecRoundTrips(const M& model, MakeData&& make_data,
                                     std::int64_t num_samples,
                                     const LawOptions<M>& options = {}) {
  SCOPED_TRACE("law: statistics come back from their codec bit for bit");
  using S = typename M::Statistics;
  ASSERT_GE(num_samples, 2);
  const std::vector<std::int64_t> all = internal::AllSamples(num_samples);
  const auto whole = make_data(all, nullptr, num_samples);
  ASSERT_EQ(whole.NumBlocks(), 1);
  S stats = model.NewStatistics();
  const double loglik = model.EStep(whole.GetBlock(0), &stats);
  const auto reference = internal::Summarize(model, whole, stats, loglik, options);
  const StatisticsLayout layout = LayoutOf(stats);
  const std::vector<double> flat = FlattenStatistics(stats);
  ASSERT_EQ(flat.size(), FlatLength(layout));
  ASSERT_TRUE(std::any_of(flat.begin(), flat.end(), [](double v) { return v != 0.0; }))
      << "the E-step left every statistic zero";

  // Two parts of unequal size, for the merges and as a value to decode into.
  const std::int64_t cut = num_samples / 3 + 1;
  const auto data_first =
      make_data(std::vector<std::int64_t>(all.begin(), all.begin() + cut), nullptr, num_samples);
  const auto data_second =
      make_data(std::vector<std::int64_t>(all.begin() + cut, all.end()), nullptr, num_samples);
  S a = model.NewStatistics();
  S b = model.NewStatistics();
  (void)model.EStep(data_first.GetBlock(0), &a);
  (void)model.EStep(data_second.GetBlock(0), &b);

  {
    FlatStatisticsWriter writer;
    stats.Encode(writer);
    S decoded = b;  // Decode must replace what a value holds, not add to it
    decoded.Decode(FlatStatisticsReader(writer.layout(), writer.values()));
    internal::ExpectSameBits(FlattenStatistics(decoded), flat, layout, "encoded and decoded");
    internal::ExpectSameSummary(internal::Summarize(model, whole, decoded, loglik, options),
                                reference, 0.0, "encoded and decoded");
  }
  {
    const S unflattened = UnflattenStatistics(model.NewStatistics(), flat);
    internal::ExpectSameBits(FlattenStatistics(unflattened), flat, layout,
                             "flattened and unflattened");
    internal::ExpectSameSummary(internal::Summarize(model, whole, unflattened, loglik, options),
                                reference, 0.0, "flattened and unflattened");
  }

  S merged = a;
  merged.Merge(b);
  const std::vector<double> flat_merged = FlattenStatistics(merged);
  const std::vector<double> flat_b = FlattenStatistics(b);
  std::vector<double> total = FlattenStatistics(a);
  MergeFlattened(model.NewStatistics(), std::span<double>(total), flat_b);
  internal::ExpectSameBits(total, flat_merged, layout, "MergeFlattened");
  if constexpr (SummableStatistics<S>) {
    std::vector<double> sum = FlattenStatistics(a);
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += flat_b[i];
    internal::ExpectSameBits(sum, flat_merged, layout,
                             "element-wise sum of flat buffers (kMergeIsSum)");
  }

  for (const StatisticsArray& array : layout) {
    StatisticsLayout wrong = layout;
    for (StatisticsArray& w : wrong) {
      if (w.key == array.key) w.shape.back() += 1;
    }
    const std::vector<double> values(FlatLength(wrong), 0.0);
    S target = model.NewStatistics();
    try {
      target.Decode(FlatStatisticsReader(wrong, values));
      ADD_FAILURE() << "Decode accepted \"" << array.key << "\" of another shape";
    } catch (const InvalidDataError& e) {
      EXPECT_NE(std::string(e.what()).find("\"" + array.key + "\""), std::string::npos)
          << "the message does not name the key: " << e.what();
    }
  }
  EXPECT_THROW((void)UnflattenStatistics(model.NewStatistics(),
                                         std::span<const double>(flat).first(flat.size() - 1)),
               InvalidDataError);
}

// All the laws above on `num_samples` samples made by `make_data`, starting
// from `model`; the round trip is checked on the initial and the fitted
// model when options.round_trip is given, the weights law when
// options.weights is true, the codec law when the statistics have a codec.
template <EmModel M, class MakeData>
void ExpectModelLaws(const M& model, MakeData&& make_data, std::int64_t num_samples,
                     const LawOptions<M>& options = {}) {
  const std::vector<std::int64_t> all = internal::AllSamples(num_samples);
  const auto data = make_data(all, nullptr, options.block_rows);
  ExpectLikelihoodNeverDecreases(model, data, options);
  ExpectStatisticsAreAdditive(model, make_data, num_samples, options);
  if (options.weights) ExpectWeightsActLikeRepeatedRows(model, make_data, num_samples, options);
  ExpectThreadCountInvariance(model, data, options);
  if constexpr (SerializableStatistics<typename M::Statistics>) {
    ExpectStatisticsCodecRoundTrips(model, make_data, num_samples, options);
  }
  if (options.round_trip) {
    ExpectRoundTrip(model, data, options);
    M fitted = model;
    (void)internal::RunEm(model, data, options, 1, &fitted);
    ExpectRoundTrip(fitted, data, options);
  }
}

}  // namespace emkit::laws

#endif  // EMKIT_TESTING_MODEL_LAWS_H_
