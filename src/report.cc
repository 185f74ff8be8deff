#include "emkit/report.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace emkit {

const char* TerminationTypeName(TerminationType type) {
  switch (type) {
    case TerminationType::kConverged: return "converged";
    case TerminationType::kMaxIterations: return "max_iterations";
    case TerminationType::kUserStop: return "user_stop";
    case TerminationType::kUserAbort: return "user_abort";
    case TerminationType::kNumericalFailure: return "numerical_failure";
    case TerminationType::kNotRun: return "not_run";
    case TerminationType::kTimeLimit: return "time_limit";
    case TerminationType::kPassesDone: return "passes_done";
  }
  return "unknown";
}

bool IsUsableTermination(TerminationType type) {
  return type == TerminationType::kConverged ||
         type == TerminationType::kMaxIterations ||
         type == TerminationType::kUserStop || type == TerminationType::kTimeLimit ||
         type == TerminationType::kPassesDone;
}

RepairCounts& RepairCounts::operator+=(const RepairCounts& other) {
  collapsed_components += other.collapsed_components;
  regularized_covariances += other.regularized_covariances;
  initial_covariances_from_data += other.initial_covariances_from_data;
  return *this;
}

std::int64_t RepairCounts::Total() const {
  return collapsed_components + regularized_covariances +
         initial_covariances_from_data;
}

bool FitReport::IsUsable() const {
  return IsUsableTermination(termination) && std::isfinite(total_log_likelihood);
}

std::string FitReport::BriefReport() const {
  if (online) {
    return fmt::format(
        "emkit: {}, online EM, {} batches, mean log-likelihood {:.10g}, BIC {:.8g}, no "
        "certificate, {} repairs, {} thread(s), {:.3g} s",
        TerminationTypeName(termination), n_iter, mean_log_likelihood, bic, repairs.Total(),
        threads_used, total_seconds);
  }
  return fmt::format(
      "emkit: {}, {} iterations, mean log-likelihood {:.10g}, BIC {:.8g}, "
      "certificate {}/{} violations, {} repairs, {} thread(s), {:.3g} s",
      TerminationTypeName(termination), n_iter, mean_log_likelihood, bic,
      certificate_violations, certificate_checked, repairs.Total(),
      threads_used, total_seconds);
}

std::string FitReport::FullReport() const {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("emkit fit report");
  line(fmt::format("{:<28}{:>14}{:>14}", "", "Given", "Used"));
  line(fmt::format("{:<28}{:>14}{:>14}", "Threads", threads_given,
                   threads_used));
  line(fmt::format("{:<28}{:>14}{:>14}", "Restarts", restarts.size(),
                   restarts.size()));
  line(fmt::format("{:<28}{:>28}", "Rows per block", block_rows));
  line("");
  line(fmt::format("{:<28}{:>28}", "Termination", TerminationTypeName(termination)));
  line(fmt::format("{:<28}{:>28}", "Message", message));
  line(fmt::format("{:<28}{:>28}", "Usable", IsUsable() ? "yes" : "no"));
  line(fmt::format("{:<28}{:>28}", "Best restart", best_restart));
  line(fmt::format("{:<28}{:>28}", "Iterations", n_iter));
  line(fmt::format("{:<28}{:>28}", "E-steps (all restarts)", e_steps));
  if (online) {
    line(fmt::format("{:<28}{:>28}", "Online: rows per batch", online->batch_size));
    line(fmt::format("{:<28}{:>28}", "Online: passes", online->passes));
    line(fmt::format("{:<28}{:>28}", "Online: batches", online->batches));
    line(fmt::format("{:<28}{:>28}", "Online: step exponent", online->step_exponent));
    line(fmt::format("{:<28}{:>28}", "Online: averaged", online->averaged ? "yes" : "no"));
  }
  if (extrapolations_accepted + extrapolations_rejected > 0) {
    line(fmt::format("{:<28}{:>28}", "Extrapolations accepted", extrapolations_accepted));
    line(fmt::format("{:<28}{:>28}", "Extrapolations rejected", extrapolations_rejected));
  }
  line(fmt::format("{:<28}{:>28.12g}", "Samples (total weight)", num_samples));
  line(fmt::format("{:<28}{:>28.12g}", "Total log-likelihood", total_log_likelihood));
  line(fmt::format("{:<28}{:>28.12g}", "Mean log-likelihood", mean_log_likelihood));
  line(fmt::format("{:<28}{:>28}", "Free parameters", num_free_parameters));
  line(fmt::format("{:<28}{:>28.12g}", "BIC", bic));
  line(fmt::format("{:<28}{:>28.12g}", "AIC", aic));
  line(fmt::format("{:<28}{:>28}", "Certificate checked", certificate_checked));
  line(fmt::format("{:<28}{:>28}", "Certificate violations", certificate_violations));
  line(fmt::format("{:<28}{:>28}", "Collapsed components", repairs.collapsed_components));
  line(fmt::format("{:<28}{:>28}", "Regularized covariances", repairs.regularized_covariances));
  line(fmt::format("{:<28}{:>28}", "Init covariances from data",
                   repairs.initial_covariances_from_data));
  line(fmt::format("{:<28}{:>28.4g}", "Seconds", total_seconds));
  line("");
  line(fmt::format("{:>8}{:>8}{:>20}{:>20}{:>8}{:>16}{:>12}", "restart", "iters",
                   "initial mean LL", "final mean LL", "viol.", "termination",
                   "seconds"));
  for (const RestartRecord& r : restarts) {
    line(fmt::format("{:>8}{:>8}{:>20.12g}{:>20.12g}{:>8}{:>16}{:>12.4g}",
                     r.restart, r.n_iter, r.initial_mean_log_likelihood,
                     r.mean_log_likelihood, r.certificate_violations,
                     TerminationTypeName(r.termination), r.seconds));
  }
  return out;
}

}  // namespace emkit
