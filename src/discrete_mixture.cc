#include "emkit/discrete_mixture.h"

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/initialization.h"

namespace emkit {

template <class Family>
Mixture<Family> InitializeDiscreteMixture(const DiscreteMixtureOptions& options,
                                          const Family& prototype,
                                          const RowBlocks<double>& data,
                                          const InitContext& context) {
  return InitialMixture(options.init, options.kmeans, prototype, data, context);
}

template Mixture<Bernoulli> InitializeDiscreteMixture(const DiscreteMixtureOptions&,
                                                      const Bernoulli&, const RowBlocks<double>&,
                                                      const InitContext&);
template Mixture<Categorical> InitializeDiscreteMixture(const DiscreteMixtureOptions&,
                                                        const Categorical&,
                                                        const RowBlocks<double>&,
                                                        const InitContext&);
template Mixture<Poisson> InitializeDiscreteMixture(const DiscreteMixtureOptions&,
                                                    const Poisson&, const RowBlocks<double>&,
                                                    const InitContext&);

Fitted<BernoulliMixture> FitBernoulliMixture(const FitOptions& fit_options,
                                             const DiscreteMixtureOptions& options,
                                             const BernoulliOptions& bernoulli,
                                             const MatrixView& x,
                                             const double* sample_weights,
                                             const BernoulliMixture* init_model) {
  return FitMixtureOfFamily<Bernoulli>(fit_options, options, bernoulli, x, sample_weights,
                                       init_model);
}

Fitted<PoissonMixture> FitPoissonMixture(const FitOptions& fit_options,
                                         const DiscreteMixtureOptions& options,
                                         const PoissonOptions& poisson,
                                         const MatrixView& x,
                                         const double* sample_weights,
                                         const PoissonMixture* init_model) {
  return FitMixtureOfFamily<Poisson>(fit_options, options, poisson, x, sample_weights,
                                     init_model);
}

Fitted<CategoricalMixture> FitCategoricalMixture(const FitOptions& fit_options,
                                                 const DiscreteMixtureOptions& options,
                                                 const CategoricalOptions& categorical,
                                                 const MatrixView& x,
                                                 const double* sample_weights,
                                                 int num_categories,
                                                 const CategoricalMixture* init_model) {
  if (num_categories < 0) {
    throw InvalidOptionError(
        fmt::format("num_categories = {} must be >= 0 (0 = from the data)", num_categories));
  }
  if (num_categories == 0 || init_model != nullptr) {
    return FitMixtureOfFamily<Categorical>(fit_options, options, categorical, x,
                                           sample_weights, init_model);
  }
  // A given number of categories (more than the data shows, say).
  fit_options.Validate();
  options.Validate();
  categorical.Validate();
  ValidateMixtureData(x, sample_weights, options.n_components);
  Categorical::ValidateData(x, categorical.layout, num_categories);
  const Categorical shape(
      RowMatrix::Constant(options.n_components, num_categories, 1.0 / num_categories),
      categorical);
  return internal::FitMixtureFromShape(fit_options, options, shape, x, sample_weights);
}

}  // namespace emkit
