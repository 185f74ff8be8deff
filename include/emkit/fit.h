// The engine's front: FitWithRestarts(options, data, initialiser) runs EM on
// any model that satisfies EmModel (emkit/model.h), with restarts,
// convergence, threads, callbacks and the per-iteration certificate of the
// EM inequality
//
//   L(new) - L(old) >= Q(new | old) - Q(old | old) >= 0.
//
// The engine has three parts, each in its own header under emkit/engine/:
// the executor (who reduces the blocks' statistics), the iteration policy
// (how one iteration moves) and the restart driver (everything else). The
// functions here put together the default ones: the threaded executor on a
// Context's pool, and the policy FitOptions::accelerate names (plain EM
// unless told otherwise).
#ifndef EMKIT_FIT_H_
#define EMKIT_FIT_H_

#include <type_traits>
#include <utility>

#include "emkit/context.h"
#include "emkit/engine/executor.h"
#include "emkit/engine/plain_em.h"
#include "emkit/engine/restart_driver.h"
#include "emkit/engine/squarem.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/init_context.h"
#include "emkit/model.h"
#include "emkit/options.h"
#include "emkit/thread_pool.h"

namespace emkit {

// One E-step over all data on `pool`: returns the total log-likelihood of
// `model` and leaves the merged statistics in *stats (overwritten).
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
double EStepAll(ThreadPool& pool, const Data& data, const M& model,
                typename M::Statistics* stats) {
  ThreadedExecutor executor(pool);
  return EStepAll(executor, data, model, stats);
}

// DriveRestarts with the iteration policy options.accelerate names.
template <class Data, class Initializer, class Executor,
          class M = std::invoke_result_t<Initializer&, const InitContext&>>
[[nodiscard]] Fitted<M> DriveWithPolicyOf(Context& context, Executor& executor,
                                          const FitOptions& options, const Data& data,
                                          Initializer&& initialize) {
  if (options.accelerate == Acceleration::kSquarem) {
    if constexpr (SerializableStatistics<typename M::Statistics>) {
      Squarem policy(options.tol);
      return DriveRestarts(context, executor, policy, options, data,
                           std::forward<Initializer>(initialize));
    } else {
      throw InvalidOptionError(
          "accelerate = squarem extrapolates the model's statistics, and this model's "
          "statistics have no codec (SerializableStatistics, emkit/model.h)");
    }
  }
  PlainEm policy;
  return DriveRestarts(context, executor, policy, options, data,
                       std::forward<Initializer>(initialize));
}

// Fits a model by EM with options.n_init restarts on the threads of
// `context` (options.num_threads is then only reported): for each restart,
// initialize(const InitContext&) returns the starting model; the restart
// with the best final likelihood is returned. Throws InvalidOptionError for
// invalid options (before any work); errors from the initialiser or the
// model (e.g. invalid data) propagate.
template <class Data, class Initializer,
          class M = std::invoke_result_t<Initializer&, const InitContext&>>
  requires EmModel<M> && BlockSource<Data, typename M::Block>
[[nodiscard]] Fitted<M> FitWithRestarts(Context& context, const FitOptions& options,
                                        const Data& data, Initializer&& initialize) {
  ThreadedExecutor executor(context.pool());
  return DriveWithPolicyOf(context, executor, options, data,
                           std::forward<Initializer>(initialize));
}

// The same on a context of its own with options.num_threads threads.
template <class Data, class Initializer,
          class M = std::invoke_result_t<Initializer&, const InitContext&>>
  requires EmModel<M> && BlockSource<Data, typename M::Block>
[[nodiscard]] Fitted<M> FitWithRestarts(const FitOptions& options, const Data& data,
                                        Initializer&& initialize) {
  options.Validate();  // before any thread starts
  Context context(options.num_threads);
  return FitWithRestarts(context, options, data, std::forward<Initializer>(initialize));
}

// Fits starting from the parameters in *model (a warm start or user-given
// initial parameters): one restart, on the threads of `context`.
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
[[nodiscard]] FitReport Fit(Context& context, const FitOptions& options, const Data& data,
                            M* model) {
  options.Validate();
  FitOptions single = options;
  single.n_init = 1;  // every restart would start from the same parameters
  Fitted<M> fitted = FitWithRestarts(
      context, single, data, [model](const InitContext&) { return *model; });
  *model = std::move(fitted.model);
  return std::move(fitted.report);
}

// The same on a context of its own with options.num_threads threads.
template <EmModel M, class Data>
  requires BlockSource<Data, typename M::Block>
[[nodiscard]] FitReport Fit(const FitOptions& options, const Data& data, M* model) {
  options.Validate();
  Context context(options.num_threads);
  return Fit(context, options, data, model);
}

}  // namespace emkit

#endif  // EMKIT_FIT_H_
