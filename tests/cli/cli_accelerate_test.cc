// `--accelerate squarem` on the fit commands: the same optimum as plain EM
// in fewer E-steps (the report's counts), byte-identical models for any
// thread count, and a clear error for an unknown policy. The reference is
// the command's own plain EM run to the same tolerance.
#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_fixture.h"

namespace emkit::cli_testing {
namespace {

using ::testing::HasSubstr;

class CliAccelerateTest : public CliTest {
 protected:
  // The report (--json) of a tight fit of faithful with K = 3.
  Json Report(const std::vector<std::string>& extra, const std::string& model) {
    std::vector<std::string> args = {"fit", kFaithful, "-k", "3", "--tol", "1e-10",
                                     "--max-iter", "5000", "--json", "-o", Path(model)};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out);
  }
};

TEST_F(CliAccelerateTest, SquaremReachesPlainEmsOptimumInFewerESteps) {
  const Json plain = Report({}, "plain.json");
  const Json squarem = Report({"--accelerate", "squarem"}, "squarem.json");
  const double l_plain = plain["mean_log_likelihood"].get<double>();
  const double l_squarem = squarem["mean_log_likelihood"].get<double>();
  EXPECT_GE(l_squarem, l_plain - 1e-8 * std::abs(l_plain));
  EXPECT_EQ(plain["e_steps"].get<int>(), plain["n_iter"].get<int>() + 1);
  EXPECT_LT(2 * squarem["e_steps"].get<int>(), plain["e_steps"].get<int>());
  EXPECT_GT(squarem["extrapolations"]["accepted"].get<int>(), 0);
  EXPECT_EQ(squarem["certificate"]["violations"].get<int>(), 0);
}

TEST_F(CliAccelerateTest, SquaremModelsAreByteIdenticalForAnyThreadCount) {
  Report({"--accelerate", "squarem", "--threads", "1"}, "one.json");
  Report({"--accelerate", "squarem", "--threads", "2"}, "two.json");
  EXPECT_EQ(ReadFileBytes(Path("one.json")), ReadFileBytes(Path("two.json")));
}

TEST_F(CliAccelerateTest, HmmFitsAccelerateToo) {
  const Result r = Run({"hmm", "fit", kFaithful, "-k", "2", "--tol", "1e-9", "--max-iter",
                        "2000", "--accelerate", "squarem", "--json", "-o", Path("h.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_GT(report["e_steps"].get<int>(), report["n_iter"].get<int>() + 1);
  EXPECT_EQ(report["certificate"]["violations"].get<int>(), 0);
}

TEST_F(CliAccelerateTest, AnUnknownPolicyIsAUsageError) {
  ExpectUsageError(Run({"fit", kFaithful, "-k", "2", "--accelerate", "anderson"}),
                   "accelerate");
}

}  // namespace
}  // namespace emkit::cli_testing
