// The checks every Gaussian-emission HMM fit (single Gaussians or mixtures)
// makes before any work. Internal to the library.
#ifndef EMKIT_SRC_HMM_GAUSSIAN_HMM_INPUTS_H_
#define EMKIT_SRC_HMM_GAUSSIAN_HMM_INPUTS_H_

#include <cmath>
#include <variant>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/matrix.h"
#include "emkit/gaussian_mixture.h"

namespace emkit::internal {

// InvalidDataError for an empty X, a value that is not finite (naming its
// place), or fewer rows than `min_rows` (what the initialisation needs).
template <class View>
void ValidateGaussianSequenceData(const View& x, int min_rows) {
  if (x.rows() == 0 || x.cols() == 0) {
    throw InvalidDataError(fmt::format(
        "X has shape ({}, {}): at least one row and one column are needed", x.rows(),
        x.cols()));
  }
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(x(i, j))) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: values must be finite (missing values are not supported)", i,
            j, x(i, j)));
      }
    }
  }
  if (x.rows() < min_rows) {
    throw InvalidDataError(fmt::format(
        "X has {} rows, fewer than n_states = {}: each state needs at least one row",
        x.rows(), min_rows));
  }
}

// The covariance type the fit uses: the initial model's when there is one
// (a variant in CovarianceType order, whose feature count must match x),
// else `requested`. Checks x as ValidateGaussianSequenceData does.
template <class ModelVariant, class View>
CovarianceType CheckGaussianHmmInputs(const ModelVariant* init_model,
                                      CovarianceType requested, int n_states,
                                      const View& x) {
  CovarianceType type = requested;
  if (init_model != nullptr) {
    type = static_cast<CovarianceType>(init_model->index());
    n_states = std::visit([](const auto& h) { return h.num_states(); }, *init_model);
    const int features =
        std::visit([](const auto& h) { return h.emissions().num_features(); }, *init_model);
    if (features != x.cols()) {
      throw InvalidDataError(fmt::format(
          "the initial model has {} features, but X has {} columns", features, x.cols()));
    }
  }
  ValidateGaussianSequenceData(x, n_states);
  return type;
}

}  // namespace emkit::internal

#endif  // EMKIT_SRC_HMM_GAUSSIAN_HMM_INPUTS_H_
