#include "dtype.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "common.h"
#include "emkit/error.h"

namespace emkit::cli {

bool IsFloat32(const std::string& dtype) {
  if (dtype != "float64" && dtype != "float32") {
    throw InvalidOptionError(
        fmt::format("--dtype \"{}\" is not one of float64, float32", dtype));
  }
  return dtype == "float32";
}

RowMatrixF ToFloat32(const RowMatrix& values, const std::string& path) {
  constexpr double kLargest = std::numeric_limits<float>::max();
  for (Eigen::Index i = 0; i < values.rows(); ++i) {
    for (Eigen::Index j = 0; j < values.cols(); ++j) {
      if (std::abs(values(i, j)) > kLargest) {
        throw InvalidDataError(fmt::format(
            "{}: X[{}, {}] = {} is outside the range of float32 (|x| <= {:.7g}); use "
            "--dtype float64", DisplayPath(path), i, j, values(i, j), kLargest));
      }
    }
  }
  return values.cast<float>();
}

}  // namespace emkit::cli
