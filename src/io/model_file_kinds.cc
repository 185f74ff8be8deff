// The model kinds besides Gaussian mixtures (Bernoulli, categorical and
// Poisson mixtures; HMMs of every emission), and the entry points that read
// and write any kind.
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/hmm/markov_chain.h"
#include "emkit/io/atomic_file.h"
#include "emkit/io/model_file.h"
#include "model_file_gaussian.h"
#include "model_file_json.h"

namespace emkit::io {
namespace {

using internal::AddFamily;
using internal::DescribeValue;
using internal::FiniteOrThrow;
using internal::Json;
using internal::MatrixJson;
using internal::ModelHeader;
using internal::ModelJsonReader;
using internal::ReadGaussianHmm;
using internal::ReadGmmHmm;
using internal::ReadGaussianMixture;
using internal::VectorJson;

// ---------------------------------------------------------------------------
// Writing.

void AddFamily(const Bernoulli& f, Json* j) {
  (*j)["n_features"] = f.num_features();
  (*j)["pseudo_count"] = FiniteOrThrow(f.options().pseudo_count, "pseudo_count");
  (*j)["probabilities"] = MatrixJson(f.probabilities(), "probabilities");
}
void AddFamily(const Categorical& f, Json* j) {
  (*j)["categorical_layout"] = CategoricalLayoutName(f.layout());
  (*j)["n_categories"] = f.num_categories();
  (*j)["pseudo_count"] = FiniteOrThrow(f.options().pseudo_count, "pseudo_count");
  (*j)["sample_total"] = f.options().sample_total;
  (*j)["probabilities"] = MatrixJson(f.probabilities(), "probabilities");
}
void AddFamily(const Poisson& f, Json* j) {
  (*j)["n_features"] = f.num_features();
  (*j)["min_rate"] = FiniteOrThrow(f.options().min_rate, "min_rate");
  (*j)["rates"] = MatrixJson(f.rates(), "rates");
}

template <class Family>
Json MixtureJson(const char* kind, const Mixture<Family>& m) {
  Json j = ModelHeader(kind);
  j["n_components"] = m.num_components();
  j["weights"] = VectorJson(m.weights(), "weights");
  AddFamily(m.components(), &j);
  return j;
}

template <class Family>
Json HmmJson(const char* emission, const HiddenMarkovModel<Family>& m) {
  Json j = ModelHeader("hmm");
  j["emission"] = emission;
  j["n_components"] = m.num_states();
  j["startprob"] = VectorJson(m.start(), "startprob");
  j["transmat"] = MatrixJson(m.transitions(), "transmat");
  AddFamily(m.emissions(), &j);
  return j;
}

Json ToJson(const BernoulliMixture& m) { return MixtureJson("bernoulli_mixture", m); }
Json ToJson(const CategoricalMixture& m) { return MixtureJson("categorical_mixture", m); }
Json ToJson(const PoissonMixture& m) { return MixtureJson("poisson_mixture", m); }
Json ToJson(const GaussianHmmModel& m) {
  return std::visit([](const auto& hmm) { return HmmJson("gaussian", hmm); }, m);
}
Json ToJson(const CategoricalHmm& m) { return HmmJson("categorical", m); }
Json ToJson(const PoissonHmm& m) { return HmmJson("poisson", m); }
Json ToJson(const BernoulliHmm& m) { return HmmJson("bernoulli", m); }
Json ToJson(const GmmHmmModel& m) {
  return std::visit([](const auto& hmm) { return HmmJson("gaussian_mixture", hmm); }, m);
}

// ---------------------------------------------------------------------------
// Reading.

class KindsReader : public ModelJsonReader {
 public:
  using ModelJsonReader::ModelJsonReader;

  AnyModel ParseAny(const std::string& text, std::vector<std::string>* feature_names) const {
    const Json root = ParseRoot(text);
    // Hand-written Gaussian models may leave "model" out.
    std::string kind = "gaussian_mixture";
    if (const Json* model = Find(root, "model"); model != nullptr) {
      if (!model->is_string()) Fail(UnknownKind(*model));
      kind = model->get<std::string>();
    }
    AnyModel out = [&]() -> AnyModel {
      if (kind == "gaussian_mixture") return ReadGaussianMixture(*this, root, nullptr);
      if (kind == "bernoulli_mixture") return DiscreteMixture(root, &KindsReader::ReadBernoulli);
      if (kind == "categorical_mixture") {
        return DiscreteMixture(root, &KindsReader::ReadCategorical);
      }
      if (kind == "poisson_mixture") return DiscreteMixture(root, &KindsReader::ReadPoisson);
      if (kind == "hmm") return Hmm(root);
      Fail(UnknownKind(Require(root, "model")));
    }();
    ReadFeatureNames(root, NumFeaturesOf(out), feature_names);
    return out;
  }

 private:
  static std::string UnknownKind(const Json& model) {
    return fmt::format(
        "unknown \"model\" {} (expected \"gaussian_mixture\", "
        "\"bernoulli_mixture\", \"categorical_mixture\", \"poisson_mixture\" "
        "or \"hmm\")", DescribeValue(model));
  }

  Bernoulli ReadBernoulli(const Json& root, Eigen::Index k) const {
    BernoulliOptions options;
    options.pseudo_count = OptionalNumber(root, "pseudo_count", options.pseudo_count);
    RowMatrix p = Table(root, "probabilities", k, "n_features");
    return Checked([&] {
      options.Validate();
      return Bernoulli(std::move(p), options);
    });
  }

  Categorical ReadCategorical(const Json& root, Eigen::Index k) const {
    CategoricalOptions options;
    if (const Json* layout = Find(root, "categorical_layout"); layout != nullptr) {
      if (!layout->is_string() || (*layout != "counts" && *layout != "symbols")) {
        Fail(fmt::format("unknown \"categorical_layout\" {} (expected \"counts\" or "
                         "\"symbols\")", DescribeValue(*layout)));
      }
      options.layout = ParseCategoricalLayout(layout->get<std::string>());
    }
    options.pseudo_count = OptionalNumber(root, "pseudo_count", options.pseudo_count);
    if (const Json* total = Find(root, "sample_total"); total != nullptr) {
      if (!total->is_number_integer() || total->get<std::int64_t>() < 0) {
        Fail(fmt::format("\"sample_total\" must be a non-negative integer, found {}",
                         DescribeValue(*total)));
      }
      options.sample_total = total->get<std::int64_t>();
    }
    RowMatrix p = Table(root, "probabilities", k, "n_categories");
    return Checked([&] {
      options.Validate();
      return Categorical(std::move(p), options);
    });
  }

  Poisson ReadPoisson(const Json& root, Eigen::Index k) const {
    PoissonOptions options;
    options.min_rate = OptionalNumber(root, "min_rate", options.min_rate);
    RowMatrix rates = Table(root, "rates", k, "n_features");
    return Checked([&] {
      options.Validate();
      return Poisson(std::move(rates), options);
    });
  }

  template <class Family>
  Mixture<Family> DiscreteMixture(const Json& root,
                                  Family (KindsReader::*read)(const Json&, Eigen::Index)
                                      const) const {
    const Json& weights_json = Require(root, "weights");
    const Eigen::Index k = Size(root, "n_components", weights_json, "weights");
    Vector weights = Eigen::Map<const Vector>(
        Flatten(weights_json, "weights", {k}).data(), k);
    Family family = (this->*read)(root, k);
    return Checked([&] { return Mixture<Family>(std::move(weights), std::move(family)); });
  }

  AnyModel Hmm(const Json& root) const {
    const Json& start_json = Require(root, "startprob");
    const Eigen::Index k = Size(root, "n_components", start_json, "startprob");
    Vector start = Eigen::Map<const Vector>(Flatten(start_json, "startprob", {k}).data(), k);
    RowMatrix transitions = Eigen::Map<const RowMatrix>(
        Flatten(Require(root, "transmat"), "transmat", {k, k}).data(), k, k);
    const MarkovChain chain =
        Checked([&] { return MarkovChain(std::move(start), std::move(transitions)); });
    const Json& emission = Require(root, "emission");
    if (emission == "gaussian") return ReadGaussianHmm(*this, root, k, chain);
    if (emission == "gaussian_mixture") return ReadGmmHmm(*this, root, k, chain);
    if (emission == "categorical") return CategoricalHmm(chain, ReadCategorical(root, k));
    if (emission == "poisson") return PoissonHmm(chain, ReadPoisson(root, k));
    if (emission == "bernoulli") return BernoulliHmm(chain, ReadBernoulli(root, k));
    Fail(fmt::format("unknown \"emission\" {} (expected \"gaussian\", "
                     "\"gaussian_mixture\", \"categorical\", \"poisson\" or \"bernoulli\")",
                     DescribeValue(emission)));
  }

};

}  // namespace

int NumFeaturesOf(const AnyModel& model) {
  return std::visit(
      [](const auto& m) -> int {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, GaussianMixtureModel>) {
          return NumFeatures(m);
        } else if constexpr (std::is_same_v<M, GaussianHmmModel> ||
                             std::is_same_v<M, GmmHmmModel>) {
          return std::visit([](const auto& h) { return h.emissions().num_features(); }, m);
        } else if constexpr (requires { m.emissions(); }) {
          return m.emissions().num_features();
        } else {
          return m.num_features();
        }
      },
      model);
}

const char* ModelKindName(const AnyModel& model) {
  static constexpr const char* kNames[] = {
      "gaussian_mixture", "bernoulli_mixture", "categorical_mixture", "poisson_mixture",
      "hmm", "hmm", "hmm", "hmm", "hmm"};
  return kNames[model.index()];
}

std::string AnyModelToJson(const AnyModel& model,
                           const std::vector<std::string>& feature_names) {
  if (const auto* gaussian = std::get_if<GaussianMixtureModel>(&model)) {
    return ModelToJson(*gaussian, feature_names);
  }
  const int d = NumFeaturesOf(model);
  if (!feature_names.empty() && static_cast<int>(feature_names.size()) != d) {
    throw InvalidOptionError(fmt::format(
        "feature_names has {} names, but the model has {} features",
        feature_names.size(), d));
  }
  Json j = std::visit(
      [](const auto& m) -> Json {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, GaussianMixtureModel>) {
          return Json();  // handled above
        } else {
          return ToJson(m);
        }
      },
      model);
  if (!feature_names.empty()) j["feature_names"] = feature_names;
  return internal::PrettyText(j);
}

AnyModel AnyModelFromJson(const std::string& text, const std::string& display_name,
                          std::vector<std::string>* feature_names) {
  return KindsReader(display_name).ParseAny(text, feature_names);
}

void SaveAnyModel(const std::string& path, const AnyModel& model,
                  const std::vector<std::string>& feature_names) {
  // Serialised first, so that a model that cannot be saved leaves no file.
  const std::string text = AnyModelToJson(model, feature_names);
  WriteFileAtomically(path, [&text](std::ostream& out) { out << text; });
}

AnyModel LoadAnyModel(const std::string& path, std::vector<std::string>* feature_names) {
  return AnyModelFromJson(internal::ReadModelText(path), path, feature_names);
}

}  // namespace emkit::io
