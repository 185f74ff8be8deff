// The engine: FitWithRestarts(options, data, initialiser) runs EM on any model
// that satisfies EmModel (emkit/model.h). It owns restarts, convergence,
// threads, callbacks and the per-iteration certificate of the EM inequality
//
//   L(new) - L(old) >= Q(new | old) - Q(old | old) >= 0.
#ifndef EMKIT_FIT_H_
#define EMKIT_FIT_H_

#include <any>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "emkit/error.h"
#include "emkit/fit_progress.h"
#include "emkit/init_context.h"
#include "emkit/model.h"
#include "emkit/options.h"
#include "emkit/ordered_reduce.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/thread_pool.h"

namespace emkit {

// One E-step over all data: returns the total log-likelihood of `model` and
// leaves the merged statistics in *stats (overwritten).
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
double EStepAll(ThreadPool& pool, const Data& data, const M& model,
                typename M::Statistics* stats) {
  *stats = model.NewStatistics();
  const typename M::Statistics zero = *stats;
  return OrderedReduce(pool, data.NumBlocks(), zero, stats,
                       [&](std::int64_t b, typename M::Statistics* s) {
                         return model.EStep(data.GetBlock(b), s);
                       });
}

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

bool CertificateViolated(const FitOptions& options, double loglik_old,
                         double q_old, double bound_gain, double loglik_gain);

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

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
template <EmModel M, class Data, class Continuing>
RestartOutcome RunRestart(const FitOptions& options, const Data& data, ThreadPool& pool,
                          std::chrono::steady_clock::time_point fit_start,
                          Continuing&& continuing, M* model, RestartRecord* record,
                          double* total_loglik) {
  using Clock = std::chrono::steady_clock;
  const auto restart_start = Clock::now();
  const double previous_seconds = record->seconds;
  const bool fresh = record->n_iter == 0;
  const double weight = data.TotalWeight();
  typename M::Statistics stats = model->NewStatistics();
  double loglik = EStepAll(pool, data, *model, &stats);
  *total_loglik = loglik;
  if (fresh) {
    record->initial_mean_log_likelihood = loglik / weight;
    record->mean_log_likelihood = loglik / weight;
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
  for (int iteration = record->n_iter + 1; iteration <= options.max_iter; ++iteration) {
    const auto iteration_start = Clock::now();
    const double q_old = model->ExpectedCompleteLogLikelihood(stats);
    M next = model->MStep(stats, &record->repairs);
    const double bound_gain = next.ExpectedCompleteLogLikelihood(stats) - q_old;
    typename M::Statistics next_stats = next.NewStatistics();
    const double next_loglik = EStepAll(pool, data, next, &next_stats);
    const double loglik_gain = next_loglik - loglik;

    if (!std::isfinite(next_loglik) || !std::isfinite(bound_gain)) {
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
    it.bound_gain = bound_gain;
    it.loglik_gain = loglik_gain;
    it.certificate_violated =
        CertificateViolated(options, loglik, q_old, bound_gain, loglik_gain);
    it.seconds = SecondsSince(iteration_start);
    if (it.certificate_violated) ++record->certificate_violations;
    record->iterations.push_back(it);

    *model = std::move(next);
    stats = std::move(next_stats);
    loglik = next_loglik;
    *total_loglik = loglik;
    record->n_iter = iteration;
    record->mean_log_likelihood = it.mean_log_likelihood;

    // Sign-aware: a decrease of the likelihood is never convergence.
    const double change = loglik_gain / weight;
    const bool converged = change >= 0.0 && change < options.tol;
    if (!converged && iteration < options.max_iter) {
      record->seconds = previous_seconds + SecondsSince(restart_start);
      continuing(*model, *record);
    }

    const IterationEvent event{record->restart, iteration,
                               it.mean_log_likelihood, bound_gain, loglik_gain,
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
  record->seconds = previous_seconds + SecondsSince(restart_start);
  return outcome;
}

// Whether restart a's result is preferred to restart b's: usable before
// unusable, then the higher likelihood.
bool BetterRestart(const RestartRecord& a, double loglik_a,
                   const RestartRecord& b, double loglik_b);

}  // namespace internal

// A fitted model and the report of its fit.
template <class M>
struct Fitted {
  M model;
  FitReport report;
};

// Fits a model by EM with options.n_init restarts: for each,
// initialize(const InitContext&) returns the starting model; the restart with
// the best final likelihood is returned. Throws InvalidOptionError for
// invalid options (before any work); errors from the initialiser or the
// model (e.g. invalid data) propagate.
template <class Data, class Initializer,
          class M = std::invoke_result_t<Initializer&, const InitContext&>>
  requires EmModel<M> && BlockSource<Data, typename M::Block>
[[nodiscard]] Fitted<M> FitWithRestarts(const FitOptions& options, const Data& data,
                                        Initializer&& initialize) {
  options.Validate();
  const auto start = std::chrono::steady_clock::now();
  FitReport report;
  ThreadPool pool(options.num_threads);
  report.threads_given = options.num_threads;
  report.threads_used = static_cast<int>(std::min<std::int64_t>(
      pool.num_threads(), std::max<std::int64_t>(1, data.NumBlocks())));
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
      InitContext context{r, record.seed, &pool, &record.repairs};
      candidate.emplace(initialize(context));
    }
    double loglik = 0.0;
    const internal::RestartOutcome outcome = internal::RunRestart(
        options, data, pool, start,
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

// Fits starting from the parameters in *model (a warm start or user-given
// initial parameters): one restart.
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
[[nodiscard]] FitReport Fit(const FitOptions& options, const Data& data,
                            M* model) {
  options.Validate();
  FitOptions single = options;
  single.n_init = 1;  // every restart would start from the same parameters
  Fitted<M> fitted = FitWithRestarts(
      single, data, [model](const InitContext&) { return *model; });
  *model = std::move(fitted.model);
  return std::move(fitted.report);
}

}  // namespace emkit

#endif  // EMKIT_FIT_H_
