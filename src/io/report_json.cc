#include "emkit/io/report_json.h"

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

namespace emkit::io {
namespace {

using Json = nlohmann::ordered_json;

// JSON has no NaN or infinity; null says "no value" to every reader.
Json Number(double value) {
  if (!std::isfinite(value)) return Json(nullptr);
  return Json(value);
}

Json RepairsJson(const RepairCounts& repairs) {
  Json j;
  j["collapsed_components"] = repairs.collapsed_components;
  j["regularized_covariances"] = repairs.regularized_covariances;
  j["initial_covariances_from_data"] = repairs.initial_covariances_from_data;
  return j;
}

Json IterationJson(const IterationRecord& record) {
  Json j;
  j["iteration"] = record.iteration;
  j["mean_log_likelihood"] = Number(record.mean_log_likelihood);
  j["bound_gain"] = Number(record.bound_gain);
  j["loglik_gain"] = Number(record.loglik_gain);
  j["seconds"] = Number(record.seconds);
  j["certificate_violated"] = record.certificate_violated;
  return j;
}

Json RestartJson(const RestartRecord& record) {
  Json j;
  j["restart"] = record.restart;
  j["seed"] = record.seed;
  j["initial_mean_log_likelihood"] = Number(record.initial_mean_log_likelihood);
  j["mean_log_likelihood"] = Number(record.mean_log_likelihood);
  j["n_iter"] = record.n_iter;
  j["converged"] = record.converged;
  j["termination"] = TerminationTypeName(record.termination);
  j["message"] = record.message;
  j["certificate_violations"] = record.certificate_violations;
  j["repairs"] = RepairsJson(record.repairs);
  j["seconds"] = Number(record.seconds);
  Json iterations = Json::array();
  for (const IterationRecord& iteration : record.iterations) {
    iterations.push_back(IterationJson(iteration));
  }
  j["iterations"] = std::move(iterations);
  return j;
}

}  // namespace

std::string ReportToJson(const FitReport& report, int indent) {
  Json j;
  j["total_log_likelihood"] = Number(report.total_log_likelihood);
  j["mean_log_likelihood"] = Number(report.mean_log_likelihood);
  j["converged"] = report.converged;
  j["n_iter"] = report.n_iter;
  j["termination"] = TerminationTypeName(report.termination);
  j["message"] = report.message;
  j["usable"] = report.IsUsable();
  j["bic"] = Number(report.bic);
  j["aic"] = Number(report.aic);
  j["num_free_parameters"] = report.num_free_parameters;
  j["num_samples"] = Number(report.num_samples);
  j["threads_given"] = report.threads_given;
  j["threads_used"] = report.threads_used;
  j["block_rows"] = report.block_rows;
  j["total_seconds"] = Number(report.total_seconds);
  j["certificate"] = {{"checked", report.certificate_checked},
                      {"violations", report.certificate_violations}};
  j["repairs"] = RepairsJson(report.repairs);
  j["best_restart"] = report.best_restart;
  Json restarts = Json::array();
  for (const RestartRecord& restart : report.restarts) {
    restarts.push_back(RestartJson(restart));
  }
  j["restarts"] = std::move(restarts);
  // Messages may quote bytes from user files; replace invalid UTF-8 rather
  // than fail.
  return j.dump(indent, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace emkit::io
