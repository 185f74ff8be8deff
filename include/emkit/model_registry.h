// The model registry: the one list of the model kinds emkit ships (a
// mixture or an HMM, of a component family, of a covariance structure where
// the family has several). Model files, checkpoints, `emkit info`, the
// command's choices (--model, --emission, --covariance) and the Python
// dispatch are derived from these lists and the families' codecs
// (emkit/family.h, emkit/parameters.h); adding a family is one entry here.
#ifndef EMKIT_MODEL_REGISTRY_H_
#define EMKIT_MODEL_REGISTRY_H_

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "emkit/discrete_mixture.h"
#include "emkit/families/von_mises_fisher.h"
#include "emkit/family.h"
#include "emkit/family_fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/hmm.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"
#include "emkit/mixture.h"
#include "emkit/parameters.h"

namespace emkit {

template <class... F>
struct FamilyList {};

// The families fitted as mixtures, in the order the command lists them.
using MixtureFamilies = FamilyList<GaussianFull, GaussianDiag, GaussianSpherical, GaussianTied,
                                   Bernoulli, Categorical, Poisson, VonMisesFisher>;

// The families an HMM emits with, in the order the command lists them.
using HmmEmissionFamilies =
    FamilyList<GaussianFull, GaussianDiag, GaussianSpherical, GaussianTied,
               GaussianMixtureEmissionFull, GaussianMixtureEmissionDiag,
               GaussianMixtureEmissionSpherical, GaussianMixtureEmissionTied, Categorical,
               Poisson, Bernoulli, VonMisesFisher>;

// Calls f(std::type_identity<F>{}) for every family of the list, in order.
template <class... F, class Fn>
void ForEachFamily(FamilyList<F...>, Fn&& f) {
  (f(std::type_identity<F>{}), ...);
}

template <class... F>
constexpr bool AllComponentFamilies(FamilyList<F...>) {
  return (ComponentFamily<F> && ...);
}
static_assert(AllComponentFamilies(MixtureFamilies{}),
              "every mixture family satisfies ComponentFamily (emkit/family.h)");
static_assert(AllComponentFamilies(HmmEmissionFamilies{}),
              "every HMM emission family satisfies ComponentFamily (emkit/family.h)");
// A mixture's statistics are its family's; an HMM's add the chain's counts.
template <class... F>
constexpr bool AllHmmStatisticsSerializable(FamilyList<F...>) {
  return (SerializableStatistics<typename HiddenMarkovModel<F>::Statistics> && ...);
}
static_assert(AllHmmStatisticsSerializable(HmmEmissionFamilies{}),
              "every HMM's statistics have a codec (SerializableStatistics, emkit/model.h)");

namespace internal {
// The mixture families that a name alone picks out: those fitted from the
// data alone (emkit/family_fit.h). Not the Gaussians, whose fits also
// dispatch on a covariance structure (FitGaussianMixture).
template <class F>
inline constexpr bool kMixtureFamilyByName = !HasCovarianceType<F> && FamilyFittableFromData<F>;

[[noreturn]] void ThrowNoMixtureFamilyNamed(std::string_view name);
}  // namespace internal

// Calls fn(std::type_identity<F>{}) for the mixture family F named `name`
// among those a name alone picks out ("bernoulli", "categorical", ...): the
// one place where the command and the Python package turn a family's name
// into its type. Throws InvalidOptionError listing those names otherwise.
template <class Fn>
void WithMixtureFamilyNamed(std::string_view name, Fn&& fn) {
  bool found = false;
  ForEachFamily(MixtureFamilies{}, [&]<class F>(std::type_identity<F> type) {
    if constexpr (internal::kMixtureFamilyByName<F>) {
      if (!found && F::kFamilyName == name) {
        found = true;
        fn(type);
      }
    }
  });
  if (!found) internal::ThrowNoMixtureFamilyNamed(name);
}

// Every model a model file can hold.
using AnyModel = std::variant<GaussianMixtureModel, BernoulliMixture, CategoricalMixture,
                              PoissonMixture, Mixture<VonMisesFisher>, GaussianHmmModel,
                              CategoricalHmm, PoissonHmm, BernoulliHmm,
                              HiddenMarkovModel<VonMisesFisher>, GmmHmmModel>;

template <class M>
inline constexpr bool kIsMixture = false;
template <class F>
inline constexpr bool kIsMixture<Mixture<F>> = true;
template <class M>
inline constexpr bool kIsHmm = false;
template <class F>
inline constexpr bool kIsHmm<HiddenMarkovModel<F>> = true;

namespace internal {
template <class T>
inline constexpr bool kIsVariant = false;
template <class... T>
inline constexpr bool kIsVariant<std::variant<T...>> = true;
}  // namespace internal

// A concrete Mixture<F> or HiddenMarkovModel<F> as an AnyModel.
template <class M>
AnyModel ToAnyModel(M model) {
  if constexpr (std::is_constructible_v<GaussianMixtureModel, M>) {
    return AnyModel(GaussianMixtureModel(std::move(model)));
  } else if constexpr (std::is_constructible_v<GaussianHmmModel, M>) {
    return AnyModel(GaussianHmmModel(std::move(model)));
  } else if constexpr (std::is_constructible_v<GmmHmmModel, M>) {
    return AnyModel(GmmHmmModel(std::move(model)));
  } else {
    return AnyModel(std::move(model));
  }
}

// Calls f with the concrete Mixture<F> or HiddenMarkovModel<F> held by
// `model`; every call of f must return the same type.
template <class Fn>
decltype(auto) VisitModel(const AnyModel& model, Fn&& f) {
  using R = std::invoke_result_t<Fn&, const BernoulliMixture&>;
  return std::visit(
      [&](const auto& m) -> R {
        if constexpr (internal::kIsVariant<std::decay_t<decltype(m)>>) {
          return std::visit([&](const auto& inner) -> R { return f(inner); }, m);
        } else {
          return f(m);
        }
      },
      model);
}

// The family of a mixture's components or an HMM's emissions.
template <class M>
const auto& FamilyOf(const M& model) {
  if constexpr (kIsMixture<M>) {
    return model.components();
  } else {
    return model.emissions();
  }
}

// "gaussian_mixture", "bernoulli_mixture", ..., or "hmm": the model file's
// "model" value.
std::string ModelKindName(const AnyModel& model);
// The columns of a data row the model reads.
int NumFeaturesOf(const AnyModel& model);

// The distinct family names of a list, in order: MixtureFamilies gives
// "gaussian", "bernoulli", "categorical", "poisson".
std::vector<std::string_view> MixtureFamilyNames();
std::vector<std::string_view> EmissionFamilyNames();
// The covariance structures of a family name, in order ("full", "diag",
// "spherical", "tied"); empty when it has none.
std::vector<std::string_view> CovarianceTypeNames(std::string_view family);

// Writes "model" (and "emission" for HMMs), the structure's parameters
// ("n_components", "weights" or "startprob" and "transmat") and the
// family's codec keys.
void EncodeModel(const AnyModel& model, ParameterWriter& out);
// Reads what EncodeModel writes. A missing "model" means a Gaussian
// mixture (hand-written files may leave it out).
AnyModel DecodeModel(const ParameterReader& in);

}  // namespace emkit

#endif  // EMKIT_MODEL_REGISTRY_H_
