// HMMs with Bernoulli, categorical (one symbol per row) or Poisson
// emissions: initial emissions from k-means++ on the pooled observations,
// and one fitting entry point per family.
//
// The initialisers are deterministic functions of the data and the
// restart's seed (k-means++ and Lloyd iterations run on the engine's fixed
// blocks), and they never return a symmetric point: EM cannot leave a start
// where every state has the same emissions, because the states then get
// the same posteriors and the same updates forever. Pass them to FitHmm
// for a chain of your own:
//
//   const RowBlocks pooled(x, nullptr, 0);
//   FitHmm<Poisson>(fit_options, hmm_options, SequenceBlocks(x, lengths, 0),
//                   [&](const InitContext& c) {
//                     return PoissonEmissionsFromKMeans(pooled, k, {}, {}, c);
//                   });
#ifndef EMKIT_HMM_DISCRETE_HMM_H_
#define EMKIT_HMM_DISCRETE_HMM_H_

#include <cstdint>
#include <span>

#include "emkit/families/bernoulli.h"
#include "emkit/families/categorical.h"
#include "emkit/families/poisson.h"
#include "emkit/fit.h"
#include "emkit/hmm.h"
#include "emkit/hmm/fit_hmm.h"
#include "emkit/kmeans.h"
#include "emkit/matrix.h"
#include "emkit/options.h"
#include "emkit/row_blocks.h"

namespace emkit {

using BernoulliHmm = HiddenMarkovModel<Bernoulli>;
using CategoricalHmm = HiddenMarkovModel<Categorical>;
using PoissonHmm = HiddenMarkovModel<Poisson>;

// K states from k-means++ seeds and Lloyd iterations on the pooled rows of
// `data`, each row assigned to its nearest centre; each state's parameters
// are the M-step of its rows plus one pseudo-row of the pooled mean (so no
// probability is 0 or 1, and no rate 0, unless the whole data says so).
// States that still coincide (fewer distinct rows than states) are moved
// apart by a random factor from the seed: rates by [0.5, 1.5),
// probabilities by up to +-0.5 in log-odds.
// Compiled for RowBlocks<double> and io::RowStream<double> (rows read from
// a file, emkit/io/row_stream.h).
template <RowBlockSource Data>
Bernoulli BernoulliEmissionsFromKMeans(const Data& data, int k, const BernoulliOptions& options,
                                       const KMeansOptions& kmeans,
                                       const InitContext& context);
template <RowBlockSource Data>
Poisson PoissonEmissionsFromKMeans(const Data& data, int k, const PoissonOptions& options,
                                   const KMeansOptions& kmeans, const InitContext& context);

// Symbols (one column, integers in [0, num_categories)): k-means++ and Lloyd
// iterations on the one-hot vectors of the observed symbols (weighted by
// their counts) split the symbols among the states; state k's probabilities
// are the half-and-half blend of its symbols' frequencies and the pooled
// frequencies. (A hard split alone would give the states disjoint supports,
// far from any model worth starting at.) Coinciding states are moved apart
// by exponential factors (a Dirichlet draw about their probabilities). The
// layout in `options` is ignored: the result uses kSymbols.
// Compiled for RowBlocks<double> and io::RowStream<double>.
template <RowBlockSource Data>
Categorical CategoricalEmissionsFromKMeans(const Data& data, int k, int num_categories,
                                           const CategoricalOptions& options,
                                           const KMeansOptions& kmeans,
                                           const InitContext& context);

// Fits an HMM to the sequences in x (rows concatenated; `lengths` as
// hmmlearn takes it, empty for one sequence). Without init_model each of
// fit_options.n_init restarts starts from options' chain and the
// initialiser above; with it, EM starts from it (one restart; its number of
// states and family options win over the arguments'; options.fit still says
// what is updated). Invalid options or data throw before any work, naming
// the element and the rule.
template <DataScalar Scalar>
[[nodiscard]] Fitted<BernoulliHmm> FitBernoulliHmm(const FitOptions& fit_options,
                                                  const HmmOptions& options,
                                                  const BernoulliOptions& bernoulli,
                                                  const MatrixViewOf<Scalar>& x,
                                                  std::span<const std::int64_t> lengths,
                                                  const BernoulliHmm* init_model = nullptr);

template <DataScalar Scalar>
[[nodiscard]] Fitted<PoissonHmm> FitPoissonHmm(const FitOptions& fit_options,
                                              const HmmOptions& options,
                                              const PoissonOptions& poisson,
                                              const MatrixViewOf<Scalar>& x,
                                              std::span<const std::int64_t> lengths,
                                              const PoissonHmm* init_model = nullptr);

// One symbol per row. num_categories 0 takes the largest symbol + 1.
template <DataScalar Scalar>
[[nodiscard]] Fitted<CategoricalHmm> FitCategoricalHmm(
    const FitOptions& fit_options, const HmmOptions& options,
    const CategoricalOptions& categorical, const MatrixViewOf<Scalar>& x,
    std::span<const std::int64_t> lengths, int num_categories = 0,
    const CategoricalHmm* init_model = nullptr);

}  // namespace emkit

#endif  // EMKIT_HMM_DISCRETE_HMM_H_
