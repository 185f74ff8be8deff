// The restart driver: everything about a fit that is neither how blocks
// are reduced (the executor, emkit/engine/executor.h) nor how one
// iteration moves (the iteration policy, emkit/engine/iteration_policy.h):
// restarts and their seeds, convergence, callbacks, the per-iteration
// certificate of the EM inequality
//
//   L(new) - L(old) >= Q(new | old) - Q(old | old) >= 0,
//
// the report, the time limit, and the progress snapshots that checkpoints
// are made of (FitProgress, FitOptions::on_progress / resume_from).
#ifndef EMKIT_ENGINE_RESTART_DRIVER_H_
#define EMKIT_ENGINE_RESTART_DRIVER_H_

#include <algorithm>
#include <any>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "emkit/context.h"
#include "emkit/engine/any_executor.h"
#include "emkit/engine/executor.h"
#include "emkit/engine/iteration_policy.h"
#include "emkit/error.h"
#include "emkit/fit_progress.h"
#include "emkit/init_context.h"
#include "emkit/model.h"
#include "emkit/options.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

// A fitted model and the report of its fit.
template <class M>
struct Fitted {
  M model;
  FitReport report;
};

namespace internal {

// Fills in the report's totals from the chosen restart.
// `n_init` restarts were asked for; when fewer ran, the message says why.
void FinishReport(double total_weight,
                  std::int64_t num_free_parameters, double best_total_loglik,
                  int n_init, FitReport* report);

// Throws InvalidOptionError when a saved FitProgress cannot continue a fit
// with these options.
void CheckResumable(const FitOptions& options, std::size_t finished, int best_restart,
                    bool has_best, bool has_model, const RestartRecord& current);

// Runs the callbacks; returns the first non-continue answer.
CallbackResult RunCallbacks(const FitOptions& options,
                            const IterationEvent& event);

bool CertificateViolated(double certificate_tolerance, double loglik_old, double q_old,
                         double bound_gain, double loglik_gain);

// The certificate's tolerance for model M: the options', raised to
// M::kMinCertificateTolerance where the model declares one (E-steps in
// float, whose rounding moves L by more than the default tolerance).
template <class M>
double CertificateToleranceOf(const FitOptions& options) {
  if constexpr (requires { M::kMinCertificateTolerance; }) {
    return std::max(options.certificate_tolerance, double{M::kMinCertificateTolerance});
  } else {
    return options.certificate_tolerance;
  }
}

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// Whether restart a's result is preferred to restart b's: usable before
// unusable, then the higher likelihood.
bool BetterRestart(const RestartRecord& a, double loglik_a,
                   const RestartRecord& b, double loglik_b);

// How a restart ended, for the restarts that would follow it.
enum class RestartOutcome {
  kFinished,  // converged, out of iterations or failed: go on to the next
  kEndFit,    // stopped, aborted or out of time: no further restart
};

// EM from `*model` for one restart, continuing after record->n_iter
// iterations already done (0 for a fresh start, whose record is then filled
// in from the initial parameters). On return *model holds the parameters
// whose log-likelihood is record->mean_log_likelihood, and *total_loglik
// that total. `continuing(model, record)` is called after every iteration
// that another follows.
template <EmModel M, class Data, class Executor, class Policy, class Continuing>
  requires IterationPolicyFor<Policy, M, Data, Executor>
RestartOutcome RunRestart(const FitOptions& options, const Data& data, Executor& executor,
                          Policy& policy, std::chrono::steady_clock::time_point fit_start,
                          Continuing&& continuing, M* model, RestartRecord* record,
                          double* total_loglik) {
  using Clock = std::chrono::steady_clock;
  const auto restart_start = Clock::now();
  const double previous_seconds = record->seconds;
  const bool fresh = record->n_iter == 0;
  const double weight = data.TotalWeight();
  typename M::Statistics stats = model->NewStatistics();
  const double loglik = EStepAll(executor, data, *model, &stats);
  *total_loglik = loglik;
  if (fresh) {
    record->initial_mean_log_likelihood = loglik / weight;
    record->mean_log_likelihood = loglik / weight;
    // A resumed restart's first E-step repeats one its record counts.
    record->e_steps = 1;
  }
  record->termination = TerminationType::kMaxIterations;
  record->message = "reached max_iter";
  RestartOutcome outcome = RestartOutcome::kFinished;
  if (!std::isfinite(loglik)) {
    record->termination = TerminationType::kNumericalFailure;
    record->message = "the log-likelihood of the initial parameters is " +
                      std::to_string(loglik);
    record->seconds = previous_seconds + SecondsSince(restart_start);
    return outcome;
  }
  EmIterate<M> current{std::move(*model), std::move(stats), loglik};
  if constexpr (requires { policy.StartRestart(std::as_const(current)); }) {
    policy.StartRestart(std::as_const(current));
  }
  for (int iteration = record->n_iter + 1; iteration <= options.max_iter; ++iteration) {
    const auto iteration_start = Clock::now();
    EmStep<M> step = policy.Step(std::as_const(current), executor, data, &record->repairs);
    const double next_loglik = step.next.total_log_likelihood;
    const double loglik_gain = next_loglik - current.total_log_likelihood;
    record->e_steps += step.e_steps;
    record->extrapolations_accepted += step.extrapolations_accepted;
    record->extrapolations_rejected += step.extrapolations_rejected;

    if (!std::isfinite(next_loglik) || !std::isfinite(step.bound_gain)) {
      // Keep the last parameters with a finite likelihood.
      record->termination = TerminationType::kNumericalFailure;
      record->message = "iteration " + std::to_string(iteration) +
                        ": the log-likelihood became " +
                        std::to_string(next_loglik) +
                        "; the parameters of the previous iteration are kept";
      break;
    }

    IterationRecord it;
    it.iteration = iteration;
    it.mean_log_likelihood = next_loglik / weight;
    it.bound_gain = step.bound_gain;
    it.loglik_gain = loglik_gain;
    it.certificate_violated = CertificateViolated(
        CertificateToleranceOf<M>(options), step.base_total_log_likelihood, step.q_base, step.bound_gain,
        next_loglik - step.base_total_log_likelihood);
    it.seconds = SecondsSince(iteration_start);
    if (it.certificate_violated) ++record->certificate_violations;
    record->iterations.push_back(it);

    current = std::move(step.next);
    *total_loglik = current.total_log_likelihood;
    record->n_iter = iteration;
    record->mean_log_likelihood = it.mean_log_likelihood;

    // The gain of the iteration's last EM step, from its base (for plain
    // EM the current parameters; for an accelerated iteration the point
    // its certified step started from), so that tol means the same for
    // every policy: the change of the mean log-likelihood one EM step
    // makes. Sign-aware: a decrease is never convergence.
    const double change = (next_loglik - step.base_total_log_likelihood) / weight;
    const bool converged = change >= 0.0 && change < options.tol;
    if (!converged && iteration < options.max_iter) {
      record->seconds = previous_seconds + SecondsSince(restart_start);
      continuing(std::as_const(current.model), *record);
    }

    const IterationEvent event{record->restart, iteration,
                               it.mean_log_likelihood, it.bound_gain, loglik_gain,
                               it.seconds};
    const CallbackResult answer = RunCallbacks(options, event);
    if (answer == CallbackResult::kAbort) {
      record->termination = TerminationType::kUserAbort;
      record->message = "aborted by a callback";
      outcome = RestartOutcome::kEndFit;
      break;
    }
    if (converged) {
      record->converged = true;
      record->termination = TerminationType::kConverged;
      record->message = "mean log-likelihood gain under tol";
    }
    if (answer == CallbackResult::kStop) {
      if (!converged) {
        record->termination = TerminationType::kUserStop;
        record->message = "stopped by a callback";
      }
      outcome = RestartOutcome::kEndFit;
      break;
    }
    if (options.max_seconds > 0.0 && SecondsSince(fit_start) >= options.max_seconds) {
      if (!converged) {
        record->termination = TerminationType::kTimeLimit;
        record->message = "reached the time limit (max_seconds)";
      }
      outcome = RestartOutcome::kEndFit;
      break;
    }
    if (converged) break;
  }
  *model = std::move(current.model);
  record->seconds = previous_seconds + SecondsSince(restart_start);
  return outcome;
}

}  // namespace internal

// Fits a model by EM with options.n_init restarts: for each,
// initialize(const InitContext&) returns the starting model (its pool is
// the context's, its executor `executor`); every iteration is policy.Step,
// and every E-step goes through `executor`. The restart with the best final likelihood is
// returned. Throws InvalidOptionError for invalid options (before any
// work); errors from the initialiser or the model propagate.
// FitWithRestarts (emkit/fit.h) is this with the threaded executor on the
// context's pool and plain EM.
template <class Data, class Initializer, class Executor, class Policy,
          class M = std::invoke_result_t<Initializer&, const InitContext&>>
  requires EmModel<M> && BlockSource<Data, typename M::Block> &&
           IterationPolicyFor<Policy, M, Data, Executor>
[[nodiscard]] Fitted<M> DriveRestarts(Context& context, Executor& executor, Policy& policy,
                                      const FitOptions& options, const Data& data,
                                      Initializer&& initialize) {
  options.Validate();
  const auto start = std::chrono::steady_clock::now();
  FitReport report;
  report.threads_given = options.num_threads;
  report.threads_used = static_cast<int>(std::min<std::int64_t>(
      executor.num_threads(), std::max<std::int64_t>(1, data.NumBlocks())));
  if constexpr (requires { data.block_rows(); }) {
    report.block_rows = data.block_rows();
  }

  // Where to start: from scratch, or from a saved FitProgress.
  FitProgress<M> progress;
  if (options.resume_from.has_value()) {
    const FitProgress<M>* saved = ProgressOf<M>(options.resume_from);
    if (saved == nullptr) {
      throw InvalidOptionError(
          "resume_from holds the progress of a different model type than this fit's");
    }
    internal::CheckResumable(options, saved->finished.size(), saved->best_restart,
                             saved->best.has_value(), saved->model.has_value(),
                             saved->current);
    progress = *saved;
  }
  report.restarts = progress.finished;
  report.best_restart = progress.best_restart;
  std::optional<M>& best = progress.best;
  double& best_loglik = progress.best_total_log_likelihood;

  const auto report_progress = [&](const std::optional<M>& model,
                                   const RestartRecord& current) {
    if (!options.on_progress) return;
    FitProgress<M> snapshot{report.restarts, report.best_restart, best, best_loglik,
                            model, current};
    options.on_progress(std::any(std::move(snapshot)));
  };

  const int first = static_cast<int>(progress.finished.size());
  for (int r = first; r < options.n_init; ++r) {
    RestartRecord record;
    std::optional<M> candidate;
    if (r == first && progress.model.has_value()) {
      record = progress.current;
      candidate = std::move(progress.model);
    } else {
      record.restart = r;
      record.seed = DeriveSeed(options.seed, static_cast<std::uint64_t>(r));
      InitContext init_context{r, record.seed, &context.pool(), &record.repairs};
      // The initialiser's passes reduce through the E-steps' executor; one
      // that cannot stand behind AnyExecutor (it reduces only a data type
      // of its own) leaves them on the context's pool.
      if constexpr (internal::ErasableExecutor<Executor>) init_context.executor.emplace(executor);
      candidate.emplace(initialize(init_context));
    }
    double loglik = 0.0;
    const internal::RestartOutcome outcome = internal::RunRestart(
        options, data, executor, policy, start,
        [&](const M& model, const RestartRecord& current) {
          report_progress(model, current);
        },
        &*candidate, &record, &loglik);
    if (!best || internal::BetterRestart(record, loglik,
                                         report.restarts[report.best_restart],
                                         best_loglik)) {
      best = std::move(candidate);
      best_loglik = loglik;
      report.best_restart = r;
    }
    report.restarts.push_back(std::move(record));
    if (outcome == internal::RestartOutcome::kEndFit) break;
    if (r + 1 < options.n_init) report_progress(std::nullopt, RestartRecord{});
  }
  report.total_seconds = internal::SecondsSince(start);
  internal::FinishReport(data.TotalWeight(),
                         static_cast<std::int64_t>(best->NumFreeParameters()),
                         best_loglik, options.n_init, &report);
  return Fitted<M>{std::move(*best), std::move(report)};
}

}  // namespace emkit

#endif  // EMKIT_ENGINE_RESTART_DRIVER_H_
