// What a fit returns: the outcome, per restart and per iteration records,
// the certificate of the EM inequality, and the repairs made on the way.
#ifndef EMKIT_REPORT_H_
#define EMKIT_REPORT_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace emkit {

enum class TerminationType {
  kConverged,         // the gain fell under tol
  kMaxIterations,     // max_iter M-steps done without converging
  kUserStop,          // a callback asked to stop; the result is usable
  kUserAbort,         // a callback aborted; the result is not usable
  kNumericalFailure,  // the likelihood became NaN or infinite
  kNotRun,            // nothing was fitted (sentinel)
  kTimeLimit,         // FitOptions::max_seconds ran out; the result is usable
  kPassesDone,        // an online fit made all its passes; the result is usable
};

const char* TerminationTypeName(TerminationType type);

// Whether parameters that ended this way are a result: converged, out of
// iterations, stopped by a callback or by the time limit.
bool IsUsableTermination(TerminationType type);

// Repairs of numerical trouble, made on purpose and counted.
struct RepairCounts {
  // A component whose total responsibility vanished: its parameters were
  // kept from the previous iteration instead of being estimated from nothing.
  std::int64_t collapsed_components = 0;
  // A covariance that was not positive definite even with reg_covar: extra
  // diagonal loading was added until its Cholesky factorisation succeeded.
  std::int64_t regularized_covariances = 0;
  // A component that the initial partition left with too few points: its
  // covariance was taken from the whole data instead.
  std::int64_t initial_covariances_from_data = 0;

  RepairCounts& operator+=(const RepairCounts& other);
  std::int64_t Total() const;
};

struct IterationRecord {
  int iteration = 0;  // 1-based
  double mean_log_likelihood = std::numeric_limits<double>::quiet_NaN();
  double bound_gain = std::numeric_limits<double>::quiet_NaN();
  double loglik_gain = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;
  bool certificate_violated = false;
};

struct RestartRecord {
  int restart = 0;
  std::uint64_t seed = 0;
  double initial_mean_log_likelihood = std::numeric_limits<double>::quiet_NaN();
  double mean_log_likelihood = std::numeric_limits<double>::quiet_NaN();
  int n_iter = 0;
  bool converged = false;
  TerminationType termination = TerminationType::kNotRun;
  std::string message;
  int certificate_violations = 0;
  RepairCounts repairs;
  // E-steps over all data, the initial parameters' included; with plain EM
  // n_iter + 1. An accelerated policy (FitOptions::accelerate) runs several
  // per iteration and counts its extrapolations kept and turned down.
  std::int64_t e_steps = 0;
  int extrapolations_accepted = 0;
  int extrapolations_rejected = 0;
  double seconds = 0.0;
  std::vector<IterationRecord> iterations;
};

// The settings of an online (stepwise EM) fit, emkit/online_fit.h.
struct OnlineRecord {
  std::int64_t batch_size = 0;
  int passes = 0;
  double step_exponent = 0.0;
  bool averaged = false;
  std::int64_t batches = 0;  // mini-batches over all passes
};

struct FitReport {
  TerminationType termination = TerminationType::kNotRun;
  std::string message;
  bool converged = false;
  int n_iter = 0;        // of the best restart
  int best_restart = -1;

  // Of the returned parameters. The totals are sums over samples (weighted
  // by sample weights when given); the means divide by the total weight.
  double total_log_likelihood = std::numeric_limits<double>::quiet_NaN();
  double mean_log_likelihood = std::numeric_limits<double>::quiet_NaN();
  double num_samples = 0.0;
  std::int64_t num_free_parameters = 0;
  double bic = std::numeric_limits<double>::quiet_NaN();
  double aic = std::numeric_limits<double>::quiet_NaN();

  int threads_given = 0;
  int threads_used = 0;
  std::int64_t block_rows = 0;

  // The certificate: iterations checked and those that broke the EM
  // inequality beyond rounding, over all restarts.
  int certificate_checked = 0;
  int certificate_violations = 0;

  RepairCounts repairs;  // over all restarts
  // Over all restarts, as RestartRecord counts them.
  std::int64_t e_steps = 0;
  int extrapolations_accepted = 0;
  int extrapolations_rejected = 0;
  double total_seconds = 0.0;
  std::vector<RestartRecord> restarts;
  // Set for an online fit: its one restart's iterations are then its
  // mini-batches, each with the batch's mean log-likelihood under the
  // parameters it met (no certificate: stepwise EM need not raise L).
  std::optional<OnlineRecord> online;

  // True when the returned parameters are a finished, finite fit.
  bool IsUsable() const;
  // One line.
  std::string BriefReport() const;
  // A table: given/used settings, the outcome, and per-restart summaries.
  std::string FullReport() const;
};

}  // namespace emkit

#endif  // EMKIT_REPORT_H_
