#include "fit_request.h"

#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include "arrays.h"
#include "dict_codec.h"
#include "emkit/error.h"
#include "emkit/model_registry.h"
#include "option_tables.h"

namespace emkit::python {
namespace {

template <class T>
T Cast(nb::handle value, const std::string& key) {
  try {
    return nb::cast<T>(value);
  } catch (const nb::cast_error&) {
    throw InvalidOptionError(fmt::format("option {} = {} has the wrong type", key,
                                         nb::str(value).c_str()));
  }
}

InputArray CastArray(nb::handle value, const std::string& key) {
  InputArray a;
  if (!nb::try_cast(value, a, /*convert=*/false)) {
    throw InvalidOptionError(fmt::format(
        "option {} must be a C-contiguous float64 numpy array", key));
  }
  return a;
}

}  // namespace

const std::vector<std::string>& OptionKeys() {
  // The mixture's keys, the engine's table, then the initial parameters.
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k = {"n_components", "covariance_type", "init",
                                  "kmeans_max_iter", "reg_covar"};
    for (std::string& name : EngineOptionNames()) k.push_back(std::move(name));
    for (const char* name : {"initial_weights", "initial_means", "initial_precisions",
                             "initial_model", "callback"}) {
      k.emplace_back(name);
    }
    return k;
  }();
  return keys;
}

FitRequest ParseFitRequest(const nb::dict& options) {
  FitRequest r;
  for (auto [key_handle, value] : options) {
    const std::string key = Cast<std::string>(key_handle, "key");
    if (value.is_none()) continue;  // None leaves the default
    // The engine's options, by the names of its table (FitOptions::Describe).
    if (SetOptionFrom(&r.fit, key, value)) continue;
    if (key == "n_components") {
      r.mixture.n_components = Cast<int>(value, key);
    } else if (key == "covariance_type") {
      r.mixture.covariance_type = ParseCovarianceType(Cast<std::string>(value, key));
    } else if (key == "init") {
      r.mixture.init = ParseInitMethod(Cast<std::string>(value, key));
    } else if (key == "kmeans_max_iter") {
      r.mixture.kmeans.max_iter = Cast<int>(value, key);
    } else if (key == "reg_covar") {
      r.mixture.gaussian.reg_covar = Cast<double>(value, key);
    } else if (key == "initial_weights" || key == "initial_means" ||
               key == "initial_precisions") {
      const InputArray a = CastArray(value, key);
      if (key == "initial_means" && a.ndim() != 2) {
        throw InvalidOptionError("option initial_means must be 2-D");
      }
      // The codec's key: "weights", "means", "precisions".
      r.initial_parameters[key.substr(std::string("initial_").size()).c_str()] = value;
    } else if (key == "initial_model") {
      const AnyModel model = DecodeModelFromDict(Cast<nb::dict>(value, key), "initial_model");
      const auto* gaussian = std::get_if<GaussianMixtureModel>(&model);
      if (gaussian == nullptr) {
        throw InvalidOptionError(fmt::format(
            "option initial_model describes a {}, not a Gaussian mixture",
            ModelKindName(model)));
      }
      r.initial_model = *gaussian;
    } else if (key == "callback") {
      r.callback = nb::borrow(value);
    } else {
      throw InvalidOptionError(fmt::format("unknown option {}", key));
    }
  }
  return r;
}

}  // namespace emkit::python
