// The checks every Gaussian-emission HMM fit makes of its data before any
// work. Internal to the library.
#ifndef EMKIT_SRC_HMM_SEQUENCE_DATA_CHECKS_H_
#define EMKIT_SRC_HMM_SEQUENCE_DATA_CHECKS_H_

#include <cmath>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/matrix.h"

namespace emkit::internal {

// InvalidDataError for an empty X, a value that is not finite (naming its
// place), or fewer rows than `min_rows` (what the initialisation needs).
inline void ValidateGaussianSequenceData(const MatrixView& x, int min_rows) {
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

}  // namespace emkit::internal

#endif  // EMKIT_SRC_HMM_SEQUENCE_DATA_CHECKS_H_
