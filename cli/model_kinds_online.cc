// The command's online fits (emkit/online_fit.h): the dispatch of
// model_kinds.cc's FitMixtureOfFamily for stepwise EM. The fit starts as a
// batch fit would on the first mini-batch alone (the same initialiser,
// seeded alike, or --init-model), so that only one batch is ever held.

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "emkit/online_fit.h"
#include "model_kinds.h"

namespace emkit::cli {
template <DataScalar Scalar>
Fitted<io::AnyModel> FitMixtureOnline(const FitOptions& fit_options, const MixtureFitSpec& spec,
                                      const OnlineFitOptions& online, std::int64_t num_rows,
                                      std::int64_t num_columns,
                                      const ReadRowRange<Scalar>& read_rows) {
  online.Validate();
  // The initial model: the batch fit's start (max_iter 0) on the first batch.
  const std::int64_t first_rows = std::min(online.batch_size, num_rows);
  RowMatrixOf<Scalar> first(first_rows, num_columns);
  if (first_rows > 0) read_rows(0, first_rows, first.data());
  const MatrixViewOf<Scalar> first_view(first.data(), first_rows, num_columns);
  FitOptions start_options = fit_options;
  start_options.max_iter = 0;
  start_options.callbacks.clear();
  start_options.max_seconds = 0.0;
  std::optional<Fitted<io::AnyModel>> fitted;
  if (HasCovarianceStructures(spec.family)) {
    const GaussianMixtureModel start =
        FitGaussianMixture(start_options, spec.gaussian, first_view, nullptr, spec.init_model)
            .model;
    first = RowMatrixOf<Scalar>();
    std::visit(
        [&]<class F>(const Mixture<F>& initial) {
          fitted.emplace(Erase(FitMixtureOnline<F, Scalar>(fit_options, online, initial,
                                                           num_rows, num_columns, read_rows)));
        },
        start);
    return std::move(*fitted);
  }
  WithMixtureFamilyNamed(spec.family, [&]<class F>(std::type_identity<F>) {
    const Mixture<F> start =
        emkit::FitMixtureOfFamily<F>(start_options, spec.mixture,
                                     spec.family_options->Apply(typename F::Options{}),
                                     first_view, nullptr)
            .model;
    first = RowMatrixOf<Scalar>();
    fitted.emplace(Erase(
        FitMixtureOnline<F, Scalar>(fit_options, online, start, num_rows, num_columns,
                                    read_rows)));
  });
  return std::move(*fitted);
}

template Fitted<io::AnyModel> FitMixtureOnline(const FitOptions&, const MixtureFitSpec&,
                                               const OnlineFitOptions&, std::int64_t,
                                               std::int64_t, const ReadRowRange<double>&);
template Fitted<io::AnyModel> FitMixtureOnline(const FitOptions&, const MixtureFitSpec&,
                                               const OnlineFitOptions&, std::int64_t,
                                               std::int64_t, const ReadRowRange<float>&);

}  // namespace emkit::cli
