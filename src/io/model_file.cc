// Gaussian mixtures in model files (the original kind), and the Gaussian
// parameters that Gaussian HMMs share with them.
#include "emkit/io/model_file.h"

#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <Eigen/Cholesky>
#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/io/atomic_file.h"
#include "model_file_gaussian.h"
#include "model_file_json.h"

namespace emkit::io {
namespace internal {
namespace {

void AddParameters(const GaussianFull& f, Json* j) {
  (*j)["covariances"] = MatricesJson(f.covariances(), "covariances");
  (*j)["precisions_cholesky"] = MatricesJson(f.precision_cholesky(), "precisions_cholesky");
}
void AddParameters(const GaussianDiag& f, Json* j) {
  (*j)["covariances"] = MatrixJson(f.variances(), "covariances");
}
void AddParameters(const GaussianSpherical& f, Json* j) {
  (*j)["covariances"] = VectorJson(f.variances().col(0), "covariances");
}
void AddParameters(const GaussianTied& f, Json* j) {
  (*j)["covariances"] = MatrixJson(f.covariance(), "covariances");
  (*j)["precisions_cholesky"] = MatrixJson(f.precision_cholesky(), "precisions_cholesky");
}
void AddParameters(const GaussianGroupTied& f, Json* j) {
  std::vector<Eigen::MatrixXd> covariances, factors;
  for (const GaussianTied& group : f.groups()) {
    covariances.push_back(group.covariance());
    factors.push_back(group.precision_cholesky());
  }
  (*j)["covariances"] = MatricesJson(covariances, "covariances");
  (*j)["precisions_cholesky"] = MatricesJson(factors, "precisions_cholesky");
}

// Reads the Gaussian keys of a document.
class GaussianReader : public ModelJsonReader {
 public:
  explicit GaussianReader(const ModelJsonReader& base) : ModelJsonReader(base) {}

  GaussianMixtureModel GaussianMixture(const Json& root,
                                       std::vector<std::string>* feature_names) const {
    const Json& weights_json = Require(root, "weights");
    const Eigen::Index k = Size(root, "n_components", weights_json, "weights");
    const Vector weights = Eigen::Map<const Vector>(
        Flatten(weights_json, "weights", {k}).data(), k);
    GaussianMixtureModel model = Gaussian(root, k, [&](auto family) -> GaussianMixtureModel {
      return Mixture<decltype(family)>(weights, std::move(family));
    });
    ReadFeatureNames(root, NumFeatures(model), feature_names);
    return model;
  }

  // The Gaussian family of K components stored in `root` ("covariance_type",
  // "reg_covar", "means" and the covariances), passed to make().
  template <class Make>
  std::invoke_result_t<Make, GaussianDiag> Gaussian(const Json& root, Eigen::Index k,
                                                    Make make) const {
    const CovarianceType type = ReadCovarianceType(root);
    const GaussianOptions options = Options(root);
    RowMatrix means = Means(root, k);
    return Checked([&] {
      options.Validate();
      switch (type) {
        case CovarianceType::kFull:
          return make(Full(root, std::move(means), options));
        case CovarianceType::kDiag:
          return make(AxisAligned<false>(root, std::move(means), options));
        case CovarianceType::kSpherical:
          return make(AxisAligned<true>(root, std::move(means), options));
        case CovarianceType::kTied:
          return make(Tied(root, std::move(means), options));
      }
      Fail("unknown covariance_type");
    });
  }

  // The emissions of a GMM-HMM of K states ("n_mix", "weights" and the
  // Gaussian keys of its K*M components).
  GmmHmmModel GmmHmm(const Json& root, Eigen::Index k, const MarkovChain& chain) const {
    const Json& weights_json = Require(root, "weights");
    const Eigen::Index m = Size(root, "n_mix", FirstRow(weights_json), "weights[0]");
    const RowMatrix weights = Eigen::Map<const RowMatrix>(
        Flatten(weights_json, "weights", {k, m}).data(), k, m);
    auto hmm = [&](auto gaussians) -> GmmHmmModel {
      using G = decltype(gaussians);
      if constexpr (std::is_same_v<G, GaussianTied>) {
        Fail("internal: tied GMM-HMM components are read per state");
      } else {
        return Checked([&] {
          return HiddenMarkovModel<GaussianMixtureEmission<G>>(
              chain, GaussianMixtureEmission<G>(weights, std::move(gaussians)));
        });
      }
    };
    if (ReadCovarianceType(root) != CovarianceType::kTied) {
      return Gaussian(root, k * m, hmm);
    }
    const GaussianOptions options = Options(root);
    const RowMatrix means = Means(root, k * m);
    return hmm(Checked([&] {
      options.Validate();
      return GaussianGroupTied(PerStateTied(root, means, k, options));
    }));
  }

  std::vector<Eigen::MatrixXd> Matrices(const Json& j, const char* key,
                                        Eigen::Index k, Eigen::Index d) const {
    const std::vector<double> flat = Flatten(j, key, {k, d, d});
    std::vector<Eigen::MatrixXd> out;
    for (Eigen::Index c = 0; c < k; ++c) {
      out.push_back(Eigen::Map<const RowMatrix>(flat.data() + c * d * d, d, d));
    }
    return out;
  }

  Eigen::MatrixXd Matrix(const Json& j, const char* key, Eigen::Index d) const {
    return Eigen::Map<const RowMatrix>(Flatten(j, key, {d, d}).data(), d, d);
  }

  // The library would load the diagonal of a covariance that is not
  // positive definite until it is; a model file's covariances are used as
  // written or rejected.
  void CheckPositiveDefinite(const Eigen::MatrixXd& covariance,
                             const std::string& where) const {
    if (!covariance.isApprox(covariance.transpose()) ||
        Eigen::LLT<Eigen::MatrixXd>(covariance).info() != Eigen::Success) {
      Fail(where + " is not a symmetric positive definite matrix");
    }
  }

  // Exactly one of "covariances" and "precisions"; *is_precision tells which.
  const Json& CovarianceOrPrecision(const Json& root, bool* is_precision) const {
    const Json* covariances = Find(root, "covariances");
    const Json* precisions = Find(root, "precisions");
    if (covariances != nullptr && precisions != nullptr) {
      Fail("give either \"covariances\" or \"precisions\", not both");
    }
    if (covariances == nullptr && precisions == nullptr) {
      Fail("missing key \"covariances\" (or \"precisions\")");
    }
    *is_precision = precisions != nullptr;
    const Json* cholesky = Find(root, "precisions_cholesky");
    if (cholesky != nullptr && *is_precision) {
      Fail("\"precisions_cholesky\" goes with \"covariances\", not with \"precisions\"");
    }
    return *is_precision ? *precisions : *covariances;
  }

  GaussianFull Full(const Json& root, RowMatrix means, const GaussianOptions& options) const {
    const Eigen::Index k = means.rows();
    const Eigen::Index d = means.cols();
    bool is_precision = false;
    const Json& given = CovarianceOrPrecision(root, &is_precision);
    const char* key = is_precision ? "precisions" : "covariances";
    std::vector<Eigen::MatrixXd> matrices = Matrices(given, key, k, d);
    if (is_precision) return GaussianFull::FromPrecisions(std::move(means), matrices, options);
    if (const Json* cholesky = Find(root, "precisions_cholesky"); cholesky != nullptr) {
      return GaussianFull::FromStored(std::move(means), std::move(matrices),
                                      Matrices(*cholesky, "precisions_cholesky", k, d),
                                      options);
    }
    for (std::size_t c = 0; c < matrices.size(); ++c) {
      CheckPositiveDefinite(matrices[c], fmt::format("covariances[{}]", c));
    }
    return GaussianFull(std::move(means), std::move(matrices), options);
  }

  GaussianTied Tied(const Json& root, RowMatrix means, const GaussianOptions& options) const {
    const Eigen::Index d = means.cols();
    bool is_precision = false;
    const Json& given = CovarianceOrPrecision(root, &is_precision);
    const char* key = is_precision ? "precisions" : "covariances";
    Eigen::MatrixXd matrix = Matrix(given, key, d);
    if (is_precision) return GaussianTied::FromPrecision(std::move(means), matrix, options);
    if (const Json* cholesky = Find(root, "precisions_cholesky"); cholesky != nullptr) {
      return GaussianTied::FromStored(std::move(means), std::move(matrix),
                                      Matrix(*cholesky, "precisions_cholesky", d),
                                      options);
    }
    CheckPositiveDefinite(matrix, "covariances");
    return GaussianTied(std::move(means), std::move(matrix), options);
  }

  template <bool kSpherical>
  GaussianAxisAligned<kSpherical> AxisAligned(const Json& root, RowMatrix means,
                                              const GaussianOptions& options) const {
    const Eigen::Index k = means.rows();
    const Eigen::Index d = means.cols();
    if (Find(root, "precisions_cholesky") != nullptr) {
      Fail(fmt::format("\"precisions_cholesky\" does not apply to covariance_type "
                       "\"{}\" (its precisions are 1 / covariances)",
                       kSpherical ? "spherical" : "diag"));
    }
    bool is_precision = false;
    const Json& given = CovarianceOrPrecision(root, &is_precision);
    const char* key = is_precision ? "precisions" : "covariances";
    RowMatrix variances;
    if (kSpherical) {
      const Vector per_component =
          Eigen::Map<const Vector>(Flatten(given, key, {k}).data(), k);
      variances = GaussianSpherical::SphericalVariances(per_component, static_cast<int>(d));
    } else {
      variances = Eigen::Map<const RowMatrix>(Flatten(given, key, {k, d}).data(), k, d);
    }
    if (is_precision) {
      for (Eigen::Index c = 0; c < k; ++c) {
        for (Eigen::Index j = 0; j < d; ++j) {
          if (!(variances(c, j) > 0.0)) {
            Fail(fmt::format("precisions must be positive, found {} for component "
                             "{}", variances(c, j), c));
          }
        }
      }
      variances = variances.cwiseInverse();
    }
    return GaussianAxisAligned<kSpherical>(std::move(means), std::move(variances), options);
  }

 private:
  GaussianOptions Options(const Json& root) const {
    GaussianOptions options;
    if (const Json* reg = Find(root, "reg_covar"); reg != nullptr) {
      options.reg_covar = Number(*reg, "reg_covar");
    }
    return options;
  }

  // "means" as a rows x D matrix, D from "n_features" or the first row.
  RowMatrix Means(const Json& root, Eigen::Index rows) const {
    const Json& means_json = Require(root, "means");
    const Eigen::Index d = Size(root, "n_features", FirstRow(means_json), "means[0]");
    return Eigen::Map<const RowMatrix>(Flatten(means_json, "means", {rows, d}).data(), rows,
                                       d);
  }

  // One tied Gaussian of M components per state, from [K][D][D]
  // covariances (or precisions, or covariances with their stored factors).
  std::vector<GaussianTied> PerStateTied(const Json& root, const RowMatrix& means,
                                         Eigen::Index k, const GaussianOptions& options) const {
    const Eigen::Index m = means.rows() / k;
    const Eigen::Index d = means.cols();
    bool is_precision = false;
    const Json& given = CovarianceOrPrecision(root, &is_precision);
    const char* key = is_precision ? "precisions" : "covariances";
    const std::vector<Eigen::MatrixXd> matrices = Matrices(given, key, k, d);
    std::vector<Eigen::MatrixXd> factors;
    if (const Json* cholesky = Find(root, "precisions_cholesky"); cholesky != nullptr) {
      factors = Matrices(*cholesky, "precisions_cholesky", k, d);
    }
    std::vector<GaussianTied> groups;
    for (Eigen::Index s = 0; s < k; ++s) {
      RowMatrix group_means = means.middleRows(s * m, m);
      if (is_precision) {
        groups.push_back(GaussianTied::FromPrecision(std::move(group_means), matrices[s],
                                                     options));
      } else if (!factors.empty()) {
        groups.push_back(GaussianTied::FromStored(std::move(group_means), matrices[s],
                                                  factors[s], options));
      } else {
        CheckPositiveDefinite(matrices[s], fmt::format("covariances[{}]", s));
        groups.emplace_back(std::move(group_means), matrices[s], options);
      }
    }
    return groups;
  }

  CovarianceType ReadCovarianceType(const Json& root) const {
    const Json& type = Require(root, "covariance_type");
    if (type.is_string()) {
      try {
        return ParseCovarianceType(type.get<std::string>());
      } catch (const InvalidOptionError&) {
        // Reported below with the file's name.
      }
    }
    Fail(fmt::format(
        "unknown \"covariance_type\" {} (expected \"full\", \"diag\", "
        "\"spherical\" or \"tied\")", DescribeValue(type)));
  }

};

}  // namespace

template <class Gaussian>
void AddGaussian(const Gaussian& f, Json* j) {
  (*j)["covariance_type"] = Gaussian::kCovarianceName;
  (*j)["n_features"] = f.num_features();
  (*j)["reg_covar"] = FiniteOrThrow(f.options().reg_covar, "reg_covar");
  (*j)["means"] = MatrixJson(f.means(), "means");
  AddParameters(f, j);
}

void AddFamily(const GaussianFull& family, Json* j) { AddGaussian(family, j); }
void AddFamily(const GaussianDiag& family, Json* j) { AddGaussian(family, j); }
void AddFamily(const GaussianSpherical& family, Json* j) { AddGaussian(family, j); }
void AddFamily(const GaussianTied& family, Json* j) { AddGaussian(family, j); }

template <class Gaussian>
void AddGaussianMixtureEmission(const GaussianMixtureEmission<Gaussian>& family, Json* j) {
  (*j)["n_mix"] = family.num_mixture_components();
  (*j)["weights"] = MatrixJson(family.weights(), "weights");
  AddGaussian(family.components(), j);
}

void AddFamily(const GaussianMixtureEmissionFull& family, Json* j) {
  AddGaussianMixtureEmission(family, j);
}
void AddFamily(const GaussianMixtureEmissionDiag& family, Json* j) {
  AddGaussianMixtureEmission(family, j);
}
void AddFamily(const GaussianMixtureEmissionSpherical& family, Json* j) {
  AddGaussianMixtureEmission(family, j);
}
void AddFamily(const GaussianMixtureEmissionTied& family, Json* j) {
  AddGaussianMixtureEmission(family, j);
}

GaussianMixtureModel ReadGaussianMixture(const ModelJsonReader& reader, const Json& root,
                                         std::vector<std::string>* feature_names) {
  return GaussianReader(reader).GaussianMixture(root, feature_names);
}

GaussianHmmModel ReadGaussianHmm(const ModelJsonReader& reader, const Json& root,
                                 Eigen::Index k, const MarkovChain& chain) {
  return GaussianReader(reader).Gaussian(root, k, [&](auto family) -> GaussianHmmModel {
    return HiddenMarkovModel<decltype(family)>(chain, std::move(family));
  });
}

GmmHmmModel ReadGmmHmm(const ModelJsonReader& reader, const Json& root, Eigen::Index k,
                       const MarkovChain& chain) {
  return GaussianReader(reader).GmmHmm(root, k, chain);
}

}  // namespace internal

namespace {

using internal::AddParameters;
using internal::DescribeValue;
using internal::FiniteOrThrow;
using internal::Json;
using internal::MatrixJson;
using internal::ModelHeader;
using internal::ModelJsonReader;
using internal::PrettyText;
using internal::ReadGaussianMixture;
using internal::VectorJson;

// Hand-written files may leave "model" out; those are Gaussian mixtures.
constexpr const char* kModelKind = "gaussian_mixture";

}  // namespace

std::string ModelToJson(const GaussianMixtureModel& model,
                        const std::vector<std::string>& feature_names) {
  const int d = NumFeatures(model);
  if (!feature_names.empty() && static_cast<int>(feature_names.size()) != d) {
    throw InvalidOptionError(fmt::format(
        "feature_names has {} names, but the model has {} features",
        feature_names.size(), d));
  }
  Json j = ModelHeader(kModelKind);
  j["covariance_type"] = CovarianceTypeName(CovarianceTypeOf(model));
  j["n_components"] = NumComponents(model);
  j["n_features"] = d;
  j["reg_covar"] = FiniteOrThrow(MixtureGaussianOptions(model).reg_covar, "reg_covar");
  j["weights"] = VectorJson(MixtureWeights(model), "weights");
  j["means"] = MatrixJson(MixtureMeans(model), "means");
  std::visit([&j](const auto& m) { AddParameters(m.components(), &j); }, model);
  if (!feature_names.empty()) j["feature_names"] = feature_names;
  return PrettyText(j);
}

GaussianMixtureModel ModelFromJson(const std::string& text,
                                   const std::string& display_name,
                                   std::vector<std::string>* feature_names) {
  const ModelJsonReader reader(display_name);
  const Json root = reader.ParseRoot(text);
  if (const Json* model = reader.Find(root, "model");
      model != nullptr && *model != kModelKind) {
    reader.Fail(fmt::format("\"model\" is {}, not \"{}\"", DescribeValue(*model),
                            kModelKind));
  }
  return ReadGaussianMixture(reader, root, feature_names);
}

void SaveModel(const std::string& path, const GaussianMixtureModel& model,
               const std::vector<std::string>& feature_names) {
  // Serialised first, so that a model that cannot be saved leaves no file.
  const std::string text = ModelToJson(model, feature_names);
  WriteFileAtomically(path, [&text](std::ostream& out) { out << text; });
}

GaussianMixtureModel LoadModel(const std::string& path,
                               std::vector<std::string>* feature_names) {
  return ModelFromJson(internal::ReadModelText(path), path, feature_names);
}

}  // namespace emkit::io
