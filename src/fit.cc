// The non-template parts of the engine.
#include <cmath>

#include "emkit/fit.h"

namespace emkit::internal {

CallbackResult RunCallbacks(const FitOptions& options,
                            const IterationEvent& event) {
  for (const IterationCallback& callback : options.callbacks) {
    const CallbackResult answer = callback(event);
    if (answer != CallbackResult::kContinue) return answer;
  }
  return CallbackResult::kContinue;
}

bool CertificateViolated(const FitOptions& options, double loglik_old,
                         double q_old, double bound_gain, double loglik_gain) {
  // Rounding in sums of n terms of size |L| is relative to |L| and |Q|.
  const double eps = options.certificate_tolerance *
                     (std::abs(loglik_old) + std::abs(q_old) + 1.0);
  return bound_gain < -eps || loglik_gain < bound_gain - eps;
}

namespace {
bool Usable(const RestartRecord& r) {
  return r.termination == TerminationType::kConverged ||
         r.termination == TerminationType::kMaxIterations ||
         r.termination == TerminationType::kUserStop;
}
}  // namespace

bool BetterRestart(const RestartRecord& a, double loglik_a,
                   const RestartRecord& b, double loglik_b) {
  if (Usable(a) != Usable(b)) return Usable(a);
  if (std::isnan(loglik_b)) return !std::isnan(loglik_a);
  return loglik_a > loglik_b;
}

void FinishReport(double total_weight,
                  std::int64_t num_free_parameters, double best_total_loglik,
                  FitReport* report) {
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
  for (const RestartRecord& r : report->restarts) {
    report->certificate_checked += static_cast<int>(r.iterations.size());
    report->certificate_violations += r.certificate_violations;
    report->repairs += r.repairs;
  }
}

}  // namespace emkit::internal
