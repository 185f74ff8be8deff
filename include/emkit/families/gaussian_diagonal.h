// K Gaussian components with axis-aligned covariances: a variance per
// feature (diag) or one variance per component (spherical). The two share
// statistics and code; kSpherical ties a component's variances together.
#ifndef EMKIT_FAMILIES_GAUSSIAN_DIAGONAL_H_
#define EMKIT_FAMILIES_GAUSSIAN_DIAGONAL_H_

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "emkit/families/gaussian_common.h"
#include "emkit/internal/pooled_moments.h"
#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

template <bool kSpherical>
class GaussianAxisAligned {
 public:
  static constexpr const char* kCovarianceName = kSpherical ? "spherical" : "diag";
  static constexpr const char* kFamilyName = "gaussian";
  // Mixture<F, float> runs its E-step with this (families/gaussian_float32.h).
  using FloatKernel = GaussianAxisAlignedF<kSpherical>;
  using Options = GaussianOptions;

  // Pooled moments (pooled_moments.h) per component and feature.
  struct Statistics {
    Vector counts;      // K
    RowMatrix means;    // K x D: weighted means
    RowMatrix squares;  // K x D: sum w (x - m_k)^2

    void Merge(const Statistics& other) {
      for (Eigen::Index k = 0; k < counts.size(); ++k) {
        PoolDiagonalMoments(&counts[k], means.row(k), squares.row(k), other.counts[k],
                            other.means.row(k), other.squares.row(k));
      }
    }
    void SetZero() {
      counts.setZero();
      means.setZero();
      squares.setZero();
    }
    // Counts the rows summarised `factor` times over (counts and second
    // moments scale, means stay): stepwise EM's weighting of batches
    // (emkit/engine/stepwise_em.h).
    void Scale(double factor) {
      counts *= factor;
      squares *= factor;
    }
    // The statistics codec (emkit/model.h): "counts" [K], "means" [K][D],
    // "squares" [K][D].
    void Encode(ParameterWriter& out) const {
      out.Vector1("counts", counts);
      out.Matrix2("means", means);
      out.Matrix2("squares", squares);
    }
    void Decode(const ParameterReader& in) {
      counts = in.Vector1("counts", counts.size());
      means = in.Matrix2("means", means.rows(), means.cols());
      squares = in.Matrix2("squares", squares.rows(), squares.cols());
    }
  };

  // variances is K x D; for spherical every row must hold one value
  // repeated (use SphericalVariances to build it from K values). Throws
  // InvalidDataError if a variance is not positive and finite.
  GaussianAxisAligned(RowMatrix means, RowMatrix variances, GaussianOptions options);

  // Expands K per-component variances to the K x D form.
  static RowMatrix SphericalVariances(const Vector& per_component, int num_features);

  int num_components() const { return static_cast<int>(means_.rows()); }
  int num_features() const { return static_cast<int>(means_.cols()); }
  // The family in words, for summaries such as emkit info (emkit/family.h).
  std::string Description() const { return GaussianDescription(kCovarianceName); }
  const RowMatrix& means() const { return means_; }
  const RowMatrix& variances() const { return variances_; }
  const GaussianOptions& options() const { return options_; }

  Statistics NewStatistics() const;
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  GaussianAxisAligned Maximize(const Statistics& stats, RepairCounts* repairs) const;
  double ExpectedLogLikelihood(const Statistics& stats) const;
  std::int64_t NumFreeParameters() const;
  void Sample(int component, Rng& rng, double* out) const;
  void SetDiagonalCovariance(int k, const Vector& variance);
  // The initialisation's hooks (emkit/initialization.h): a first
  // partition's statistics are gathered about its centres, and a component
  // it leaves with fewer than two rows takes the data's variances.
  GaussianAxisAligned InitialPrototype(const RowMatrix& centers) const;
  GaussianAxisAligned MaximizeInitial(const Statistics& stats,
                                     const InitialResponsibilities& responsibilities,
                                     LazyFeatureVariance& data_variance,
                                     RepairCounts* repairs) const;
  // Rows must be finite and within kMaxAbsDataValue.
  static void ValidateData(const MatrixView& x) { ValidateGaussianData(x); }

  // The parameter codec (emkit/parameters.h): "covariance_type",
  // "n_features", "reg_covar", "means" [K][D] and "covariances"
  // [K][D] (diag) or [K] (spherical), or hand-written "precisions".
  void EncodeParameters(ParameterWriter& out) const;
  static GaussianAxisAligned DecodeParameters(const ParameterReader& in, Eigen::Index num_components);

 private:
  void UpdateDerived();  // precisions and log determinants from variances

  RowMatrix means_;
  RowMatrix variances_;
  RowMatrix precisions_;           // 1 / variances
  Vector half_log_det_precision_;  // 0.5 * sum_d log precision_kd
  // The log-densities expanded about c = the coordinate-wise median of the
  // means (robust to one far component), as matrix
  // products (see LogProbabilities), and the scales of their rounding bound.
  Eigen::RowVectorXd reference_;
  Eigen::MatrixXd minus_half_precisions_t_;           // D x K
  Eigen::MatrixXd precision_times_centered_means_t_;  // D x K
  Eigen::RowVectorXd log_density_constants_;          // 1 x K
  double max_precision_ = 0.0;
  double max_centered_mean_ = 0.0;
  GaussianOptions options_;
};

using GaussianDiag = GaussianAxisAligned<false>;
using GaussianSpherical = GaussianAxisAligned<true>;

extern template class GaussianAxisAligned<false>;
extern template class GaussianAxisAligned<true>;

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_DIAGONAL_H_
