// The non-template parts of the restart driver.
#include <cmath>
#include <cstddef>
#include <string>

#include <fmt/format.h>

#include "emkit/engine/restart_driver.h"

namespace emkit::internal {

CallbackResult RunCallbacks(const FitOptions& options,
                            const IterationEvent& event) {
  for (const IterationCallback& callback : options.callbacks) {
    const CallbackResult answer = callback(event);
    if (answer != CallbackResult::kContinue) return answer;
  }
  return CallbackResult::kContinue;
}

bool CertificateViolated(double certificate_tolerance, double loglik_old, double q_old,
                         double bound_gain, double loglik_gain) {
  // Rounding in sums of n terms of size |L| is relative to |L| and |Q|.
  const double eps = certificate_tolerance *
                     (std::abs(loglik_old) + std::abs(q_old) + 1.0);
  return bound_gain < -eps || loglik_gain < bound_gain - eps;
}

bool BetterRestart(const RestartRecord& a, double loglik_a,
                   const RestartRecord& b, double loglik_b) {
  const bool usable_a = IsUsableTermination(a.termination);
  if (usable_a != IsUsableTermination(b.termination)) return usable_a;
  if (std::isnan(loglik_b)) return !std::isnan(loglik_a);
  return loglik_a > loglik_b;
}

void FinishReport(double total_weight,
                  std::int64_t num_free_parameters, double best_total_loglik,
                  int n_init, FitReport* report) {
  const RestartRecord& best = report->restarts[report->best_restart];
  report->termination = best.termination;
  report->message = best.message;
  report->converged = best.converged;
  report->n_iter = best.n_iter;
  report->num_samples = total_weight;
  report->total_log_likelihood = best_total_loglik;
  report->mean_log_likelihood = best_total_loglik / total_weight;
  report->num_free_parameters = num_free_parameters;
  const double p = static_cast<double>(num_free_parameters);
  report->bic = -2.0 * best_total_loglik + p * std::log(total_weight);
  report->aic = -2.0 * best_total_loglik + 2.0 * p;
  const int ran = static_cast<int>(report->restarts.size());
  const RestartRecord& last = report->restarts.back();
  if (ran < n_init && report->best_restart != ran - 1) {
    // The result comes from an earlier restart than the one that ended the
    // fit; say why the remaining restarts did not run.
    report->message += fmt::format("; restart {} ended the fit ({}), {} of {} restarts ran",
                                   last.restart, TerminationTypeName(last.termination),
                                   ran, n_init);
  }
  for (const RestartRecord& r : report->restarts) {
    report->certificate_checked += static_cast<int>(r.iterations.size());
    report->certificate_violations += r.certificate_violations;
    report->repairs += r.repairs;
    report->e_steps += r.e_steps;
    report->extrapolations_accepted += r.extrapolations_accepted;
    report->extrapolations_rejected += r.extrapolations_rejected;
  }
}

void CheckResumable(const FitOptions& options, std::size_t finished, int best_restart,
                    bool has_best, bool has_model, const RestartRecord& current) {
  const auto fail = [](const std::string& why) {
    throw InvalidOptionError("resume_from cannot continue this fit: " + why);
  };
  if (finished >= static_cast<std::size_t>(options.n_init)) {
    fail(fmt::format("it has {} finished restarts and n_init is {}", finished, options.n_init));
  }
  if (has_best != (finished > 0) ||
      (finished > 0 && (best_restart < 0 || static_cast<std::size_t>(best_restart) >= finished))) {
    fail("its best restart does not match its finished restarts");
  }
  if (has_model) {
    if (current.restart != static_cast<int>(finished)) {
      fail(fmt::format("its restart in progress is {}, expected {}", current.restart, finished));
    }
    if (current.n_iter < 1 || current.n_iter >= options.max_iter ||
        current.iterations.size() != static_cast<std::size_t>(current.n_iter)) {
      fail(fmt::format("its restart in progress has done {} iterations, and max_iter is {}",
                       current.n_iter, options.max_iter));
    }
  }
}

}  // namespace emkit::internal
