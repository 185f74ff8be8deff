// K Gaussian components, each with its own full covariance matrix.
#ifndef EMKIT_FAMILIES_GAUSSIAN_FULL_H_
#define EMKIT_FAMILIES_GAUSSIAN_FULL_H_

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "emkit/families/gaussian_common.h"
#include "emkit/internal/stacked_whitening.h"
#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

class GaussianFull {
 public:
  static constexpr const char* kCovarianceName = "full";
  static constexpr const char* kFamilyName = "gaussian";
  // Mixture<F, float> runs its E-step with this (families/gaussian_float32.h).
  using FloatKernel = GaussianFullF;
  using Options = GaussianOptions;

  // Weighted sufficient statistics as pooled moments (pooled_moments.h):
  // per component the total weight, the weighted mean, and the weighted
  // scatter about that mean.
  struct Statistics {
    Vector counts;                          // K: sum of weights
    RowMatrix means;                        // K x D: weighted means
    // K of D x D: sum w (x-m_k)(x-m_k)^T; only the lower triangle is kept.
    std::vector<Eigen::MatrixXd> scatters;

    void Merge(const Statistics& other);
    void SetZero();
    // Counts the rows summarised `factor` times over (counts and second
    // moments scale, means stay): stepwise EM's weighting of batches
    // (emkit/engine/stepwise_em.h).
    void Scale(double factor);
    // The statistics codec (emkit/model.h): "counts" [K], "means" [K][D],
    // "scatters" [K][D][D].
    void Encode(ParameterWriter& out) const;
    void Decode(const ParameterReader& in);
  };

  // From means (K x D) and covariances (K matrices D x D). Throws
  // InvalidDataError if a covariance is not positive definite.
  GaussianFull(RowMatrix means, std::vector<Eigen::MatrixXd> covariances,
               GaussianOptions options);
  // From means and precision matrices (inverse covariances).
  static GaussianFull FromPrecisions(RowMatrix means,
                                     const std::vector<Eigen::MatrixXd>& precisions,
                                     GaussianOptions options);
  // From means, covariances and their precision Cholesky factors exactly as
  // stored (a model file); no refactorisation, so a round trip is exact.
  static GaussianFull FromStored(RowMatrix means,
                                 std::vector<Eigen::MatrixXd> covariances,
                                 std::vector<Eigen::MatrixXd> precision_cholesky,
                                 GaussianOptions options);

  int num_components() const { return static_cast<int>(means_.rows()); }
  int num_features() const { return static_cast<int>(means_.cols()); }
  // The family in words, for summaries such as emkit info (emkit/family.h).
  std::string Description() const { return GaussianDescription(kCovarianceName); }
  const RowMatrix& means() const { return means_; }
  const std::vector<Eigen::MatrixXd>& covariances() const { return covariances_; }
  const std::vector<Eigen::MatrixXd>& precision_cholesky() const { return precision_cholesky_; }
  const GaussianOptions& options() const { return options_; }

  Statistics NewStatistics() const;
  // out (n x K) = log p(x_i | component k).
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  // Adds statistics of rows x with weights (n x K).
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  GaussianFull Maximize(const Statistics& stats, RepairCounts* repairs) const;
  // sum_k sum_i w_ik log p(x_i | k) under these parameters, from stats.
  double ExpectedLogLikelihood(const Statistics& stats) const;
  std::int64_t NumFreeParameters() const;
  void Sample(int component, Rng& rng, double* out) const;
  // Replaces component k's covariance by diag(variance) + reg_covar.
  void SetDiagonalCovariance(int k, const Vector& variance);
  // The initialisation's hooks (emkit/initialization.h): a first
  // partition's statistics are gathered about its centres, and a component
  // it leaves with fewer than two rows takes the data's variances.
  GaussianFull InitialPrototype(const RowMatrix& centers) const;
  GaussianFull MaximizeInitial(const Statistics& stats,
                              const InitialResponsibilities& responsibilities,
                              LazyFeatureVariance& data_variance, RepairCounts* repairs) const;
  // Rows must be finite and within kMaxAbsDataValue.
  static void ValidateData(const MatrixView& x) { ValidateGaussianData(x); }

  // The parameter codec (emkit/parameters.h): "covariance_type",
  // "n_features", "reg_covar", "means" [K][D] and "covariances"
  // [K][D][D] with "precisions_cholesky" [K][D][D] (hand-written: "precisions"
  // instead, or covariances alone).
  void EncodeParameters(ParameterWriter& out) const;
  static GaussianFull DecodeParameters(const ParameterReader& in, Eigen::Index num_components);

 private:
  GaussianFull() = default;
  void Factorize(int k, RepairCounts* repairs);
  void UpdateWhitening();

  StackedWhitening whitening_;

  RowMatrix means_;
  std::vector<Eigen::MatrixXd> covariances_;
  std::vector<Eigen::MatrixXd> precision_cholesky_;
  Vector log_det_precision_cholesky_;
  GaussianOptions options_;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_FULL_H_
