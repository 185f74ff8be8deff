#include "emkit/hmm/fit_hmm.h"

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {

void HmmOptions::Validate() const {
  if (n_states < 1) {
    throw InvalidOptionError(fmt::format("n_states = {} must be >= 1", n_states));
  }
  if (start && start->size() != n_states) {
    throw InvalidOptionError(fmt::format(
        "start probabilities have {} values, but n_states = {}", start->size(), n_states));
  }
  if (transitions && (transitions->rows() != n_states || transitions->cols() != n_states)) {
    throw InvalidOptionError(fmt::format(
        "transitions are {} x {}, but n_states = {} needs {} x {}", transitions->rows(),
        transitions->cols(), n_states, n_states, n_states));
  }
  priors.Validate(n_states);
}

MarkovChain HmmOptions::InitialChain() const {
  const MarkovChain uniform = MarkovChain::Uniform(n_states);
  return MarkovChain(start ? *start : uniform.start(),
                     transitions ? *transitions : uniform.transitions());
}

}  // namespace emkit
