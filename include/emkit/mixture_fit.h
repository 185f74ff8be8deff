// EM for a mixture on rows of either scalar type (emkit/matrix.h,
// DataScalar), started the same way for both. The initialisers (k-means,
// one M-step: emkit/initialization.h) work on double row blocks; on float
// rows they run on a widened copy of the data, made for the initialisation
// alone and released before EM, so a float fit starts from exactly the
// parameters of a float64 fit of the same values, restart for restart.
// Fitted models are Mixture<F> (double parameters) whatever the rows.
#ifndef EMKIT_MIXTURE_FIT_H_
#define EMKIT_MIXTURE_FIT_H_

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "emkit/fit.h"
#include "emkit/init_context.h"
#include "emkit/internal/widened_starts.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/options.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {

// The same parameters for rows of type To.
template <DataScalar To, class F, DataScalar From>
Mixture<F, To> WithRowScalar(const Mixture<F, From>& mixture) {
  if constexpr (std::is_same_v<To, From>) {
    return mixture;
  } else {
    return Mixture<F, To>(mixture);
  }
}

namespace internal {

// fit_options.n_init restarts of EM on the rows x (optionally weighted).
// make_initializer(const RowBlocks<double>& rows) is called once and
// returns the restarts' initialiser, (const InitContext&) -> Mixture<F>.
template <class F, DataScalar Scalar, class MakeInitializer>
Fitted<Mixture<F>> FitMixtureOnRows(const FitOptions& fit_options, const MatrixViewOf<Scalar>& x,
                                    const double* sample_weights,
                                    MakeInitializer&& make_initializer) {
  const RowBlocks<Scalar> data(x, sample_weights, fit_options.block_rows);
  if constexpr (std::is_same_v<Scalar, double>) {
    auto initialize = make_initializer(data);
    return FitWithRestarts(fit_options, data, initialize);
  } else {
    const auto starts = StartsOnWidenedRows(fit_options, x, sample_weights, make_initializer);
    Fitted<Mixture<F, Scalar>> fitted =
        FitWithRestarts(fit_options, data, starts.template Initializer<Mixture<F, Scalar>>());
    return {Mixture<F>(fitted.model), std::move(fitted.report)};
  }
}

// One restart of EM on the rows x from `start`.
template <class F, DataScalar Scalar>
Fitted<Mixture<F>> FitMixtureOnRowsFrom(const FitOptions& fit_options,
                                        const MatrixViewOf<Scalar>& x,
                                        const double* sample_weights, const Mixture<F>& start) {
  const RowBlocks<Scalar> data(x, sample_weights, fit_options.block_rows);
  Mixture<F, Scalar> model = WithRowScalar<Scalar>(start);
  FitReport report = Fit(fit_options, data, &model);
  return {WithRowScalar<double>(model), std::move(report)};
}

}  // namespace internal
}  // namespace emkit

#endif  // EMKIT_MIXTURE_FIT_H_
