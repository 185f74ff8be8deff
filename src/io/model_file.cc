#include "emkit/io/model_file.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <Eigen/Cholesky>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "emkit/error.h"
#include "emkit/io/atomic_file.h"
#include "message_text.h"

namespace emkit::io {
namespace {

// Keys keep the order they are written in, so files read top-down.
using Json = nlohmann::ordered_json;

constexpr const char* kFormatName = "emkit-model";
constexpr const char* kModelKind = "gaussian_mixture";

// How much of an offending JSON value a message quotes.
constexpr std::size_t kMaxQuotedValue = 40;

// ---------------------------------------------------------------------------
// Writing.

double FiniteOrThrow(double value, const char* key) {
  if (!std::isfinite(value)) {
    throw InvalidDataError(fmt::format(
        "{} holds {}: a model with non-finite parameters cannot be saved", key,
        value));
  }
  return value;
}

template <class Derived>
Json VectorJson(const Eigen::DenseBase<Derived>& v, const char* key) {
  Json out = Json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    out.push_back(FiniteOrThrow(v(i), key));
  }
  return out;
}

template <class Derived>
Json MatrixJson(const Eigen::DenseBase<Derived>& m, const char* key) {
  Json out = Json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    out.push_back(VectorJson(m.row(i), key));
  }
  return out;
}

Json MatricesJson(const std::vector<Eigen::MatrixXd>& matrices, const char* key) {
  Json out = Json::array();
  for (const Eigen::MatrixXd& m : matrices) out.push_back(MatrixJson(m, key));
  return out;
}

std::string DumpScalar(const Json& j) {
  // Feature names come from data headers in any encoding; replacing bad
  // UTF-8 keeps the file valid JSON instead of failing the save.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool IsFlatArray(const Json& j) {
  for (const Json& element : j) {
    if (element.is_array() || element.is_object()) return false;
  }
  return true;
}

// Like dump(2), but an array of scalars stays on one line, so that a
// matrix reads as one row per line.
void WritePretty(const Json& j, int depth, std::string* out) {
  const std::string indent(2 * (depth + 1), ' ');
  if (j.is_object()) {
    *out += "{\n";
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      if (!first) *out += ",\n";
      first = false;
      *out += indent;
      *out += DumpScalar(Json(key));
      *out += ": ";
      WritePretty(value, depth + 1, out);
    }
    *out += '\n';
    out->append(2 * depth, ' ');
    *out += '}';
  } else if (j.is_array() && !IsFlatArray(j)) {
    *out += "[\n";
    bool first = true;
    for (const Json& element : j) {
      if (!first) *out += ",\n";
      first = false;
      *out += indent;
      WritePretty(element, depth + 1, out);
    }
    *out += '\n';
    out->append(2 * depth, ' ');
    *out += ']';
  } else if (j.is_array()) {
    *out += "[";
    bool first = true;
    for (const Json& element : j) {
      if (!first) *out += ", ";
      first = false;
      *out += DumpScalar(element);
    }
    *out += "]";
  } else {
    *out += DumpScalar(j);
  }
}

void AddParameters(const GaussianMixtureFull& m, Json* j) {
  (*j)["covariances"] = MatricesJson(m.components().covariances(), "covariances");
  (*j)["precisions_cholesky"] =
      MatricesJson(m.components().precision_cholesky(), "precisions_cholesky");
}
void AddParameters(const GaussianMixtureDiag& m, Json* j) {
  (*j)["covariances"] = MatrixJson(m.components().variances(), "covariances");
}
void AddParameters(const GaussianMixtureSpherical& m, Json* j) {
  (*j)["covariances"] = VectorJson(m.components().variances().col(0), "covariances");
}
void AddParameters(const GaussianMixtureTied& m, Json* j) {
  (*j)["covariances"] = MatrixJson(m.components().covariance(), "covariances");
  (*j)["precisions_cholesky"] =
      MatrixJson(m.components().precision_cholesky(), "precisions_cholesky");
}

// ---------------------------------------------------------------------------
// Reading.

std::string DescribeValue(const Json& j) {
  std::string text = DumpScalar(j);
  if (text.size() > kMaxQuotedValue) {
    text.resize(kMaxQuotedValue);
    text += "...";
  }
  return text;
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag,
// and with the input it quotes ("last read: '...'", "parsing '...'")
// escaped and cut like every other piece of input in a message: it may be
// megabytes long or not UTF-8.
std::string JsonErrorText(const char* what) {
  std::string text = what;
  if (const std::size_t tag_end = text.find("] "); tag_end != std::string::npos) {
    text.erase(0, tag_end + 2);
  }
  for (const std::string_view marker : {"last read: '", "parsing '"}) {
    const std::size_t begin = text.find(marker);
    if (begin == std::string::npos) continue;
    const std::size_t token = begin + marker.size();
    // The quoted input ends before "; expected ..." or at the end.
    std::size_t end = text.rfind("'; expected ");
    if (end == std::string::npos || end < token) end = text.size() - 1;
    if (end < token || text[end] != '\'') break;
    std::string quoted = text.substr(0, begin) +
                         std::string(marker.substr(0, marker.size() - 1)) +
                         internal::QuoteForMessage(
                             std::string_view(text).substr(token, end - token)) +
                         text.substr(end + 1);
    if (internal::IsValidUtf8(quoted)) return quoted;
    break;
  }
  // Not in the expected form: keep only what comes before the input.
  const std::size_t input = std::min(text.find("; last read"), text.find(" parsing '"));
  text = text.substr(0, input);
  return internal::IsValidUtf8(text) ? text : "the parser's message is not UTF-8";
}

// Parses one model document; every failure names the file and the key.
class ModelParser {
 public:
  explicit ModelParser(const std::string& display_name) : name_(display_name) {}

  GaussianMixtureModel Parse(const std::string& text,
                             std::vector<std::string>* feature_names) {
    Json root;
    try {
      root = Json::parse(text);
    } catch (const Json::parse_error& e) {
      Fail(fmt::format("not valid JSON (byte {}): {}", e.byte, JsonErrorText(e.what())));
    } catch (const Json::exception& e) {
      // E.g. a number too large for a double.
      Fail("not valid JSON: " + JsonErrorText(e.what()));
    }
    if (!root.is_object() || !root.contains("format") ||
        root["format"] != kFormatName) {
      Fail("not an emkit model file (no \"format\": \"emkit-model\")");
    }
    CheckVersion(root);
    if (const Json* model = Find(root, "model");
        model != nullptr && *model != kModelKind) {
      Fail(fmt::format("\"model\" is {}; this emkit reads only \"{}\"",
                       DescribeValue(*model), kModelKind));
    }
    const CovarianceType type = ReadCovarianceType(root);
    GaussianOptions options;
    if (const Json* reg = Find(root, "reg_covar"); reg != nullptr) {
      options.reg_covar = Number(*reg, "reg_covar");
    }

    const Json& weights_json = Require(root, "weights");
    const Json& means_json = Require(root, "means");
    const Eigen::Index k = Size(root, "n_components", weights_json, "weights");
    const Eigen::Index d = Size(
        root, "n_features",
        means_json.is_array() && !means_json.empty() ? means_json[0] : Json(),
        "means[0]");

    Vector weights = Eigen::Map<const Vector>(
        Flatten(weights_json, "weights", {k}).data(), k);
    RowMatrix means = Eigen::Map<const RowMatrix>(
        Flatten(means_json, "means", {k, d}).data(), k, d);

    if (feature_names != nullptr) feature_names->clear();
    if (const Json* names = Find(root, "feature_names"); names != nullptr) {
      std::vector<std::string> parsed = FeatureNames(*names, d);
      if (feature_names != nullptr) *feature_names = std::move(parsed);
    }

    try {
      options.Validate();
      switch (type) {
        case CovarianceType::kFull:
          return GaussianMixtureFull(std::move(weights),
                                     Full(root, std::move(means), options));
        case CovarianceType::kDiag:
          return GaussianMixtureDiag(std::move(weights),
                                     AxisAligned<false>(root, std::move(means), options));
        case CovarianceType::kSpherical:
          return GaussianMixtureSpherical(
              std::move(weights), AxisAligned<true>(root, std::move(means), options));
        case CovarianceType::kTied:
          return GaussianMixtureTied(std::move(weights),
                                     Tied(root, std::move(means), options));
      }
    } catch (const InvalidDataError& e) {
      Fail(e.what());
    } catch (const InvalidOptionError& e) {
      Fail(e.what());
    }
    Fail("unknown covariance_type");
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    throw FileFormatError(name_ + ": " + what);
  }

  static const Json* Find(const Json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }

  const Json& Require(const Json& object, const char* key) const {
    const Json* found = Find(object, key);
    if (found == nullptr) Fail(fmt::format("missing key \"{}\"", key));
    return *found;
  }

  void CheckVersion(const Json& root) const {
    const Json& version = Require(root, "version");
    if (!version.is_number_integer()) {
      Fail(fmt::format("\"version\" must be an integer, found {}",
                       DescribeValue(version)));
    }
    const auto v = version.get<std::int64_t>();
    if (v > kModelFileVersion) {
      Fail(fmt::format(
          "model file version {} is newer than this emkit supports ({}); "
          "upgrade emkit", v, kModelFileVersion));
    }
    if (v < 1) Fail(fmt::format("\"version\" = {} must be >= 1", v));
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

  double Number(const Json& j, const std::string& where) const {
    if (!j.is_number()) {
      Fail(fmt::format("{} must be a number, found {}", where, DescribeValue(j)));
    }
    const double value = j.get<double>();
    if (!std::isfinite(value)) {
      Fail(fmt::format("{} = {} must be finite", where, DescribeValue(j)));
    }
    return value;
  }

  // The size stored under `key`, or else the length of `array`; the two
  // must agree when both are there.
  Eigen::Index Size(const Json& root, const char* key, const Json& array,
                    const char* array_name) const {
    if (const Json* stored = Find(root, key); stored != nullptr) {
      if (!stored->is_number_integer() || stored->get<std::int64_t>() < 1) {
        Fail(fmt::format("\"{}\" must be a positive integer, found {}", key,
                         DescribeValue(*stored)));
      }
      return static_cast<Eigen::Index>(stored->get<std::int64_t>());
    }
    if (!array.is_array() || array.empty()) {
      Fail(fmt::format("\"{}\" is missing and {} is not a non-empty array to "
                       "take it from", key, array_name));
    }
    return static_cast<Eigen::Index>(array.size());
  }

  // The nested array `j` of shape `dims` in row-major order, or a failure
  // naming the key, the expected shape and the first place that differs.
  // The values are collected as they are found, never allocated from the
  // declared sizes, so a file that declares 10^12 components holds no more
  // memory than its own numbers.
  std::vector<double> Flatten(const Json& j, const std::string& key,
                              const std::vector<Eigen::Index>& dims) const {
    std::string expected = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (i > 0) expected += ", ";
      expected += std::to_string(dims[i]);
    }
    expected += "]";
    std::vector<double> out;
    FlattenLevel(j, key, key, expected, dims, 0, &out);
    return out;
  }

  void FlattenLevel(const Json& j, const std::string& key, const std::string& where,
                    const std::string& expected, const std::vector<Eigen::Index>& dims,
                    std::size_t level, std::vector<double>* out) const {
    if (level == dims.size()) {
      out->push_back(Number(j, where));
      return;
    }
    if (!j.is_array()) {
      Fail(fmt::format("\"{}\" must have shape {}, but {} is {}, not an array",
                       key, expected, where, DescribeValue(j)));
    }
    if (static_cast<Eigen::Index>(j.size()) != dims[level]) {
      Fail(fmt::format("\"{}\" must have shape {}, but {} has {} entries", key,
                       expected, where, j.size()));
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      FlattenLevel(j[i], key, fmt::format("{}[{}]", where, i), expected, dims,
                   level + 1, out);
    }
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

  std::vector<std::string> FeatureNames(const Json& names, Eigen::Index d) const {
    if (!names.is_array() || static_cast<Eigen::Index>(names.size()) != d) {
      Fail(fmt::format("\"feature_names\" must be an array of {} strings "
                       "(one per feature)", d));
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!names[i].is_string()) {
        Fail(fmt::format("feature_names[{}] must be a string, found {}", i,
                         DescribeValue(names[i])));
      }
      out.push_back(names[i].get<std::string>());
    }
    return out;
  }

  std::string name_;
};

}  // namespace

std::string ModelToJson(const GaussianMixtureModel& model,
                        const std::vector<std::string>& feature_names) {
  const int d = NumFeatures(model);
  if (!feature_names.empty() && static_cast<int>(feature_names.size()) != d) {
    throw InvalidOptionError(fmt::format(
        "feature_names has {} names, but the model has {} features",
        feature_names.size(), d));
  }
  Json j;
  j["format"] = kFormatName;
  j["version"] = kModelFileVersion;
  j["model"] = kModelKind;
  j["covariance_type"] = CovarianceTypeName(CovarianceTypeOf(model));
  j["n_components"] = NumComponents(model);
  j["n_features"] = d;
  j["reg_covar"] = FiniteOrThrow(MixtureGaussianOptions(model).reg_covar, "reg_covar");
  j["weights"] = VectorJson(MixtureWeights(model), "weights");
  j["means"] = MatrixJson(MixtureMeans(model), "means");
  std::visit([&j](const auto& m) { AddParameters(m, &j); }, model);
  if (!feature_names.empty()) j["feature_names"] = feature_names;
  std::string text;
  WritePretty(j, 0, &text);
  text += "\n";
  return text;
}

GaussianMixtureModel ModelFromJson(const std::string& text,
                                   const std::string& display_name,
                                   std::vector<std::string>* feature_names) {
  return ModelParser(display_name).Parse(text, feature_names);
}

void SaveModel(const std::string& path, const GaussianMixtureModel& model,
               const std::vector<std::string>& feature_names) {
  // Serialised first, so that a model that cannot be saved leaves no file.
  const std::string text = ModelToJson(model, feature_names);
  WriteFileAtomically(path, [&text](std::ostream& out) { out << text; });
}

GaussianMixtureModel LoadModel(const std::string& path,
                               std::vector<std::string>* feature_names) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw FileAccessError(path + ": cannot open: " + std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileAccessError(path + ": cannot open: " + std::strerror(errno));
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  if (in.bad()) throw FileAccessError(path + ": read error");
  return ModelFromJson(text, path, feature_names);
}

}  // namespace emkit::io
