// Hidden Markov models fitted on the rows of a file read as they are needed
// (io::RowStream, emkit/io/row_stream.h), cut into blocks of whole sequences
// (SequenceStream, emkit/hmm/sequence_stream.h), never held whole: the same
// fits as FitGaussianHmm (emkit/hmm/gaussian_hmm.h), FitGmmHmm
// (emkit/hmm/gmm_hmm.h), FitPoissonHmm, FitBernoulliHmm and
// FitCategoricalHmm (emkit/hmm/discrete_hmm.h) and FitHmmOfFamily
// (emkit/family_fit.h) on the same rows in memory, to the bit, for any
// number of threads and any read size.
//
// The passes are those of the streamed mixtures (emkit/stream_fit.h): one to
// check the rows (the in-memory fit's checks and messages, the first bad
// element in row order), the initialisation's on the pooled rows as doubles
// (k-means++ and Lloyd's iterations, with no per-row state; for float rows,
// the rows rounded to float, as the in-memory fit initialises on a widened
// copy), then one per EM iteration through a PrefetchingExecutor, which
// reads the next chunk of sequences while the current one is computed.
//
// A family whose ForData reads all rows (ForDataReadsAllRows) takes one
// more pass for its shape (ShapedBySummary), or is refused with an
// InvalidOptionError.
#ifndef EMKIT_HMM_STREAM_FIT_HMM_H_
#define EMKIT_HMM_STREAM_FIT_HMM_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "emkit/context.h"
#include "emkit/engine/prefetching_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"
#include "emkit/family_fit.h"
#include "emkit/fit.h"
#include "emkit/hmm.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/fit_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"
#include "emkit/hmm/sequence_stream.h"
#include "emkit/initialization.h"
#include "emkit/io/row_stream.h"
#include "emkit/matrix.h"
#include "emkit/options.h"
#include "emkit/stream_fit.h"
#include "emkit/thread_pool.h"

namespace emkit {

// Fits a Gaussian HMM to the sequences of `x` (`lengths` as FitGaussianHmm
// takes them), as FitGaussianHmm does to the same rows in memory.
template <DataScalar Scalar>
[[nodiscard]] Fitted<GaussianHmmModel> FitGaussianHmm(const FitOptions& fit_options,
                                                      const GaussianHmmOptions& options,
                                                      const io::RowStream<Scalar>& x,
                                                      std::span<const std::int64_t> lengths,
                                                      const GaussianHmmModel* init_model = nullptr);

// The same for Poisson and Bernoulli emissions, as FitPoissonHmm and
// FitBernoulliHmm.
template <DataScalar Scalar>
[[nodiscard]] Fitted<PoissonHmm> FitPoissonHmm(const FitOptions& fit_options,
                                               const HmmOptions& options,
                                               const PoissonOptions& poisson,
                                               const io::RowStream<Scalar>& x,
                                               std::span<const std::int64_t> lengths,
                                               const PoissonHmm* init_model = nullptr);
template <DataScalar Scalar>
[[nodiscard]] Fitted<BernoulliHmm> FitBernoulliHmm(const FitOptions& fit_options,
                                                   const HmmOptions& options,
                                                   const BernoulliOptions& bernoulli,
                                                   const io::RowStream<Scalar>& x,
                                                   std::span<const std::int64_t> lengths,
                                                   const BernoulliHmm* init_model = nullptr);

// And for GMM emissions, as FitGmmHmm: the second level of its k-means
// gathers each state's rows block by block (GmmEmissionsFromKMeans), so a
// restart's initialisation makes about K + 1 times the passes of k-means
// on the rows.
template <DataScalar Scalar>
[[nodiscard]] Fitted<GmmHmmModel> FitGmmHmm(const FitOptions& fit_options,
                                            const GmmHmmOptions& options,
                                            const io::RowStream<Scalar>& x,
                                            std::span<const std::int64_t> lengths,
                                            const GmmHmmModel* init_model = nullptr);

// And for categorical emissions, as FitCategoricalHmm: num_categories 0
// takes the largest symbol + 1, found in one more pass.
template <DataScalar Scalar>
[[nodiscard]] Fitted<CategoricalHmm> FitCategoricalHmm(
    const FitOptions& fit_options, const HmmOptions& options,
    const CategoricalOptions& categorical, const io::RowStream<Scalar>& x,
    std::span<const std::int64_t> lengths, int num_categories = 0,
    const CategoricalHmm* init_model = nullptr);

#define EMKIT_STREAMED_HMM_FITS(Scalar)                                                      \
  extern template Fitted<GaussianHmmModel> FitGaussianHmm(                                  \
      const FitOptions&, const GaussianHmmOptions&, const io::RowStream<Scalar>&,           \
      std::span<const std::int64_t>, const GaussianHmmModel*);                              \
  extern template Fitted<PoissonHmm> FitPoissonHmm(                                         \
      const FitOptions&, const HmmOptions&, const PoissonOptions&,                          \
      const io::RowStream<Scalar>&, std::span<const std::int64_t>, const PoissonHmm*);      \
  extern template Fitted<BernoulliHmm> FitBernoulliHmm(                                     \
      const FitOptions&, const HmmOptions&, const BernoulliOptions&,                        \
      const io::RowStream<Scalar>&, std::span<const std::int64_t>, const BernoulliHmm*);    \
  extern template Fitted<GmmHmmModel> FitGmmHmm(                                            \
      const FitOptions&, const GmmHmmOptions&, const io::RowStream<Scalar>&,                \
      std::span<const std::int64_t>, const GmmHmmModel*);                                   \
  extern template Fitted<CategoricalHmm> FitCategoricalHmm(                                 \
      const FitOptions&, const HmmOptions&, const CategoricalOptions&,                      \
      const io::RowStream<Scalar>&, std::span<const std::int64_t>, int, const CategoricalHmm*);
EMKIT_STREAMED_HMM_FITS(double)
EMKIT_STREAMED_HMM_FITS(float)
#undef EMKIT_STREAMED_HMM_FITS

namespace internal {

// EM for an HMM with Family emissions on the sequences of `x`, as
// FitHmmOnRows (emkit/hmm/fit_hmm.h) on the same rows in memory: from
// init_model when given (one restart; options.fit and options.priors replace
// its own), else from options' chain and, per restart, the emissions of the
// initialiser that make_initializer(pooled) returns, where `pooled` is the
// same rows as doubles (for float rows, rounded to float: WithDoubleRows,
// emkit/stream_fit.h). The rows are already checked.
template <class Family, DataScalar Scalar, class MakeInitializer>
Fitted<HiddenMarkovModel<Family>> FitHmmOnStream(const FitOptions& fit_options,
                                                 const HmmOptions& options,
                                                 const io::RowStream<Scalar>& x,
                                                 const io::RowStream<double>& pooled,
                                                 std::span<const std::int64_t> lengths,
                                                 const HiddenMarkovModel<Family>* init_model,
                                                 MakeInitializer&& make_initializer) {
  using Model = HiddenMarkovModel<Family, Scalar>;
  fit_options.Validate();
  const SequenceStream<Scalar> data(x, lengths);
  if (init_model != nullptr) {
    Model model = WithRowScalar<Scalar>(*init_model);
    model.set_fit_parameters(options.fit);
    model.set_chain_priors(options.priors);
    FitOptions single = fit_options;
    single.n_init = 1;
    Context context(fit_options.num_threads);
    PrefetchingExecutor executor(context.pool());
    Fitted<Model> fitted = DriveWithPolicyOf(context, executor, single, data,
                                             [&model](const InitContext&) { return model; });
    return {WithRowScalar<double>(fitted.model), std::move(fitted.report)};
  }
  const MarkovChain chain = options.InitialChain();
  // Before the engine's threads start: it may make a pool of its own.
  auto initialize = make_initializer(pooled);
  Context context(fit_options.num_threads);
  PrefetchingExecutor executor(context.pool());
  Fitted<Model> fitted = DriveWithPolicyOf(
      context, executor, fit_options, data, [&](const InitContext& init_context) {
        Model model(chain, initialize(init_context), options.fit);
        model.set_chain_priors(options.priors);
        return model;
      });
  return {WithRowScalar<double>(fitted.model), std::move(fitted.report)};
}

// CheckSequenceRows (emkit/family_fit.h) for streamed rows, then the first
// error family_check(const MatrixView& block) throws in row order, the row
// that of the file. Runs on a pool of its own.
template <RowBlockSource Data, class FamilyCheck>
void CheckStreamedSequenceRows(const FitOptions& fit_options, const Data& rows, int n_states,
                               const FamilyCheck& family_check) {
  CheckSequenceRows(rows.num_rows(), rows.num_columns(), n_states);
  std::optional<std::string> error;
  {
    ThreadPool pool(fit_options.num_threads);
    PrefetchingExecutor executor(pool);
    error = FirstDataErrors(rows, executor, family_check)[0];
  }
  if (error) throw InvalidDataError(*error);
}

}  // namespace internal

// Fits an HMM with F emissions to the sequences of `x`, as FitHmmOfFamily
// does to the same rows in memory.
template <FamilyFittableFromData F, DataScalar Scalar>
[[nodiscard]] Fitted<HiddenMarkovModel<F>> FitHmmOfFamily(
    const FitOptions& fit_options, const HmmOptions& options,
    const typename F::Options& family_options, const io::RowStream<Scalar>& x,
    std::span<const std::int64_t> lengths, const HiddenMarkovModel<F>* init_model = nullptr) {
  fit_options.Validate();
  options.Validate();
  family_options.Validate();
  const bool shaped_by_all_rows = init_model == nullptr && ForDataReadsAllRows<F>(family_options);
  if constexpr (!ShapedBySummary<F>) {
    if (shaped_by_all_rows) {
      throw InvalidOptionError(fmt::format(
          "{}: with these options the {} emissions are shaped by every row, which a fit "
          "on streamed rows does not read before it starts; fit the rows in memory",
          x.path(), F::kFamilyName));
    }
  }
  return internal::WithDoubleRows(x, [&](const auto& rows) -> Fitted<HiddenMarkovModel<F>> {
    if (init_model != nullptr) {
      internal::CheckInitialModelFeatures(init_model->emissions().num_features(),
                                          x.num_columns());
      internal::CheckStreamedSequenceRows(
          fit_options, rows, init_model->num_states(),
          [&](const MatrixView& block) { init_model->emissions().ValidateData(block); });
    }
    std::optional<F> all_rows_shape;
    if constexpr (ShapedBySummary<F>) {
      if (shaped_by_all_rows) {
        all_rows_shape =
            internal::ShapeFromAllRows<F>(fit_options, options.n_states, rows, family_options);
        internal::CheckStreamedSequenceRows(
            fit_options, rows, options.n_states,
            [&](const MatrixView& block) { all_rows_shape->ValidateData(block); });
      }
    }
    if (init_model == nullptr && !all_rows_shape) {
      internal::CheckStreamedSequenceRows(fit_options, rows, options.n_states,
                                          [&](const MatrixView& block) {
                                            (void)F::ForData(options.n_states, block,
                                                             family_options);
                                          });
    }
    const F shape = init_model != nullptr ? init_model->emissions()
                    : all_rows_shape      ? *all_rows_shape
                                          : F::ForData(options.n_states, rows.GetBlock(0).rows,
                                                       family_options);
    return internal::FitHmmOnStream<F>(
        fit_options, options, x, rows, lengths, init_model,
        [&fit_options, &shape](const auto& pooled) {
          F prototype = [&] {
            ThreadPool pool(fit_options.num_threads);
            ThreadedExecutor executor(pool);
            return WholeDataComponents(shape, pooled, executor);
          }();
          return [&pooled, prototype = std::move(prototype)](const InitContext& context) {
            return InitialMixture(InitMethod::kKMeansPlusPlus, KMeansOptions{}, prototype,
                                  pooled, context)
                .components();
          };
        });
  });
}

}  // namespace emkit

#endif  // EMKIT_HMM_STREAM_FIT_HMM_H_
