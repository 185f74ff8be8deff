// Fitting an HMM of any emission family through the engine: the chain starts
// uniform or from given probabilities, the emissions from a caller-supplied
// initialiser (see gaussian_hmm.h for the k-means++ one of the Gaussians).
#ifndef EMKIT_HMM_FIT_HMM_H_
#define EMKIT_HMM_FIT_HMM_H_

#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "emkit/fit.h"
#include "emkit/hmm.h"
#include "emkit/hmm/markov_chain.h"
#include "emkit/hmm/sequence_blocks.h"
#include "emkit/internal/widened_starts.h"
#include "emkit/matrix.h"
#include "emkit/options.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

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

// Fits HiddenMarkovModel<Family, Scalar> by EM with fit_options.n_init
// restarts: for each, init_emissions(const InitContext&) -> Family gives the
// emissions and the chain is options.InitialChain().
template <class Family, DataScalar Scalar, class EmissionInitializer>
[[nodiscard]] Fitted<HiddenMarkovModel<Family, Scalar>> FitHmm(
    const FitOptions& fit_options, const HmmOptions& options,
    const SequenceBlocks<Scalar>& data, EmissionInitializer&& init_emissions) {
  fit_options.Validate();
  options.Validate();
  const MarkovChain chain = options.InitialChain();
  return FitWithRestarts(fit_options, data, [&](const InitContext& context) {
    HiddenMarkovModel<Family, Scalar> model(chain, init_emissions(context), options.fit);
    model.set_chain_priors(options.priors);
    return model;
  });
}

// The same parameters for rows of type To.
template <DataScalar To, class F, DataScalar From>
HiddenMarkovModel<F, To> WithRowScalar(const HiddenMarkovModel<F, From>& model) {
  if constexpr (std::is_same_v<To, From>) {
    return model;
  } else {
    return HiddenMarkovModel<F, To>(model);
  }
}

namespace internal {

// EM for an HMM with Family emissions on the sequences of x (rows of either
// scalar type; `lengths` as SequenceBlocks takes them). From init_model
// when given (one restart; options.fit and options.priors replace its own),
// else from options' chain and, per restart, the emissions of the
// initialiser that make_initializer(pooled) returns, (const InitContext&)
// -> Family, where `pooled` is every row in double row blocks of
// fit_options.block_rows (so k-means' seeds do not depend on the thread
// count). For float rows `pooled` is a widened copy made for the
// initialisation alone and released before EM: the starting parameters are
// those of the float64 fit of the same values, restart for restart.
template <class Family, DataScalar Scalar, class MakeInitializer>
Fitted<HiddenMarkovModel<Family>> FitHmmOnRows(const FitOptions& fit_options,
                                               const HmmOptions& options,
                                               const MatrixViewOf<Scalar>& x,
                                               std::span<const std::int64_t> lengths,
                                               const HiddenMarkovModel<Family>* init_model,
                                               MakeInitializer&& make_initializer) {
  using Model = HiddenMarkovModel<Family, Scalar>;
  const SequenceBlocks<Scalar> data(x, lengths, fit_options.block_rows);
  if (init_model != nullptr) {
    Model model = WithRowScalar<Scalar>(*init_model);
    model.set_fit_parameters(options.fit);
    model.set_chain_priors(options.priors);
    FitReport report = Fit(fit_options, data, &model);
    return {WithRowScalar<double>(model), std::move(report)};
  }
  if constexpr (std::is_same_v<Scalar, double>) {
    const RowBlocks<double> pooled(x, nullptr, fit_options.block_rows);
    auto initialize = make_initializer(pooled);
    return FitHmm<Family>(fit_options, options, data, initialize);
  } else {
    fit_options.Validate();
    const auto starts = StartsOnWidenedRows(fit_options, x, nullptr, make_initializer);
    Fitted<Model> fitted = FitHmm<Family>(fit_options, options, data, [&](const InitContext& c) {
      *c.repairs = starts.repairs[c.restart];
      return starts.starts[c.restart];
    });
    return {WithRowScalar<double>(fitted.model), std::move(fitted.report)};
  }
}

}  // namespace internal
}  // namespace emkit

#endif  // EMKIT_HMM_FIT_HMM_H_
