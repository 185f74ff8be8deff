// K Gaussian components sharing one full covariance matrix.
#ifndef EMKIT_FAMILIES_GAUSSIAN_TIED_H_
#define EMKIT_FAMILIES_GAUSSIAN_TIED_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "emkit/families/gaussian_common.h"
#include "emkit/internal/stacked_whitening.h"
#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

class GaussianTied {
 public:
  static constexpr const char* kCovarianceName = "tied";
  static constexpr const char* kFamilyName = "gaussian";
  // Mixture<F, float> runs its E-step with this (families/gaussian_float32.h).
  using FloatKernel = GaussianTiedF;
  using Options = GaussianOptions;
  // The codec's arrays that every component shares, not indexed by the
  // component on their first axis (emkit/family.h).
  static constexpr std::array<std::string_view, 2> kSharedParameterArrays = {
      "covariances", "precisions_cholesky"};

  // Pooled moments (pooled_moments.h); the within-component scatter is
  // summed over components because the covariance is shared.
  struct Statistics {
    Vector counts;            // K
    RowMatrix means;          // K x D: weighted means
    Eigen::MatrixXd scatter;  // D x D: sum_k sum w (x-m_k)(x-m_k)^T, lower triangle

    void Merge(const Statistics& other);
    void SetZero();
    // Counts the rows summarised `factor` times over (counts and second
    // moments scale, means stay): stepwise EM's weighting of batches
    // (emkit/engine/stepwise_em.h).
    void Scale(double factor);
    // The statistics codec (emkit/model.h): "counts" [K], "means" [K][D],
    // "scatter" [D][D].
    void Encode(ParameterWriter& out) const;
    void Decode(const ParameterReader& in);
  };

  GaussianTied(RowMatrix means, Eigen::MatrixXd covariance, GaussianOptions options);
  static GaussianTied FromPrecision(RowMatrix means, const Eigen::MatrixXd& precision,
                                    GaussianOptions options);
  static GaussianTied FromStored(RowMatrix means, Eigen::MatrixXd covariance,
                                 Eigen::MatrixXd precision_cholesky,
                                 GaussianOptions options);

  int num_components() const { return static_cast<int>(means_.rows()); }
  int num_features() const { return static_cast<int>(means_.cols()); }
  // The family in words, for summaries such as emkit info (emkit/family.h).
  std::string Description() const { return GaussianDescription(kCovarianceName); }
  const RowMatrix& means() const { return means_; }
  const Eigen::MatrixXd& covariance() const { return covariance_; }
  const Eigen::MatrixXd& precision_cholesky() const { return precision_cholesky_; }
  const GaussianOptions& options() const { return options_; }

  Statistics NewStatistics() const;
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  GaussianTied Maximize(const Statistics& stats, RepairCounts* repairs) const;
  double ExpectedLogLikelihood(const Statistics& stats) const;
  std::int64_t NumFreeParameters() const;
  void Sample(int component, Rng& rng, double* out) const;
  // The shared covariance cannot be replaced per component: a no-op.
  void SetDiagonalCovariance(int, const Vector&) {}
  // The initialisation's hooks (emkit/initialization.h): a first
  // partition's statistics are gathered about its centres, and a component
  // it leaves with fewer than two rows takes the data's variances.
  GaussianTied InitialPrototype(const RowMatrix& centers) const;
  GaussianTied MaximizeInitial(const Statistics& stats,
                              const InitialResponsibilities& responsibilities,
                              LazyFeatureVariance& data_variance, RepairCounts* repairs) const;
  // Rows must be finite and within kMaxAbsDataValue.
  static void ValidateData(const MatrixView& x) { ValidateGaussianData(x); }

  // The parameter codec (emkit/parameters.h): "covariance_type",
  // "n_features", "reg_covar", "means" [K][D] and "covariances"
  // [D][D] with "precisions_cholesky" [D][D] (hand-written: "precisions" instead,
  // or the covariance alone).
  void EncodeParameters(ParameterWriter& out) const;
  static GaussianTied DecodeParameters(const ParameterReader& in, Eigen::Index num_components);

 private:
  GaussianTied() = default;
  void UpdateWhitening() { whitening_.Update(means_, {&precision_cholesky_}); }

  StackedWhitening whitening_;

  RowMatrix means_;
  Eigen::MatrixXd covariance_;
  Eigen::MatrixXd precision_cholesky_;
  double log_det_precision_cholesky_ = 0.0;
  GaussianOptions options_;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_TIED_H_
