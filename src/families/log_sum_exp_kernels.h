// The log-sum-exp kernels behind emkit/log_sum_exp.h (one per instruction
// set; kernel_namespace.h).
#ifndef EMKIT_SRC_FAMILIES_LOG_SUM_EXP_KERNELS_H_
#define EMKIT_SRC_FAMILIES_LOG_SUM_EXP_KERNELS_H_

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "kernel_namespace.h"

namespace emkit::internal {
EMKIT_KERNEL_NAMESPACE_BEGIN

void LogSumExpRows(Eigen::Ref<RowMatrix> log_values, Eigen::Ref<Vector> out, bool normalize);
void LogSumExpRows(Eigen::Ref<RowMatrixF> log_values, Eigen::Ref<Eigen::VectorXf> out,
                   bool normalize);
void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t, Eigen::Ref<Eigen::VectorXf> out,
                      bool normalize);
void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t,
                      const Eigen::Ref<const Eigen::VectorXf>& row_offsets,
                      Eigen::Ref<Eigen::VectorXf> out, bool normalize);

EMKIT_KERNEL_NAMESPACE_END
}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_LOG_SUM_EXP_KERNELS_H_
