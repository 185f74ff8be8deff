// The engine: FitWithRestarts(options, data, initialiser) runs EM on any model
// that satisfies EmModel (emkit/model.h). It owns restarts, convergence,
// threads, callbacks and the per-iteration certificate of the EM inequality
//
//   L(new) - L(old) >= Q(new | old) - Q(old | old) >= 0.
#ifndef EMKIT_FIT_H_
#define EMKIT_FIT_H_

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "emkit/model.h"
#include "emkit/options.h"
#include "emkit/ordered_reduce.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/thread_pool.h"

namespace emkit {

// What an initialiser receives for one restart.
struct InitContext {
  int restart = 0;
  std::uint64_t seed = 0;  // derived from FitOptions::seed and restart
  ThreadPool* pool = nullptr;
  RepairCounts* repairs = nullptr;
};

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
void FinishReport(double total_weight,
                  std::int64_t num_free_parameters, double best_total_loglik,
                  FitReport* report);

// Runs the callbacks; returns the first non-continue answer.
CallbackResult RunCallbacks(const FitOptions& options,
                            const IterationEvent& event);

bool CertificateViolated(const FitOptions& options, double loglik_old,
                         double q_old, double bound_gain, double loglik_gain);

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// EM from `*model` for one restart; on return *model holds the parameters
// whose log-likelihood is record->mean_log_likelihood. Returns the total
// log-likelihood of those parameters.
template <EmModel M, class Data>
double RunRestart(const FitOptions& options, const Data& data, ThreadPool& pool,
                  M* model, RestartRecord* record) {
  using Clock = std::chrono::steady_clock;
  const auto restart_start = Clock::now();
  const double weight = data.TotalWeight();
  typename M::Statistics stats = model->NewStatistics();
  double loglik = EStepAll(pool, data, *model, &stats);
  record->initial_mean_log_likelihood = loglik / weight;
  record->mean_log_likelihood = loglik / weight;
  record->termination = TerminationType::kMaxIterations;
  record->message = "reached max_iter";
  if (!std::isfinite(loglik)) {
    record->termination = TerminationType::kNumericalFailure;
    record->message = "the log-likelihood of the initial parameters is " +
                      std::to_string(loglik);
    record->seconds = SecondsSince(restart_start);
    return loglik;
  }
  for (int iteration = 1; iteration <= options.max_iter; ++iteration) {
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
    record->n_iter = iteration;
    record->mean_log_likelihood = it.mean_log_likelihood;

    const IterationEvent event{record->restart, iteration,
                               it.mean_log_likelihood, bound_gain, loglik_gain,
                               it.seconds};
    const CallbackResult answer = RunCallbacks(options, event);
    if (answer == CallbackResult::kStop) {
      record->termination = TerminationType::kUserStop;
      record->message = "stopped by a callback";
      break;
    }
    if (answer == CallbackResult::kAbort) {
      record->termination = TerminationType::kUserAbort;
      record->message = "aborted by a callback";
      break;
    }
    // Sign-aware: a decrease of the likelihood is never convergence.
    const double change = loglik_gain / weight;
    if (change >= 0.0 && change < options.tol) {
      record->converged = true;
      record->termination = TerminationType::kConverged;
      record->message = "mean log-likelihood gain under tol";
      break;
    }
  }
  record->seconds = SecondsSince(restart_start);
  return loglik;
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

  std::optional<M> best;
  double best_loglik = -std::numeric_limits<double>::infinity();
  for (int r = 0; r < options.n_init; ++r) {
    RestartRecord record;
    record.restart = r;
    record.seed = DeriveSeed(options.seed, static_cast<std::uint64_t>(r));
    InitContext context{r, record.seed, &pool, &record.repairs};
    M candidate = initialize(context);
    const double loglik =
        internal::RunRestart(options, data, pool, &candidate, &record);
    if (!best || internal::BetterRestart(record, loglik,
                                         report.restarts[report.best_restart],
                                         best_loglik)) {
      best.emplace(std::move(candidate));
      best_loglik = loglik;
      report.best_restart = r;
    }
    report.restarts.push_back(std::move(record));
    const TerminationType last = report.restarts.back().termination;
    if (last == TerminationType::kUserStop || last == TerminationType::kUserAbort) {
      break;  // the caller asked to end the whole fit
    }
  }
  report.total_seconds = internal::SecondsSince(start);
  internal::FinishReport(data.TotalWeight(),
                         static_cast<std::int64_t>(best->NumFreeParameters()),
                         best_loglik, &report);
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
