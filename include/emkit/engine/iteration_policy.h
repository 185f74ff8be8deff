// The iteration-policy seam: how one EM iteration gets from the current
// parameters to the next. The restart driver (emkit/engine/restart_driver.h)
// owns everything around it: restarts, convergence, callbacks, the
// certificate, the report, checkpoints. A policy only says what the next
// iterate is, and what the certificate needs to check it.
//
// A policy P satisfies IterationPolicyFor<P, M, Data, Executor> when
//
//   EmStep<M> Step(const EmIterate<M>& current, Executor& executor,
//                  const Data& data, RepairCounts* repairs);
//
// returns the next iterate with its statistics and total log-likelihood
// (so the driver never makes an E-step of its own between iterations). It
// may run as many E-steps as it needs (an accelerated scheme evaluates
// extrapolated points) through `executor`, and counts the M-step's repairs
// in *repairs. Optionally
//
//   void StartRestart(const EmIterate<M>& first);
//
// is called before the first iteration of every restart (also a resumed
// one), for a policy that keeps state between iterations.
#ifndef EMKIT_ENGINE_ITERATION_POLICY_H_
#define EMKIT_ENGINE_ITERATION_POLICY_H_

#include <concepts>

#include "emkit/engine/executor.h"
#include "emkit/model.h"
#include "emkit/report.h"

namespace emkit {

// Where EM stands between two iterations: parameters, the expected
// sufficient statistics of all data at them, and their total
// log-likelihood.
template <EmModel M>
struct EmIterate {
  M model;
  typename M::Statistics statistics;
  double total_log_likelihood;
};

// One iteration's outcome. The certificate checks the EM inequality of the
// iteration's last M-step, taken from the statistics of some parameters
// `base` (for plain EM, the current ones):
//
//   L(next) - L(base) >= Q(next | base) - Q(base | base) >= 0.
template <EmModel M>
struct EmStep {
  EmIterate<M> next;
  double base_total_log_likelihood;  // L(base)
  double q_base;                     // Q(base | base)
  double bound_gain;                 // Q(next | base) - Q(base | base)
  // What the iteration cost: E-steps over all data (extrapolated points
  // evaluated included), and the extrapolations it kept or turned down.
  int e_steps = 1;
  int extrapolations_accepted = 0;
  int extrapolations_rejected = 0;
};

template <class P, class M, class Data, class Executor>
concept IterationPolicyFor =
    ExecutorFor<Executor, M, Data> &&
    requires(P& policy, const EmIterate<M>& current, Executor& executor, const Data& data,
             RepairCounts* repairs) {
      { policy.Step(current, executor, data, repairs) } -> std::same_as<EmStep<M>>;
    };

}  // namespace emkit

#endif  // EMKIT_ENGINE_ITERATION_POLICY_H_
