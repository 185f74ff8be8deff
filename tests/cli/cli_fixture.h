// The fixture of the emkit command's end-to-end tests: runs the built
// binary as scripts do and captures its exit code and outputs.
#ifndef EMKIT_TESTS_CLI_CLI_FIXTURE_H_
#define EMKIT_TESTS_CLI_CLI_FIXTURE_H_

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_files.h"

extern char** environ;

namespace emkit::cli_testing {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;
using io::testing::ReadFileBytes;

inline const std::string kFaithful = std::string(EMKIT_SOURCE_DIR) + "/data/faithful.csv";
inline constexpr int kFaithfulRows = 272;

struct Result {
  int exit_code = -1;  // the negated signal number if the command crashed
  std::string out;
  std::string err;
};

// The arguments `a` followed by `b`.
inline std::vector<std::string> With(std::vector<std::string> a,
                                     const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A little-endian float64 .npy file of `rows` x `cols` values.
inline std::string NpyBytes(const std::vector<double>& values, int rows, int cols) {
  return io::testing::NpyFile("<f8", false, rows, cols, io::testing::BytesOf(values));
}

class CliTest : public ::testing::Test {
 protected:
  // Runs emkit with `args`, `stdin_text` on its standard input.
  Result Run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    const std::string in_path = dir_.Write("stdin.txt", stdin_text);
    const std::string out_path = dir_.File("stdout.txt");
    const std::string err_path = dir_.File("stderr.txt");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv_strings = {EMKIT_BINARY};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawn_error =
        posix_spawn(&pid, EMKIT_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    Result result;
    if (spawn_error != 0) {
      ADD_FAILURE() << "posix_spawn: " << std::strerror(spawn_error);
      return result;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.exit_code = -WTERMSIG(status);
    result.out = ReadFileBytes(out_path);
    result.err = ReadFileBytes(err_path);
    std::filesystem::remove(in_path);
    std::filesystem::remove(out_path);
    std::filesystem::remove(err_path);
    return result;
  }

  // Expects exit code 2 and one error line that contains `text`.
  void ExpectUsageError(const Result& r, const std::string& text) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, StartsWith("emkit: error: "));
    EXPECT_THAT(r.err, HasSubstr(text));
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  }

  std::string Path(const std::string& name) const { return dir_.File(name); }
  std::string Write(const std::string& name, const std::string& bytes) {
    return dir_.Write(name, bytes);
  }
  bool Exists(const std::string& name) const {
    return std::filesystem::exists(dir_.File(name));
  }

  // Fits faithful and returns the model file's path.
  std::string FitFaithful(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"fit", kFaithful, "-k", "2", "-o", Path(name), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Path(name);
  }

  // Fits DATA with `options`, then with `options` and each of `variants`
  // added (threads, streaming, read sizes: what must not change the
  // result), and expects the first fit's model file byte for byte.
  // `command` is the command's words before DATA ("fit", or "hmm", "fit").
  void ExpectSameModel(const std::string& data, const std::vector<std::string>& options,
                       const std::vector<std::vector<std::string>>& variants,
                       const std::vector<std::string>& command = {"fit"}) {
    const Result first =
        Run(With(With(command, {data, "-o", Path("first.json"), "-q"}), options));
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const std::string expected = ReadFileBytes(Path("first.json"));
    for (const std::vector<std::string>& variant : variants) {
      const Result other = Run(
          With(With(With(command, {data, "-o", Path("other.json"), "-q"}), options), variant));
      ASSERT_EQ(other.exit_code, 0) << other.err;
      EXPECT_EQ(ReadFileBytes(Path("other.json")), expected)
          << fmt::format("{} with {}", fmt::join(options, " "), fmt::join(variant, " "));
    }
  }

  io::testing::TempDir dir_;
};

// Runs emkit with `args` (outputs discarded); its exit code and its peak
// resident memory in bytes (getrusage's ru_maxrss of the child).
inline std::pair<int, std::int64_t> RunMeasuringMemory(const std::vector<std::string>& args) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> argv_strings = {EMKIT_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, EMKIT_BINARY, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
          static_cast<std::int64_t>(usage.ru_maxrss) * 1024};
}

}  // namespace emkit::cli_testing

#endif  // EMKIT_TESTS_CLI_CLI_FIXTURE_H_
