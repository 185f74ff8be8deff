// emkit fit under interruption and time limits: SIGINT/SIGTERM stop at the
// end of an iteration with a non-zero exit and no output; --checkpoint saves
// the progress and --resume continues it to the very bytes an uninterrupted
// fit writes; --max-time ends a fit with a usable model. Also: the same
// values from CSV or .npy give the same model file.
#include <signal.h>

#include <chrono>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "cli_fixture.h"
#include "emkit/random.h"

namespace emkit::cli_testing {
namespace {

// Four well-separated clusters in 3-D; values written as the shortest text
// that reads back as the same double, so CSV and .npy hold equal values.
struct Clusters {
  std::vector<double> values;
  int rows = 0;
  int cols = 3;
  std::string Csv() const {
    std::string out;
    for (int i = 0; i < rows; ++i) {
      out += fmt::format("{},{},{}\n", values[3 * i], values[3 * i + 1], values[3 * i + 2]);
    }
    return out;
  }
};

Clusters MakeClusters(int rows, std::uint64_t seed) {
  Rng rng(seed);
  Clusters c;
  c.rows = rows;
  for (int i = 0; i < rows; ++i) {
    const int k = i % 4;
    c.values.push_back(3.0 * k + StandardNormal(rng));
    c.values.push_back(-1.5 * k + StandardNormal(rng));
    c.values.push_back(0.5 * k * k + StandardNormal(rng));
  }
  return c;
}

class ResumeTest : public CliTest {
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
const std::vector<std::string> kLongFit = {"-k", "4", "--n-init", "2", "--seed", "3",
                                           "--tol", "0", "--max-iter", "400", "-q"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(ResumeTest, SignalStopsTheFitAndResumeGivesTheUninterruptedModel) {
  const std::string data = Write("d.csv", MakeClusters(20000, 1).Csv());
  const Result whole = Run(With({"fit", data, "-o", Path("whole.json")}, kLongFit));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const std::string expected = ReadFileBytes(Path("whole.json"));

  for (const int signal_number : {SIGINT, SIGTERM}) {
    const std::string name = signal_number == SIGINT ? "int" : "term";
    const std::string checkpoint = Path(name + ".ck");
    const pid_t pid = Start(With({"fit", data, "-o", Path(name + ".json"), "--checkpoint",
                                  checkpoint, "--checkpoint-every", "0"},
                                 kLongFit));
    ASSERT_TRUE(AwaitFile(name + ".ck"));
    kill(pid, signal_number);
    const int code = Wait(pid);
    const std::string err = ReadFileBytes(Path("bg.err"));
    ASSERT_EQ(code, 128 + signal_number) << err;
    EXPECT_THAT(err, HasSubstr(signal_number == SIGINT ? "interrupted by SIGINT"
                                                       : "interrupted by SIGTERM"));
    EXPECT_THAT(err, HasSubstr("--resume " + checkpoint));
    EXPECT_FALSE(Exists(name + ".json")) << "an interrupted fit writes no model";

    // Resumed with another thread count: the same bytes.
    const Result resumed = Run({"fit", data, "--resume", checkpoint, "-o",
                                Path(name + "-resumed.json"), "--threads", "2", "-q"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(ReadFileBytes(Path(name + "-resumed.json")), expected);
  }
}

TEST_F(ResumeTest, EveryModelKindResumesFromItsLastCheckpoint) {
  // A fit that ran to the end leaves the state before its last iteration in
  // the checkpoint; resuming it repeats that iteration and must end where
  // the fit ended, byte for byte.
  const Clusters clusters = MakeClusters(3000, 2);
  std::string counts;
  std::string binary;
  for (int i = 0; i < clusters.rows; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double v = clusters.values[3 * i + j];
      counts += fmt::format("{}{}", j ? "," : "", static_cast<int>(std::abs(v)));
      binary += fmt::format("{}{}", j ? "," : "", v > 1.0 ? 1 : 0);
    }
    counts += "\n";
    binary += "\n";
  }
  const std::string gaussian = Write("g.csv", clusters.Csv());
  const std::string count_data = Write("c.csv", counts);
  const std::string binary_data = Write("b.csv", binary);
  const std::vector<std::vector<std::string>> kinds = {
      {gaussian, "--covariance", "full"},      {gaussian, "--covariance", "diag"},
      {gaussian, "--covariance", "spherical"}, {gaussian, "--covariance", "tied"},
      {binary_data, "--model", "bernoulli"},   {count_data, "--model", "categorical"},
      {count_data, "--model", "poisson"},      {gaussian, "--dtype", "float32"}};
  int case_number = 0;
  for (const std::vector<std::string>& kind : kinds) {
    SCOPED_TRACE(kind[1] + " " + kind[2]);
    const std::string n = std::to_string(case_number++);
    std::vector<std::string> args = {"fit", kind[0], kind[1], kind[2], "-k", "3", "--n-init",
                                     "2", "--max-iter", "25", "--seed", "4", "-q"};
    const Result fitted = Run(With(args, {"-o", Path(n + ".json"), "--checkpoint",
                                          Path(n + ".ck"), "--checkpoint-every", "0"}));
    ASSERT_EQ(fitted.exit_code, 0) << fitted.err;
    ASSERT_TRUE(Exists(n + ".ck"));
    const Result resumed =
        Run({"fit", kind[0], "--resume", Path(n + ".ck"), "-o", Path(n + "-r.json"), "-q"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(ReadFileBytes(Path(n + "-r.json")), ReadFileBytes(Path(n + ".json")));
  }
}

TEST_F(ResumeTest, ResumeRefusesOtherDataOptionsAndFiles) {
  const std::string data = Write("d.csv", MakeClusters(2000, 5).Csv());
  const Result fitted = Run({"fit", data, "-k", "3", "--max-iter", "10", "--tol", "0", "-q",
                             "--checkpoint", Path("ck.json"), "--checkpoint-every", "0"});
  ASSERT_EQ(fitted.exit_code, 0) << fitted.err;

  ExpectUsageError(Run({"fit", data, "--resume", Path("ck.json"), "-k", "5", "-o",
                        Path("out.json")}),
                   "--n-components cannot be given with --resume");
  ExpectUsageError(Run({"fit", data, "--resume", Path("ck.json"), "--seed", "9", "-o",
                        Path("out.json")}),
                   "--seed cannot be given with --resume");
  const std::string other = Write("other.csv", MakeClusters(2000, 6).Csv());
  ExpectUsageError(Run({"fit", other, "--resume", Path("ck.json"), "-o", Path("out.json")}),
                   "not the data that the checkpoint");
  const std::string model = FitFaithful("model.json");
  ExpectUsageError(Run({"fit", data, "--resume", model, "-o", Path("out.json")}),
                   "not a checkpoint file");
  const std::string cut = ReadFileBytes(Path("ck.json"));
  const std::string truncated = Write("cut.json", cut.substr(0, cut.size() / 2));
  ExpectUsageError(Run({"fit", data, "--resume", truncated, "-o", Path("out.json")}),
                   "not a checkpoint file (not valid JSON)");
  ExpectUsageError(Run({"fit", data, "--resume", Path("missing.json"), "-o", Path("out.json")}),
                   "cannot open");
  Json newer = Json::parse(cut);
  newer["version"] = 2;
  const std::string future = Write("future.json", newer.dump());
  ExpectUsageError(Run({"fit", data, "--resume", future, "-o", Path("out.json")}),
                   "checkpoint version 2 is newer than this emkit reads (1)");
  EXPECT_FALSE(Exists("out.json"));
}

TEST_F(ResumeTest, MaxTimeEndsTheFitWithAUsableModel) {
  const std::string data = Write("d.csv", MakeClusters(20000, 7).Csv());
  const Result r = Run({"fit", data, "-k", "4", "--tol", "0", "--max-iter", "1000000",
                        "--max-time", "0.3", "-o", Path("m.json"), "--report", Path("r.json"),
                        "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(ReadFileBytes(Path("r.json")));
  EXPECT_EQ(report["termination"], "time_limit");
  EXPECT_EQ(report["usable"], true);
  EXPECT_LT(report["n_iter"].get<int>(), 1000000);
  EXPECT_TRUE(Exists("m.json"));
  ExpectUsageError(Run({"fit", data, "-k", "4", "--max-time", "-1"}), "--max-time -1");
}

TEST_F(ResumeTest, CsvAndNpyWithTheSameValuesGiveTheSameModelFile) {
  const Clusters clusters = MakeClusters(4000, 8);
  const std::string csv = Write("d.csv", clusters.Csv());
  const std::string npy = Write("d.npy", NpyBytes(clusters.values, clusters.rows, 3));
  for (const char* threads : {"1", "2"}) {
    const std::vector<std::string> options = {"-k", "4", "--n-init", "2", "--seed", "11",
                                              "--threads", threads, "-q"};
    const Result a = Run(With({"fit", csv, "-o", Path("csv.json")}, options));
    const Result b = Run(With({"fit", npy, "-o", Path("npy.json")}, options));
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(ReadFileBytes(Path("csv.json")), ReadFileBytes(Path("npy.json")));
  }
}

TEST_F(ResumeTest, Float32FitsAgreeWithFloat64) {
  const std::string data = Write("d.csv", MakeClusters(6000, 9).Csv());
  double loglik[2] = {0, 0};
  int at = 0;
  for (const char* dtype : {"float64", "float32"}) {
    const Result r = Run({"fit", data, "-k", "4", "--seed", "2", "--dtype", dtype, "-o",
                          Path(std::string(dtype) + ".json"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    loglik[at++] = Json::parse(r.out)["mean_log_likelihood"].get<double>();
  }
  EXPECT_NEAR(loglik[1], loglik[0], 1e-5 * std::abs(loglik[0]));
  ExpectUsageError(Run({"fit", data, "-k", "2", "--dtype", "float16"}),
                   "--dtype \"float16\" is not one of float64, float32");
  // A family without float kernels widens each block of float32 rows, so
  // its fit is the float64 fit of the same values, bit for bit.
  std::string counts_csv;
  for (int i = 0; i < 400; ++i) {
    counts_csv += fmt::format("{},{}\n", (i * 7) % 5 + (i % 2) * 6, (i * 3) % 4 + (i % 2) * 3);
  }
  const std::string counts = Write("counts.csv", counts_csv);
  for (const char* dtype : {"float64", "float32"}) {
    const Result r = Run({"fit", counts, "-k", "2", "--model", "poisson", "--seed", "1",
                          "--dtype", dtype, "-o", Path(std::string("p") + dtype + ".json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(ReadFileBytes(Path("pfloat32.json")), ReadFileBytes(Path("pfloat64.json")));
  const std::string huge = Write("huge.csv", "1,2\n3,1e39\n5,6\n");
  ExpectUsageError(Run({"fit", huge, "-k", "1", "--dtype", "float32", "-o", Path("h.json")}),
                   "X[1, 1] = 1e+39 is outside the range of float32");
  EXPECT_FALSE(Exists("h.json"));
}

}  // namespace
}  // namespace emkit::cli_testing
