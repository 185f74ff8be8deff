// Checkpoint files: the progress of a fit written and read back bit for bit
// (an HMM, a mixture, a float32 mixture), a fit continued from the file
// ends as the fit never stopped, and what cannot be stored is refused.
#include "emkit/io/checkpoint.h"

#include <any>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emkit/error.h"
#include "emkit/fit_progress.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/io/report_json.h"
#include "emkit/random.h"
#include "test_files.h"

namespace emkit::io {
namespace {

using ::testing::HasSubstr;
using testing::ReadFileBytes;
using testing::TempDir;

// Two regimes in 2-D that switch with probability 0.1 per step, cut into
// sequences of 150 rows.
struct Sequences {
  RowMatrix x;
  std::vector<std::int64_t> lengths;
};

Sequences MakeSequences(std::uint64_t seed) {
  Rng rng(seed);
  Sequences s;
  s.x.resize(900, 2);
  int state = 0;
  for (Eigen::Index i = 0; i < s.x.rows(); ++i) {
    if (UniformDouble(rng) < 0.1) state = 1 - state;
    s.x(i, 0) = 4.0 * state + StandardNormal(rng);
    s.x(i, 1) = -2.0 * state + 0.5 * StandardNormal(rng);
  }
  s.lengths.assign(6, 150);
  return s;
}

// Four clusters in 2-D.
RowMatrix MakeClusters(std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(1200, 2);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const int k = static_cast<int>(i % 4);
    x(i, 0) = 3.0 * k + StandardNormal(rng);
    x(i, 1) = -1.5 * k * k + StandardNormal(rng);
  }
  return x;
}

void ExpectSameModel(const GaussianHmmDiag& a, const GaussianHmmDiag& b) {
  EXPECT_EQ(a.chain().start(), b.chain().start());
  EXPECT_EQ(a.chain().transitions(), b.chain().transitions());
  EXPECT_EQ(a.emissions().means(), b.emissions().means());
  EXPECT_EQ(a.emissions().variances(), b.emissions().variances());
}

void ExpectSameModel(const GaussianMixtureFull& a, const GaussianMixtureFull& b) {
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_EQ(a.components().means(), b.components().means());
  EXPECT_EQ(a.components().covariances(), b.components().covariances());
  EXPECT_EQ(a.components().precision_cholesky(), b.components().precision_cholesky());
}

void ExpectSameModel(const Mixture<GaussianFull, float>& a,
                     const Mixture<GaussianFull, float>& b) {
  ExpectSameModel(GaussianMixtureFull(a), GaussianMixtureFull(b));
}

// Restart records hold doubles only as the shortest text that reads back
// as them: equal text is equal bits.
void ExpectSameRecord(const RestartRecord& a, const RestartRecord& b) {
  EXPECT_EQ(RestartRecordToJson(a), RestartRecordToJson(b));
}

template <class M>
void ExpectSameProgress(const FitProgress<M>& a, const FitProgress<M>& b) {
  ASSERT_EQ(a.finished.size(), b.finished.size());
  for (std::size_t r = 0; r < a.finished.size(); ++r) {
    ExpectSameRecord(a.finished[r], b.finished[r]);
  }
  EXPECT_EQ(a.best_restart, b.best_restart);
  EXPECT_EQ(a.best_total_log_likelihood, b.best_total_log_likelihood);
  ASSERT_EQ(a.best.has_value(), b.best.has_value());
  if (a.best) ExpectSameModel(*a.best, *b.best);
  ASSERT_EQ(a.model.has_value(), b.model.has_value());
  if (a.model) ExpectSameModel(*a.model, *b.model);
  ExpectSameRecord(a.current, b.current);
}

// Stops the fit after `iteration` iterations of `restart` (0-based).
IterationCallback StopAt(int restart, int iteration) {
  return [restart, iteration](const IterationEvent& e) {
    // on_progress has seen this iteration's parameters already.
    return e.restart == restart && e.iteration == iteration ? CallbackResult::kStop
                                                            : CallbackResult::kContinue;
  };
}

const std::string kSettings = R"({"command":"test","n":3,"nested":{"b":1,"a":[0.1,2]}})";

// Writes every snapshot of a fit stopped by StopAt(1, 4) to a checkpoint
// while recording them (the last one: after iteration 4 of restart 2), and
// checks that the file holds the last one bit for bit, with the settings, the fingerprint and the names as given. Returns
// the checkpoint read back.
template <class M, class FitFn>
Checkpoint WriteAndReadBack(const TempDir& dir, const std::string& name,
                            const DataFingerprint& fingerprint,
                            const std::vector<std::string>& names, FitOptions options,
                            FitFn&& fit) {
  std::vector<FitProgress<M>> snapshots;
  options.on_progress = [&snapshots](const std::any& progress) {
    const FitProgress<M>* typed = ProgressOf<M>(progress);
    ASSERT_NE(typed, nullptr);
    snapshots.push_back(*typed);
  };
  options.callbacks.push_back(StopAt(1, 4));
  CheckpointWriter writer(dir.File(name), kSettings, fingerprint, names, 0.0);
  writer.Attach(&options);
  (void)fit(options);
  EXPECT_TRUE(writer.Flush());
  EXPECT_EQ(writer.where(), "restart 2, iteration 4");
  EXPECT_GT(snapshots.size(), 4u);

  Checkpoint checkpoint = ReadCheckpoint(dir.File(name));
  EXPECT_EQ(checkpoint.path, dir.File(name));
  EXPECT_EQ(nlohmann::ordered_json::parse(checkpoint.settings).dump(),
            nlohmann::ordered_json::parse(kSettings).dump());
  EXPECT_EQ(checkpoint.data, fingerprint);
  EXPECT_EQ(checkpoint.feature_names, names);
  EXPECT_EQ(checkpoint.where, "restart 2, iteration 4");
  const FitProgress<M>* read = ProgressOf<M>(checkpoint.progress);
  EXPECT_NE(read, nullptr);
  if (read != nullptr && !snapshots.empty()) ExpectSameProgress(*read, snapshots.back());
  return checkpoint;
}

TEST(CheckpointTest, AnHmmsProgressReadsBackBitForBitAndResumesToTheSameFit) {
  const TempDir dir;
  const Sequences s = MakeSequences(3);
  FitOptions options;
  options.n_init = 3;
  options.max_iter = 15;
  options.tol = 0;
  options.seed = 5;
  GaussianHmmOptions hmm;
  hmm.hmm.n_states = 2;
  const auto fit = [&](const FitOptions& o) {
    return FitGaussianHmm(o, hmm, ViewOf(s.x), s.lengths);
  };
  const Fitted<GaussianHmmModel> whole = fit(options);

  const Checkpoint checkpoint = WriteAndReadBack<GaussianHmmDiag>(
      dir, "hmm.ck", FingerprintOf(ViewOf(s.x)), {"a", "b"}, options, fit);
  FitOptions resumed_options = options;
  resumed_options.resume_from = checkpoint.progress;
  const Fitted<GaussianHmmModel> resumed = fit(resumed_options);
  ExpectSameModel(std::get<GaussianHmmDiag>(resumed.model),
                  std::get<GaussianHmmDiag>(whole.model));
  ASSERT_EQ(resumed.report.restarts.size(), whole.report.restarts.size());
  for (std::size_t r = 0; r < whole.report.restarts.size(); ++r) {
    EXPECT_EQ(resumed.report.restarts[r].mean_log_likelihood,
              whole.report.restarts[r].mean_log_likelihood);
    EXPECT_EQ(resumed.report.restarts[r].n_iter, whole.report.restarts[r].n_iter);
  }
}

TEST(CheckpointTest, AMixturesProgressReadsBackBitForBit) {
  const TempDir dir;
  const RowMatrix x = MakeClusters(4);
  FitOptions options;
  options.n_init = 3;
  options.max_iter = 12;
  options.tol = 0;
  options.seed = 8;
  GaussianMixtureOptions mixture;
  mixture.n_components = 4;
  mixture.covariance_type = CovarianceType::kFull;
  const auto fit = [&](const FitOptions& o) {
    return FitGaussianMixture(o, mixture, ViewOf(x), nullptr);
  };
  const Checkpoint checkpoint = WriteAndReadBack<GaussianMixtureFull>(
      dir, "gmm.ck", FingerprintOf(ViewOf(x)), {}, options, fit);

  // A float64 checkpoint holds no float32 model; Float32Progress wraps it.
  EXPECT_EQ((ProgressOf<Mixture<GaussianFull, float>>(checkpoint.progress)), nullptr);
  const std::any float32 = Float32Progress(checkpoint);
  const auto* wrapped = ProgressOf<Mixture<GaussianFull, float>>(float32);
  ASSERT_NE(wrapped, nullptr);
  const auto* stored = ProgressOf<GaussianMixtureFull>(checkpoint.progress);
  ASSERT_NE(stored, nullptr);
  ASSERT_TRUE(wrapped->model.has_value());
  ExpectSameModel(GaussianMixtureFull(*wrapped->model), *stored->model);
}

TEST(CheckpointTest, AFloat32MixturesProgressIsStoredAsItsMixture) {
  const TempDir dir;
  const RowMatrix x = MakeClusters(6);
  const RowMatrixF x32 = x.cast<float>();
  FitOptions options;
  options.n_init = 2;
  options.max_iter = 10;
  options.tol = 0;
  GaussianMixtureOptions mixture;
  mixture.n_components = 3;
  mixture.covariance_type = CovarianceType::kFull;
  std::vector<FitProgress<Mixture<GaussianFull, float>>> snapshots;
  options.on_progress = [&snapshots](const std::any& progress) {
    const auto* typed = ProgressOf<Mixture<GaussianFull, float>>(progress);
    ASSERT_NE(typed, nullptr);
    snapshots.push_back(*typed);
  };
  options.callbacks.push_back(StopAt(1, 4));
  CheckpointWriter writer(dir.File("f32.ck"), "{}", FingerprintOf(ViewOf(x)), {}, 0.0);
  writer.Attach(&options);
  (void)FitGaussianMixture(options, mixture, ViewOf(x32), nullptr);
  ASSERT_FALSE(snapshots.empty());

  const Checkpoint checkpoint = ReadCheckpoint(dir.File("f32.ck"));
  ASSERT_NE(ProgressOf<GaussianMixtureFull>(checkpoint.progress), nullptr);
  const std::any float32 = Float32Progress(checkpoint);
  const auto* read = ProgressOf<Mixture<GaussianFull, float>>(float32);
  ASSERT_NE(read, nullptr);
  ExpectSameProgress(*read, snapshots.back());
}

// Checkpoints written by emkit 0.1's command (tests/cli/data, before
// checkpoints moved into the library) read and write back as the very same
// bytes: the format is unchanged, for float64 and float32 fits.
TEST(CheckpointTest, CheckpointsOfEarlierVersionsWriteBackByteForByte) {
  const TempDir dir;
  for (const char* name : {"checkpoint_v1_gaussian.json", "checkpoint_v1_float32.json"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(EMKIT_SOURCE_DIR) + "/tests/cli/data/" + name;
    const Checkpoint checkpoint = ReadCheckpoint(path);
    const bool float32 =
        nlohmann::ordered_json::parse(checkpoint.settings)["dtype"] == "float32";
    CheckpointWriter writer(dir.File(name), checkpoint.settings, checkpoint.data,
                            checkpoint.feature_names, 1e9);
    FitOptions options;
    writer.Attach(&options);
    options.on_progress(float32 ? Float32Progress(checkpoint) : checkpoint.progress);
    EXPECT_EQ(writer.where(), checkpoint.where);
    EXPECT_TRUE(writer.Flush());
    EXPECT_EQ(ReadFileBytes(dir.File(name)), ReadFileBytes(path));
  }
}

TEST(CheckpointTest, SettingsMustBeAJsonObject) {
  const TempDir dir;
  for (const char* settings : {"", "[1]", "{\"a\":", "3"}) {
    EXPECT_THROW(CheckpointWriter(dir.File("x.ck"), settings, {}, {}, 0.0),
                 InvalidOptionError)
        << settings;
  }
}

TEST(CheckpointTest, AnHmmWithFixedParametersIsRefusedRatherThanLost) {
  const TempDir dir;
  const Sequences s = MakeSequences(4);
  FitOptions options;
  options.max_iter = 3;
  GaussianHmmOptions hmm;
  hmm.hmm.n_states = 2;
  hmm.hmm.fit.transitions = false;
  CheckpointWriter writer(dir.File("fixed.ck"), "{}", FingerprintOf(ViewOf(s.x)), {}, 0.0);
  writer.Attach(&options);
  try {
    (void)FitGaussianHmm(options, hmm, ViewOf(s.x), s.lengths);
    FAIL() << "expected InvalidOptionError";
  } catch (const InvalidOptionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("model files do not store them"));
  }
}

TEST(CheckpointTest, FingerprintsSeeEveryBitAndEveryLength) {
  RowMatrix x = MakeClusters(9);
  const DataFingerprint a = FingerprintOf(ViewOf(x));
  EXPECT_EQ(a.rows, 1200);
  EXPECT_EQ(a.columns, 2);
  x(600, 1) = std::nextafter(x(600, 1), 1e300);
  EXPECT_NE(FingerprintOf(ViewOf(x)).checksum, a.checksum);

  // float32 rows: the fingerprint of the same values as doubles.
  RowMatrixF x32 = x.cast<float>();
  const RowMatrix widened = x32.cast<double>();
  EXPECT_EQ(FingerprintOf(ViewOf(x32)), FingerprintOf(ViewOf(widened)));
  EXPECT_NE(FingerprintOf(ViewOf(x32)), FingerprintOf(ViewOf(x)));
  x32(3, 0) = std::nextafter(x32(3, 0), 1e30f);
  EXPECT_NE(FingerprintOf(ViewOf(x32)), FingerprintOf(ViewOf(widened)));

  const std::vector<std::int64_t> lengths = {100, 200, 300};
  const DataFingerprint l = FingerprintOfLengths(lengths, 600);
  EXPECT_EQ(l.rows, 3);
  EXPECT_EQ(l.columns, 1);
  EXPECT_NE(FingerprintOfLengths(std::vector<std::int64_t>{200, 100, 300}, 600).checksum,
            l.checksum);
  // No lengths is one sequence of all rows.
  EXPECT_EQ(FingerprintOfLengths({}, 600),
            FingerprintOfLengths(std::vector<std::int64_t>{600}, 600));
  EXPECT_NE(FingerprintOfLengths({}, 600), FingerprintOfLengths({}, 601));
  EXPECT_EQ(ChecksumText(0x12ab), "00000000000012ab");
}

TEST(CheckpointTest, BadFilesAreNamedWithWhatIsWrong) {
  const TempDir dir;
  const auto expect_format_error = [&](const std::string& text, const std::string& what) {
    const std::string path = dir.Write("bad.ck", text);
    try {
      (void)ReadCheckpoint(path);
      ADD_FAILURE() << "expected FileFormatError for " << text;
    } catch (const FileFormatError& e) {
      EXPECT_THAT(e.what(), HasSubstr(path + ": " + what));
    }
  };
  expect_format_error("{", "not a checkpoint file (not valid JSON)");
  expect_format_error(R"({"format":"emkit-model"})", "not a checkpoint file");
  expect_format_error(R"({"format":"emkit-checkpoint","version":2})",
                      "checkpoint version 2 is newer than this emkit reads (1)");
  expect_format_error(R"({"format":"emkit-checkpoint","version":1})",
                      "not a complete checkpoint: no \"settings\"");
  expect_format_error(
      R"({"format":"emkit-checkpoint","version":1,"settings":{},)"
      R"("data":{"rows":1,"columns":1,"checksum":"xyz"}})",
      "\"checksum\" must be a string of 16 hex digits");
  EXPECT_THROW((void)ReadCheckpoint(dir.File("missing.ck")), FileAccessError);
}

}  // namespace
}  // namespace emkit::io
