// The recursions of one sequence, given the log-probabilities of its
// observations under each state (T x K, from the emission family). They do
// not know the family, so they are compiled once.
//
// Forward-backward runs scaled (Rabiner's normalised alpha and beta, with
// each step's largest log-probability removed before exponentiating): K^2
// multiplications per step and no exponentials in the recursion. When a
// scale factor leaves the normal range of doubles (a path of vanishing
// probability that the scaling cannot rescue) the sequence is redone in log
// space, which cannot underflow. Either way a sequence of any length has a
// finite log-likelihood as long as its observations have one.
#ifndef EMKIT_HMM_FORWARD_BACKWARD_H_
#define EMKIT_HMM_FORWARD_BACKWARD_H_

#include <Eigen/Core>

#include "emkit/hmm/markov_chain.h"
#include "emkit/matrix.h"

namespace emkit {

// How the recursions are computed. kAuto is scaled with the log-space
// fallback above; the other two force one method (tests compare them).
enum class RecursionMethod { kAuto, kScaled, kLog };

// On entry `log_emission` (T x K, T >= 1) holds log p(x_t | z_t = k); on
// return it holds the posteriors p(z_t = k | x_1..T). Adds the expected
// start counts (the posterior of step 0) into *start_counts and the expected
// transition counts sum_t p(z_t = i, z_t+1 = j | x) into *transition_counts.
// Returns log p(x_1..T); -inf when no state path has positive probability
// (the posteriors and counts are then left at zero), NaN for NaN input.
double ForwardBackward(const MarkovChain& chain, Eigen::Ref<RowMatrix> log_emission,
                       Vector* start_counts, RowMatrix* transition_counts,
                       RecursionMethod method = RecursionMethod::kAuto);

// log p(x_1..T) by the forward recursion alone (no T x K storage beyond the
// input, which is left unchanged).
double ForwardLogLikelihood(const MarkovChain& chain,
                            const Eigen::Ref<const RowMatrix>& log_emission);

// The most probable state path (ties: the lowest state) into states[0..T),
// and returns its log-probability log p(x, z*).
double Viterbi(const MarkovChain& chain, const Eigen::Ref<const RowMatrix>& log_emission,
               int* states);

}  // namespace emkit

#endif  // EMKIT_HMM_FORWARD_BACKWARD_H_
