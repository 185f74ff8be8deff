// What one call of emkit._core.fit asks for, read from the flat dictionary of
// engine options that the Python estimator builds from its parameters (its
// table of names lives in emkit/_options.py). Unknown keys are an error, so
// the two sides cannot drift apart silently.
#ifndef EMKIT_PYTHON_FIT_REQUEST_H_
#define EMKIT_PYTHON_FIT_REQUEST_H_

#include <optional>
#include <string>
#include <vector>

#include <nanobind/nanobind.h>

#include "emkit/gaussian_mixture.h"
#include "emkit/options.h"

namespace emkit::python {

// Every key the dictionary may hold, in the order of the documentation.
const std::vector<std::string>& OptionKeys();

struct FitRequest {
  FitOptions fit;
  GaussianMixtureOptions mixture;
  // User-given initial parameters (any subset) under the keys of the
  // Gaussian codec ("weights", "means", "precisions": float64 arrays in
  // scikit-learn's shapes); the rest comes from mixture.init, as in
  // scikit-learn. Read and changed with the GIL held only.
  nanobind::dict initial_parameters;
  // A whole model to start from (warm start, given as its codec dict): one
  // restart from it.
  std::optional<GaussianMixtureModel> initial_model;
  // Called with (restart, iteration, mean_log_likelihood, bound_gain,
  // loglik_gain, seconds) after every iteration; a true result stops the fit.
  nanobind::object callback;

  bool HasInitialParameters() const { return initial_parameters.size() > 0; }
  // All of weights, means and precisions: no initialisation runs.
  bool HasAllInitialParameters() const { return initial_parameters.size() == 3; }
};

// Throws InvalidOptionError naming an unknown key or a value of the wrong type.
FitRequest ParseFitRequest(const nanobind::dict& options);

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_FIT_REQUEST_H_
