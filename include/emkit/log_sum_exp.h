// The one log-sum-exp of emkit: the row maximum is removed before any
// exponential, so nothing overflows and rows of -inf stay exact. One
// implementation serves float64 and float32 blocks. Compiled in the
// library's kernels, for the processor it runs on (docs/design.md, "Kernels
// and dispatch").
#ifndef EMKIT_LOG_SUM_EXP_H_
#define EMKIT_LOG_SUM_EXP_H_

#include <Eigen/Core>

#include "emkit/matrix.h"

namespace emkit {

// exp(x) is a subnormal or zero below this.
inline constexpr double kMinExpArgument = -708.3964185322641;
// The same for float: log(FLT_MIN).
inline constexpr float kMinExpArgumentF = -87.33654475f;

// For each row i of `log_values` (n x K): returns log sum_k exp(v_ik) in
// out[i] and, when normalize is true, replaces the row by the normalised
// probabilities exp(v_ik - out[i]). A row of all -inf gives -inf and zero
// probabilities; a NaN propagates to out[i].
void LogSumExpRows(Eigen::Ref<RowMatrix> log_values, Eigen::Ref<Vector> out, bool normalize);

// The same in float, for float32 blocks.
void LogSumExpRows(Eigen::Ref<RowMatrixF> log_values, Eigen::Ref<Eigen::VectorXf> out,
                   bool normalize);

// The same on a block stored transposed: column i of `log_values_t`
// (K x n) holds row i's K values.
void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t, Eigen::Ref<Eigen::VectorXf> out,
                      bool normalize);

// The same after adding row_offsets[k] (K values) to row k, in the same
// pass (the float32 E-step's log weights).
void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t,
                      const Eigen::Ref<const Eigen::VectorXf>& row_offsets,
                      Eigen::Ref<Eigen::VectorXf> out, bool normalize);

}  // namespace emkit

#endif  // EMKIT_LOG_SUM_EXP_H_
