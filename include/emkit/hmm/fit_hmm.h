// Fitting an HMM of any emission family through the engine: the chain starts
// uniform or from given probabilities, the emissions from a caller-supplied
// initialiser (see gaussian_hmm.h for the k-means++ one of the Gaussians).
#ifndef EMKIT_HMM_FIT_HMM_H_
#define EMKIT_HMM_FIT_HMM_H_

#include <optional>
#include <utility>

#include "emkit/fit.h"
#include "emkit/hmm.h"
#include "emkit/hmm/markov_chain.h"
#include "emkit/hmm/sequence_blocks.h"
#include "emkit/matrix.h"
#include "emkit/options.h"

namespace emkit {

struct HmmOptions {
  int n_states = 1;  // K >= 1
  // Which parameters EM updates; the others keep their initial values.
  HmmFitParameters fit;
  // The initial chain; uniform when not given. Zeros of given probabilities
  // are structural: they stay zero (a left-to-right topology, say).
  std::optional<Vector> start;
  std::optional<RowMatrix> transitions;
  // Dirichlet priors of the chain's M-step (hmmlearn's startprob_prior and
  // transmat_prior); empty: maximum likelihood.
  ChainPriors priors;

  // Throws InvalidOptionError naming the field and the rule.
  void Validate() const;
  // The chain described above; throws InvalidDataError for invalid given
  // probabilities.
  MarkovChain InitialChain() const;
};

// Fits HiddenMarkovModel<Family> by EM with fit_options.n_init restarts:
// for each, init_emissions(const InitContext&) -> Family gives the emissions
// and the chain is options.InitialChain().
template <class Family, class EmissionInitializer>
[[nodiscard]] Fitted<HiddenMarkovModel<Family>> FitHmm(const FitOptions& fit_options,
                                                      const HmmOptions& options,
                                                      const SequenceBlocks& data,
                                                      EmissionInitializer&& init_emissions) {
  fit_options.Validate();
  options.Validate();
  const MarkovChain chain = options.InitialChain();
  return FitWithRestarts(fit_options, data, [&](const InitContext& context) {
    HiddenMarkovModel<Family> model(chain, init_emissions(context), options.fit);
    model.set_chain_priors(options.priors);
    return model;
  });
}

}  // namespace emkit

#endif  // EMKIT_HMM_FIT_HMM_H_
