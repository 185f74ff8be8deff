#include "emkit/family_fit.h"

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {

void MixtureOptions::Validate() const {
  if (n_components < 1) {
    throw InvalidOptionError(fmt::format("n_components = {} must be >= 1", n_components));
  }
  kmeans.Validate();
}

namespace internal {

void CheckInitialModelFeatures(int model_features, const MatrixView& x) {
  if (model_features != x.cols()) {
    throw InvalidDataError(fmt::format(
        "the initial model has {} features, but X has {} columns", model_features,
        x.cols()));
  }
}

void CheckSequenceRows(const MatrixView& x, int n_states) {
  if (x.rows() == 0 || x.cols() == 0) {
    throw InvalidDataError(fmt::format(
        "X has shape ({}, {}): at least one row and one column are needed", x.rows(),
        x.cols()));
  }
  if (x.rows() < n_states) {
    throw InvalidDataError(fmt::format(
        "X has {} rows, fewer than n_states = {}: each state needs at least one row",
        x.rows(), n_states));
  }
}

}  // namespace internal
}  // namespace emkit
