// The one log-sum-exp of emkit: the row maximum is removed before any
// exponential, so nothing overflows and rows of -inf stay exact. One
// implementation serves float64 and float32 blocks.
#ifndef EMKIT_LOG_SUM_EXP_H_
#define EMKIT_LOG_SUM_EXP_H_

#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "emkit/matrix.h"

namespace emkit {

// exp(x) is a subnormal or zero below this.
inline constexpr double kMinExpArgument = -708.3964185322641;
// The same for float: log(FLT_MIN).
inline constexpr float kMinExpArgumentF = -87.33654475f;

namespace internal {

// The contiguous case, on the block transposed (K x n): every step is then
// an element-wise loop over rows, vectorised across rows, where working on
// the rows themselves would reduce K values horizontally per row.
// The core, on a block stored transposed (K x n: column i is row i's
// values): every step is an element-wise loop over rows, vectorised across
// rows, where working on rows would reduce K values horizontally per row.
template <class Scalar>
void LogSumExpColumnsImpl(
    Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> t,
    Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> out, bool normalize,
    Scalar min_exp_argument) {
  using Row = Eigen::Array<Scalar, 1, Eigen::Dynamic>;
  const Eigen::Index k_count = t.rows();
  const Eigen::Index n = t.cols();
  thread_local Row max;
  thread_local Row sum;
  max = t.row(0).array();
  for (Eigen::Index k = 1; k < k_count; ++k) max = max.max(t.row(k).array());
  const bool all_finite = max.allFinite();
  if (!all_finite) {
    // Rows whose maximum is not finite are finished separately below; give
    // them a harmless maximum so the block arithmetic stays finite.
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isfinite(max[i])) max[i] = Scalar(0);
    }
  }
  // Vectorised exp returns a tiny subnormal, not 0, below the minimum
  // argument (and for -inf), where exp falls under the smallest normal
  // number: zero those exactly, so impossible components get no
  // responsibility at all.
  const Scalar min_exp = std::exp(min_exp_argument);
  sum.setZero(n);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    auto row = t.row(k).array();
    row = (row - max).exp();
    row = (row < min_exp).select(Scalar(0), row);
    sum += row;
  }
  out = (max + sum.log()).transpose();
  if (normalize) {
    for (Eigen::Index k = 0; k < k_count; ++k) t.row(k).array() /= sum;
  }
  if (!all_finite) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if (std::isfinite(out[i]) || !(sum[i] == Scalar(0) || std::isnan(sum[i]))) continue;
      // No support in any component (all -inf) or a NaN: exact result.
      out[i] = std::isnan(sum[i]) ? std::numeric_limits<Scalar>::quiet_NaN()
                                  : -std::numeric_limits<Scalar>::infinity();
      if (normalize) t.col(i).setZero();
    }
  }
}

// The contiguous row case, through the transposed core.
template <class Scalar>
void LogSumExpTransposed(
    Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
        log_values,
    Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> out, bool normalize,
    Scalar min_exp_argument) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  thread_local Matrix t;
  t = log_values.transpose();
  LogSumExpColumnsImpl<Scalar>(t, out, normalize, min_exp_argument);
  if (normalize) log_values = t.transpose();
}

template <class Scalar>
void LogSumExpRowsImpl(
    Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
        log_values,
    Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> out, bool normalize,
    Scalar min_exp_argument) {
  if (log_values.rows() > 0 && log_values.cols() > 0 &&
      log_values.outerStride() == log_values.cols()) {
    LogSumExpTransposed<Scalar>(log_values, out, normalize, min_exp_argument);
    return;
  }
  using Column = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const Eigen::Index n = log_values.rows();
  // Whole-block array operations, so that exp and log are vectorised.
  Column max = log_values.rowwise().maxCoeff();
  bool all_finite = max.allFinite();
  if (!all_finite) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isfinite(max[i])) max[i] = Scalar(0);
    }
  }
  log_values.colwise() -= max;
  const Scalar min_exp = std::exp(min_exp_argument);
  log_values.array() = log_values.array().exp();
  log_values = (log_values.array() < min_exp).select(Scalar(0), log_values.array());
  const Column sum = log_values.rowwise().sum();
  out = max.array() + sum.array().log();
  if (normalize) log_values.array().colwise() /= sum.array();
  if (!all_finite) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if (std::isfinite(out[i]) || !(sum[i] == Scalar(0) || std::isnan(sum[i]))) continue;
      out[i] = std::isnan(sum[i]) ? std::numeric_limits<Scalar>::quiet_NaN()
                                  : -std::numeric_limits<Scalar>::infinity();
      if (normalize) log_values.row(i).setZero();
    }
  }
}

}  // namespace internal

// For each row i of `log_values` (n x K): returns log sum_k exp(v_ik) in
// out[i] and, when normalize is true, replaces the row by the normalised
// probabilities exp(v_ik - out[i]). A row of all -inf gives -inf and zero
// probabilities; a NaN propagates to out[i].
inline void LogSumExpRows(Eigen::Ref<RowMatrix> log_values, Eigen::Ref<Vector> out,
                          bool normalize) {
  internal::LogSumExpRowsImpl<double>(log_values, out, normalize, kMinExpArgument);
}

// The same in float, for float32 blocks.
inline void LogSumExpRows(Eigen::Ref<RowMatrixF> log_values, Eigen::Ref<Eigen::VectorXf> out,
                          bool normalize) {
  internal::LogSumExpRowsImpl<float>(log_values, out, normalize, kMinExpArgumentF);
}

// The same on a block stored transposed: column i of `log_values_t`
// (K x n) holds row i's K values.
inline void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t,
                             Eigen::Ref<Eigen::VectorXf> out, bool normalize) {
  internal::LogSumExpColumnsImpl<float>(log_values_t, out, normalize, kMinExpArgumentF);
}

}  // namespace emkit

#endif  // EMKIT_LOG_SUM_EXP_H_
