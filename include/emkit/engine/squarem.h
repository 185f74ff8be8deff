// SQUAREM (Varadhan & Roland, Scand. J. Statist. 2008; the "S3" step
// length) as an iteration policy, kept monotone.
//
// EM is a fixed-point map. SQUAREM takes two plain steps from x0, x1 = F(x0)
// and x2 = F(x1), and jumps along their "squared" extrapolation
//
//   r = x1 - x0,  v = x2 - 2 x1 + x0,  alpha = -|r| / |v|  (S3, <= -1),
//   x' = x0 - 2 alpha r + alpha^2 v,
//
// which alpha = -1 turns back into x2. The map is taken on the expected
// sufficient statistics, s -> S(MStep(s)), rather than on the parameters:
// its Jacobian at the fixed point has the same non-zero eigenvalues as the
// parameter map's (the two are products of the same two Jacobians in either
// order), so it converges as fast, every model with a statistics codec
// (SerializableStatistics, emkit/model.h) is accelerated without a
// parameterisation of its own, and the parameters at the extrapolated point
// are the M-step's, so they respect every constraint the M-step keeps
// (weights on the simplex, positive definite covariances, ...).
//
// Monotone by construction. The extrapolated statistics s' give parameters
// theta' = MStep(s'), whose log-likelihood is evaluated. theta' is kept only
// when the M-step needed no repair that the plain step did not and
// L(theta') >= L(x2's parameters); otherwise the iteration ends at the
// second plain step. A kept theta' is followed by one plain EM step, which
// is the iteration's certified M-step (L(next) - L(theta') >= Q(next |
// theta') - Q(theta' | theta')), so the log-likelihood never decreases and
// the certificate checks every reported iteration. An iteration costs 4
// E-steps when the extrapolation is kept, 3 when it is turned down (2 when
// there is nothing to extrapolate, 1 or 2 when a plain step converges);
// the report counts them.
//
// A plain step that already gains less than tol (the driver's convergence
// test, emkit/engine/restart_driver.h: the gain of an iteration's last EM
// step per unit of weight) ends the iteration there, and no extrapolation
// is tried when the two plain steps' gains shrink so fast that plain EM
// would converge within the two E-steps an extrapolation costs: so a fit
// that converges fast takes plain EM's steps and stops at the E-step plain
// EM stops at, and the extrapolations are spent where EM crawls.
//
// The policy keeps no state between iterations, so a resumed fit takes the
// same steps as one never interrupted, and its steps do not depend on the
// executor or the thread count.
#ifndef EMKIT_ENGINE_SQUAREM_H_
#define EMKIT_ENGINE_SQUAREM_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "emkit/engine/executor.h"
#include "emkit/engine/iteration_policy.h"
#include "emkit/engine/plain_em.h"
#include "emkit/error.h"
#include "emkit/model.h"
#include "emkit/report.h"
#include "emkit/statistics_codec.h"

namespace emkit {

namespace internal {
// Whether an M-step from extrapolated statistics repaired more than the
// plain step did: a repaired extrapolation is turned down.
bool RepairedMore(const RepairCounts& trial, const RepairCounts& plain);
}  // namespace internal

class Squarem {
 public:
  // |alpha| is capped here: beyond it the extrapolation leaves the region
  // where the quadratic model of the EM path means anything.
  static constexpr double kMaxStepLength = 1024.0;

  // `tol`: FitOptions::tol, the gain per unit of weight under which a plain
  // step ends the iteration (0: never).
  explicit Squarem(double tol = 0.0) : tol_(tol) {}

  // Whether the plain steps L0 -> L1 -> L2 say an extrapolation cannot save
  // an E-step, with a positive tol (without one every iteration
  // extrapolates): the last gain is already under tol in size (the fit is
  // at its optimum up to rounding, which may make the gains a hair
  // negative), or the gains shrink so fast that, shrinking geometrically at
  // their last rate as EM's do near an optimum, they fall under tol within
  // two more plain steps, which is what an extrapolation costs (its point's
  // E-step and the certified step's after it).
  bool PlainEmIsAboutToConverge(double l0, double l1, double l2, double weight) const {
    if (!(tol_ > 0.0)) return false;
    const double gain1 = l1 - l0;
    const double gain2 = l2 - l1;
    const double target = tol_ * weight;  // a gain under this converges
    if (std::abs(gain2) < target) return true;
    if (!(gain1 > 0.0) || !(gain2 > 0.0) || !(gain2 < gain1)) return false;
    return std::log(target / gain2) / std::log(gain2 / gain1) <= 2.0;
  }

  template <EmModel M, class Data, class Executor>
    requires ExecutorFor<Executor, M, Data> && SerializableStatistics<typename M::Statistics>
  EmStep<M> Step(const EmIterate<M>& current, Executor& executor, const Data& data,
                 RepairCounts* repairs) {
    PlainEm plain;
    const double weight = data.TotalWeight();
    const auto converges = [&](const EmStep<M>& step) {
      const double change =
          (step.next.total_log_likelihood - step.base_total_log_likelihood) / weight;
      return change >= 0.0 && change < tol_;
    };
    RepairCounts first_repairs;
    EmStep<M> first = plain.Step(current, executor, data, &first_repairs);
    if (!std::isfinite(first.next.total_log_likelihood) || converges(first)) {
      *repairs += first_repairs;
      return first;
    }
    RepairCounts second_repairs;
    EmStep<M> second = plain.Step(first.next, executor, data, &second_repairs);
    second.e_steps = 2;
    *repairs += first_repairs;
    // The iteration ends at the second plain step, after `extra` E-steps
    // on an extrapolation turned down.
    const auto plain_path = [&](int rejected, int extra = 0) {
      *repairs += second_repairs;
      second.e_steps += extra;
      second.extrapolations_rejected = rejected;
      return std::move(second);
    };
    if (!std::isfinite(second.next.total_log_likelihood) || converges(second) ||
        PlainEmIsAboutToConverge(current.total_log_likelihood,
                                 first.next.total_log_likelihood,
                                 second.next.total_log_likelihood, weight)) {
      return plain_path(0);
    }

    const std::vector<double> s0 = FlattenStatistics(current.statistics);
    const std::vector<double> s1 = FlattenStatistics(first.next.statistics);
    const std::vector<double> s2 = FlattenStatistics(second.next.statistics);
    double rr = 0.0;
    double vv = 0.0;
    for (std::size_t i = 0; i < s0.size(); ++i) {
      const double r = s1[i] - s0[i];
      const double v = s2[i] - 2.0 * s1[i] + s0[i];
      rr += r * r;
      vv += v * v;
    }
    if (!(rr > 0.0) || !(vv > 0.0) || !std::isfinite(rr / vv)) return plain_path(0);
    const double alpha = std::clamp(-std::sqrt(rr / vv), -kMaxStepLength, -1.0);
    if (alpha == -1.0) return plain_path(0);  // the extrapolation is x2 itself

    std::vector<double> extrapolated(s0.size());
    for (std::size_t i = 0; i < s0.size(); ++i) {
      const double r = s1[i] - s0[i];
      const double v = s2[i] - 2.0 * s1[i] + s0[i];
      extrapolated[i] = s0[i] - 2.0 * alpha * r + alpha * alpha * v;
    }
    std::optional<EmIterate<M>> jump;
    try {
      RepairCounts trial_repairs;
      M model =
          current.model.MStep(UnflattenStatistics(current.statistics, extrapolated),
                              &trial_repairs);
      if (internal::RepairedMore(trial_repairs, second_repairs)) return plain_path(1);
      typename M::Statistics stats = model.NewStatistics();
      const double loglik = EStepAll(executor, data, model, &stats);
      // NaN fails the comparison too.
      if (!(loglik >= second.next.total_log_likelihood)) return plain_path(1, 1);
      jump.emplace(EmIterate<M>{std::move(model), std::move(stats), loglik});
    } catch (const std::invalid_argument&) {
      // Statistics no model has (a negative count, say): not a step.
      return plain_path(1);
    }
    RepairCounts last_repairs;
    EmStep<M> out = plain.Step(*jump, executor, data, &last_repairs);
    if (!std::isfinite(out.next.total_log_likelihood)) return plain_path(1, 2);
    *repairs += last_repairs;
    out.e_steps = 4;
    out.extrapolations_accepted = 1;
    return out;
  }

 private:
  double tol_;
};

}  // namespace emkit

#endif  // EMKIT_ENGINE_SQUAREM_H_
