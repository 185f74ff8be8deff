#include "emkit/io/report_json.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emkit/error.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/random.h"

namespace emkit::io {
namespace {

using Json = nlohmann::json;

FitReport FittedReport() {
  Rng rng(7);
  RowMatrix x(120, 2);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    x(i, 0) = (i % 2 == 0 ? -2.0 : 2.0) + StandardNormal(rng);
    x(i, 1) = StandardNormal(rng);
  }
  GaussianMixtureOptions options;
  options.n_components = 2;
  FitOptions fit_options;
  fit_options.n_init = 2;
  return FitGaussianMixture(fit_options, options, ViewOf(x), nullptr).report;
}

TEST(ReportJsonTest, HasEveryKey) {
  const FitReport report = FittedReport();
  const Json j = Json::parse(ReportToJson(report));
  for (const char* key :
       {"total_log_likelihood", "mean_log_likelihood", "converged", "n_iter",
        "termination", "message", "usable", "bic", "aic", "num_free_parameters",
        "num_samples", "threads_given", "threads_used", "block_rows", "total_seconds",
        "certificate", "repairs", "best_restart", "restarts"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["certificate"]["checked"], report.certificate_checked);
  EXPECT_EQ(j["certificate"]["violations"], 0);
  for (const char* key : {"collapsed_components", "regularized_covariances",
                          "initial_covariances_from_data"}) {
    EXPECT_TRUE(j["repairs"].contains(key)) << key;
  }
  EXPECT_EQ(j["termination"], TerminationTypeName(report.termination));
  EXPECT_EQ(j["usable"], true);
  EXPECT_EQ(j["mean_log_likelihood"].get<double>(), report.mean_log_likelihood);
  ASSERT_EQ(j["restarts"].size(), 2u);
  for (const Json& restart : j["restarts"]) {
    for (const char* key :
         {"restart", "seed", "initial_mean_log_likelihood", "mean_log_likelihood",
          "n_iter", "converged", "termination", "message", "certificate_violations",
          "repairs", "seconds", "iterations"}) {
      EXPECT_TRUE(restart.contains(key)) << key;
    }
    ASSERT_FALSE(restart["iterations"].empty());
    for (const char* key : {"iteration", "mean_log_likelihood", "bound_gain",
                            "loglik_gain", "seconds", "certificate_violated"}) {
      EXPECT_TRUE(restart["iterations"][0].contains(key)) << key;
    }
  }
  EXPECT_EQ(j["restarts"][0]["seed"].get<std::uint64_t>(), report.restarts[0].seed);
}

TEST(ReportJsonTest, NonFiniteNumbersAreNull) {
  FitReport report;  // not run: NaN likelihoods
  report.bic = std::numeric_limits<double>::infinity();
  report.aic = -std::numeric_limits<double>::infinity();
  RestartRecord restart;
  restart.iterations.push_back(IterationRecord{});
  report.restarts.push_back(restart);
  const std::string text = ReportToJson(report);
  const Json j = Json::parse(text);
  EXPECT_TRUE(j["total_log_likelihood"].is_null());
  EXPECT_TRUE(j["bic"].is_null());
  EXPECT_TRUE(j["aic"].is_null());
  EXPECT_TRUE(j["restarts"][0]["iterations"][0]["bound_gain"].is_null());
  EXPECT_EQ(j["usable"], false);
  EXPECT_EQ(j["termination"], "not_run");
  EXPECT_EQ(text.find("NaN"), std::string::npos);
}

TEST(ReportJsonTest, OneLineWithNegativeIndent) {
  const std::string text = ReportToJson(FitReport{}, -1);
  EXPECT_EQ(text.find('\n'), text.size() - 1);
  EXPECT_TRUE(Json::accept(text));
}

TEST(ReportJsonTest, RestartRecordsRoundTripExactly) {
  const FitReport report = FittedReport();
  ASSERT_FALSE(report.restarts.empty());
  for (const RestartRecord& record : report.restarts) {
    const RestartRecord back = RestartRecordFromJson(RestartRecordToJson(record), "r.json");
    EXPECT_EQ(back.restart, record.restart);
    EXPECT_EQ(back.seed, record.seed);
    EXPECT_EQ(back.initial_mean_log_likelihood, record.initial_mean_log_likelihood);
    EXPECT_EQ(back.mean_log_likelihood, record.mean_log_likelihood);
    EXPECT_EQ(back.n_iter, record.n_iter);
    EXPECT_EQ(back.termination, record.termination);
    EXPECT_EQ(back.message, record.message);
    EXPECT_EQ(back.seconds, record.seconds);
    ASSERT_EQ(back.iterations.size(), record.iterations.size());
    for (std::size_t i = 0; i < record.iterations.size(); ++i) {
      EXPECT_EQ(back.iterations[i].bound_gain, record.iterations[i].bound_gain);
      EXPECT_EQ(back.iterations[i].loglik_gain, record.iterations[i].loglik_gain);
    }
  }
  RestartRecord empty;
  EXPECT_TRUE(std::isnan(
      RestartRecordFromJson(RestartRecordToJson(empty), "r.json").mean_log_likelihood));
}

TEST(ReportJsonTest, BrokenRestartRecordsNameTheKey) {
  const std::string good = RestartRecordToJson(FittedReport().restarts.front());
  Json j = Json::parse(good);
  j["n_iter"] = "three";
  try {
    RestartRecordFromJson(j.dump(), "ck.json");
    FAIL() << "expected FileFormatError";
  } catch (const FileFormatError& e) {
    EXPECT_EQ(std::string(e.what()), "ck.json: \"n_iter\" must be an integer");
  }
  j = Json::parse(good);
  j["termination"] = "exploded";
  EXPECT_THROW(RestartRecordFromJson(j.dump(), "ck.json"), FileFormatError);
  j = Json::parse(good);
  j.erase("repairs");
  EXPECT_THROW(RestartRecordFromJson(j.dump(), "ck.json"), FileFormatError);
  EXPECT_THROW(RestartRecordFromJson("{", "ck.json"), FileFormatError);
}

}  // namespace
}  // namespace emkit::io
