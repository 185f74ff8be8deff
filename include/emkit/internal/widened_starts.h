// The starting models of a fit on float32 rows. The initialisers (k-means,
// one M-step: emkit/initialization.h) work on double row blocks, so every
// restart's start is computed before EM on a widened copy of the rows,
// which is released before EM begins: a float32 fit then starts from
// exactly the parameters of the float64 fit of the same values, restart for
// restart (emkit/mixture_fit.h, emkit/hmm/fit_hmm.h).
#ifndef EMKIT_INTERNAL_WIDENED_STARTS_H_
#define EMKIT_INTERNAL_WIDENED_STARTS_H_

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "emkit/init_context.h"
#include "emkit/matrix.h"
#include "emkit/options.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit::internal {

template <class Start>
struct WidenedStarts {
  std::vector<Start> starts;
  std::vector<RepairCounts> repairs;  // what each start's initialisation repaired

  // The engine's initialiser: restart r's start, as a Model, with its
  // repairs counted in the restart's report.
  template <class Model>
  auto Initializer() const {
    return [this](const InitContext& context) {
      *context.repairs = repairs[context.restart];
      return Model(starts[context.restart]);
    };
  }
};

// make_initializer(const RowBlocks<double>& rows) -> (const InitContext&) ->
// Start, called once on the widened rows (weights as given; blocks of
// fit_options.block_rows), then for each of fit_options.n_init restarts
// with the seed the engine derives for it.
template <class MakeInitializer>
auto StartsOnWidenedRows(const FitOptions& fit_options, const MatrixViewF& x,
                         const double* sample_weights, MakeInitializer&& make_initializer) {
  const RowMatrix wide = x.cast<double>();
  const RowBlocks<double> rows(ViewOf(wide), sample_weights, fit_options.block_rows);
  auto initialize = make_initializer(rows);
  using Start = std::decay_t<decltype(initialize(std::declval<const InitContext&>()))>;
  WidenedStarts<Start> out;
  out.repairs.resize(fit_options.n_init);
  ThreadPool pool(fit_options.num_threads);
  for (int r = 0; r < fit_options.n_init; ++r) {
    const InitContext context{r, DeriveSeed(fit_options.seed, static_cast<std::uint64_t>(r)),
                              &pool, &out.repairs[r]};
    out.starts.push_back(initialize(context));
  }
  return out;
}

}  // namespace emkit::internal

#endif  // EMKIT_INTERNAL_WIDENED_STARTS_H_
