// The one log-sum-exp of emkit: the row maximum is removed before any
// exponential, so nothing overflows and rows of -inf stay exact.
#ifndef EMKIT_LOG_SUM_EXP_H_
#define EMKIT_LOG_SUM_EXP_H_

#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "emkit/matrix.h"

namespace emkit {

// exp(x) is a subnormal or zero below this.
inline constexpr double kMinExpArgument = -708.3964185322641;

// For each row i of `log_values` (n x K): returns log sum_k exp(v_ik) in
// out[i] and, when normalize is true, replaces the row by the normalised
// probabilities exp(v_ik - out[i]). A row of all -inf gives -inf and zero
// probabilities; a NaN propagates to out[i].
inline void LogSumExpRows(Eigen::Ref<RowMatrix> log_values, Eigen::Ref<Vector> out,
                          bool normalize) {
  const Eigen::Index n = log_values.rows();
  // Whole-block array operations, so that exp and log are vectorised.
  Vector max = log_values.rowwise().maxCoeff();
  bool all_finite = max.allFinite();
  if (!all_finite) {
    // Rows whose maximum is not finite are finished separately below; give
    // them a harmless maximum so the block arithmetic stays finite.
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isfinite(max[i])) max[i] = 0.0;
    }
  }
  log_values.colwise() -= max;
  // Vectorised exp returns the smallest subnormal, not 0, below about -708
  // (and for -inf): zero those exactly, so impossible components get no
  // responsibility at all.
  log_values = (log_values.array() < kMinExpArgument)
                   .select(0.0, log_values.array().exp());
  const Vector sum = log_values.rowwise().sum();
  out = max.array() + sum.array().log();
  if (normalize) log_values.array().colwise() /= sum.array();
  if (!all_finite) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if (std::isfinite(out[i]) || !(sum[i] == 0.0 || std::isnan(sum[i]))) continue;
      // No support in any component (all -inf) or a NaN: exact result.
      out[i] = std::isnan(sum[i]) ? std::numeric_limits<double>::quiet_NaN()
                                  : -std::numeric_limits<double>::infinity();
      if (normalize) log_values.row(i).setZero();
    }
  }
}

}  // namespace emkit

#endif  // EMKIT_LOG_SUM_EXP_H_
