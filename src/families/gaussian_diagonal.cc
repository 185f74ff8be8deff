#include "emkit/families/gaussian_diagonal.h"

#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"
#include "gaussian_blocks.h"
#include "small_dimension.h"

namespace emkit {

template <bool kSpherical>
GaussianAxisAligned<kSpherical>::GaussianAxisAligned(RowMatrix means,
                                                     RowMatrix variances,
                                                     GaussianOptions options)
    : means_(std::move(means)), variances_(std::move(variances)), options_(options) {
  if (variances_.rows() != means_.rows() || variances_.cols() != means_.cols()) {
    throw InvalidDataError(fmt::format(
        "{} variances must be {} x {}, found {} x {}", kCovarianceName,
        means_.rows(), means_.cols(), variances_.rows(), variances_.cols()));
  }
  for (Eigen::Index k = 0; k < variances_.rows(); ++k) {
    for (Eigen::Index j = 0; j < variances_.cols(); ++j) {
      const double v = variances_(k, j);
      if (!(v > 0.0) || !std::isfinite(v)) {
        throw InvalidDataError(fmt::format(
            "variance of component {} feature {} = {} must be positive and "
            "finite", k, j, v));
      }
      if (kSpherical && v != variances_(k, 0)) {
        throw InvalidDataError(fmt::format(
            "spherical component {} must have one variance for all features", k));
      }
    }
  }
  UpdateDerived();
}

template <bool kSpherical>
RowMatrix GaussianAxisAligned<kSpherical>::SphericalVariances(
    const Vector& per_component, int num_features) {
  RowMatrix v(per_component.size(), num_features);
  for (Eigen::Index k = 0; k < per_component.size(); ++k) {
    v.row(k).setConstant(per_component[k]);
  }
  return v;
}

template <bool kSpherical>
void GaussianAxisAligned<kSpherical>::UpdateDerived() {
  precisions_ = variances_.cwiseInverse();
  half_log_det_precision_ = 0.5 * precisions_.array().log().rowwise().sum().matrix();
  // The expanded form of the log-densities about the reference point c.
  const int d = num_features();
  reference_ = CoordinateMedian(means_);
  const RowMatrix centered_means = means_.rowwise() - reference_;
  minus_half_precisions_t_ = -0.5 * precisions_.transpose();
  precision_times_centered_means_t_ =
      precisions_.cwiseProduct(centered_means).transpose();
  log_density_constants_ =
      (half_log_det_precision_.array() - 0.5 * d * kLog2Pi -
       0.5 * precisions_.cwiseProduct(centered_means.cwiseAbs2()).rowwise().sum().array())
          .transpose();
  max_precision_ = precisions_.size() > 0 ? precisions_.maxCoeff() : 0.0;
  max_centered_mean_ = centered_means.size() > 0 ? centered_means.cwiseAbs().maxCoeff() : 0.0;
}

template <bool kSpherical>
typename GaussianAxisAligned<kSpherical>::Statistics
GaussianAxisAligned<kSpherical>::NewStatistics() const {
  Statistics s;
  s.counts = Vector::Zero(num_components());
  s.means = RowMatrix::Zero(num_components(), num_features());
  s.squares = RowMatrix::Zero(num_components(), num_features());
  return s;
}

template <bool kSpherical>
void GaussianAxisAligned<kSpherical>::LogProbabilities(
    const MatrixView& x, Eigen::Ref<RowMatrix> out) const {
  const int d = num_features();
  if (d <= kMaxSmallDimension && options_.small_dimension_kernels) {
    const Vector constants = half_log_det_precision_.array() - 0.5 * d * kLog2Pi;
    internal::SmallDiagonalLogDensities<double>(x, means_, precisions_, constants, out);
    return;
  }
  const internal::AxisAlignedDensityTerms terms{&means_,
                                                &precisions_,
                                                &half_log_det_precision_,
                                                &reference_,
                                                &minus_half_precisions_t_,
                                                &precision_times_centered_means_t_,
                                                &log_density_constants_,
                                                max_precision_,
                                                max_centered_mean_};
  internal::AxisAlignedLogDensities(x, terms, out);
}

template <bool kSpherical>
void GaussianAxisAligned<kSpherical>::Accumulate(
    const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
    Statistics* stats) const {
  internal::AccumulateAxisAligned(x, weights, reference_, &stats->counts, &stats->means,
                                  &stats->squares);
}

template <bool kSpherical>
GaussianAxisAligned<kSpherical> GaussianAxisAligned<kSpherical>::Maximize(
    const Statistics& stats, RepairCounts* repairs) const {
  GaussianAxisAligned next = *this;
  const double total = stats.counts.sum();
  const int d = num_features();
  for (int k = 0; k < num_components(); ++k) {
    if (!(stats.counts[k] > kCollapsedFraction * total)) {
      if (repairs != nullptr) ++repairs->collapsed_components;
      continue;
    }
    const double nk = stats.counts[k] + kCountFloor;
    next.means_.row(k) = stats.means.row(k);
    Eigen::RowVectorXd variance = stats.squares.row(k) / nk;
    if (kSpherical) variance.setConstant(variance.mean());
    variance.array() += options_.reg_covar;
    bool repaired = false;
    for (int j = 0; j < d; ++j) {
      if (!(variance[j] > 0.0) && std::isfinite(variance[j])) {
        // Zero spread and reg_covar = 0: load the variance relative to the
        // feature's magnitude rather than divide by zero.
        const double m = next.means_(k, j);
        variance[j] = std::max(1e-12 * m * m, 1e-200);
        repaired = true;
      }
    }
    if (repaired && repairs != nullptr) ++repairs->regularized_covariances;
    next.variances_.row(k) = variance;
  }
  next.UpdateDerived();
  return next;
}

template <bool kSpherical>
double GaussianAxisAligned<kSpherical>::ExpectedLogLikelihood(
    const Statistics& stats) const {
  const int d = num_features();
  double q = 0.0;
  for (int k = 0; k < num_components(); ++k) {
    const Eigen::ArrayXd e = (stats.means.row(k) - means_.row(k)).transpose().array();
    const Eigen::ArrayXd quadratic =
        stats.squares.row(k).transpose().array() + stats.counts[k] * e.square();
    q += stats.counts[k] * (half_log_det_precision_[k] - 0.5 * d * kLog2Pi) -
         0.5 * (precisions_.row(k).transpose().array() * quadratic).sum();
  }
  return q;
}

template <bool kSpherical>
std::int64_t GaussianAxisAligned<kSpherical>::NumFreeParameters() const {
  const std::int64_t k = num_components();
  const std::int64_t d = num_features();
  return k * d + (kSpherical ? k : k * d);
}

template <bool kSpherical>
void GaussianAxisAligned<kSpherical>::Sample(int component, Rng& rng,
                                             double* out) const {
  for (int j = 0; j < num_features(); ++j) {
    out[j] = means_(component, j) +
             std::sqrt(variances_(component, j)) * StandardNormal(rng);
  }
}

template <bool kSpherical>
void GaussianAxisAligned<kSpherical>::SetDiagonalCovariance(int k,
                                                            const Vector& variance) {
  if (kSpherical) {
    variances_.row(k).setConstant(variance.mean() + options_.reg_covar);
  } else {
    variances_.row(k) = variance.transpose().array() + options_.reg_covar;
  }
  UpdateDerived();
}

template class GaussianAxisAligned<false>;
template class GaussianAxisAligned<true>;

}  // namespace emkit
