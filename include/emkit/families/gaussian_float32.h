// float32 kernels of the Gaussian families: the E-step (whitening products,
// log-densities) and the per-block moments run in float on float32 data,
// while the statistics they add to and the parameters stay double.
//
// A kernel is built from a family's (double) parameters and is given the
// family again at each call, for its exact fallbacks. The E-step works on
// the block transposed (K x n, row k: component k's values):
// LogProbabilitiesTransposed writes the log-densities so, and Accumulate
// takes the weights so (LogProbabilities is the n x K form, for callers
// outside the E-step).
//
// - Log-densities use the double path's formulations (stacked whitening;
//   the expanded diagonal form) with their rounding bounds re-derived for
//   float's epsilon. A block whose bound exceeds the float tolerance is
//   computed by the exact formula, each row centred on each component's
//   mean: in float for diagonal covariances (no cancellation is left), in
//   double, on that block widened, for full and tied ones.
// - Full and tied covariances, and diagonal ones with D <= 4: a
//   component's moments over a block are taken about its weighted mean in
//   the block, as one float pass estimates it (so little cancels), in float
//   partial sums over at most kFloat32PartialRows rows that are then added
//   in double. Partial sums of n terms have an error of at most
//   n eps_f sum |terms| (Higham's gamma_n), about 1.5e-5 of the (positive)
//   second moments for 256 rows. The mean is the shift plus the first
//   moment, the central moment the raw one less n m m^T; when more than 7/8
//   of a raw second moment is that correction (a mean that moved far), the
//   block is summed again about the new mean, and if that still cancels, or
//   a float sum is not finite, the component's block is computed in double.
//   So a central moment carries at most 24 gamma_n of relative error.
// - Diagonal covariances with more features: all components at once, as
//   float products over the rows grouped by their most probable component
//   (float32_moments.h, GroupedDiagonalMomentsF); a component's central
//   moment is accepted only when its rigorous error bound is at most 1e-4
//   of it, else it is summed as above.
#ifndef EMKIT_FAMILIES_GAUSSIAN_FLOAT32_H_
#define EMKIT_FAMILIES_GAUSSIAN_FLOAT32_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/matrix.h"

namespace emkit {

// Rows per float partial sum before it is added in double.
inline constexpr Eigen::Index kFloat32PartialRows = 256;

// Whitened log-densities (stacked_whitening.h) in float. The kernel is
// the same; the reference point is rounded to float first and the offsets
// are computed about that rounded point in double, so the rounding of c
// costs nothing.
class StackedWhiteningF {
 public:
  void Update(const RowMatrix& means, const std::vector<const Eigen::MatrixXd*>& factors);
  // (*out_t)(k, i) = constants[k] - ||y_k(x_i)||^2 / 2 (K x n); false
  // (*out_t unspecified) when the block's rounding bound exceeds the float
  // tolerance.
  bool LogDensities(const MatrixViewF& x, const Eigen::RowVectorXf& constants,
                    RowMatrixF* out_t) const;
  // c rounded to float.
  const Eigen::RowVectorXf& reference() const { return reference_; }

 private:
  int FactorOf(int k) const { return num_factors_ == 1 ? 0 : k; }

  int num_factors_ = 0;
  Eigen::RowVectorXf reference_;
  std::vector<RowMatrixF> factor_rows_;  // each W in float, row-major
  std::vector<char> upper_;              // W exactly upper triangular
  RowMatrixF offsets_;                   // K x D
  double max_factor_column_sum_ = 0.0;
  double max_offset_ = 0.0;
};

class GaussianFullF {
 public:
  using Family = GaussianFull;
  explicit GaussianFullF(const GaussianFull& family);
  void LogProbabilities(const GaussianFull& family, const MatrixViewF& x,
                        Eigen::Ref<RowMatrixF> out) const;
  void LogProbabilitiesTransposed(const GaussianFull& family, const MatrixViewF& x,
                                  RowMatrixF* out_t) const;
  void Accumulate(const GaussianFull& family, const MatrixViewF& x,
                  const RowMatrixF& weights_t, GaussianFull::Statistics* stats) const;

 private:
  StackedWhiteningF whitening_;
  Eigen::RowVectorXf log_constants_;  // K: log det W_k - (D/2) log 2 pi
};

class GaussianTiedF {
 public:
  using Family = GaussianTied;
  explicit GaussianTiedF(const GaussianTied& family);
  void LogProbabilities(const GaussianTied& family, const MatrixViewF& x,
                        Eigen::Ref<RowMatrixF> out) const;
  void LogProbabilitiesTransposed(const GaussianTied& family, const MatrixViewF& x,
                                  RowMatrixF* out_t) const;
  void Accumulate(const GaussianTied& family, const MatrixViewF& x,
                  const RowMatrixF& weights_t, GaussianTied::Statistics* stats) const;

 private:
  StackedWhiteningF whitening_;
  Eigen::RowVectorXf log_constants_;  // K copies of log det W - (D/2) log 2 pi
};

template <bool kSpherical>
class GaussianAxisAlignedF {
 public:
  using Family = GaussianAxisAligned<kSpherical>;
  explicit GaussianAxisAlignedF(const Family& family);
  void LogProbabilities(const Family& family, const MatrixViewF& x,
                        Eigen::Ref<RowMatrixF> out) const;
  void LogProbabilitiesTransposed(const Family& family, const MatrixViewF& x,
                                  RowMatrixF* out_t) const;
  void Accumulate(const Family& family, const MatrixViewF& x,
                  const RowMatrixF& weights_t, typename Family::Statistics* stats) const;

 private:
  // The expanded log-densities of GaussianAxisAligned, about the reference
  // point rounded to float (src/families/diagonal_log_densities.h).
  Eigen::RowVectorXf reference_;
  RowMatrixF minus_half_precisions_;           // K x D
  RowMatrixF precision_times_centered_means_;  // K x D
  Eigen::RowVectorXf log_density_constants_;   // 1 x K
  // For the direct kernels (small D, or a block past the bound).
  RowMatrix precisions_;                   // K x D
  Eigen::VectorXd small_constants_;        // K: log det^(1/2) - (D/2) log 2 pi
  Eigen::RowVectorXf max_precisions_f_;      // per feature, over components
  Eigen::RowVectorXf max_centered_means_f_;  // per feature: max |mu - c|
};

using GaussianDiagF = GaussianAxisAlignedF<false>;
using GaussianSphericalF = GaussianAxisAlignedF<true>;

extern template class GaussianAxisAlignedF<false>;
extern template class GaussianAxisAlignedF<true>;

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_FLOAT32_H_
