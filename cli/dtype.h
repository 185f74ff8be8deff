// --dtype: the scalar type the fit commands hold the data in (float64, or
// float32 for half the memory; emkit/matrix.h, DataScalar).
#ifndef EMKIT_CLI_DTYPE_H_
#define EMKIT_CLI_DTYPE_H_

#include <cstdint>
#include <string>

#include "emkit/matrix.h"

namespace emkit::cli {

inline constexpr const char* kDtypeHelp =
    "float64, or float32 to hold the data in float32; Gaussian mixtures then run the "
    "E-step in float, every other model widens each block (statistics and parameters "
    "stay float64; default float64)";

// Whether --dtype asks for float32; InvalidOptionError for anything but
// "float64" and "float32".
bool IsFloat32(const std::string& dtype);

// The rows as float32; a value outside float32's range is an
// InvalidDataError "PATH: X[i, j] = ..." rather than an infinity.
RowMatrixF ToFloat32(const RowMatrix& values, const std::string& path);

// Whether `value` is outside float32's range, and the message ToFloat32
// gives for it as X[row, col].
bool OutsideFloat32(double value);
std::string OutsideFloat32Message(const std::string& path, std::int64_t row, std::int64_t col,
                                  double value);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_DTYPE_H_
