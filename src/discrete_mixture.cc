#include "emkit/discrete_mixture.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/initialization.h"

namespace emkit {
namespace {

// A family of `k` components with placeholder parameters and the options of
// `options`: the shape against which statistics are accumulated.
Bernoulli Placeholder(int k, int columns, const BernoulliOptions& options, int) {
  return Bernoulli(RowMatrix::Constant(k, columns, 0.5), options);
}
Poisson Placeholder(int k, int columns, const PoissonOptions& options, int) {
  return Poisson(RowMatrix::Ones(k, columns), options);
}
Categorical Placeholder(int k, int, const CategoricalOptions& options, int categories) {
  return Categorical(RowMatrix::Constant(k, categories, 1.0 / categories), options);
}

template <class Family>
Fitted<Mixture<Family>> FitTyped(const FitOptions& fit_options,
                                 const DiscreteMixtureOptions& options,
                                 const Family& shape, const MatrixView& x,
                                 const double* sample_weights,
                                 const Mixture<Family>* init_model) {
  const RowBlocks data(x, sample_weights, fit_options.block_rows);
  if (init_model != nullptr) {
    Mixture<Family> model = *init_model;
    FitReport report = Fit(fit_options, data, &model);
    return {std::move(model), std::move(report)};
  }
  // A component that initialisation leaves empty keeps the whole data's
  // parameters (Maximize keeps a collapsed component's). They do not depend
  // on the restart: computed once, with a pool of its own that is gone
  // before the engine makes its pool.
  const Family prototype = [&] {
    ThreadPool pool(fit_options.num_threads);
    return WholeDataComponents(shape, data, pool);
  }();
  return FitWithRestarts(fit_options, data, [&](const InitContext& context) {
    return InitializeDiscreteMixture(options, prototype, data, context);
  });
}

void CheckInitModel(int model_features, const MatrixView& x) {
  if (model_features != x.cols()) {
    throw InvalidDataError(fmt::format(
        "the initial model has {} features, but X has {} columns", model_features,
        x.cols()));
  }
}

}  // namespace

void DiscreteMixtureOptions::Validate() const {
  if (n_components < 1) {
    throw InvalidOptionError(fmt::format("n_components = {} must be >= 1", n_components));
  }
  kmeans.Validate();
}

template <class Family>
Mixture<Family> InitializeDiscreteMixture(const DiscreteMixtureOptions& options,
                                          const Family& prototype,
                                          const RowBlocks& data,
                                          const InitContext& context) {
  return InitialMixture(options.init, options.kmeans, prototype, data, context);
}

template Mixture<Bernoulli> InitializeDiscreteMixture(const DiscreteMixtureOptions&,
                                                      const Bernoulli&, const RowBlocks&,
                                                      const InitContext&);
template Mixture<Categorical> InitializeDiscreteMixture(const DiscreteMixtureOptions&,
                                                        const Categorical&,
                                                        const RowBlocks&,
                                                        const InitContext&);
template Mixture<Poisson> InitializeDiscreteMixture(const DiscreteMixtureOptions&,
                                                    const Poisson&, const RowBlocks&,
                                                    const InitContext&);

Fitted<BernoulliMixture> FitBernoulliMixture(const FitOptions& fit_options,
                                             const DiscreteMixtureOptions& options,
                                             const BernoulliOptions& bernoulli,
                                             const MatrixView& x,
                                             const double* sample_weights,
                                             const BernoulliMixture* init_model) {
  fit_options.Validate();
  options.Validate();
  bernoulli.Validate();
  int k = options.n_components;
  if (init_model != nullptr) {
    k = init_model->num_components();
    CheckInitModel(init_model->num_features(), x);
  }
  ValidateMixtureData(x, sample_weights, k);
  Bernoulli::ValidateData(x);
  const Bernoulli shape = Placeholder(k, static_cast<int>(x.cols()), bernoulli, 0);
  return FitTyped(fit_options, options, shape, x, sample_weights, init_model);
}

Fitted<PoissonMixture> FitPoissonMixture(const FitOptions& fit_options,
                                         const DiscreteMixtureOptions& options,
                                         const PoissonOptions& poisson,
                                         const MatrixView& x,
                                         const double* sample_weights,
                                         const PoissonMixture* init_model) {
  fit_options.Validate();
  options.Validate();
  poisson.Validate();
  int k = options.n_components;
  if (init_model != nullptr) {
    k = init_model->num_components();
    CheckInitModel(init_model->num_features(), x);
  }
  ValidateMixtureData(x, sample_weights, k);
  Poisson::ValidateData(x);
  const Poisson shape = Placeholder(k, static_cast<int>(x.cols()), poisson, 0);
  return FitTyped(fit_options, options, shape, x, sample_weights, init_model);
}

Fitted<CategoricalMixture> FitCategoricalMixture(const FitOptions& fit_options,
                                                 const DiscreteMixtureOptions& options,
                                                 const CategoricalOptions& categorical,
                                                 const MatrixView& x,
                                                 const double* sample_weights,
                                                 int num_categories,
                                                 const CategoricalMixture* init_model) {
  fit_options.Validate();
  options.Validate();
  categorical.Validate();
  if (num_categories < 0) {
    throw InvalidOptionError(
        fmt::format("num_categories = {} must be >= 0 (0 = from the data)", num_categories));
  }
  int k = options.n_components;
  CategoricalLayout layout = categorical.layout;
  if (init_model != nullptr) {
    k = init_model->num_components();
    layout = init_model->components().layout();
    num_categories = init_model->components().num_categories();
    CheckInitModel(init_model->num_features(), x);
  }
  ValidateMixtureData(x, sample_weights, k);
  if (num_categories == 0) {
    if (layout == CategoricalLayout::kCounts) {
      num_categories = static_cast<int>(x.cols());
    } else {
      // The largest valid symbol + 1; an invalid one is reported below.
      const double largest = x.col(0).maxCoeff();
      num_categories = largest >= 0.0 && largest < 1e9
                           ? static_cast<int>(std::floor(largest)) + 1
                           : 1;
    }
  }
  Categorical::ValidateData(x, layout, num_categories);
  CategoricalOptions family_options = categorical;
  family_options.layout = layout;
  const Categorical shape = Placeholder(k, static_cast<int>(x.cols()), family_options,
                                        num_categories);
  return FitTyped(fit_options, options, shape, x, sample_weights, init_model);
}

}  // namespace emkit
