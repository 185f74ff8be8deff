#include "emkit/families/gaussian_float32.h"

#include <cmath>
#include <limits>

#include "emkit/families/gaussian_common.h"
#include "emkit/families/pooled_moments.h"
#include "emkit/families/small_dimension.h"
#include "float32_moments.h"

namespace emkit {
namespace {

constexpr double kEpsF = std::numeric_limits<float>::epsilon();

// Largest rounding error tolerated in a float whitened residual (entries
// O(1) near a component): a log-density within about 1e-3 for the rows that
// carry a component's weight.
constexpr double kMaxResidualErrorF = 1e-4;

// Largest rounding error tolerated in a float log-density from the
// expanded diagonal form: about 4e-5 of a typical log-density.
constexpr double kMaxLogDensityErrorF = 1e-3;

// The exact path for one block: widened to double (this block only) and
// computed by the family itself, with its own checks.
template <class Family>
void WidenedLogProbabilities(const Family& family, const MatrixViewF& x,
                             Eigen::Ref<RowMatrixF> out) {
  thread_local RowMatrix wide;
  thread_local RowMatrix wide_out;
  wide = x.cast<double>();
  wide_out.resize(x.rows(), family.num_components());
  family.LogProbabilities(ViewOf(wide), wide_out);
  out = wide_out.cast<float>();
}

// Each component's count over the block and the shift of its moments.
struct BlockShifts {
  Vector counts;
  RowMatrix means;
};
const BlockShifts& ShiftsOf(const MatrixViewF& x, const RowMatrixF& weights_t,
                            const Eigen::RowVectorXf& reference) {
  thread_local BlockShifts shifts;
  internal::BlockCountsAndMeans(x, weights_t, reference, &shifts.counts, &shifts.means);
  return shifts;
}

}  // namespace

// --- Stacked whitening in float ---

void StackedWhiteningF::Update(const RowMatrix& means,
                               const std::vector<const Eigen::MatrixXd*>& factors) {
  const Eigen::Index d = means.cols();
  num_factors_ = static_cast<int>(factors.size());
  reference_ = CoordinateMedian(means).cast<float>();
  const Eigen::RowVectorXd reference = reference_.cast<double>();
  stacked_.resize(d, num_factors_ * d);
  max_factor_column_sum_ = 0.0;
  for (int f = 0; f < num_factors_; ++f) {
    stacked_.middleCols(f * d, d) = factors[f]->cast<float>();
    max_factor_column_sum_ =
        std::max(max_factor_column_sum_, factors[f]->cwiseAbs().colwise().sum().maxCoeff());
  }
  offsets_.resize(means.rows(), d);
  for (Eigen::Index k = 0; k < means.rows(); ++k) {
    offsets_.row(k) =
        ((means.row(k) - reference) * *factors[FactorOf(static_cast<int>(k))]).cast<float>();
  }
  max_offset_ = offsets_.size() > 0 ? offsets_.cwiseAbs().maxCoeff() : 0.0;
}

bool StackedWhiteningF::SquaredDistances(const MatrixViewF& x,
                                         Eigen::Ref<RowMatrixF> out) const {
  const Eigen::Index d = reference_.size();
  thread_local RowMatrixF centered;
  thread_local RowMatrixF whitened;
  centered.resize(x.rows(), d);
  centered.noalias() = x.rowwise() - reference_;
  const double max_centered = centered.size() > 0 ? centered.cwiseAbs().maxCoeff() : 0.0;
  // Rounding of the centring, of W to float, of the D-term products, of
  // the offset and of the subtraction: (D + 3) eps_f of the magnitudes.
  const double error_bound = static_cast<double>(d + 3) * kEpsF *
                             (max_centered * max_factor_column_sum_ + max_offset_);
  if (!(error_bound <= kMaxResidualErrorF)) return false;
  whitened.resize(x.rows(), stacked_.cols());
  whitened.noalias() = centered * stacked_;
  for (Eigen::Index k = 0; k < offsets_.rows(); ++k) {
    const Eigen::Index f = FactorOf(static_cast<int>(k));
    out.col(k) = (whitened.middleCols(f * d, d).rowwise() - offsets_.row(k))
                     .rowwise()
                     .squaredNorm();
  }
  return true;
}

// --- Full ---

GaussianFullF::GaussianFullF(const GaussianFull& family) {
  std::vector<const Eigen::MatrixXd*> factors;
  for (const Eigen::MatrixXd& w : family.precision_cholesky()) factors.push_back(&w);
  whitening_.Update(family.means(), factors);
  const int k_count = family.num_components();
  log_constants_.resize(k_count);
  for (int k = 0; k < k_count; ++k) {
    const double log_det = family.precision_cholesky()[k].diagonal().array().log().sum();
    log_constants_[k] = static_cast<float>(log_det - 0.5 * family.num_features() * kLog2Pi);
  }
}

void GaussianFullF::LogProbabilities(const GaussianFull& family, const MatrixViewF& x,
                                     Eigen::Ref<RowMatrixF> out) const {
  if (family.num_features() <= kMaxSmallDimension && SmallDimensionKernelsEnabled()) {
    thread_local std::vector<const Eigen::MatrixXd*> factors;
    factors.clear();
    for (const Eigen::MatrixXd& w : family.precision_cholesky()) factors.push_back(&w);
    SmallWhitenedLogDensities<float>(x, family.means(), factors,
                                     log_constants_.cast<double>().transpose(), out);
    return;
  }
  if (!whitening_.SquaredDistances(x, out)) {
    WidenedLogProbabilities(family, x, out);
    return;
  }
  out = (-0.5f * out.array()).rowwise() + log_constants_.array();
}

void GaussianFullF::Accumulate(const GaussianFull& family, const MatrixViewF& x,
                               const RowMatrixF& weights_t,
                               GaussianFull::Statistics* stats) const {
  thread_local Eigen::RowVectorXd mean;
  thread_local Eigen::MatrixXd scatter;
  const BlockShifts& shifts = ShiftsOf(x, weights_t, whitening_.reference());
  for (int k = 0; k < family.num_components(); ++k) {
    const double count = shifts.counts[k];
    if (!(count > 0.0)) continue;
    internal::FullMomentsF(x, weights_t.row(k).transpose(), count, shifts.means.row(k),
                           &mean, &scatter);
    PoolFullMoments(&stats->counts[k], stats->means.row(k), &stats->scatters[k], count, mean,
                    &scatter);
  }
}

// --- Tied ---

GaussianTiedF::GaussianTiedF(const GaussianTied& family) {
  whitening_.Update(family.means(), {&family.precision_cholesky()});
  const double log_det = family.precision_cholesky().diagonal().array().log().sum();
  log_constant_ = static_cast<float>(log_det - 0.5 * family.num_features() * kLog2Pi);
}

void GaussianTiedF::LogProbabilities(const GaussianTied& family, const MatrixViewF& x,
                                     Eigen::Ref<RowMatrixF> out) const {
  if (family.num_features() <= kMaxSmallDimension && SmallDimensionKernelsEnabled()) {
    const Eigen::VectorXd constants =
        Eigen::VectorXd::Constant(family.num_components(), log_constant_);
    SmallWhitenedLogDensities<float>(x, family.means(), {&family.precision_cholesky()},
                                     constants, out);
    return;
  }
  if (!whitening_.SquaredDistances(x, out)) {
    WidenedLogProbabilities(family, x, out);
    return;
  }
  out = -0.5f * out.array() + log_constant_;
}

void GaussianTiedF::Accumulate(const GaussianTied& family, const MatrixViewF& x,
                               const RowMatrixF& weights_t,
                               GaussianTied::Statistics* stats) const {
  thread_local Eigen::RowVectorXd mean;
  thread_local Eigen::MatrixXd scatter;
  const BlockShifts& shifts = ShiftsOf(x, weights_t, whitening_.reference());
  for (int k = 0; k < family.num_components(); ++k) {
    const double count = shifts.counts[k];
    if (!(count > 0.0)) continue;
    internal::FullMomentsF(x, weights_t.row(k).transpose(), count, shifts.means.row(k),
                           &mean, &scatter);
    stats->scatter += scatter;
    PoolFullMoments(&stats->counts[k], stats->means.row(k), &stats->scatter, count, mean,
                    nullptr, &stats->scatter);
  }
}

// --- Diagonal and spherical ---

template <bool kSpherical>
GaussianAxisAlignedF<kSpherical>::GaussianAxisAlignedF(const Family& family) {
  const int d = family.num_features();
  const RowMatrix& means = family.means();
  const RowMatrix precisions = family.variances().cwiseInverse();
  const Eigen::VectorXd half_log_det = 0.5 * precisions.array().log().rowwise().sum().matrix();
  reference_ = CoordinateMedian(means).cast<float>();
  const RowMatrix centered_means = means.rowwise() - reference_.cast<double>();
  minus_half_precisions_t_ = (-0.5 * precisions.transpose()).cast<float>();
  precision_times_centered_means_t_ =
      precisions.cwiseProduct(centered_means).transpose().cast<float>();
  log_density_constants_ =
      (half_log_det.array() - 0.5 * d * kLog2Pi -
       0.5 * precisions.cwiseProduct(centered_means.cwiseAbs2()).rowwise().sum().array())
          .transpose()
          .cast<float>();
  precisions_ = precisions;
  small_constants_ = half_log_det.array() - 0.5 * d * kLog2Pi;
  max_precisions_f_ = precisions.colwise().maxCoeff().cast<float>().array();
  max_centered_means_f_ = centered_means.cwiseAbs().colwise().maxCoeff().cast<float>().array();
}

template <bool kSpherical>
void GaussianAxisAlignedF<kSpherical>::LogProbabilities(const Family& family,
                                                        const MatrixViewF& x,
                                                        Eigen::Ref<RowMatrixF> out) const {
  const Eigen::Index d = x.cols();
  if (d <= kMaxSmallDimension && SmallDimensionKernelsEnabled()) {
    SmallDiagonalLogDensities<float>(x, family.means(), precisions_, small_constants_, out);
    return;
  }
  thread_local RowMatrixF centered;
  centered.resize(x.rows(), d);
  centered.noalias() = x.rowwise() - reference_;
  // Row i's products sum D terms p_d (x_d - c_d)^2 / 2, p_d (x_d - c_d)
  // (mu_d - c_d) and p_d (mu_d - c_d)^2 / 2, whose magnitudes add up to at
  // most sum_d P_d (|x_d - c_d| + M_d)^2 / 2 (P_d: the largest precision of
  // feature d, M_d: the largest |mu_d - c_d|); with the rounding of the
  // inputs and constants to float, the error is under (D + 3) u times that,
  // u = eps_f / 2. The block's bound is the largest row's.
  thread_local Eigen::ArrayXf row_terms;
  row_terms = ((centered.array().abs().rowwise() + max_centered_means_f_).square().rowwise() *
               max_precisions_f_)
                  .rowwise()
                  .sum();
  const double largest = row_terms.size() > 0 ? row_terms.maxCoeff() : 0.0;
  // The float sum itself is within (1 + 2 D u) of the exact one.
  const double error_bound = static_cast<double>(d + 3) * 0.5 * kEpsF * 0.5 * largest *
                             (1.0 + static_cast<double>(d) * kEpsF);
  if (!(error_bound <= kMaxLogDensityErrorF)) {
    // Each row centred on each component's mean: no cancellation, in float.
    DirectDiagonalLogDensities<float>(x, family.means(), precisions_, small_constants_, out);
    return;
  }
  out.noalias() = centered.array().square().matrix() * minus_half_precisions_t_;
  out.noalias() += centered * precision_times_centered_means_t_;
  out.rowwise() += log_density_constants_;
}

template <bool kSpherical>
void GaussianAxisAlignedF<kSpherical>::Accumulate(const Family& family, const MatrixViewF& x,
                                                  const RowMatrixF& weights_t,
                                                  typename Family::Statistics* stats) const {
  thread_local RowMatrixF x_t;
  thread_local Eigen::RowVectorXd mean;
  thread_local Eigen::RowVectorXd squares;
  thread_local Vector counts;
  thread_local RowMatrix means;
  thread_local RowMatrix all_squares;
  thread_local std::vector<char> accepted;
  if (x.cols() <= kMaxSmallDimension) {
    // Products with 2D + 1 = 9 columns or fewer are mostly packing: every
    // component's sums directly, about block means from direct sums too.
    thread_local BlockShifts direct;
    x_t = x.transpose();
    internal::BlockCountsAndMeansTransposed(x_t, weights_t, &direct.counts, &direct.means);
    for (int k = 0; k < family.num_components(); ++k) {
      const double count = direct.counts[k];
      if (!(count > 0.0)) continue;
      internal::DiagonalMomentsF(x_t, weights_t.row(k).transpose(), count,
                                 direct.means.row(k), &mean, &squares);
      PoolDiagonalMoments(&stats->counts[k], stats->means.row(k), stats->squares.row(k),
                          count, mean, squares);
    }
    return;
  }
  {
    internal::GroupedDiagonalMomentsF(x, weights_t, family.means(), &counts, &means,
                                      &all_squares, &accepted);
  }
  const BlockShifts* shifts = nullptr;
  for (int k = 0; k < family.num_components(); ++k) {
    if (accepted[k]) {
      PoolDiagonalMoments(&stats->counts[k], stats->means.row(k), stats->squares.row(k),
                          counts[k], means.row(k), all_squares.row(k));
      continue;
    }
    // Cancellation beyond the bound (or no weight): this component's sums
    // directly, about its block mean.
    if (shifts == nullptr) {
      shifts = &ShiftsOf(x, weights_t, reference_);
      x_t = x.transpose();
    }
    const double count = shifts->counts[k];
    if (!(count > 0.0)) continue;
    internal::DiagonalMomentsF(x_t, weights_t.row(k).transpose(), count,
                               shifts->means.row(k), &mean, &squares);
    PoolDiagonalMoments(&stats->counts[k], stats->means.row(k), stats->squares.row(k), count,
                        mean, squares);
  }
}

template class GaussianAxisAlignedF<false>;
template class GaussianAxisAlignedF<true>;

}  // namespace emkit
