// The registry's loops over the family lists: names, and models written and
// read through the families' codecs.
#include "emkit/model_registry.h"

#include <algorithm>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "emkit/error.h"
#include "emkit/hmm/markov_chain.h"

namespace emkit {
namespace {

constexpr std::string_view kMixtureSuffix = "_mixture";
constexpr std::string_view kHmmKind = "hmm";

template <class List>
std::vector<std::string_view> DistinctNames(List list) {
  std::vector<std::string_view> names;
  ForEachFamily(list, [&]<class F>(std::type_identity<F>) {
    if (std::find(names.begin(), names.end(), F::kFamilyName) == names.end()) {
      names.push_back(F::kFamilyName);
    }
  });
  return names;
}

template <class List>
std::vector<std::string_view> CovarianceNames(List list, std::string_view family) {
  std::vector<std::string_view> names;
  ForEachFamily(list, [&]<class F>(std::type_identity<F>) {
    if constexpr (HasCovarianceType<F>) {
      if (F::kFamilyName == family) names.push_back(F::kCovarianceName);
    }
  });
  return names;
}

// Decodes the family named `family` of `list` (its covariance structure read
// from "covariance_type" when it has several) with k components and passes
// it to make(), which returns the AnyModel.
template <class List, class Make>
AnyModel DecodeFamily(List list, std::string_view family, const ParameterReader& in,
                      Eigen::Index k, Make&& make) {
  const std::vector<std::string_view> covariances = CovarianceNames(list, family);
  std::string covariance;
  if (!covariances.empty()) covariance = in.Choice("covariance_type", covariances, "");
  std::optional<AnyModel> out;
  ForEachFamily(list, [&]<class F>(std::type_identity<F>) {
    if (out.has_value() || F::kFamilyName != family) return;
    if constexpr (HasCovarianceType<F>) {
      if (F::kCovarianceName != covariance) return;
    }
    out.emplace(make(F::DecodeParameters(in, k)));
  });
  if (!out.has_value()) in.Fail(fmt::format("internal: no family \"{}\"", family));
  return std::move(*out);
}

std::vector<std::string_view> ModelKindNames() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> out;
    for (std::string_view family : MixtureFamilyNames()) {
      out.push_back(std::string(family) + std::string(kMixtureSuffix));
    }
    out.emplace_back(kHmmKind);
    return out;
  }();
  return {kinds.begin(), kinds.end()};
}

}  // namespace

std::vector<std::string_view> MixtureFamilyNames() { return DistinctNames(MixtureFamilies{}); }
std::vector<std::string_view> EmissionFamilyNames() {
  return DistinctNames(HmmEmissionFamilies{});
}

std::vector<std::string_view> CovarianceTypeNames(std::string_view family) {
  std::vector<std::string_view> names = CovarianceNames(MixtureFamilies{}, family);
  if (names.empty()) names = CovarianceNames(HmmEmissionFamilies{}, family);
  return names;
}

namespace internal {
void ThrowNoMixtureFamilyNamed(std::string_view name) {
  std::vector<std::string_view> names;
  ForEachFamily(MixtureFamilies{}, [&]<class F>(std::type_identity<F>) {
    if constexpr (kMixtureFamilyByName<F>) names.push_back(F::kFamilyName);
  });
  const std::string last(names.back());
  names.pop_back();
  throw InvalidOptionError(fmt::format("no mixture family named \"{}\" (expected {} or {})", name,
                                       fmt::join(names, ", "), last));
}
}  // namespace internal

std::string ModelKindName(const AnyModel& model) {
  return VisitModel(model, [](const auto& m) -> std::string {
    using M = std::decay_t<decltype(m)>;
    if constexpr (kIsMixture<M>) {
      return std::string(std::decay_t<decltype(FamilyOf(m))>::kFamilyName) +
             std::string(kMixtureSuffix);
    } else {
      return std::string(kHmmKind);
    }
  });
}

int NumFeaturesOf(const AnyModel& model) {
  return VisitModel(model, [](const auto& m) { return FamilyOf(m).num_features(); });
}

void EncodeModel(const AnyModel& model, ParameterWriter& out) {
  out.Text("model", ModelKindName(model));
  VisitModel(model, [&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
    if constexpr (kIsMixture<M>) {
      out.Integer("n_components", m.num_components());
      out.Vector1("weights", m.weights());
    } else {
      out.Text("emission", std::decay_t<decltype(FamilyOf(m))>::kFamilyName);
      out.Integer("n_components", m.num_states());
      out.Vector1("startprob", m.start());
      out.Matrix2("transmat", m.transitions());
    }
    FamilyOf(m).EncodeParameters(out);
  });
}

AnyModel DecodeModel(const ParameterReader& in) {
  const std::string kind = in.Choice("model", ModelKindNames(), "gaussian_mixture");
  if (kind == kHmmKind) {
    const Eigen::Index k = in.Extent("n_components", "startprob", 0);
    Vector start = in.Vector1("startprob", k);
    RowMatrix transitions = in.Matrix2("transmat", k, k);
    const MarkovChain chain =
        in.Checked([&] { return MarkovChain(std::move(start), std::move(transitions)); });
    const std::string emission = in.Choice("emission", EmissionFamilyNames(), "");
    return DecodeFamily(HmmEmissionFamilies{}, emission, in, k, [&](auto family) {
      return in.Checked([&] {
        return ToAnyModel(HiddenMarkovModel<decltype(family)>(chain, std::move(family)));
      });
    });
  }
  const std::string family = kind.substr(0, kind.size() - kMixtureSuffix.size());
  const Eigen::Index k = in.Extent("n_components", "weights", 0);
  const Vector weights = in.Vector1("weights", k);
  return DecodeFamily(MixtureFamilies{}, family, in, k, [&](auto components) {
    return in.Checked([&] {
      return ToAnyModel(Mixture<decltype(components)>(weights, std::move(components)));
    });
  });
}

}  // namespace emkit
