// Log-densities of a block of rows under every component at once, from the
// whitened residuals. With W_f the precision Cholesky factors and c a
// reference point near the data, the whitened residual of row x for
// component k is
//
//   y_k = (x - c) W_f(k) - (mu_k - c) W_f(k),
//
// so the rows are centred once for all components (not once per
// component), and each residual is one pass of multiply-adds over the
// centred row by a triangular factor (src/families/whitened_distances.h),
// squared as it is formed.
//
// Rounding: the subtraction of (mu_k - c) W after the product loses digits
// when rows or means sit many standard deviations from c. Each block's
// error bound is checked; a block that fails it (an outlier 10^6 standard
// deviations away, say) is computed exactly, component by component. The
// choice depends on the data and the parameters only, never on threads.
#ifndef EMKIT_INTERNAL_STACKED_WHITENING_H_
#define EMKIT_INTERNAL_STACKED_WHITENING_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/matrix.h"

namespace emkit {

class StackedWhitening {
 public:
  // factors: one per component (full covariance) or a single shared one
  // (tied). Call again whenever means or factors change.
  void Update(const RowMatrix& means, const std::vector<const Eigen::MatrixXd*>& factors);

  // out(i, k) = constants[k] - ||y_k(x_i)||^2 / 2 for a block of rows.
  void LogDensities(const MatrixView& x, const Vector& constants,
                    Eigen::Ref<RowMatrix> out) const;

 private:
  void ExactLogDensities(const MatrixView& x, const Vector& constants,
                         Eigen::Ref<RowMatrix> out) const;
  int FactorOf(int k) const { return factors_.size() == 1 ? 0 : k; }

  RowMatrix means_;
  std::vector<Eigen::MatrixXd> factors_;
  // Each factor row-major (the kernel's layout), and whether it is upper
  // triangular with exact zeros below the diagonal (as factors computed
  // from covariances are); a factor read from a file may be lower.
  std::vector<RowMatrix> factor_rows_;
  std::vector<char> upper_;
  Eigen::RowVectorXd reference_;  // c: the coordinate-wise median of the means
  RowMatrix offsets_;             // K x D: (mu_k - c) W_f(k)
  double max_factor_column_sum_ = 0.0;
  double max_offset_ = 0.0;
};

}  // namespace emkit

#endif  // EMKIT_INTERNAL_STACKED_WHITENING_H_
