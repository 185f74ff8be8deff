#include "emkit/io/checkpoint.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "emkit/error.h"
#include "emkit/mixture_fit.h"
#include "emkit/fit_progress.h"
#include "emkit/io/atomic_file.h"
#include "emkit/io/model_file.h"
#include "emkit/io/report_json.h"
#include "emkit/model_registry.h"

namespace emkit::io {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kFormat = "emkit-checkpoint";

// --- The checkpointable model types, derived from the registry ------------

template <class... T>
struct TypeList {};

template <class... Lists>
struct Concat {
  using type = TypeList<>;
};
template <class... A>
struct Concat<TypeList<A...>> {
  using type = TypeList<A...>;
};
template <class... A, class... B, class... Rest>
struct Concat<TypeList<A...>, TypeList<B...>, Rest...> {
  using type = typename Concat<TypeList<A..., B...>, Rest...>::type;
};

// A variant's alternatives with the nested variants (GaussianMixtureModel,
// GaussianHmmModel, GmmHmmModel) replaced by theirs.
template <class T>
struct Flatten {
  using type = TypeList<T>;
};
template <class... T>
struct Flatten<std::variant<T...>> {
  using type = typename Concat<typename Flatten<T>::type...>::type;
};

// The engine model that fits a stored model on float32 rows: Mixture<F,
// float> for Mixture<F>, HiddenMarkovModel<F, float> for
// HiddenMarkovModel<F>.
template <class M>
struct OnFloatRows {
  using type = TypeList<>;
};
template <class F>
struct OnFloatRows<Mixture<F>> {
  using type = TypeList<Mixture<F, float>>;
};
template <class F>
struct OnFloatRows<HiddenMarkovModel<F>> {
  using type = TypeList<HiddenMarkovModel<F, float>>;
};
template <class List>
struct FloatRowModelsOf;
template <class... M>
struct FloatRowModelsOf<TypeList<M...>> {
  using type = typename Concat<typename OnFloatRows<M>::type...>::type;
};

// The concrete models a checkpoint's model objects decode to.
using StoredModels = Flatten<AnyModel>::type;
using FloatRowModels = FloatRowModelsOf<StoredModels>::type;
// Every engine model type whose progress a checkpoint holds.
using CheckpointedModels = Concat<StoredModels, FloatRowModels>::type;

// Calls f(std::type_identity<M>{}) for every M of the list, in order.
template <class... M, class F>
void ForEachModel(TypeList<M...>, F&& f) {
  (f(std::type_identity<M>{}), ...);
}

// How an engine model is stored: as itself, or one on float rows as the
// same parameters on double rows.
template <class M>
struct Storage {
  static const M& Stored(const M& model) { return model; }
};
template <class F>
struct Storage<Mixture<F, float>> {
  static Mixture<F> Stored(const Mixture<F, float>& model) { return Mixture<F>(model); }
};
template <class F>
struct Storage<HiddenMarkovModel<F, float>> {
  static HiddenMarkovModel<F> Stored(const HiddenMarkovModel<F, float>& model) {
    return HiddenMarkovModel<F>(model);
  }
};

// --- Writing ----------------------------------------------------------------

template <class M>
void CheckStorable(const M& model) {
  if constexpr (kIsHmm<M>) {
    const HmmFitParameters& fit = model.fit_parameters();
    if (!model.chain_priors().empty() || !fit.start || !fit.transitions || !fit.emissions) {
      throw InvalidOptionError(
          "a checkpoint cannot hold an HMM with chain priors or parameters kept fixed "
          "(HmmFitParameters): model files do not store them");
    }
  } else {
    (void)model;
  }
}

template <class M>
Json ModelJson(const M& model, const std::vector<std::string>& names) {
  CheckStorable(model);
  return Json::parse(AnyModelToJson(ToAnyModel(Storage<M>::Stored(model)), names));
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
    finished.push_back(Json::parse(RestartRecordToJson(record)));
  }
  j["finished"] = std::move(finished);
  j["best_restart"] = progress.best_restart;
  j["best_total_log_likelihood"] = Number(progress.best_total_log_likelihood);
  j["best"] = progress.best ? ModelJson(*progress.best, names) : Json(nullptr);
  j["current"] = Json::parse(RestartRecordToJson(progress.current));
  j["model"] = progress.model ? ModelJson(*progress.model, names) : Json(nullptr);
  return j;
}

// Calls f(progress) with the typed FitProgress inside `progress`.
template <class F>
void VisitProgress(const std::any& progress, F&& f) {
  bool found = false;
  ForEachModel(CheckpointedModels{}, [&](auto tag) {
    using M = typename decltype(tag)::type;
    if (found) return;
    if (const FitProgress<M>* typed = ProgressOf<M>(progress)) {
      f(*typed);
      found = true;
    }
  });
  if (!found) {
    throw std::logic_error(
        "checkpoint: the progress of a model type that is not in the model registry");
  }
}

// --- Reading ----------------------------------------------------------------

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

  RestartRecord Record(const Json& j) const { return RestartRecordFromJson(j.dump(), path_); }

  std::optional<AnyModel> Model(const Json& j, const char* key) const {
    const Json& v = At(j, key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_object()) Fail(fmt::format("\"{}\" must be a model or null", key));
    return AnyModelFromJson(v.dump(), fmt::format("{} (\"{}\")", path_, key));
  }

 private:
  std::string path_;
};

// The concrete model inside `model` when it is an M.
template <class M>
std::optional<M> As(const std::optional<AnyModel>& model) {
  std::optional<M> out;
  if (!model) return out;
  VisitModel(*model, [&out](const auto& concrete) {
    if constexpr (std::is_same_v<std::decay_t<decltype(concrete)>, M>) out = concrete;
  });
  return out;
}

// The FitProgress<M> for the M of the registry that `model` or `best` is.
std::any TypedProgress(const Reader& in, std::vector<RestartRecord> finished,
                       int best_restart, double best_loglik,
                       const std::optional<AnyModel>& best,
                       const std::optional<AnyModel>& model, RestartRecord current) {
  if (!best && !model) {
    in.Fail("holds no model (both \"best\" and \"model\" are null)");
  }
  std::any out;
  ForEachModel(StoredModels{}, [&](auto tag) {
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
  if (!out.has_value()) throw std::logic_error("checkpoint: a model outside the registry");
  return out;
}

// FNV-1a over 64-bit words: every bit of every word counts, in order.
class Fnv1a {
 public:
  Fnv1a() = default;
  // Continues from an earlier hash().
  explicit Fnv1a(std::uint64_t hash) : hash_(hash) {}
  void Mix(std::uint64_t word) {
    hash_ ^= word;
    hash_ *= 1099511628211ull;
  }
  std::uint64_t hash() const { return hash_; }

 private:
  std::uint64_t hash_ = 14695981039346656037ull;
};

}  // namespace

namespace {

template <DataScalar Scalar>
DataFingerprint FingerprintOfRows(const MatrixViewOf<Scalar>& values) {
  Fnv1a hash;
  hash.Mix(static_cast<std::uint64_t>(values.rows()));
  hash.Mix(static_cast<std::uint64_t>(values.cols()));
  const Scalar* data = values.data();
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    const double value = data[i];
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    hash.Mix(bits);
  }
  return DataFingerprint{values.rows(), values.cols(), hash.hash()};
}

}  // namespace

DataFingerprint FingerprintOf(const MatrixView& values) { return FingerprintOfRows(values); }

DataFingerprinter::DataFingerprinter(std::int64_t rows, std::int64_t columns)
    : rows_(rows), columns_(columns) {
  Fnv1a hash;
  hash.Mix(static_cast<std::uint64_t>(rows));
  hash.Mix(static_cast<std::uint64_t>(columns));
  hash_ = hash.hash();
}

void DataFingerprinter::Add(const MatrixView& rows) {
  Fnv1a hash(hash_);
  const double* data = rows.data();
  for (Eigen::Index i = 0; i < rows.size(); ++i) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &data[i], sizeof bits);
    hash.Mix(bits);
  }
  hash_ = hash.hash();
}

DataFingerprint DataFingerprinter::Finish() const {
  return DataFingerprint{rows_, columns_, hash_};
}

DataFingerprint FingerprintOf(const MatrixViewF& values) { return FingerprintOfRows(values); }

DataFingerprint FingerprintOfLengths(std::span<const std::int64_t> lengths,
                                     std::int64_t rows) {
  const std::span<const std::int64_t> all(&rows, 1);
  const std::span<const std::int64_t> used = lengths.empty() ? all : lengths;
  Fnv1a hash;
  hash.Mix(static_cast<std::uint64_t>(used.size()));
  hash.Mix(1);
  for (const std::int64_t length : used) hash.Mix(static_cast<std::uint64_t>(length));
  return DataFingerprint{static_cast<std::int64_t>(used.size()), 1, hash.hash()};
}

std::string ChecksumText(std::uint64_t checksum) { return fmt::format("{:016x}", checksum); }

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
  if (version > kCheckpointVersion) {
    in.Fail(fmt::format("checkpoint version {} is newer than this emkit reads ({})", version,
                        kCheckpointVersion));
  }
  Checkpoint checkpoint;
  checkpoint.path = path;
  const Json& settings = in.At(j, "settings");
  if (!settings.is_object()) in.Fail("\"settings\" must be an object");
  checkpoint.settings = settings.dump();
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
  const std::optional<AnyModel> best = in.Model(j, "best");
  const std::optional<AnyModel> model = in.Model(j, "model");
  checkpoint.where = Where(finished.size(), model.has_value(), current);
  checkpoint.progress =
      TypedProgress(in, std::move(finished), static_cast<int>(best_restart), best_loglik,
                    best, model, std::move(current));
  return checkpoint;
}

std::any Float32Progress(const Checkpoint& checkpoint) {
  std::any out;
  ForEachModel(FloatRowModels{}, [&]<class M>(std::type_identity<M>) {
    using Stored = std::remove_cvref_t<decltype(Storage<M>::Stored(std::declval<const M&>()))>;
    const FitProgress<Stored>* stored = ProgressOf<Stored>(checkpoint.progress);
    if (stored == nullptr) return;
    const auto on_float_rows = [](const std::optional<Stored>& m) {
      return m ? std::optional<M>(M(*m)) : std::nullopt;
    };
    out = FitProgress<M>{stored->finished,
                         stored->best_restart,
                         on_float_rows(stored->best),
                         stored->best_total_log_likelihood,
                         on_float_rows(stored->model),
                         stored->current};
  });
  if (!out.has_value()) {
    throw FileFormatError(
        fmt::format("{}: holds no model that a float32 fit continues", checkpoint.path));
  }
  return out;
}

CheckpointWriter::CheckpointWriter(std::string path, const std::string& settings,
                                   DataFingerprint data,
                                   std::vector<std::string> feature_names,
                                   double interval_seconds)
    : path_(std::move(path)),
      settings_(settings),
      data_(data),
      feature_names_(std::move(feature_names)),
      interval_seconds_(interval_seconds),
      last_write_(std::chrono::steady_clock::now()) {
  const Json parsed = Json::parse(settings_, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    throw InvalidOptionError("checkpoint settings must be the text of a JSON object");
  }
}

void CheckpointWriter::Attach(FitOptions* fit_options) {
  fit_options->on_progress = [this, previous = std::move(fit_options->on_progress)](
                                 const std::any& progress) {
    if (previous) previous(progress);
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
  j["version"] = kCheckpointVersion;
  j["settings"] = Json::parse(settings_);
  j["data"] = {{"rows", data_.rows},
               {"columns", data_.columns},
               {"checksum", ChecksumText(data_.checksum)}};
  j["feature_names"] = feature_names_;
  VisitProgress(latest_, [&](const auto& typed) {
    Json progress = ProgressJson(typed, feature_names_);
    for (auto& [key, value] : progress.items()) j[key] = std::move(value);
  });
  const std::string text = j.dump(1) + "\n";
  WriteFileAtomically(path_, [&text](std::ostream& out) { out << text; });
  written_ = true;
  last_write_ = std::chrono::steady_clock::now();
}

}  // namespace emkit::io
