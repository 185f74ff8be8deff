// Plain EM, one M-step and one E-step per iteration: the policy every fit
// uses unless told otherwise.
#ifndef EMKIT_ENGINE_PLAIN_EM_H_
#define EMKIT_ENGINE_PLAIN_EM_H_

#include <utility>

#include "emkit/engine/executor.h"
#include "emkit/engine/iteration_policy.h"
#include "emkit/model.h"
#include "emkit/report.h"

namespace emkit {

class PlainEm {
 public:
  // theta' = MStep(S(theta)); the bound is Q(theta' | theta) - Q(theta | theta),
  // both from S(theta); then the E-step at theta' gives S(theta') and L(theta').
  template <EmModel M, class Data, class Executor>
    requires ExecutorFor<Executor, M, Data>
  EmStep<M> Step(const EmIterate<M>& current, Executor& executor, const Data& data,
                 RepairCounts* repairs) {
    const double q_old = current.model.ExpectedCompleteLogLikelihood(current.statistics);
    M next = current.model.MStep(current.statistics, repairs);
    const double bound_gain = next.ExpectedCompleteLogLikelihood(current.statistics) - q_old;
    typename M::Statistics next_stats = next.NewStatistics();
    const double next_loglik = EStepAll(executor, data, next, &next_stats);
    return EmStep<M>{EmIterate<M>{std::move(next), std::move(next_stats), next_loglik},
                     current.total_log_likelihood, q_old, bound_gain};
  }
};

}  // namespace emkit

#endif  // EMKIT_ENGINE_PLAIN_EM_H_
