// Squared Mahalanobis distances of a block of rows to every component at
// once. With W_f the precision Cholesky factors and c a reference point near
// the data, the whitened residual of row x for component k is
//
//   y_k = (x - c) W_f(k) - (mu_k - c) W_f(k),
//
// so all components' residuals come from ONE matrix product of the centred
// block with the factors stacked side by side [W_0 ... W_F-1] — the shape
// BLAS-like kernels are fast at — instead of K small products.
//
// Rounding: the subtraction of (mu_k - c) W after the product loses digits
// when rows or means sit many standard deviations from c. Each block's
// error bound is checked; a block that fails it (an outlier 10^6 standard
// deviations away, say) is computed exactly, component by component. The
// choice depends on the data and the parameters only, never on threads.
#ifndef EMKIT_FAMILIES_STACKED_WHITENING_H_
#define EMKIT_FAMILIES_STACKED_WHITENING_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/matrix.h"

namespace emkit {

class StackedWhitening {
 public:
  // factors: one per component (full covariance) or a single shared one
  // (tied). Call again whenever means or factors change.
  void Update(const RowMatrix& means, const std::vector<const Eigen::MatrixXd*>& factors);

  // out(i, k) = ||y_k(x_i)||^2 for a block of rows.
  void SquaredDistances(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;

 private:
  void ExactSquaredDistances(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  int FactorOf(int k) const { return factors_.size() == 1 ? 0 : k; }

  RowMatrix means_;
  std::vector<Eigen::MatrixXd> factors_;
  Eigen::RowVectorXd reference_;  // c: the coordinate-wise median of the means
  Eigen::MatrixXd stacked_;       // D x (F D): [W_0 ... W_F-1]
  RowMatrix offsets_;             // K x D: (mu_k - c) W_f(k)
  double max_factor_column_sum_ = 0.0;
  double max_offset_ = 0.0;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_STACKED_WHITENING_H_
