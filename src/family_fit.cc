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

void CheckInitialModelFeatures(int model_features, Eigen::Index x_columns) {
  if (model_features != x_columns) {
    throw InvalidDataError(fmt::format(
        "the initial model has {} features, but X has {} columns", model_features,
        x_columns));
  }
}

void CheckSequenceRows(Eigen::Index x_rows, Eigen::Index x_columns, int n_states) {
  if (x_rows == 0 || x_columns == 0) {
    throw InvalidDataError(fmt::format(
        "X has shape ({}, {}): at least one row and one column are needed", x_rows,
        x_columns));
  }
  if (x_rows < n_states) {
    throw InvalidDataError(fmt::format(
        "X has {} rows, fewer than n_states = {}: each state needs at least one row",
        x_rows, n_states));
  }
}

}  // namespace internal
}  // namespace emkit
