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

bool OutsideFloat32(double value) {
  return std::abs(value) > static_cast<double>(std::numeric_limits<float>::max());
}

std::string OutsideFloat32Message(const std::string& path, std::int64_t row, std::int64_t col,
                                  double value) {
  return fmt::format(
      "{}: X[{}, {}] = {} is outside the range of float32 (|x| <= {:.7g}); use "
      "--dtype float64", DisplayPath(path), row, col, value,
      static_cast<double>(std::numeric_limits<float>::max()));
}

RowMatrixF ToFloat32(const RowMatrix& values, const std::string& path) {
  for (Eigen::Index i = 0; i < values.rows(); ++i) {
    for (Eigen::Index j = 0; j < values.cols(); ++j) {
      if (OutsideFloat32(values(i, j))) {
        throw InvalidDataError(OutsideFloat32Message(path, i, j, values(i, j)));
      }
    }
  }
  return values.cast<float>();
}

}  // namespace emkit::cli
