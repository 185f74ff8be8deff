#include "checkpoint.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "emkit/discrete_mixture.h"
#include "emkit/families/gaussian_mixture_float32.h"
#include "emkit/error.h"
#include "emkit/fit_progress.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/atomic_file.h"
#include "emkit/io/model_file.h"
#include "emkit/io/report_json.h"

namespace emkit::cli {
namespace {

using Json = CheckpointJson;

constexpr const char* kFormat = "emkit-checkpoint";
constexpr int kVersion = 1;

// The model types `emkit fit` fits, one of which every checkpoint holds.
template <class... M>
struct ModelList {};
using CheckpointedModels =
    ModelList<GaussianMixtureFull, GaussianMixtureDiag, GaussianMixtureSpherical,
              GaussianMixtureTied, BernoulliMixture, CategoricalMixture, PoissonMixture>;
// What the engine fits for --dtype float32: the same mixtures, with float32
// E-steps. Their model files are those of the float64 mixtures, so the
// settings' "dtype" says which list a checkpoint's models belong to.
using Float32Models =
    ModelList<Float32Mixture<GaussianFull>, Float32Mixture<GaussianDiag>,
              Float32Mixture<GaussianSpherical>, Float32Mixture<GaussianTied>>;

template <class M>
struct IsFloat32Mixture : std::false_type {};
template <class F>
struct IsFloat32Mixture<Float32Mixture<F>> : std::true_type {};

// Calls f(std::type_identity<M>{}) for every M of the list, in order.
template <class... M, class F>
void ForEachModel(ModelList<M...>, F&& f) {
  (f(std::type_identity<M>{}), ...);
}

template <class M>
constexpr bool kIsGaussian = std::is_constructible_v<GaussianMixtureModel, M> &&
                             !std::is_same_v<M, GaussianMixtureModel>;

template <class M>
io::AnyModel ToAny(const M& model) {
  if constexpr (IsFloat32Mixture<M>::value) {
    return ToAnyModel(model.mixture());
  } else {
    return ToAnyModel(model);
  }
}

template <class M>
Json ModelJson(const M& model, const std::vector<std::string>& names) {
  return Json::parse(io::AnyModelToJson(ToAny(model), names));
}

std::string Where(std::size_t finished, bool in_progress, const RestartRecord& current) {
  if (!in_progress) return fmt::format("the end of restart {}", finished);
  return fmt::format("restart {}, iteration {}", current.restart + 1, current.n_iter);
}

// JSON has no infinity; the best likelihood before any restart finished is
// -inf, written as null.
Json Number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

template <class M>
Json ProgressJson(const FitProgress<M>& progress, const std::vector<std::string>& names) {
  Json j;
  Json finished = Json::array();
  for (const RestartRecord& record : progress.finished) {
    finished.push_back(Json::parse(io::RestartRecordToJson(record)));
  }
  j["finished"] = std::move(finished);
  j["best_restart"] = progress.best_restart;
  j["best_total_log_likelihood"] = Number(progress.best_total_log_likelihood);
  j["best"] = progress.best ? ModelJson(*progress.best, names) : Json(nullptr);
  j["current"] = Json::parse(io::RestartRecordToJson(progress.current));
  j["model"] = progress.model ? ModelJson(*progress.model, names) : Json(nullptr);
  return j;
}

// Calls f(progress) with the typed FitProgress inside `progress`.
template <class F>
void VisitProgress(const std::any& progress, F&& f) {
  bool found = false;
  const auto try_model = [&](auto tag) {
    using M = typename decltype(tag)::type;
    if (found) return;
    if (const FitProgress<M>* typed = ProgressOf<M>(progress)) {
      f(*typed);
      found = true;
    }
  };
  ForEachModel(CheckpointedModels{}, try_model);
  ForEachModel(Float32Models{}, try_model);
  if (!found) throw std::logic_error("checkpoint: a fit of a model type it does not know");
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw FileAccessError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw FileFormatError(fmt::format("{}: {}", path_, what));
  }

  const Json& At(const Json& j, const char* key) const {
    const auto it = j.find(key);
    if (it == j.end()) Fail(fmt::format("not a complete checkpoint: no \"{}\"", key));
    return *it;
  }

  std::int64_t Integer(const Json& j, const char* key) const {
    const Json& v = At(j, key);
    if (!v.is_number_integer()) Fail(fmt::format("\"{}\" must be an integer", key));
    return v.get<std::int64_t>();
  }

  RestartRecord Record(const Json& j) const {
    return io::RestartRecordFromJson(j.dump(), path_);
  }

  std::optional<io::AnyModel> Model(const Json& j, const char* key) const {
    const Json& v = At(j, key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_object()) Fail(fmt::format("\"{}\" must be a model or null", key));
    return io::AnyModelFromJson(v.dump(), fmt::format("{} (\"{}\")", path_, key));
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The concrete model inside `model` when it is an M.
template <class M>
std::optional<M> As(const std::optional<io::AnyModel>& model) {
  if (!model) return std::nullopt;
  if constexpr (IsFloat32Mixture<M>::value) {
    using Inner = std::decay_t<decltype(std::declval<const M&>().mixture())>;
    if (std::optional<Inner> inner = As<Inner>(model)) return M(std::move(*inner));
  } else if constexpr (kIsGaussian<M>) {
    if (const auto* gaussian = std::get_if<GaussianMixtureModel>(&*model)) {
      if (const M* m = std::get_if<M>(gaussian)) return *m;
    }
  } else {
    if (const M* m = std::get_if<M>(&*model)) return *m;
  }
  return std::nullopt;
}

// Builds the FitProgress<M> for the M of `models` that `model` or `best`
// holds.
template <class Models>
std::any TypedProgress(Models models, const Reader& in, std::vector<RestartRecord> finished,
                       int best_restart, double best_loglik,
                       const std::optional<io::AnyModel>& best,
                       const std::optional<io::AnyModel>& model, RestartRecord current) {
  std::any out;
  ForEachModel(models, [&](auto tag) {
    using M = typename decltype(tag)::type;
    if (out.has_value()) return;
    std::optional<M> typed_best = As<M>(best);
    std::optional<M> typed_model = As<M>(model);
    if (!typed_best && !typed_model) return;
    if (typed_best.has_value() != best.has_value() ||
        typed_model.has_value() != model.has_value()) {
      in.Fail("\"best\" and \"model\" hold different kinds of model");
    }
    out = FitProgress<M>{std::move(finished), best_restart, std::move(typed_best),
                         best_loglik, std::move(typed_model), std::move(current)};
  });
  if (!out.has_value()) {
    in.Fail("holds no model that emkit fit fits (both \"best\" and \"model\" are empty, "
            "or they hold a hidden Markov model)");
  }
  return out;
}

}  // namespace

DataFingerprint FingerprintOf(const RowMatrix& values) {
  // FNV-1a over 64-bit words: every bit of every value counts, in order.
  std::uint64_t hash = 14695981039346656037ull;
  const auto mix = [&hash](std::uint64_t word) {
    hash ^= word;
    hash *= 1099511628211ull;
  };
  mix(static_cast<std::uint64_t>(values.rows()));
  mix(static_cast<std::uint64_t>(values.cols()));
  const double* data = values.data();
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, data + i, sizeof bits);
    mix(bits);
  }
  return DataFingerprint{values.rows(), values.cols(), hash};
}

Checkpoint ReadCheckpoint(const std::string& path) {
  const Reader in(path);
  Json j;
  try {
    j = Json::parse(ReadText(path));
  } catch (const Json::parse_error&) {
    in.Fail("not a checkpoint file (not valid JSON)");
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != kFormat) {
    in.Fail(fmt::format("not a checkpoint file (no \"format\": \"{}\")", kFormat));
  }
  const std::int64_t version = in.Integer(j, "version");
  if (version > kVersion) {
    in.Fail(fmt::format("checkpoint version {} is newer than this emkit reads ({})", version,
                        kVersion));
  }
  Checkpoint checkpoint;
  checkpoint.settings = in.At(j, "settings");
  if (!checkpoint.settings.is_object()) in.Fail("\"settings\" must be an object");
  const Json& data = in.At(j, "data");
  checkpoint.data.rows = in.Integer(data, "rows");
  checkpoint.data.columns = in.Integer(data, "columns");
  const Json& checksum = in.At(data, "checksum");
  if (!checksum.is_string()) in.Fail("\"checksum\" must be a string of 16 hex digits");
  try {
    std::size_t used = 0;
    checkpoint.data.checksum = std::stoull(checksum.get<std::string>(), &used, 16);
    if (used != checksum.get<std::string>().size()) throw std::invalid_argument("");
  } catch (const std::logic_error&) {
    in.Fail("\"checksum\" must be a string of 16 hex digits");
  }
  const Json& names = in.At(j, "feature_names");
  if (!names.is_array()) in.Fail("\"feature_names\" must be an array");
  for (const Json& name : names) {
    if (!name.is_string()) in.Fail("\"feature_names\" must hold strings");
    checkpoint.feature_names.push_back(name.get<std::string>());
  }

  const Json& finished_json = in.At(j, "finished");
  if (!finished_json.is_array()) in.Fail("\"finished\" must be an array");
  std::vector<RestartRecord> finished;
  for (const Json& record : finished_json) finished.push_back(in.Record(record));
  const std::int64_t best_restart = in.Integer(j, "best_restart");
  const Json& best_loglik_json = in.At(j, "best_total_log_likelihood");
  if (!best_loglik_json.is_null() && !best_loglik_json.is_number()) {
    in.Fail("\"best_total_log_likelihood\" must be a number or null");
  }
  const double best_loglik = best_loglik_json.is_null()
                                 ? -std::numeric_limits<double>::infinity()
                                 : best_loglik_json.get<double>();
  RestartRecord current = in.Record(in.At(j, "current"));
  const std::optional<io::AnyModel> best = in.Model(j, "best");
  const std::optional<io::AnyModel> model = in.Model(j, "model");
  checkpoint.where = Where(finished.size(), model.has_value(), current);
  const bool float32 = checkpoint.settings.value("dtype", "float64") == "float32";
  checkpoint.progress =
      float32 ? TypedProgress(Float32Models{}, in, std::move(finished),
                              static_cast<int>(best_restart), best_loglik, best, model,
                              std::move(current))
              : TypedProgress(CheckpointedModels{}, in, std::move(finished),
                              static_cast<int>(best_restart), best_loglik, best, model,
                              std::move(current));
  return checkpoint;
}

CheckpointWriter::CheckpointWriter(std::string path, CheckpointJson settings,
                                   DataFingerprint data,
                                   std::vector<std::string> feature_names,
                                   double interval_seconds)
    : path_(std::move(path)),
      settings_(std::move(settings)),
      data_(data),
      feature_names_(std::move(feature_names)),
      interval_seconds_(interval_seconds),
      last_write_(std::chrono::steady_clock::now()) {}

void CheckpointWriter::Attach(FitOptions* fit_options) {
  fit_options->on_progress = [this](const std::any& progress) {
    latest_ = progress;
    written_ = false;
    VisitProgress(latest_, [this](const auto& typed) {
      where_ = Where(typed.finished.size(), typed.model.has_value(), typed.current);
    });
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                       last_write_).count();
    if (since >= interval_seconds_) Save();
  };
}

bool CheckpointWriter::Flush() {
  if (!latest_.has_value()) return false;
  if (!written_) Save();
  return true;
}

void CheckpointWriter::Save() {
  Json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["settings"] = settings_;
  j["data"] = {{"rows", data_.rows},
               {"columns", data_.columns},
               {"checksum", fmt::format("{:016x}", data_.checksum)}};
  j["feature_names"] = feature_names_;
  VisitProgress(latest_, [&](const auto& typed) {
    Json progress = ProgressJson(typed, feature_names_);
    for (auto& [key, value] : progress.items()) j[key] = std::move(value);
  });
  const std::string text = j.dump(1) + "\n";
  io::WriteFileAtomically(path_, [&text](std::ostream& out) { out << text; });
  written_ = true;
  last_write_ = std::chrono::steady_clock::now();
}

}  // namespace emkit::cli
