#include "model_kinds.h"

#include <optional>
#include <string>
#include <utility>

#include <fmt/ranges.h>

namespace emkit::cli {

std::string ParseMixtureFamily(const std::string& name) {
  const std::vector<std::string_view> names = MixtureFamilyNames();
  for (std::string_view family : names) {
    if (family == name) return name;
  }
  throw InvalidOptionError(
      fmt::format("unknown model \"{}\" (expected {})", name, fmt::join(names, ", ")));
}

bool HasCovarianceStructures(const std::string& family) {
  return !CovarianceTypeNames(family).empty();
}

void ValidateFamilyOptions(const MixtureFitSpec& spec) {
  if (HasCovarianceStructures(spec.family)) {
    spec.gaussian.Validate();
    return;
  }
  spec.mixture.Validate();
  WithMixtureFamilyNamed(spec.family, [&]<class F>(std::type_identity<F>) {
    spec.family_options->Apply(typename F::Options{}).Validate();
  });
}

template <DataScalar Scalar>
Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions& fit_options,
                                        const MixtureFitSpec& spec,
                                        const MatrixViewOf<Scalar>& x) {
  if (HasCovarianceStructures(spec.family)) {
    return Erase(FitGaussianMixture(fit_options, spec.gaussian, x, nullptr, spec.init_model));
  }
  std::optional<Fitted<io::AnyModel>> fitted;
  WithMixtureFamilyNamed(spec.family, [&]<class F>(std::type_identity<F>) {
    fitted.emplace(Erase(emkit::FitMixtureOfFamily<F>(
        fit_options, spec.mixture, spec.family_options->Apply(typename F::Options{}), x,
        nullptr)));
  });
  return std::move(*fitted);
}

template Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions&, const MixtureFitSpec&,
                                                 const MatrixView&);
template Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions&, const MixtureFitSpec&,
                                                 const MatrixViewF&);

}  // namespace emkit::cli
