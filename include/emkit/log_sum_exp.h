// The one log-sum-exp of emkit: the row maximum is removed before any
// exponential, so nothing overflows and rows of -inf stay exact.
#ifndef EMKIT_LOG_SUM_EXP_H_
#define EMKIT_LOG_SUM_EXP_H_

#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "emkit/matrix.h"

namespace emkit {

// For each row i of `log_values` (n x K): returns log sum_k exp(v_ik) in
// out[i] and, when normalize is true, replaces the row by the normalised
// probabilities exp(v_ik - out[i]). A row of all -inf gives -inf and zero
// probabilities.
inline void LogSumExpRows(Eigen::Ref<RowMatrix> log_values, Eigen::Ref<Vector> out,
                          bool normalize) {
  const Eigen::Index k_count = log_values.cols();
  for (Eigen::Index i = 0; i < log_values.rows(); ++i) {
    auto row = log_values.row(i);
    const double max = row.maxCoeff();
    if (!std::isfinite(max)) {
      out[i] = max;  // -inf (no support) or nan/inf (propagated)
      if (normalize) row.setZero();
      continue;
    }
    double sum = 0.0;
    for (Eigen::Index k = 0; k < k_count; ++k) {
      const double e = std::exp(row[k] - max);
      if (normalize) row[k] = e;
      sum += e;
    }
    out[i] = max + std::log(sum);
    if (normalize) row /= sum;
  }
}

}  // namespace emkit

#endif  // EMKIT_LOG_SUM_EXP_H_
