// A Gaussian mixture fitted on float32 rows: the engine's model for
// RowBlocksF. It wraps a Mixture<Family> (double parameters, double
// statistics, the same M-step and Q) and runs the E-step with the family's
// float32 kernel (gaussian_float32.h): log-densities, log-sum-exp and the
// per-block moments in float, the block's log-likelihood and all
// statistics added in double.
#ifndef EMKIT_FAMILIES_GAUSSIAN_MIXTURE_FLOAT32_H_
#define EMKIT_FAMILIES_GAUSSIAN_MIXTURE_FLOAT32_H_

#include <algorithm>
#include <cstdint>
#include <utility>

#include <Eigen/Core>

#include "emkit/families/gaussian_float32.h"
#include "emkit/log_sum_exp.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/options.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"

namespace emkit {

// The smallest certificate tolerance of a float32 fit. Its log-likelihoods
// come from float log-densities, whose rounding (a few float epsilons of
// each row's value, partly shared by all rows, e.g. a rounded constant)
// moves L by about 1e-7 of |L| from one iteration to the next; the default
// 1e-9 would report that noise as violations once EM has converged.
inline constexpr double kFloat32CertificateTolerance = 1e-6;

// The options a float32 fit runs with: the caller's, with the certificate
// tolerance raised to kFloat32CertificateTolerance.
inline FitOptions Float32FitOptions(FitOptions options) {
  options.certificate_tolerance =
      std::max(options.certificate_tolerance, kFloat32CertificateTolerance);
  return options;
}

template <class Family>
class Float32Mixture {
 public:
  using Block = RowBlockF;
  using Statistics = typename Family::Statistics;
  using Kernel = typename Float32Kernel<Family>::type;

  explicit Float32Mixture(Mixture<Family> mixture)
      : mixture_(std::move(mixture)),
        kernel_(mixture_.components()),
        log_weights_(mixture_.weights().array().log().template cast<float>().transpose()) {}

  const Mixture<Family>& mixture() const { return mixture_; }
  Mixture<Family>&& release() && { return std::move(mixture_); }

  // --- The engine's concept (emkit/model.h) ---

  Statistics NewStatistics() const { return mixture_.NewStatistics(); }

  double EStep(const RowBlockF& block, Statistics* stats) const {
    // Transposed (K x n) from the log-densities to the statistics: the
    // log-sum-exp and the per-component sums run along rows of the block.
    thread_local RowMatrixF responsibilities_t;
    thread_local Eigen::VectorXf log_norm;
    const Eigen::Index n = block.rows.rows();
    kernel_.LogProbabilitiesTransposed(mixture_.components(), block.rows, &responsibilities_t);
    log_norm.resize(n);
    // log w_k + log p(x_i | k), then normalised (emkit/log_sum_exp.h).
    LogSumExpColumns(responsibilities_t, log_weights_.transpose(), log_norm, /*normalize=*/true);
    double loglik = 0.0;
    if (block.weights == nullptr) {
      for (Eigen::Index i = 0; i < n; ++i) loglik += log_norm[i];
    } else {
      for (Eigen::Index i = 0; i < n; ++i) loglik += block.weights[i] * log_norm[i];
      thread_local Eigen::RowVectorXf sample_weights;
      sample_weights = Eigen::Map<const Eigen::RowVectorXd>(block.weights, n).cast<float>();
      responsibilities_t.array().rowwise() *= sample_weights.array();
    }
    kernel_.Accumulate(mixture_.components(), block.rows, responsibilities_t, stats);
    return loglik;
  }

  Float32Mixture MStep(const Statistics& stats, RepairCounts* repairs) const {
    return Float32Mixture(mixture_.MStep(stats, repairs));
  }

  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return mixture_.ExpectedCompleteLogLikelihood(stats);
  }

  std::int64_t NumFreeParameters() const { return mixture_.NumFreeParameters(); }

  // out (n x K): log w_k + log p(x_i | k), in float.
  void WeightedLogProbabilities(const MatrixViewF& x, RowMatrixF* out) const {
    out->resize(x.rows(), mixture_.num_components());
    kernel_.LogProbabilities(mixture_.components(), x, *out);
    out->rowwise() += log_weights_;
  }

 private:
  Mixture<Family> mixture_;
  Kernel kernel_;
  Eigen::RowVectorXf log_weights_;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_MIXTURE_FLOAT32_H_
