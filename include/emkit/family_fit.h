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
#include "emkit/mixture_fit.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/options.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {

// A family whose ForData reads more of x than its number of columns to
// shape the components (the categorical symbols layout: the largest
// symbol) says so for given options:
//
//   static bool ForDataReadsAllRows(const F::Options& options);
//
// A fit on streamed rows (emkit/stream_fit.h) takes the shape of any other
// family from the first block; for this one it needs ForData in two steps
// (ShapedBySummary below: Categorical has them), and refuses a family that
// has not.
template <class F>
bool ForDataReadsAllRows(const typename F::Options& options) {
  if constexpr (requires { F::ForDataReadsAllRows(options); }) {
    return F::ForDataReadsAllRows(options);
  } else {
    return false;
  }
}

// ForData in two steps, for rows read block by block: a summary of what
// shapes the components, made per block and merged in block order
// (F::ShapeSummary: Merge, SetZero), and the components of the merged
// summary, with placeholder parameters. ForData(k, x, o) must be
// ForShapeSummary(k, SummarizeForShape(x, o), o) followed by the shape's
// ValidateData(x).
template <class F>
concept ShapedBySummary =
    requires(int k, const MatrixView& x, const typename F::Options& o,
             const typename F::ShapeSummary& summary) {
      { F::SummarizeForShape(x, o) } -> std::same_as<typename F::ShapeSummary>;
      { F::ForShapeSummary(k, summary, o) } -> std::same_as<F>;
    };

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
void CheckInitialModelFeatures(int model_features, Eigen::Index x_columns);
// At least one row and column, and at least n_states rows.
void CheckSequenceRows(Eigen::Index x_rows, Eigen::Index x_columns, int n_states);

// The family's checks and shape (ForData) on rows of either scalar type:
// float rows are widened to a temporary copy, as the initialisation widens
// them (emkit/mixture_fit.h), so errors name the same row and column.
template <class F, DataScalar Scalar>
void ValidateFamilyData(const F& family, const MatrixViewOf<Scalar>& x) {
  RowMatrix wide;
  family.ValidateData(WidenedRows(x, &wide));
}
template <class F, DataScalar Scalar>
F ShapeForData(int k, const MatrixViewOf<Scalar>& x, const typename F::Options& options) {
  RowMatrix wide;
  return F::ForData(k, WidenedRows(x, &wide), options);
}

// The maker of the restarts' initialiser of a mixture of `shape`'s family
// by options.init: called with the rows (any RowBlockSource), it returns
// (const InitContext&) -> Mixture<F>. The arguments must outlive both.
template <ComponentFamily F>
auto MixtureInitializerFromShape(const FitOptions& fit_options, const MixtureOptions& options,
                                 const F& shape) {
  return [&fit_options, &options, &shape](const auto& data) {
    // A component that initialisation leaves empty keeps the whole
    // data's parameters (Maximize keeps a collapsed component's). They
    // do not depend on the restart: computed once, with a pool of its
    // own that is gone before the engine makes its pool.
    F prototype = [&] {
      ThreadPool pool(fit_options.num_threads);
      ThreadedExecutor executor(pool);
      return WholeDataComponents(shape, data, executor);
    }();
    return [&options, &data, prototype = std::move(prototype)](const InitContext& context) {
      return InitialMixture(options.init, options.kmeans, prototype, data, context);
    };
  };
}

// EM for a mixture of `shape`'s family from options.init, n_init restarts;
// x and the options are already checked.
template <ComponentFamily F, DataScalar Scalar>
Fitted<Mixture<F>> FitMixtureFromShape(const FitOptions& fit_options,
                                       const MixtureOptions& options, const F& shape,
                                       const MatrixViewOf<Scalar>& x,
                                       const double* sample_weights) {
  return FitMixtureOnRows<F>(fit_options, x, sample_weights,
                             MixtureInitializerFromShape(fit_options, options, shape));
}

}  // namespace internal

// Fits a mixture of F to the rows of x (optionally weighted). With
// init_model, EM starts from it (one restart; its number of components and
// family options win over the arguments'); else each of fit_options.n_init
// restarts is initialised by options.init. Invalid options or data throw
// before any work, naming the element and the rule.
//
// On float32 rows (Scalar = float) the data are held as they are and each
// block is handled as Mixture<F, float> does (emkit/mixture.h).
template <FamilyFittableFromData F, DataScalar Scalar>
[[nodiscard]] Fitted<Mixture<F>> FitMixtureOfFamily(const FitOptions& fit_options,
                                                    const MixtureOptions& options,
                                                    const typename F::Options& family_options,
                                                    const MatrixViewOf<Scalar>& x,
                                                    const double* sample_weights,
                                                    const Mixture<F>* init_model = nullptr) {
  fit_options.Validate();
  options.Validate();
  family_options.Validate();
  if (init_model != nullptr) {
    internal::CheckInitialModelFeatures(init_model->num_features(), x.cols());
    ValidateMixtureData(x, sample_weights, init_model->num_components());
    internal::ValidateFamilyData(init_model->components(), x);
    return internal::FitMixtureOnRowsFrom(fit_options, x, sample_weights, *init_model);
  }
  ValidateMixtureData(x, sample_weights, options.n_components);
  const F shape = internal::ShapeForData<F>(options.n_components, x, family_options);
  return internal::FitMixtureFromShape(fit_options, options, shape, x, sample_weights);
}

// Fits an HMM with F emissions to the sequences in x (rows concatenated;
// `lengths` as hmmlearn takes it, empty for one sequence). Each restart's
// chain is options.InitialChain() and its emissions the components of a
// mixture initialised by k-means++ on the pooled rows (see
// emkit/initialization.h). With init_model, EM starts from it (one restart;
// options.fit still says what is updated).
//
// On float32 rows (Scalar = float) the data are held as they are and each
// block is widened (HiddenMarkovModel<F, float>): the result is that of the
// float64 rows of the same values, bit for bit.
template <FamilyFittableFromData F, DataScalar Scalar>
[[nodiscard]] Fitted<HiddenMarkovModel<F>> FitHmmOfFamily(
    const FitOptions& fit_options, const HmmOptions& options,
    const typename F::Options& family_options, const MatrixViewOf<Scalar>& x,
    std::span<const std::int64_t> lengths, const HiddenMarkovModel<F>* init_model = nullptr) {
  fit_options.Validate();
  options.Validate();
  family_options.Validate();
  if (init_model != nullptr) {
    internal::CheckInitialModelFeatures(init_model->emissions().num_features(), x.cols());
    internal::CheckSequenceRows(x.rows(), x.cols(), init_model->num_states());
    internal::ValidateFamilyData(init_model->emissions(), x);
  } else {
    internal::CheckSequenceRows(x.rows(), x.cols(), options.n_states);
  }
  const F shape = init_model != nullptr
                      ? init_model->emissions()
                      : internal::ShapeForData<F>(options.n_states, x, family_options);
  return internal::FitHmmOnRows<F>(
      fit_options, options, x, lengths, init_model,
      [&fit_options, &shape](const RowBlocks<double>& pooled) {
        F prototype = [&] {
          ThreadPool pool(fit_options.num_threads);
          return WholeDataComponents(shape, pooled, pool);
        }();
        return [&pooled, prototype = std::move(prototype)](const InitContext& context) {
          return InitialMixture(InitMethod::kKMeansPlusPlus, KMeansOptions{}, prototype, pooled,
                                context)
              .components();
        };
      });
}

}  // namespace emkit

#endif  // EMKIT_FAMILY_FIT_H_
