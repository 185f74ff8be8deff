// Model files of every kind: the header and feature names here, everything
// else from the model registry and the families' codecs.
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/io/atomic_file.h"
#include "emkit/io/model_file.h"
#include "json_parameters.h"
#include "model_file_json.h"

namespace emkit::io {

std::string AnyModelToJson(const AnyModel& model,
                           const std::vector<std::string>& feature_names) {
  const int d = NumFeaturesOf(model);
  if (!feature_names.empty() && static_cast<int>(feature_names.size()) != d) {
    throw InvalidOptionError(fmt::format(
        "feature_names has {} names, but the model has {} features",
        feature_names.size(), d));
  }
  internal::Json j = internal::ModelHeader();
  internal::JsonParameterWriter writer(&j);
  EncodeModel(model, writer);
  if (!feature_names.empty()) j["feature_names"] = feature_names;
  return internal::PrettyText(j);
}

AnyModel AnyModelFromJson(const std::string& text, const std::string& display_name,
                          std::vector<std::string>* feature_names) {
  const internal::ModelJsonReader reader(display_name);
  const internal::Json root = reader.ParseRoot(text);
  AnyModel model = DecodeModel(internal::JsonParameterReader(reader, root));
  reader.ReadFeatureNames(root, NumFeaturesOf(model), feature_names);
  return model;
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
