// emkit hmm fit under interruption and time limits, and checkpoints of
// either command: SIGINT/SIGTERM save the progress in --checkpoint and
// --resume continues it to the very bytes an uninterrupted fit writes; so
// does a checkpoint left by --max-time, and one of every emission. A resumed
// fit takes its options from the checkpoint and its data (rows and
// sequences) must be the same. Mixtures of every registered family
// checkpoint, and checkpoints written by emkit 0.1 still resume.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_fixture.h"
#include "emkit/random.h"

namespace emkit::cli_testing {
namespace {

// Rows of three regimes in 3-D that switch at random about every 20 rows,
// with a header, and the lengths of the sequences they are cut into.
struct Regimes {
  std::string csv = "a,b,c\n";
  std::string lengths;
};

Regimes MakeRegimes(int sequences, int rows_per_sequence, std::uint64_t seed) {
  Rng rng(seed);
  Regimes r;
  int state = 0;
  for (int s = 0; s < sequences; ++s) {
    // Sequences of unequal lengths: their order matters.
    const int rows = rows_per_sequence + 7 * s;
    r.lengths += fmt::format("{}\n", rows);
    for (int i = 0; i < rows; ++i) {
      // Any state may follow any other: no transition probability tends to
      // zero over a long fit.
      if (UniformDouble(rng) < 0.05) state = static_cast<int>(UniformIndex(rng, 3));
      r.csv += fmt::format("{},{},{}\n", 3.0 * state + StandardNormal(rng),
                           -2.0 * state + StandardNormal(rng),
                           0.5 * state * state + 0.7 * StandardNormal(rng));
    }
  }
  return r;
}

class HmmResumeTest : public CliTest {
 protected:
  // Starts emkit with `args` without waiting; stdout and stderr go to files.
  pid_t Start(const std::vector<std::string>& args) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, Path("bg.out").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, Path("bg.err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv_strings = {EMKIT_BINARY};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, EMKIT_BINARY, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  // Waits for the process; its exit code, or the negated signal number.
  static int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? -WTERMSIG(status) : -1000;
  }

  // Waits up to a minute for `name` to exist.
  bool AwaitFile(const std::string& name) {
    for (int i = 0; i < 6000; ++i) {
      if (Exists(name)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

// Enough rows and iterations that a fit runs for a while after its first
// checkpoint: the signal arrives long before it would end on its own.
const std::vector<std::string> kLongFit = {"-k", "3", "--n-init", "2", "--seed", "3",
                                           "--tol", "0", "--max-iter", "300", "-q"};

TEST_F(HmmResumeTest, SignalStopsTheFitAndResumeGivesTheUninterruptedModel) {
  const Regimes regimes = MakeRegimes(30, 400, 1);
  const std::string data = Write("d.csv", regimes.csv);
  const std::string lengths = Write("lengths.txt", regimes.lengths);
  const std::vector<std::string> fit = {"hmm", "fit", data, "--lengths", lengths};
  const Result whole = Run(With(With(fit, {"-o", Path("whole.json")}), kLongFit));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const std::string expected = ReadFileBytes(Path("whole.json"));

  for (const int signal_number : {SIGINT, SIGTERM}) {
    const std::string name = signal_number == SIGINT ? "int" : "term";
    const std::string checkpoint = Path(name + ".ck");
    const pid_t pid = Start(With(With(fit, {"-o", Path(name + ".json"), "--checkpoint",
                                            checkpoint, "--checkpoint-every", "0"}),
                                 kLongFit));
    ASSERT_TRUE(AwaitFile(name + ".ck"));
    kill(pid, signal_number);
    const int code = Wait(pid);
    const std::string err = ReadFileBytes(Path("bg.err"));
    ASSERT_EQ(code, 128 + signal_number) << err;
    EXPECT_THAT(err, HasSubstr(signal_number == SIGINT ? "interrupted by SIGINT"
                                                       : "interrupted by SIGTERM"));
    EXPECT_THAT(err, HasSubstr("continue it with: emkit hmm fit " + data + " --lengths " +
                               lengths + " --resume " + checkpoint));
    EXPECT_FALSE(Exists(name + ".json")) << "an interrupted fit writes no model";

    // Resumed with another thread count: the same bytes.
    const Result resumed =
        Run({"hmm", "fit", data, "--lengths", lengths, "--resume", checkpoint, "-o",
             Path(name + "-resumed.json"), "--threads", "2", "-q"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(ReadFileBytes(Path(name + "-resumed.json")), expected);
  }
}

TEST_F(HmmResumeTest, ACheckpointLeftByMaxTimeResumesToTheUninterruptedModel) {
  const Regimes regimes = MakeRegimes(30, 400, 2);
  const std::string data = Write("d.csv", regimes.csv);
  const std::string lengths = Write("lengths.txt", regimes.lengths);
  const std::vector<std::string> fit = {"hmm", "fit", data, "--lengths", lengths};
  const Result whole = Run(With(With(fit, {"-o", Path("whole.json")}), kLongFit));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  // Far too little time for 2 x 300 iterations (on any machine): the fit ends with a usable
  // model, and the checkpoint holds where it stood.
  const Result limited =
      Run(With(With(fit, {"-o", Path("limited.json"), "--report", Path("r.json"),
                          "--max-time", "0.01", "--checkpoint", Path("ck.json"),
                          "--checkpoint-every", "0"}),
               kLongFit));
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  const Json report = Json::parse(ReadFileBytes(Path("r.json")));
  EXPECT_EQ(report["termination"], "time_limit");
  EXPECT_EQ(report["usable"], true);
  EXPECT_NE(ReadFileBytes(Path("limited.json")), ReadFileBytes(Path("whole.json")));

  const Result resumed = Run({"hmm", "fit", data, "--lengths", lengths, "--resume",
                              Path("ck.json"), "-o", Path("resumed.json"), "-q"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(ReadFileBytes(Path("resumed.json")), ReadFileBytes(Path("whole.json")));
}

// A two-state model of `emission` with `params`, for `emkit hmm sample`.
std::string SampledTruth(const std::string& emission, const std::string& params) {
  return R"({"format": "emkit-model", "version": 1, "model": "hmm", "emission": ")" +
         emission +
         R"(", "startprob": [0.5, 0.5], "transmat": [[0.9, 0.1], [0.1, 0.9]], )" + params +
         "}";
}

TEST_F(HmmResumeTest, EveryEmissionResumesFromItsLastCheckpoint) {
  // A fit that ran to the end leaves the state before its last iteration in
  // the checkpoint; resuming it repeats that iteration and must end where
  // the fit ended, byte for byte.
  const Regimes regimes = MakeRegimes(6, 150, 3);
  const std::string gaussian = Write("g.csv", regimes.csv);
  const std::string lengths = Write("lengths.txt", regimes.lengths);
  const std::vector<std::pair<std::string, std::string>> sampled = {
      {"categorical", R"("categorical_layout": "symbols", )"
                      R"("probabilities": [[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])"},
      {"poisson", R"("rates": [[1, 4], [9, 2]])"},
      {"bernoulli", R"("probabilities": [[0.9, 0.1, 0.5], [0.1, 0.9, 0.5]])"},
      {"vmf", R"("n_features": 3, "mean_directions": [[1, 0, 0], [0, 1, 0]], )"
              R"("concentrations": [20, 20])"}};
  for (const auto& [emission, params] : sampled) {
    const std::string truth = Write(emission + ".truth", SampledTruth(emission, params));
    const Result r = Run({"hmm", "sample", truth, "-n", "150", "--sequences", "3", "--seed",
                          "2", "-o", Path(emission + ".csv")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const Result first = Run({"hmm", "fit", gaussian, "--lengths", lengths, "-k", "3",
                            "--max-iter", "5", "-o", Path("start.json"), "-q"});
  ASSERT_EQ(first.exit_code, 0) << first.err;

  const std::vector<std::string> by_lengths = {gaussian, "--lengths", lengths};
  const auto by_column = [this](const std::string& emission) {
    return std::vector<std::string>{Path(emission + ".csv"), "--sequence-column", "sequence",
                                    "--emission", emission, "-k", "2"};
  };
  const std::vector<std::vector<std::string>> kinds = {
      With(by_lengths, {"-k", "3", "--covariance", "full"}),
      With(by_lengths, {"-k", "3", "--covariance", "diag", "--reg-covar", "0.01"}),
      With(by_lengths, {"-k", "3", "--covariance", "spherical"}),
      With(by_lengths, {"-k", "3", "--covariance", "tied"}),
      With(by_lengths, {"-k", "2", "--emission", "gmm", "--n-mix", "2", "--covariance",
                        "diag"}),
      With(by_lengths, {"-k", "2", "--emission", "gmm", "--n-mix", "2", "--covariance",
                        "tied"}),
      With(by_lengths, {"--init-model", Path("start.json")}),
      by_column("categorical"),
      by_column("poisson"),
      by_column("bernoulli"),
      by_column("vmf")};
  int case_number = 0;
  for (const std::vector<std::string>& kind : kinds) {
    SCOPED_TRACE(fmt::format("{}", fmt::join(kind, " ")));
    const std::string n = std::to_string(case_number++);
    const std::vector<std::string> options = {"--max-iter", "12", "--tol", "0", "--seed",
                                              "4", "-q"};
    std::vector<std::string> args = With(With({"hmm", "fit"}, kind), options);
    if (kind[3] != "--init-model") args = With(args, {"--n-init", "2"});
    const Result fitted = Run(With(args, {"-o", Path(n + ".json"), "--checkpoint",
                                          Path(n + ".ck"), "--checkpoint-every", "0"}));
    ASSERT_EQ(fitted.exit_code, 0) << fitted.err;
    ASSERT_TRUE(Exists(n + ".ck"));
    // The data and how it is cut into sequences, as given the first time;
    // everything else comes from the checkpoint.
    std::vector<std::string> resume = {"hmm", "fit", kind[0]};
    if (kind[1] == "--lengths") resume = With(resume, {"--lengths", kind[2]});
    const Result resumed =
        Run(With(resume, {"--resume", Path(n + ".ck"), "-o", Path(n + "-r.json"), "-q"}));
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(ReadFileBytes(Path(n + "-r.json")), ReadFileBytes(Path(n + ".json")));
  }
}

TEST_F(HmmResumeTest, ResumeRefusesOtherDataSequencesOptionsAndCommands) {
  const Regimes regimes = MakeRegimes(5, 100, 5);
  const std::string data = Write("d.csv", regimes.csv);
  const std::string lengths = Write("lengths.txt", regimes.lengths);
  const std::string ck = Path("ck.json");
  const Result fitted = Run({"hmm", "fit", data, "--lengths", lengths, "-k", "2",
                             "--max-iter", "10", "--tol", "0", "-q", "--checkpoint", ck,
                             "--checkpoint-every", "0"});
  ASSERT_EQ(fitted.exit_code, 0) << fitted.err;
  const std::vector<std::string> resume = {"hmm", "fit", data, "--lengths", lengths,
                                           "--resume", ck, "-o", Path("out.json")};

  // Every option that shapes the result is the checkpoint's.
  const std::vector<std::pair<std::vector<std::string>, std::string>> fixed = {
      {{"-k", "5"}, "--n-states"},
      {{"--emission", "poisson"}, "--emission"},
      {{"--covariance", "full"}, "--covariance"},
      {{"--reg-covar", "0.1"}, "--reg-covar"},
      {{"--seed", "9"}, "--seed"},
      {{"--max-iter", "50"}, "--max-iter"},
      {{"--columns", "a,b"}, "--columns"}};
  for (const auto& [given, name] : fixed) {
    ExpectUsageError(Run(With(resume, given)),
                     name + " cannot be given with --resume: the checkpoint " + ck +
                         " fixes it");
  }
  // (--sequence-column and --lengths exclude each other.)
  ExpectUsageError(Run({"hmm", "fit", data, "--sequence-column", "a", "--resume", ck, "-o",
                        Path("out.json")}),
                   "--sequence-column cannot be given with --resume: the checkpoint " + ck +
                       " fixes it");

  // Other rows, other sequences, or none given: named, with what differs.
  const std::string other = Write("other.csv", MakeRegimes(5, 100, 6).csv);
  ExpectUsageError(Run({"hmm", "fit", other, "--lengths", lengths, "--resume", ck, "-o",
                        Path("out.json")}),
                   other + ": not the data that the checkpoint " + ck + " was made from");
  std::vector<std::string> lines = Lines(regimes.lengths);
  std::swap(lines[0], lines[1]);
  const std::string swapped =
      Write("swapped.txt", fmt::format("{}\n", fmt::join(lines, "\n")));
  ExpectUsageError(Run({"hmm", "fit", data, "--lengths", swapped, "--resume", ck, "-o",
                        Path("out.json")}),
                   swapped + ": not the sequences that the checkpoint " + ck +
                       " was made from (5 sequences");
  ExpectUsageError(Run({"hmm", "fit", data, "--resume", ck, "-o", Path("out.json")}),
                   data + ": not the sequences that the checkpoint " + ck +
                       " was made from (5 sequences, checksum");
  ExpectUsageError(Run({"hmm", "fit", data, "--resume", ck, "-o", Path("out.json")}),
                   "these: 1 sequence, checksum");

  // A checkpoint of the other command.
  ExpectUsageError(Run({"fit", data, "--resume", ck, "-o", Path("out.json")}),
                   ck + ": a checkpoint of another command");
  const Result mixture = Run({"fit", data, "-k", "2", "--max-iter", "3", "-q",
                              "--checkpoint", Path("mixture.ck"), "--checkpoint-every", "0"});
  ASSERT_EQ(mixture.exit_code, 0) << mixture.err;
  ExpectUsageError(Run({"hmm", "fit", data, "--lengths", lengths, "--resume",
                        Path("mixture.ck"), "-o", Path("out.json")}),
                   Path("mixture.ck") + ": a checkpoint of another command");
  ExpectUsageError(Run({"hmm", "fit", data, "--resume", kFaithful, "-o", Path("out.json")}),
                   "not a checkpoint file");
  ExpectUsageError(Run({"hmm", "fit", data, "-k", "2", "--checkpoint-every", "-1"}),
                   "--checkpoint-every -1: must be a number of seconds >= 0");
  EXPECT_FALSE(Exists("out.json"));
}

TEST_F(HmmResumeTest, EveryMixtureOfTheRegistryCheckpointsToo) {
  // von Mises-Fisher mixtures: a family that emkit fit fits and whose
  // checkpoints come from the registry alone.
  const std::string truth = Write("t.json", R"({"format": "emkit-model", "version": 1,
      "model": "vmf_mixture", "n_components": 2, "weights": [0.5, 0.5], "n_features": 3,
      "mean_directions": [[1, 0, 0], [0, 1, 0]], "concentrations": [20, 20]})");
  Result r = Run({"sample", truth, "-n", "500", "--seed", "3", "-o", Path("s.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"fit", Path("s.csv"), "--model", "vmf", "-k", "2", "--n-init", "2", "--max-iter",
           "10", "--tol", "0", "-q", "-o", Path("a.json"), "--checkpoint", Path("ck.json"),
           "--checkpoint-every", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"fit", Path("s.csv"), "--resume", Path("ck.json"), "-o", Path("b.json"), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFileBytes(Path("b.json")), ReadFileBytes(Path("a.json")));
}

// Checkpoints written by emkit 0.1, before checkpoints moved into the
// library, by
//   emkit fit data/faithful.csv -k 3 --n-init 2 --max-iter 20 --tol 0 --seed 4
//       --checkpoint checkpoint_v1_gaussian.json --checkpoint-every 0
//   emkit fit data/faithful.csv -k 2 --covariance diag --dtype float32 --n-init 2
//       --max-iter 15 --tol 0 --seed 6 --checkpoint checkpoint_v1_float32.json
//       --checkpoint-every 0
// Each holds the second restart before its last iteration. Bit-identity
// holds within one build's arithmetic; a checkpoint of another version,
// whose kernels may round differently, resumes to the fit of this one up to
// that rounding (src/io/checkpoint_test.cc checks that the format itself is
// unchanged, byte for byte).
void ExpectSameUpToRounding(const Json& a, const Json& b, const std::string& at) {
  if (a.is_number_float() || b.is_number_float()) {
    ASSERT_TRUE(a.is_number() && b.is_number()) << at;
    const double x = a.get<double>();
    const double y = b.get<double>();
    EXPECT_LE(std::abs(x - y), 1e-12 * std::max(1.0, std::abs(y))) << at;
  } else if (a.is_array() || a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << at;
    ASSERT_EQ(a.type(), b.type()) << at;
    if (a.is_array()) {
      for (std::size_t i = 0; i < a.size(); ++i) {
        ExpectSameUpToRounding(a[i], b[i], fmt::format("{}[{}]", at, i));
      }
    } else {
      for (const auto& [key, value] : a.items()) {
        ASSERT_TRUE(b.contains(key)) << at << "." << key;
        ExpectSameUpToRounding(value, b[key], at + "." + key);
      }
    }
  } else {
    EXPECT_EQ(a, b) << at;
  }
}

TEST_F(HmmResumeTest, MixtureCheckpointsOfEarlierVersionsStillResume) {
  const std::string dir = std::string(EMKIT_SOURCE_DIR) + "/tests/cli/data/";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"checkpoint_v1_gaussian.json",
       {"-k", "3", "--n-init", "2", "--max-iter", "20", "--tol", "0", "--seed", "4"}},
      {"checkpoint_v1_float32.json",
       {"-k", "2", "--covariance", "diag", "--dtype", "float32", "--n-init", "2",
        "--max-iter", "15", "--tol", "0", "--seed", "6"}}};
  for (const auto& [file, options] : cases) {
    SCOPED_TRACE(file);
    const Result whole = Run(With({"fit", kFaithful, "-o", Path("whole.json"), "-q"}, options));
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    const Result resumed =
        Run({"fit", kFaithful, "--resume", dir + file, "-o", Path("resumed.json"), "-q"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    ExpectSameUpToRounding(Json::parse(ReadFileBytes(Path("resumed.json"))),
                           Json::parse(ReadFileBytes(Path("whole.json"))), "model");
  }
}

// Rows whose values are exact in float32 (multiples of 1/8), so that the
// float32 fit sees the values the float64 fit reads.
std::string ExactInFloat32(const std::string& emission) {
  std::string csv;
  for (int i = 0; i < 600; ++i) {
    const int state = (i / 40) % 2;
    if (emission == "poisson") {
      csv += fmt::format("{},{}\n", (i * 7) % 4 + 5 * state, (i * 3) % 3 + 2 * state);
    } else if (emission == "bernoulli") {
      csv += fmt::format("{},{}\n", (i % 3 == 0) != (state == 1) ? 1 : 0,
                         (i % 5 < 2) == (state == 1) ? 1 : 0);
    } else if (emission == "categorical") {
      csv += fmt::format("{}\n", (i * 7) % 3 + 2 * state);
    } else {
      csv += fmt::format("{},{}\n", 0.125 * ((i * 37) % 17) + 4.0 * state,
                         0.25 * ((i * 11) % 13) - 3.0 * state);
    }
  }
  return csv;
}

TEST_F(HmmResumeTest, Float32FitsAreTheFloat64FitsOfTheSameValues) {
  // HMMs widen each block of float32 rows: the model file is the float64 one.
  const std::string lengths = Write("lengths.txt", "250\n350\n");
  for (const std::string emission : {"gaussian", "gmm", "poisson", "bernoulli", "categorical"}) {
    const std::string data = Write(emission + ".csv", ExactInFloat32(emission));
    std::string files[2];
    int at = 0;
    for (const char* dtype : {"float64", "float32"}) {
      files[at] = Path(emission + dtype + ".json");
      const Result r = Run({"hmm", "fit", data, "--lengths", lengths, "--emission", emission,
                            "-k", "2", "--seed", "5", "--n-init", "2", "--dtype", dtype, "-o",
                            files[at], "-q"});
      ASSERT_EQ(r.exit_code, 0) << emission << " " << dtype << ": " << r.err;
      ++at;
    }
    EXPECT_EQ(ReadFileBytes(files[1]), ReadFileBytes(files[0])) << emission;
  }
  ExpectUsageError(Run({"hmm", "fit", Path("gaussian.csv"), "-k", "2", "--dtype", "half"}),
                   "--dtype \"half\" is not one of float64, float32");
}

TEST_F(HmmResumeTest, AFloat32FitResumesToTheUninterruptedModel) {
  const Regimes regimes = MakeRegimes(30, 400, 4);
  const std::string data = Write("d.csv", regimes.csv);
  const std::string lengths = Write("lengths.txt", regimes.lengths);
  const std::vector<std::string> fit = {"hmm", "fit", data, "--lengths", lengths,
                                        "--dtype", "float32"};
  const Result whole = Run(With(With(fit, {"-o", Path("whole.json")}), kLongFit));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const Result limited = Run(With(With(fit, {"-o", Path("limited.json"), "--max-time", "0.01",
                                             "--checkpoint", Path("ck.json"),
                                             "--checkpoint-every", "0"}),
                                  kLongFit));
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  EXPECT_NE(ReadFileBytes(Path("limited.json")), ReadFileBytes(Path("whole.json")));
  // --dtype is a setting the checkpoint keeps: not given again.
  const Result resumed = Run({"hmm", "fit", data, "--lengths", lengths, "--resume",
                              Path("ck.json"), "-o", Path("resumed.json"), "-q"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(ReadFileBytes(Path("resumed.json")), ReadFileBytes(Path("whole.json")));
}

}  // namespace
}  // namespace emkit::cli_testing
