// Fuzzes io::ModelFromJson, the loader of model files. Loading must either
// succeed or throw FileFormatError with a sound message. A model that
// loads must save (ModelToJson) and load back with the same parameters, and
// saving it again must give the same text.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "emkit/error.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/model_file.h"
#include "fuzz_checks.h"

namespace emkit::fuzz {
namespace {

constexpr const char* kName = "model.json";

template <class A, class B>
bool SameBits(const A& a, const B& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

void CheckRoundTrip(const GaussianMixtureModel& model,
                    const std::vector<std::string>& names) {
  std::string text;
  try {
    text = io::ModelToJson(model, names);
  } catch (const std::exception& error) {
    Die("a model that loaded cannot be saved", error.what());
  }
  std::vector<std::string> names_again;
  std::optional<GaussianMixtureModel> loaded;
  try {
    loaded = io::ModelFromJson(text, "saved.json", &names_again);
  } catch (const FileFormatError& error) {
    Die("a saved model does not load back", error.what());
  }
  const GaussianMixtureModel& again = *loaded;
  if (CovarianceTypeOf(again) != CovarianceTypeOf(model) ||
      !SameBits(MixtureWeights(again), MixtureWeights(model)) ||
      !SameBits(MixtureMeans(again), MixtureMeans(model)) ||
      names_again != names) {
    Die("a saved model loads back different", text);
  }
  if (io::ModelToJson(again, names_again) != text) {
    Die("saving a loaded model twice gives different text", text);
  }
}

}  // namespace
}  // namespace emkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> names;
  std::optional<emkit::GaussianMixtureModel> loaded;
  try {
    loaded = emkit::io::ModelFromJson(text, emkit::fuzz::kName, &names);
  } catch (const emkit::FileFormatError& error) {
    emkit::fuzz::CheckMessage(error.what(), emkit::fuzz::kName);
    return 0;
  }
  const emkit::GaussianMixtureModel& model = *loaded;
  const int k = emkit::NumComponents(model);
  const int d = emkit::NumFeatures(model);
  if (k < 1 || d < 1 || !emkit::MixtureWeights(model).allFinite() ||
      !emkit::MixtureMeans(model).allFinite()) {
    emkit::fuzz::Die("a loaded model has no components, no features or "
                     "non-finite parameters",
                     text);
  }
  emkit::fuzz::CheckRoundTrip(model, names);
  return 0;
}
