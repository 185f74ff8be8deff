// emkit._core model files of the HMM classes (the parameter dicts of
// hmm_binding.cc), and what a model file of any kind holds, for emkit.load:
// other mixtures come back as their codec's dict (registry_binding.cc
// writes them; Gaussian mixtures have their own, in model_binding.cc).
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "arrays.h"
#include "dict_codec.h"
#include "bindings.h"
#include "emkit/error.h"
#include "emkit/io/model_file.h"
#include "models.h"

namespace emkit::python {
namespace {

using namespace nb::literals;

io::AnyModel ToAnyModel(const AnyHmm& hmm) {
  return std::visit(
      [](const auto& h) -> io::AnyModel {
        using H = std::decay_t<decltype(h)>;
        if constexpr (std::is_constructible_v<GaussianHmmModel, H>) {
          return GaussianHmmModel(h);
        } else if constexpr (std::is_constructible_v<GmmHmmModel, H>) {
          return GmmHmmModel(h);
        } else {
          return h;
        }
      },
      hmm);
}

// What a model file holds, as the classes take it: (model kind, family,
// parameters, floor, n_features, feature names). kind is "hmm" or the
// mixture's kind ("bernoulli_mixture", ...). For an HMM, family, n_features
// and floor (reg_covar, pseudo_count or min_rate) are as BuildHmm takes
// them; for a mixture, parameters are the codec's dict. A Gaussian mixture gives kind
// "gaussian_mixture" and nothing else (Model.load reads it).
using Loaded = std::tuple<std::string, std::string, nb::dict, double, std::int64_t,
                          std::vector<std::string>>;

Loaded Load(const std::string& path) {
  std::vector<std::string> names;
  const io::AnyModel model = io::LoadAnyModel(path, &names);
  return std::visit(
      [&](const auto& m) -> Loaded {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, GaussianMixtureModel>) {
          return {"gaussian_mixture", "", nb::dict(), 0.0, 0, names};
        } else if constexpr (std::is_same_v<M, GaussianHmmModel>) {
          return std::visit(
              [&](const auto& h) -> Loaded {
                using F = std::decay_t<decltype(h.emissions())>;
                return {"hmm", F::kCovarianceName, HmmParametersOf(AnyHmm(h)),
                        h.emissions().options().reg_covar, h.emissions().num_features(),
                        names};
              },
              m);
        } else if constexpr (std::is_same_v<M, GmmHmmModel>) {
          return std::visit(
              [&](const auto& h) -> Loaded {
                const auto& inner = h.emissions().components();
                return {"hmm",
                        std::string("gmm-") +
                            std::decay_t<decltype(inner)>::kCovarianceName,
                        HmmParametersOf(AnyHmm(h)), inner.options().reg_covar,
                        h.emissions().num_features(), names};
              },
              m);
        } else if constexpr (std::is_same_v<M, io::CategoricalHmm>) {
          if (m.emissions().layout() != CategoricalLayout::kSymbols) {
            throw InvalidDataError(path + ": CategoricalHMM reads categorical HMMs of the "
                                          "symbols layout only");
          }
          return {"hmm", "categorical", HmmParametersOf(AnyHmm(m)),
                  m.emissions().options().pseudo_count, m.emissions().num_categories(),
                  names};
        } else if constexpr (std::is_same_v<M, io::PoissonHmm>) {
          return {"hmm", "poisson", HmmParametersOf(AnyHmm(m)),
                  m.emissions().options().min_rate, m.emissions().num_features(), names};
        } else if constexpr (kIsHmm<M>) {
          throw InvalidDataError(fmt::format(
              "{}: holds an HMM with {} emissions, which no Python class holds; use emkit "
              "hmm decode, score or sample", path, FamilyOf(m).kFamilyName));
        } else {
          // Every other mixture: the parameters as its family's codec
          // writes them (registry_binding.cc reads them back).
          DictWriter writer;
          EncodeModel(model, writer);
          return {io::ModelKindName(model), std::string(FamilyOf(m).kFamilyName),
                  writer.dict(), 0.0, m.num_features(), names};
        }
      },
      model);
}

}  // namespace

void RegisterModelFiles(nb::module_& m) {
  m.def(
      "hmm_save",
      [](const std::string& family, const nb::dict& params, std::int64_t n_features,
         double floor, const std::string& path, const std::vector<std::string>& names) {
        io::SaveAnyModel(path, ToAnyModel(BuildHmm(family, params, n_features, floor, {})),
                         names);
      },
      "family"_a, "params"_a, "n_features"_a, "floor"_a, "path"_a, "feature_names"_a,
      "Writes an HMM to a JSON model file, as emkit hmm fit -o does.");
  m.def("model_file_load", &Load, "path"_a,
        "(kind, family, params, floor, n_features, feature_names) of a model file.");
}

}  // namespace emkit::python
