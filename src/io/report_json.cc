#include "emkit/io/report_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "emkit/error.h"

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
  // Plain EM's counts follow from n_iter: left out, so that records of
  // plain fits read as they always have (and checkpoints of earlier
  // versions write back byte for byte).
  if (record.e_steps != record.n_iter + 1 || record.extrapolations_accepted != 0 ||
      record.extrapolations_rejected != 0) {
    j["e_steps"] = record.e_steps;
    j["extrapolations"] = {{"accepted", record.extrapolations_accepted},
                           {"rejected", record.extrapolations_rejected}};
  }
  j["seconds"] = Number(record.seconds);
  Json iterations = Json::array();
  for (const IterationRecord& iteration : record.iterations) {
    iterations.push_back(IterationJson(iteration));
  }
  j["iterations"] = std::move(iterations);
  return j;
}

// Reads the keys RestartJson writes; every failure names the key.
class RecordReader {
 public:
  explicit RecordReader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw FileFormatError(name_ + ": " + what);
  }

  const Json& At(const Json& j, const char* key) const {
    if (!j.is_object()) Fail(fmt::format("expected an object holding \"{}\"", key));
    const auto it = j.find(key);
    if (it == j.end()) Fail(fmt::format("missing \"{}\"", key));
    return *it;
  }

  double Double(const Json& j, const char* key) const {
    const Json& v = At(j, key);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number()) Fail(fmt::format("\"{}\" must be a number or null", key));
    return v.get<double>();
  }

  template <class Int>
  Int Integer(const Json& j, const char* key) const {
    const Json& v = At(j, key);
    if (!v.is_number_integer()) Fail(fmt::format("\"{}\" must be an integer", key));
    if constexpr (std::is_unsigned_v<Int>) {
      if (!v.is_number_unsigned()) Fail(fmt::format("\"{}\" must be >= 0", key));
      return v.get<Int>();
    } else {
      const std::int64_t value = v.get<std::int64_t>();
      if (value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max()) {
        Fail(fmt::format("\"{}\" = {} is out of range", key, value));
      }
      return static_cast<Int>(value);
    }
  }

  bool Bool(const Json& j, const char* key) const {
    const Json& v = At(j, key);
    if (!v.is_boolean()) Fail(fmt::format("\"{}\" must be true or false", key));
    return v.get<bool>();
  }

  std::string String(const Json& j, const char* key) const {
    const Json& v = At(j, key);
    if (!v.is_string()) Fail(fmt::format("\"{}\" must be a string", key));
    return v.get<std::string>();
  }

 private:
  std::string name_;
};

}  // namespace

TerminationType ParseTerminationType(const std::string& name) {
  for (TerminationType type :
       {TerminationType::kConverged, TerminationType::kMaxIterations,
        TerminationType::kUserStop, TerminationType::kUserAbort,
        TerminationType::kNumericalFailure, TerminationType::kNotRun,
        TerminationType::kTimeLimit, TerminationType::kPassesDone}) {
    if (name == TerminationTypeName(type)) return type;
  }
  throw InvalidOptionError(fmt::format("unknown termination \"{}\"", name));
}

std::string RestartRecordToJson(const RestartRecord& record) {
  return RestartJson(record).dump(-1, ' ', false, Json::error_handler_t::replace);
}

RestartRecord RestartRecordFromJson(const std::string& text, const std::string& display_name) {
  const RecordReader in(display_name);
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error&) {
    in.Fail("a restart record is not valid JSON");
  }
  RestartRecord r;
  r.restart = in.Integer<int>(j, "restart");
  r.seed = in.Integer<std::uint64_t>(j, "seed");
  r.initial_mean_log_likelihood = in.Double(j, "initial_mean_log_likelihood");
  r.mean_log_likelihood = in.Double(j, "mean_log_likelihood");
  r.n_iter = in.Integer<int>(j, "n_iter");
  r.converged = in.Bool(j, "converged");
  try {
    r.termination = ParseTerminationType(in.String(j, "termination"));
  } catch (const InvalidOptionError& e) {
    in.Fail(e.what());
  }
  r.message = in.String(j, "message");
  r.certificate_violations = in.Integer<int>(j, "certificate_violations");
  const Json& repairs = in.At(j, "repairs");
  r.repairs.collapsed_components = in.Integer<std::int64_t>(repairs, "collapsed_components");
  r.repairs.regularized_covariances =
      in.Integer<std::int64_t>(repairs, "regularized_covariances");
  r.repairs.initial_covariances_from_data =
      in.Integer<std::int64_t>(repairs, "initial_covariances_from_data");
  // Absent for plain EM (and in records of earlier versions).
  r.e_steps = j.contains("e_steps") ? in.Integer<std::int64_t>(j, "e_steps") : r.n_iter + 1;
  if (j.contains("extrapolations")) {
    const Json& extrapolations = in.At(j, "extrapolations");
    r.extrapolations_accepted = in.Integer<int>(extrapolations, "accepted");
    r.extrapolations_rejected = in.Integer<int>(extrapolations, "rejected");
  }
  r.seconds = in.Double(j, "seconds");
  const Json& iterations = in.At(j, "iterations");
  if (!iterations.is_array()) in.Fail("\"iterations\" must be an array");
  for (const Json& it : iterations) {
    IterationRecord record;
    record.iteration = in.Integer<int>(it, "iteration");
    record.mean_log_likelihood = in.Double(it, "mean_log_likelihood");
    record.bound_gain = in.Double(it, "bound_gain");
    record.loglik_gain = in.Double(it, "loglik_gain");
    record.seconds = in.Double(it, "seconds");
    record.certificate_violated = in.Bool(it, "certificate_violated");
    r.iterations.push_back(record);
  }
  return r;
}

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
  j["e_steps"] = report.e_steps;
  j["extrapolations"] = {{"accepted", report.extrapolations_accepted},
                         {"rejected", report.extrapolations_rejected}};
  j["best_restart"] = report.best_restart;
  if (report.online) {
    j["online"] = {{"batch_size", report.online->batch_size},
                   {"passes", report.online->passes},
                   {"step_exponent", report.online->step_exponent},
                   {"averaged", report.online->averaged},
                   {"batches", report.online->batches}};
  }
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
