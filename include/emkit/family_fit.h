// Fitting any component family as a mixture or as the emissions of an HMM,
// from the data and the family's options alone. This is what the command
// and the Python package call for every registered family that has no fit
// of its own (the Gaussians have theirs: covariance structures, float32,
// scikit-learn's initial parameters).
//
// A family takes part by providing, besides the ComponentFamily concept
// (emkit/family.h),
//
//   static F ForData(int k, const MatrixView& x, const F::Options& options);
//
// which checks x against the family's rules (throwing InvalidDataError
// that names the first bad element) and returns k components shaped for x
// with placeholder parameters: the shape the initialiser's statistics are
// accumulated against (emkit/initialization.h).
#ifndef EMKIT_FAMILY_FIT_H_
#define EMKIT_FAMILY_FIT_H_

#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/family.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"  // ValidateMixtureData
#include "emkit/hmm.h"
#include "emkit/hmm/fit_hmm.h"
#include "emkit/hmm/sequence_blocks.h"
#include "emkit/initialization.h"
#include "emkit/kmeans.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/options.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {

template <class F>
concept FamilyFittableFromData =
    ComponentFamily<F> && requires(int k, const MatrixView& x, const typename F::Options& o) {
      { F::ForData(k, x, o) } -> std::same_as<F>;
    };

// The settings of a mixture fit that do not depend on the family.
struct MixtureOptions {
  int n_components = 1;  // K >= 1
  // kKMeansPlusPlus: k-means++ seeds and Lloyd iterations on the raw rows,
  // each row assigned to its nearest centre. kRandomFromData: K distinct
  // rows as centres, each row assigned to the nearest. kRandom: uniform
  // random responsibilities. Then one M-step of the family.
  InitMethod init = InitMethod::kKMeansPlusPlus;
  KMeansOptions kmeans;  // for kKMeansPlusPlus

  void Validate() const;  // throws InvalidOptionError
};

namespace internal {

// An initial model's number of features against X's columns.
void CheckInitialModelFeatures(int model_features, const MatrixView& x);
// At least one row and column, and at least n_states rows.
void CheckSequenceRows(const MatrixView& x, int n_states);

// EM for a mixture of `shape`'s family from options.init, n_init restarts;
// x and the options are already checked.
template <ComponentFamily F>
Fitted<Mixture<F>> FitMixtureFromShape(const FitOptions& fit_options,
                                       const MixtureOptions& options, const F& shape,
                                       const MatrixView& x, const double* sample_weights) {
  const RowBlocks data(x, sample_weights, fit_options.block_rows);
  // A component that initialisation leaves empty keeps the whole data's
  // parameters (Maximize keeps a collapsed component's). They do not depend
  // on the restart: computed once, with a pool of its own that is gone
  // before the engine makes its pool.
  const F prototype = [&] {
    ThreadPool pool(fit_options.num_threads);
    return WholeDataComponents(shape, data, pool);
  }();
  return FitWithRestarts(fit_options, data, [&](const InitContext& context) {
    return InitialMixture(options.init, options.kmeans, prototype, data, context);
  });
}

}  // namespace internal

// Fits a mixture of F to the rows of x (optionally weighted). With
// init_model, EM starts from it (one restart; its number of components and
// family options win over the arguments'); else each of fit_options.n_init
// restarts is initialised by options.init. Invalid options or data throw
// before any work, naming the element and the rule.
template <FamilyFittableFromData F>
[[nodiscard]] Fitted<Mixture<F>> FitMixtureOfFamily(const FitOptions& fit_options,
                                                    const MixtureOptions& options,
                                                    const typename F::Options& family_options,
                                                    const MatrixView& x,
                                                    const double* sample_weights,
                                                    const Mixture<F>* init_model = nullptr) {
  fit_options.Validate();
  options.Validate();
  family_options.Validate();
  if (init_model != nullptr) {
    internal::CheckInitialModelFeatures(init_model->num_features(), x);
    ValidateMixtureData(x, sample_weights, init_model->num_components());
    init_model->components().ValidateData(x);
    const RowBlocks data(x, sample_weights, fit_options.block_rows);
    Mixture<F> model = *init_model;
    FitReport report = Fit(fit_options, data, &model);
    return {std::move(model), std::move(report)};
  }
  ValidateMixtureData(x, sample_weights, options.n_components);
  const F shape = F::ForData(options.n_components, x, family_options);
  return internal::FitMixtureFromShape(fit_options, options, shape, x, sample_weights);
}

// Fits an HMM with F emissions to the sequences in x (rows concatenated;
// `lengths` as hmmlearn takes it, empty for one sequence). Each restart's
// chain is options.InitialChain() and its emissions the components of a
// mixture initialised by k-means++ on the pooled rows (see
// emkit/initialization.h). With init_model, EM starts from it (one restart;
// options.fit still says what is updated).
template <FamilyFittableFromData F>
[[nodiscard]] Fitted<HiddenMarkovModel<F>> FitHmmOfFamily(
    const FitOptions& fit_options, const HmmOptions& options,
    const typename F::Options& family_options, const MatrixView& x,
    std::span<const std::int64_t> lengths, const HiddenMarkovModel<F>* init_model = nullptr) {
  fit_options.Validate();
  options.Validate();
  family_options.Validate();
  const SequenceBlocks data(x, lengths, fit_options.block_rows);
  if (init_model != nullptr) {
    internal::CheckInitialModelFeatures(init_model->emissions().num_features(), x);
    internal::CheckSequenceRows(x, init_model->num_states());
    init_model->emissions().ValidateData(x);
    HiddenMarkovModel<F> model = *init_model;
    model.set_fit_parameters(options.fit);
    model.set_chain_priors(options.priors);
    FitReport report = Fit(fit_options, data, &model);
    return {std::move(model), std::move(report)};
  }
  internal::CheckSequenceRows(x, options.n_states);
  const F shape = F::ForData(options.n_states, x, family_options);
  // k-means sees the pooled rows in row blocks whose size is fixed by the
  // options, so the seeds do not depend on the thread count.
  const RowBlocks pooled(x, nullptr, fit_options.block_rows);
  const F prototype = [&] {
    ThreadPool pool(fit_options.num_threads);
    return WholeDataComponents(shape, pooled, pool);
  }();
  return FitHmm<F>(fit_options, options, data, [&](const InitContext& context) {
    return InitialMixture(InitMethod::kKMeansPlusPlus, KMeansOptions{}, prototype, pooled,
                          context)
        .components();
  });
}

}  // namespace emkit

#endif  // EMKIT_FAMILY_FIT_H_
