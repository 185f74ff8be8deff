#include "model_kinds.h"

#include <string>
#include <utility>

namespace emkit::cli {
namespace {

template <class Model>
Fitted<io::AnyModel> Erase(Fitted<Model> fitted) {
  return {io::AnyModel(std::move(fitted.model)), std::move(fitted.report)};
}

}  // namespace

MixtureKind ParseMixtureKind(const std::string& name) {
  if (name == "gaussian") return MixtureKind::kGaussian;
  if (name == "bernoulli") return MixtureKind::kBernoulli;
  if (name == "categorical") return MixtureKind::kCategorical;
  if (name == "poisson") return MixtureKind::kPoisson;
  throw InvalidOptionError(fmt::format(
      "unknown model \"{}\" (expected gaussian, bernoulli, categorical or poisson)", name));
}

Fitted<io::AnyModel> FitMixtureOfKind(const FitOptions& fit_options,
                                      const MixtureFitSpec& spec, const MatrixView& x) {
  switch (spec.kind) {
    case MixtureKind::kGaussian:
      return Erase(FitGaussianMixture(fit_options, spec.gaussian, x, nullptr,
                                      spec.init_model));
    case MixtureKind::kBernoulli:
      return Erase(FitBernoulliMixture(fit_options, spec.discrete, spec.bernoulli, x,
                                       nullptr));
    case MixtureKind::kCategorical:
      return Erase(FitCategoricalMixture(fit_options, spec.discrete, spec.categorical, x,
                                         nullptr));
    case MixtureKind::kPoisson:
      return Erase(FitPoissonMixture(fit_options, spec.discrete, spec.poisson, x, nullptr));
  }
  throw InvalidOptionError("unknown model kind");
}

Fitted<io::AnyModel> FitGaussianMixtureFloat32(const FitOptions& fit_options,
                                               const MixtureFitSpec& spec,
                                               const MatrixViewF& x) {
  return Erase(FitGaussianMixture(fit_options, spec.gaussian, x, nullptr, spec.init_model));
}

}  // namespace emkit::cli
