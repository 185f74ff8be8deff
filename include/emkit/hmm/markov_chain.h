// The hidden chain of an HMM: start probabilities and a row-stochastic
// transition matrix, their M-step from expected counts and their part of
// Q(theta | theta_old). Zeros are structural: a zero probability gets zero
// expected counts, so the M-step keeps it at zero (left-to-right and other
// topologies are given by the zeros of the initial matrix).
#ifndef EMKIT_HMM_MARKOV_CHAIN_H_
#define EMKIT_HMM_MARKOV_CHAIN_H_

#include <cstdint>

#include "emkit/matrix.h"

namespace emkit {

// Dirichlet priors on the start probabilities and on each row of the
// transition matrix (hmmlearn's startprob_prior and transmat_prior). With
// them the M-step is hmmlearn's: p = max(alpha - 1 + counts, 0), normalised,
// a probability that is 0 staying 0. Empty means alpha = 1 everywhere: the
// maximum-likelihood M-step. Concentrations below 1 can move the M-step
// away from the likelihood's maximum, which the engine's certificate then
// reports.
struct ChainPriors {
  Vector start;           // empty, or K concentrations (finite, >= 0)
  RowMatrix transitions;  // empty, or K x K

  // Throws InvalidOptionError naming the element and the rule.
  void Validate(int num_states) const;
  bool empty() const { return start.size() == 0 && transitions.size() == 0; }
};

class MarkovChain {
 public:
  // start: K probabilities; transitions: K x K, each row a distribution.
  // Throws InvalidDataError naming the element unless every value is finite
  // and >= 0 and every distribution sums to 1 within 1e-8.
  MarkovChain(Vector start, RowMatrix transitions);

  // Uniform start and transition probabilities.
  static MarkovChain Uniform(int num_states);

  int num_states() const { return static_cast<int>(start_.size()); }
  const Vector& start() const { return start_; }
  const RowMatrix& transitions() const { return transitions_; }
  const Vector& log_start() const { return log_start_; }
  const RowMatrix& log_transitions() const { return log_transitions_; }

  // The M-step: normalised expected counts. A distribution whose counts are
  // all zero (a state never left) keeps its probabilities; one not fitted
  // (fit_start / fit_transitions false) is returned unchanged.
  MarkovChain Maximize(const Vector& start_counts, const RowMatrix& transition_counts,
                       bool fit_start, bool fit_transitions,
                       const ChainPriors& priors = {}) const;

  // start_counts . log(start) + sum transition_counts .* log(transitions),
  // with 0 log 0 = 0 so that structural zeros contribute nothing.
  double ExpectedLogLikelihood(const Vector& start_counts,
                               const RowMatrix& transition_counts) const;

  // Nonzero probabilities that are free to move: per distribution, its
  // number of nonzero entries minus one (only the distributions fitted).
  std::int64_t NumFreeParameters(bool fit_start, bool fit_transitions) const;

  // A state drawn from a distribution `p` (start or a transition row) with a
  // uniform u in [0, 1).
  static int DrawState(const Eigen::Ref<const Eigen::RowVectorXd>& p, double u);

 private:
  MarkovChain() = default;
  void UpdateLogs();

  Vector start_;
  RowMatrix transitions_;
  Vector log_start_;
  RowMatrix log_transitions_;
};

}  // namespace emkit

#endif  // EMKIT_HMM_MARKOV_CHAIN_H_
