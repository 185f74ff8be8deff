// Gaussian mixtures in model files: the original entry points, now the
// any-kind ones (model_file_kinds.cc) restricted to one kind.
#include "emkit/io/model_file.h"

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "emkit/io/atomic_file.h"
#include "model_file_json.h"

namespace emkit::io {
namespace {

// Hand-written files may leave "model" out; those are Gaussian mixtures.
constexpr const char* kModelKind = "gaussian_mixture";

}  // namespace

std::string ModelToJson(const GaussianMixtureModel& model,
                        const std::vector<std::string>& feature_names) {
  return AnyModelToJson(AnyModel(model), feature_names);
}

GaussianMixtureModel ModelFromJson(const std::string& text,
                                   const std::string& display_name,
                                   std::vector<std::string>* feature_names) {
  const internal::ModelJsonReader reader(display_name);
  const internal::Json root = reader.ParseRoot(text);
  if (const internal::Json* model = reader.Find(root, "model");
      model != nullptr && *model != kModelKind) {
    reader.Fail(fmt::format("\"model\" is {}, not \"{}\"", internal::DescribeValue(*model),
                            kModelKind));
  }
  return std::get<GaussianMixtureModel>(AnyModelFromJson(text, display_name, feature_names));
}

void SaveModel(const std::string& path, const GaussianMixtureModel& model,
               const std::vector<std::string>& feature_names) {
  SaveAnyModel(path, AnyModel(model), feature_names);
}

GaussianMixtureModel LoadModel(const std::string& path,
                               std::vector<std::string>* feature_names) {
  return ModelFromJson(internal::ReadModelText(path), path, feature_names);
}

}  // namespace emkit::io
