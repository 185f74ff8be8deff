// Mixtures of the discrete families (Bernoulli, Categorical, Poisson): the
// named entry points over the generic fit of emkit/family_fit.h.
// Initialisation follows the Gaussian mixtures: responsibilities (k-means++
// and Lloyd, random rows, or random values), then one M-step; every pass
// uses the engine's fixed blocks and ordered merges, so a seed gives the
// same model for any thread count.
#ifndef EMKIT_DISCRETE_MIXTURE_H_
#define EMKIT_DISCRETE_MIXTURE_H_

#include "emkit/families/bernoulli.h"
#include "emkit/families/categorical.h"
#include "emkit/families/poisson.h"
#include "emkit/family_fit.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"  // InitMethod, ValidateMixtureData
#include "emkit/kmeans.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/options.h"
#include "emkit/row_blocks.h"

namespace emkit {

using BernoulliMixture = Mixture<Bernoulli>;
using CategoricalMixture = Mixture<Categorical>;
using PoissonMixture = Mixture<Poisson>;

// The family-independent settings of a mixture fit (emkit/family_fit.h).
using DiscreteMixtureOptions = MixtureOptions;

// Fits a mixture to the rows of x (optionally weighted). When init_model is
// given, EM starts from it (one restart; its number of components and
// family options win over the arguments'), else each of fit_options.n_init
// restarts is initialised by options.init. Invalid options or data throw
// before any work, naming the element and the rule.
[[nodiscard]] Fitted<BernoulliMixture> FitBernoulliMixture(
    const FitOptions& fit_options, const DiscreteMixtureOptions& options,
    const BernoulliOptions& bernoulli, const MatrixView& x,
    const double* sample_weights, const BernoulliMixture* init_model = nullptr);

[[nodiscard]] Fitted<PoissonMixture> FitPoissonMixture(
    const FitOptions& fit_options, const DiscreteMixtureOptions& options,
    const PoissonOptions& poisson, const MatrixView& x, const double* sample_weights,
    const PoissonMixture* init_model = nullptr);

// num_categories: V. For the counts layout it must be 0 or x.cols(); for the
// symbols layout 0 takes the largest symbol + 1.
[[nodiscard]] Fitted<CategoricalMixture> FitCategoricalMixture(
    const FitOptions& fit_options, const DiscreteMixtureOptions& options,
    const CategoricalOptions& categorical, const MatrixView& x,
    const double* sample_weights, int num_categories = 0,
    const CategoricalMixture* init_model = nullptr);

// The initial mixture of one restart (what the Fit functions above use),
// exposed for tests and for callers driving FitWithRestarts themselves.
// `prototype` fixes K, the data's shape and the family options; its
// parameters are not used.
template <class Family>
Mixture<Family> InitializeDiscreteMixture(const DiscreteMixtureOptions& options,
                                          const Family& prototype,
                                          const RowBlocks<double>& data,
                                          const InitContext& context);

extern template Mixture<Bernoulli> InitializeDiscreteMixture(
    const DiscreteMixtureOptions&, const Bernoulli&, const RowBlocks<double>&, const InitContext&);
extern template Mixture<Categorical> InitializeDiscreteMixture(
    const DiscreteMixtureOptions&, const Categorical&, const RowBlocks<double>&,
    const InitContext&);
extern template Mixture<Poisson> InitializeDiscreteMixture(
    const DiscreteMixtureOptions&, const Poisson&, const RowBlocks<double>&, const InitContext&);

}  // namespace emkit

#endif  // EMKIT_DISCRETE_MIXTURE_H_
