// Stepwise (online) EM (Cappé and Moulines 2009; Liang and Klein 2009): the
// parameters move after every mini-batch instead of after every pass.
// Running statistics per unit of weight s are pulled toward each batch's
//
//   s <- (1 - eta_t) s + eta_t s(batch) / weight(batch),
//   eta_t = (t + 2)^(-alpha), alpha in (0.5, 1],
//
// where t = 0, 1, ... counts the updates after the first batch, whose
// statistics s starts from (eta = 1). With alpha in (0.5, 1] the step sizes
// satisfy sum eta = inf and sum eta^2 < inf, the conditions under which s
// converges to a stationary point of the likelihood of the stream. After
// each batch the parameters are the M-step of s counted at the weight seen
// so far, so the M-step's floors and collapse thresholds (relative to
// counts) behave as in a batch fit of those rows: with eta_b = weight(b) /
// (weight of batches 1..b) and frozen parameters, s times the weight seen is
// the batch statistics of all rows seen. With `average` (Polyak-Ruppert),
// the reported parameters are the M-step of the mean of s over all steps,
// while E-steps keep using the latest iterate.
//
// Any EmModel whose statistics can be weighted (ScalableStatistics) runs
// stepwise: the purely additive ones (SummableStatistics) scale every value;
// pooled moments (the Gaussians') declare Scale, which scales counts and
// second moments and keeps means. The E-step of a batch goes through an
// executor like a full pass, so results are bit-identical for any thread
// count; they depend on the order of the batches.
#ifndef EMKIT_ENGINE_STEPWISE_EM_H_
#define EMKIT_ENGINE_STEPWISE_EM_H_

#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/engine/executor.h"
#include "emkit/error.h"
#include "emkit/model.h"
#include "emkit/report.h"
#include "emkit/statistics_codec.h"

namespace emkit {

struct StepwiseOptions {
  // alpha of eta_t = (t + 2)^(-alpha): in (0.5, 1]. Smaller forgets the
  // first batches faster; 1 weighs every batch alike (a running mean).
  double step_exponent = 0.6;
  // Report the parameters of the running statistics' average over the steps
  // (Polyak-Ruppert) instead of the latest ones.
  bool average = false;

  // Throws InvalidOptionError for a step exponent outside (0.5, 1].
  void Validate() const {
    if (!(step_exponent > 0.5 && step_exponent <= 1.0)) {
      throw InvalidOptionError(fmt::format(
          "step_exponent must be in (0.5, 1] (the step sizes (t + 2)^-alpha must sum to "
          "infinity and their squares must not), got {}",
          step_exponent));
    }
  }
};

// eta_t of the update t = 0, 1, ... after the first batch.
inline double StepwiseStepSize(std::int64_t update, double step_exponent) {
  return std::pow(static_cast<double>(update) + 2.0, -step_exponent);
}

// Statistics that can count their rows any number of times over.
template <class S>
concept ScalableStatistics =
    SerializableStatistics<S> &&
    (SummableStatistics<S> || requires(S s, double factor) { s.Scale(factor); });

// Counts the rows *stats summarise `factor` times over.
template <ScalableStatistics S>
void ScaleStatistics(double factor, S* stats) {
  if constexpr (requires { stats->Scale(factor); }) {
    stats->Scale(factor);
  } else {
    // Every encoded value is a sum over rows (SummableStatistics).
    std::vector<double> flat = FlattenStatistics(*stats);
    for (double& value : flat) value *= factor;
    stats->Decode(FlatStatisticsReader(LayoutOf(*stats), flat));
  }
}

// *running = (1 - step_size) *running + step_size * batch.
template <ScalableStatistics S>
void MixStatistics(double step_size, S batch, S* running) {
  ScaleStatistics(1.0 - step_size, running);
  ScaleStatistics(step_size, &batch);
  running->Merge(batch);
}

// What one step did.
struct StepwiseUpdate {
  // The batch's total log-likelihood under the parameters it met, and its
  // total weight (rows, when unweighted).
  double log_likelihood = 0.0;
  double weight = 0.0;
  double step_size = 0.0;
  RepairCounts repairs;  // of this step's M-step
};

template <EmModel M>
  requires ScalableStatistics<typename M::Statistics>
class StepwiseEm {
 public:
  using Statistics = typename M::Statistics;

  // Everything a run carries from one batch to the next, so that it can be
  // stored between calls (Python's partial_fit) and resumed.
  struct State {
    M current;                        // the latest iterate: E-steps use it
    Statistics running;               // s, per unit of weight
    std::optional<Statistics> averaged;  // the mean of s over the steps
    std::optional<M> averaged_model;     // the M-step of `averaged`
    std::int64_t steps = 0;
    double weight_seen = 0.0;
  };

  // Starts from `initial` (no batch seen). Throws InvalidOptionError for
  // invalid options.
  StepwiseEm(M initial, StepwiseOptions options)
      : StepwiseEm(State{initial, initial.NewStatistics(), std::nullopt, std::nullopt, 0, 0.0},
                   options) {}

  // Resumes a run from its state().
  StepwiseEm(State state, StepwiseOptions options)
      : state_(std::move(state)), options_(options) {
    options_.Validate();
  }

  // The step size the next batch gets: 1 for the first.
  double NextStepSize() const {
    return state_.steps == 0 ? 1.0 : StepwiseStepSize(state_.steps - 1, options_.step_exponent);
  }

  // One batch: its E-step under the current parameters, the running
  // statistics pulled toward it by NextStepSize(), the M-step. Throws
  // InvalidDataError for a batch without weight or whose log-likelihood is
  // not finite under the current parameters; the state is then unchanged.
  template <class Data, class Executor>
    requires ExecutorFor<Executor, M, Data>
  StepwiseUpdate Step(Executor& executor, const Data& batch) {
    return StepWith(executor, batch, NextStepSize());
  }

  // The same with a step size of the caller's (in [0, 1]; 1 on the first
  // step, which has nothing to mix with).
  template <class Data, class Executor>
    requires ExecutorFor<Executor, M, Data>
  StepwiseUpdate StepWith(Executor& executor, const Data& batch, double step_size) {
    StepwiseUpdate update;
    update.step_size = step_size;
    update.weight = batch.TotalWeight();
    if (!(update.weight > 0.0)) {
      throw InvalidDataError(
          fmt::format("online EM: batch {} has no weight", state_.steps + 1));
    }
    Statistics stats = state_.current.NewStatistics();
    update.log_likelihood = EStepAll(executor, batch, state_.current, &stats);
    if (!std::isfinite(update.log_likelihood)) {
      throw InvalidDataError(fmt::format(
          "online EM: the log-likelihood of batch {} is {} under the current parameters",
          state_.steps + 1, update.log_likelihood));
    }
    ScaleStatistics(1.0 / update.weight, &stats);

    State next = state_;
    MixStatistics(step_size, std::move(stats), &next.running);
    next.weight_seen += update.weight;
    ++next.steps;
    next.current = MStepAtScale(next.current, next.running, next.weight_seen, &update.repairs);
    if (options_.average) {
      if (!next.averaged) {
        next.averaged = next.running;
      } else {
        MixStatistics(1.0 / static_cast<double>(next.steps), next.running, &*next.averaged);
      }
      const M& previous = next.averaged_model ? *next.averaged_model : next.current;
      next.averaged_model = MStepAtScale(previous, *next.averaged, next.weight_seen, nullptr);
    }
    state_ = std::move(next);
    return update;
  }

  // The parameters to report: the averaged ones with `average` once a step
  // was made, else the latest.
  const M& model() const {
    return state_.averaged_model ? *state_.averaged_model : state_.current;
  }
  const State& state() const { return state_; }
  const StepwiseOptions& options() const { return options_; }

 private:
  static M MStepAtScale(const M& previous, const Statistics& per_unit, double weight,
                        RepairCounts* repairs) {
    Statistics scaled = per_unit;
    ScaleStatistics(weight, &scaled);
    return previous.MStep(scaled, repairs);
  }

  State state_;
  StepwiseOptions options_;
};

}  // namespace emkit

#endif  // EMKIT_ENGINE_STEPWISE_EM_H_
