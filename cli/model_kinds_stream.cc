// The command's mixture fits on streamed rows (emkit/stream_fit.h): the
// dispatch of model_kinds.cc's FitMixtureOfFamily, for io::RowStream.

#include <optional>
#include <type_traits>
#include <utility>

#include "emkit/stream_fit.h"
#include "model_kinds.h"

namespace emkit::cli {
template <DataScalar Scalar>
Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions& fit_options,
                                        const MixtureFitSpec& spec,
                                        const io::RowStream<Scalar>& x) {
  if (HasCovarianceStructures(spec.family)) {
    return Erase(FitGaussianMixture(fit_options, spec.gaussian, x, spec.init_model));
  }
  std::optional<Fitted<io::AnyModel>> fitted;
  WithMixtureFamilyNamed(spec.family, [&]<class F>(std::type_identity<F>) {
    fitted.emplace(Erase(emkit::FitMixtureOfFamily<F>(
        fit_options, spec.mixture, spec.family_options->Apply(typename F::Options{}), x)));
  });
  return std::move(*fitted);
}

template Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions&, const MixtureFitSpec&,
                                                 const io::RowStream<double>&);
template Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions&, const MixtureFitSpec&,
                                                 const io::RowStream<float>&);

}  // namespace emkit::cli
