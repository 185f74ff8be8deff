#include "emkit/discrete_mixture.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/constants.h"
#include "emkit/error.h"
#include "emkit/random.h"
#include "responsibility_statistics.h"

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

int CategoriesOf(const Bernoulli&) { return 0; }
int CategoriesOf(const Poisson&) { return 0; }
int CategoriesOf(const Categorical& c) { return c.num_categories(); }

// The K = 1 maximum-likelihood parameters of the whole data, repeated for
// k components: what a component that initialisation leaves empty keeps
// (Maximize keeps a collapsed component's parameters).
template <class Family>
Family WholeDataPrototype(const Family& shape, int k, const RowBlocks& data,
                          ThreadPool& pool) {
  const Family one = Placeholder(1, static_cast<int>(data.data().cols()), shape.options(),
                                 CategoriesOf(shape));
  const auto stats = internal::AccumulateResponsibilities(
      one, data, pool, [](std::int64_t, const RowBlock&, RowMatrix* r) { r->setOnes(); });
  const Family fitted = one.Maximize(stats, nullptr);
  RowMatrix repeated;
  if constexpr (std::is_same_v<Family, Poisson>) {
    repeated = fitted.rates().replicate(k, 1);
  } else {
    repeated = fitted.probabilities().replicate(k, 1);
  }
  return Family(std::move(repeated), shape.options());
}

template <class Family, class Fill>
Mixture<Family> MixtureFromResponsibilities(const Family& prototype, const RowBlocks& data,
                                            ThreadPool& pool, RepairCounts* repairs,
                                            Fill&& fill) {
  const auto stats = internal::AccumulateResponsibilities(prototype, data, pool, fill);
  Family family = prototype.Maximize(stats, repairs);
  // Floored like Mixture's M-step, so an empty component keeps a tiny
  // positive weight and log w stays finite.
  Vector weights = stats.counts.array() + kCountFloor;
  weights /= weights.sum();
  return Mixture<Family>(std::move(weights), std::move(family));
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
  // The prototype does not depend on the restart: computed once, with a
  // pool of its own that is gone before the engine makes its pool.
  const Family prototype = [&] {
    ThreadPool pool(fit_options.num_threads);
    return WholeDataPrototype(shape, options.n_components, data, pool);
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
  Rng rng(context.seed);
  const int k = prototype.num_components();
  const MatrixView& x = data.data();
  ThreadPool& pool = *context.pool;
  auto one_hot_nearest = [](const RowMatrix& centers) {
    return [&centers](std::int64_t, const RowBlock& block, RowMatrix* r) {
      std::vector<int> labels(block.rows.rows());
      NearestCenters(block.rows, centers, labels.data());
      for (std::size_t i = 0; i < labels.size(); ++i) (*r)(i, labels[i]) = 1.0;
    };
  };
  switch (options.init) {
    case InitMethod::kKMeansPlusPlus: {
      RowMatrix centers = KMeansPlusPlusSeeds(data, k, rng, pool);
      if (options.kmeans.max_iter > 0) {
        centers = LloydIterations(data, std::move(centers), options.kmeans,
                                  FeatureVariance(data, pool), pool);
      }
      return MixtureFromResponsibilities(prototype, data, pool, context.repairs,
                                         one_hot_nearest(centers));
    }
    case InitMethod::kRandomFromData: {
      std::set<std::int64_t> chosen;
      RowMatrix centers(k, x.cols());
      for (int c = 0; c < k; ++c) {
        std::int64_t row;
        do {
          row = static_cast<std::int64_t>(UniformIndex(rng, x.rows()));
        } while (!chosen.insert(row).second);
        centers.row(c) = x.row(row);
      }
      return MixtureFromResponsibilities(prototype, data, pool, context.repairs,
                                         one_hot_nearest(centers));
    }
    case InitMethod::kRandom: {
      // Each block draws from its own stream, so the values do not depend
      // on which thread runs it.
      const std::uint64_t seed = rng();
      return MixtureFromResponsibilities(
          prototype, data, pool, context.repairs,
          [seed](std::int64_t b, const RowBlock& block, RowMatrix* r) {
            Rng block_rng(DeriveSeed(seed, static_cast<std::uint64_t>(b)));
            for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
              for (Eigen::Index c = 0; c < r->cols(); ++c) {
                (*r)(i, c) = UniformDouble(block_rng);
              }
              r->row(i) /= r->row(i).sum();
            }
          });
    }
  }
  throw InvalidOptionError("unknown init method");
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
