// The matrix types emkit uses at its boundaries. Data are row-major with
// samples as rows (numpy's C order), so a C-contiguous float64 numpy array or
// a std::vector<double> of n*d values is viewed without a copy; float32 data
// have their own view (MatrixViewF) and are never widened to a copy.
#ifndef EMKIT_MATRIX_H_
#define EMKIT_MATRIX_H_

#include <Eigen/Core>

namespace emkit {

using RowMatrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;

// A read-only view of n samples (rows) by d features (columns).
using MatrixView = Eigen::Map<const RowMatrix>;

inline MatrixView ViewOf(const RowMatrix& m) {
  return MatrixView(m.data(), m.rows(), m.cols());
}

// float32 data: a C-contiguous float32 numpy array or n*d floats.
using RowMatrixF =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixViewF = Eigen::Map<const RowMatrixF>;

inline MatrixViewF ViewOf(const RowMatrixF& m) {
  return MatrixViewF(m.data(), m.rows(), m.cols());
}

}  // namespace emkit

#endif  // EMKIT_MATRIX_H_
