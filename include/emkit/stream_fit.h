// Mixtures fitted on the rows of a file (.npy or delimited text) read as
// it is needed (io::RowStream, emkit/io/row_stream.h), never held whole: the same
// fits as FitGaussianMixture (emkit/gaussian_mixture.h) and
// FitMixtureOfFamily (emkit/family_fit.h) on the same rows in memory, to
// the bit, for any number of threads and any read size.
//
// Every pass reads the file: one to check the rows (the in-memory fit's
// checks, block by block, with the same messages and the same first bad
// element), then the initialisation's passes (k-means++ makes about
// (K - 1)(3 + ln K) of them, Lloyd's iterations one each; on float rows
// they read the rows rounded to float, as doubles, as the in-memory fit
// initialises on a widened copy), then one per EM iteration. The E-steps go
// through a PrefetchingExecutor (emkit/engine/prefetching_executor.h), which
// reads the next chunk while the current one is reduced; the
// initialisation reads each block on the thread that computes it.
//
// A family whose components are shaped by all rows (ForDataReadsAllRows,
// emkit/family_fit.h: the categorical symbols layout) takes one more pass,
// which merges the blocks' summaries of what shapes it (ShapedBySummary);
// one without that hook is refused with an InvalidOptionError.
#ifndef EMKIT_STREAM_FIT_H_
#define EMKIT_STREAM_FIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/context.h"
#include "emkit/engine/prefetching_executor.h"
#include "emkit/engine/restart_driver.h"
#include "emkit/error.h"
#include "emkit/family_fit.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/init_context.h"
#include "emkit/internal/row_offset_message.h"
#include "emkit/io/row_stream.h"
#include "emkit/kmeans.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/mixture_fit.h"
#include "emkit/options.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {

// Fits a Gaussian mixture to the rows of `x`, as FitGaussianMixture does to
// the same rows in memory (no sample weights).
template <DataScalar Scalar>
[[nodiscard]] Fitted<GaussianMixtureModel> FitGaussianMixture(
    const FitOptions& fit_options, const GaussianMixtureOptions& options,
    const io::RowStream<Scalar>& x, const GaussianMixtureModel* init_model = nullptr);

extern template Fitted<GaussianMixtureModel> FitGaussianMixture(
    const FitOptions&, const GaussianMixtureOptions&, const io::RowStream<double>&,
    const GaussianMixtureModel*);
extern template Fitted<GaussianMixtureModel> FitGaussianMixture(
    const FitOptions&, const GaussianMixtureOptions&, const io::RowStream<float>&,
    const GaussianMixtureModel*);

namespace internal {

// The first message of each of several checks, over blocks merged in order.
struct FirstErrors {
  std::vector<std::optional<std::string>> messages;
  void Merge(const FirstErrors& other) {
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (!messages[i] && other.messages[i]) messages[i] = other.messages[i];
    }
  }
  void SetZero() {
    for (auto& message : messages) message.reset();
  }
};

// Runs every check(const MatrixView& rows), which throws InvalidDataError,
// on every block of `rows` through `executor`; returns for each check the
// message of its first error in row order (rows as those of the whole
// data), or nothing. What reading a block throws propagates.
template <RowBlockSource Data, class Executor, class... Checks>
std::vector<std::optional<std::string>> FirstDataErrors(const Data& rows, Executor& executor,
                                                        const Checks&... checks) {
  const FirstErrors zero{std::vector<std::optional<std::string>>(sizeof...(Checks))};
  FirstErrors total = zero;
  executor.Reduce(rows, zero, &total,
                  [&](std::int64_t, const RowBlock<double>& block, FirstErrors* errors) {
                    std::size_t i = 0;
                    const auto run = [&](const auto& check) {
                      try {
                        check(block.rows);
                      } catch (const InvalidDataError& e) {
                        errors->messages[i] = MessageWithRowOffset(e.what(), block.first_row);
                      }
                      ++i;
                    };
                    (run(checks), ...);
                    return 0.0;
                  });
  return total.messages;
}

// The rows of a stream as doubles, for the checks and the initialisation:
// the stream itself for double rows; for float rows a stream of the same
// file whose values are rounded to float.
template <DataScalar Scalar, class Body>
auto WithDoubleRows(const io::RowStream<Scalar>& x, Body&& body) {
  if constexpr (std::is_same_v<Scalar, double>) {
    return body(x);
  } else {
    io::RowStreamOptions options = x.options();
    options.round_to_float = true;
    const io::RowStream<double> rows(x.path(), std::move(options));
    return body(rows);
  }
}

// The scalar of RowBlock<Scalar>.
template <class Block>
struct RowBlockScalar;
template <DataScalar Scalar>
struct RowBlockScalar<RowBlock<Scalar>> {
  using type = Scalar;
};

// fit_options.n_init restarts of EM on `data` (blocks of RowBlock<Scalar>)
// through a PrefetchingExecutor, each started by
// make_initializer(init_rows)(context), a Mixture<F> computed on
// `init_rows` (the same rows as doubles; for float rows, rounded to float).
// make_initializer is called before the engine's threads start.
template <class F, class Data, RowBlockSource InitRows, class MakeInitializer>
Fitted<Mixture<F>> FitMixtureOnSource(const FitOptions& fit_options, const Data& data,
                                      const InitRows& init_rows,
                                      MakeInitializer&& make_initializer) {
  using Scalar = typename RowBlockScalar<BlockOf<Data>>::type;
  fit_options.Validate();
  auto initialize = make_initializer(init_rows);
  Context context(fit_options.num_threads);
  PrefetchingExecutor executor(context.pool());
  Fitted<Mixture<F, Scalar>> fitted =
      DriveWithPolicyOf(context, executor, fit_options, data,
                        [&initialize](const InitContext& init_context) {
                          return WithRowScalar<Scalar>(initialize(init_context));
                        });
  return {WithRowScalar<double>(fitted.model), std::move(fitted.report)};
}

// One restart of EM on `data` from `start`, as FitMixtureOnRowsFrom.
template <class F, class Data>
Fitted<Mixture<F>> FitMixtureOnSourceFrom(const FitOptions& fit_options, const Data& data,
                                          const Mixture<F>& start) {
  using Scalar = typename RowBlockScalar<BlockOf<Data>>::type;
  fit_options.Validate();
  FitOptions single = fit_options;
  single.n_init = 1;
  Context context(fit_options.num_threads);
  PrefetchingExecutor executor(context.pool());
  const Mixture<F, Scalar> model = WithRowScalar<Scalar>(start);
  Fitted<Mixture<F, Scalar>> fitted = DriveWithPolicyOf(
      context, executor, single, data, [&model](const InitContext&) { return model; });
  return {WithRowScalar<double>(fitted.model), std::move(fitted.report)};
}

// The in-memory fits' data checks on `rows`, in their order: the values
// (ValidateMixtureData: finite, not too large), then at least n_components
// rows, then the family's rules (family_check(rows), InvalidDataError).
// Runs on a pool of its own.
template <RowBlockSource Data, class FamilyCheck>
void CheckStreamedRows(const FitOptions& fit_options, const Data& rows, int n_components,
                       const FamilyCheck& family_check) {
  std::vector<std::optional<std::string>> errors;
  {
    ThreadPool pool(fit_options.num_threads);
    PrefetchingExecutor executor(pool);
    errors = FirstDataErrors(
        rows, executor,
        [](const MatrixView& block) { ValidateMixtureData(block, nullptr, 0); }, family_check);
  }
  if (errors[0]) throw InvalidDataError(*errors[0]);
  CheckMixtureRows(rows.num_rows(), n_components);
  if (errors[1]) throw InvalidDataError(*errors[1]);
}

// The shape ForData gives all of `rows` (ShapedBySummary, emkit/family_fit.h),
// from the blocks' summaries merged in block order, without ForData's checks
// of the rows. A pass on a pool of its own.
template <ShapedBySummary F, RowBlockSource Data>
F ShapeFromAllRows(const FitOptions& fit_options, int k, const Data& rows,
                   const typename F::Options& options) {
  using Summary = typename F::ShapeSummary;
  Summary total;
  {
    ThreadPool pool(fit_options.num_threads);
    PrefetchingExecutor executor(pool);
    executor.Reduce(rows, Summary{}, &total,
                    [&](std::int64_t, const RowBlock<double>& block, Summary* summary) {
                      summary->Merge(F::SummarizeForShape(block.rows, options));
                      return 0.0;
                    });
  }
  return F::ForShapeSummary(k, total, options);
}

}  // namespace internal

// Fits a mixture of F to the rows of `x`, as FitMixtureOfFamily does to
// the same rows in memory (no sample weights).
template <FamilyFittableFromData F, DataScalar Scalar>
[[nodiscard]] Fitted<Mixture<F>> FitMixtureOfFamily(const FitOptions& fit_options,
                                                    const MixtureOptions& options,
                                                    const typename F::Options& family_options,
                                                    const io::RowStream<Scalar>& x,
                                                    const Mixture<F>* init_model = nullptr) {
  fit_options.Validate();
  options.Validate();
  family_options.Validate();
  const bool shaped_by_all_rows = init_model == nullptr && ForDataReadsAllRows<F>(family_options);
  if constexpr (!ShapedBySummary<F>) {
    if (shaped_by_all_rows) {
      throw InvalidOptionError(fmt::format(
          "{}: with these options the {} components are shaped by every row, which a fit "
          "on streamed rows does not read before it starts; fit the rows in memory",
          x.path(), F::kFamilyName));
    }
  }
  return internal::WithDoubleRows(x, [&](const auto& rows) -> Fitted<Mixture<F>> {
    if (init_model != nullptr) {
      internal::CheckInitialModelFeatures(init_model->num_features(), x.num_columns());
      internal::CheckStreamedRows(fit_options, rows, init_model->num_components(),
                                  [&](const MatrixView& block) {
                                    init_model->components().ValidateData(block);
                                  });
      return internal::FitMixtureOnSourceFrom(fit_options, x, *init_model);
    }
    if constexpr (ShapedBySummary<F>) {
      if (shaped_by_all_rows) {
        const F shape =
            internal::ShapeFromAllRows<F>(fit_options, options.n_components, rows, family_options);
        internal::CheckStreamedRows(fit_options, rows, options.n_components,
                                    [&](const MatrixView& block) { shape.ValidateData(block); });
        return internal::FitMixtureOnSource<F>(
            fit_options, x, rows,
            internal::MixtureInitializerFromShape(fit_options, options, shape));
      }
    }
    internal::CheckStreamedRows(fit_options, rows, options.n_components,
                                [&](const MatrixView& block) {
                                  (void)F::ForData(options.n_components, block, family_options);
                                });
    const F shape = F::ForData(options.n_components, rows.GetBlock(0).rows, family_options);
    return internal::FitMixtureOnSource<F>(
        fit_options, x, rows,
        internal::MixtureInitializerFromShape(fit_options, options, shape));
  });
}

}  // namespace emkit

#endif  // EMKIT_STREAM_FIT_H_
