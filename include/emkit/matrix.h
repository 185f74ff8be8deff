// The matrix types emkit uses at its boundaries. Data are row-major with
// samples as rows (numpy's C order), so a C-contiguous float64 or float32
// numpy array, or a std::vector of n*d values, is viewed without a copy.
// Data come in either scalar type (DataScalar); parameters and statistics
// are always double.
#ifndef EMKIT_MATRIX_H_
#define EMKIT_MATRIX_H_

#include <concepts>

#include <Eigen/Core>

namespace emkit {

// The element types data may have: float64, or float32 to halve the memory
// of the data and run the E-step's kernels in float where a family has them.
template <class T>
concept DataScalar = std::same_as<T, double> || std::same_as<T, float>;

template <DataScalar Scalar>
using RowMatrixOf = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// A read-only view of n samples (rows) by d features (columns).
template <DataScalar Scalar>
using MatrixViewOf = Eigen::Map<const RowMatrixOf<Scalar>>;

using RowMatrix = RowMatrixOf<double>;
using Vector = Eigen::VectorXd;

using MatrixView = MatrixViewOf<double>;

inline MatrixView ViewOf(const RowMatrix& m) {
  return MatrixView(m.data(), m.rows(), m.cols());
}

using RowMatrixF = RowMatrixOf<float>;
using MatrixViewF = MatrixViewOf<float>;

inline MatrixViewF ViewOf(const RowMatrixF& m) {
  return MatrixViewF(m.data(), m.rows(), m.cols());
}

// The rows of x in double: x itself, or float rows widened into *buffer
// (exactly: every float is a double).
inline MatrixView WidenedRows(const MatrixView& x, RowMatrix* /*buffer*/) { return x; }
inline MatrixView WidenedRows(const MatrixViewF& x, RowMatrix* buffer) {
  *buffer = x.cast<double>();
  return ViewOf(*buffer);
}

}  // namespace emkit

#endif  // EMKIT_MATRIX_H_
