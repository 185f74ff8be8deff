// Fuzzes io::AnyModelFromJson, the loader of model files of every kind
// (Gaussian, Bernoulli, categorical and Poisson mixtures; hidden Markov
// models with each emission family). Loading must either succeed or throw
// FileFormatError with a sound message. A model that loads must have finite
// parameters, must save (AnyModelToJson) and load back, and saving it again
// must give the same text: numbers are written as the shortest text that
// reads back as the same double, so equal text means equal parameters.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emkit/error.h"
#include "emkit/io/model_file.h"
#include "fuzz_checks.h"

namespace emkit::fuzz {
namespace {

constexpr const char* kName = "model.json";

void CheckRoundTrip(const io::AnyModel& model, const std::vector<std::string>& names,
                    const std::string& input) {
  std::string text;
  try {
    text = io::AnyModelToJson(model, names);
  } catch (const std::exception& error) {
    // Saving refuses non-finite parameters; a loaded model must have none.
    Die("a model that loaded cannot be saved", std::string(error.what()) + "\n" + input);
  }
  std::vector<std::string> names_again;
  std::optional<io::AnyModel> again;
  try {
    again = io::AnyModelFromJson(text, "saved.json", &names_again);
  } catch (const FileFormatError& error) {
    Die("a saved model does not load back", std::string(error.what()) + "\n" + text);
  }
  if (again->index() != model.index() || names_again != names) {
    Die("a saved model loads back as another kind or with other names", text);
  }
  if (io::AnyModelToJson(*again, names_again) != text) {
    Die("saving a loaded model twice gives different text", text);
  }
}

}  // namespace
}  // namespace emkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> names;
  std::optional<emkit::io::AnyModel> loaded;
  try {
    loaded = emkit::io::AnyModelFromJson(text, emkit::fuzz::kName, &names);
  } catch (const emkit::FileFormatError& error) {
    emkit::fuzz::CheckMessage(error.what(), emkit::fuzz::kName);
    return 0;
  }
  if (emkit::io::NumFeaturesOf(*loaded) < 1) {
    emkit::fuzz::Die("a loaded model has no features", text);
  }
  emkit::fuzz::CheckRoundTrip(*loaded, names, text);
  return 0;
}
