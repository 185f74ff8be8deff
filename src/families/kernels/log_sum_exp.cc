// The log-sum-exp of emkit/log_sum_exp.h, one of the kernels compiled per
// instruction set: the exponentials and logarithms are Eigen's vectorised
// ones, as wide as the variant's registers.
#include "log_sum_exp_kernels.h"

#include <cmath>
#include <limits>

#include "emkit/log_sum_exp.h"
#include "transposed_blocks.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

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
  const Eigen::Index n = log_values.rows();
  const Eigen::Index k_count = log_values.cols();
  // The transposes by SIMD tiles (transposed_blocks.h): exact copies, and
  // no longer left to the compiler's cost model for strided loops.
  t.resize(k_count, n);
  Transpose<Scalar>(log_values.data(), n, k_count, log_values.outerStride(), t.data(), n);
  LogSumExpColumnsImpl<Scalar>(t, out, normalize, min_exp_argument);
  if (normalize) {
    Transpose<Scalar>(t.data(), k_count, n, n, log_values.data(), log_values.outerStride());
  }
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

}  // namespace

void LogSumExpRows(Eigen::Ref<RowMatrix> log_values, Eigen::Ref<Vector> out, bool normalize) {
  LogSumExpRowsImpl<double>(log_values, out, normalize, kMinExpArgument);
}

void LogSumExpRows(Eigen::Ref<RowMatrixF> log_values, Eigen::Ref<Eigen::VectorXf> out,
                   bool normalize) {
  LogSumExpRowsImpl<float>(log_values, out, normalize, kMinExpArgumentF);
}

void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t, Eigen::Ref<Eigen::VectorXf> out,
                      bool normalize) {
  LogSumExpColumnsImpl<float>(log_values_t, out, normalize, kMinExpArgumentF);
}

void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t,
                      const Eigen::Ref<const Eigen::VectorXf>& row_offsets,
                      Eigen::Ref<Eigen::VectorXf> out, bool normalize) {
  log_values_t.colwise() += row_offsets;
  LogSumExpColumnsImpl<float>(log_values_t, out, normalize, kMinExpArgumentF);
}

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
