#include "emkit/families/gaussian_float32.h"

#include <cmath>
#include <limits>

#include "emkit/families/gaussian_common.h"
#include "emkit/internal/pooled_moments.h"
#include "small_dimension.h"
#include "diagonal_log_densities.h"
#include "float32_moments.h"
#include "whitened_distances.h"

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
void WidenedLogProbabilitiesTransposed(const Family& family, const MatrixViewF& x,
                                       RowMatrixF* out_t) {
  thread_local RowMatrix wide;
  thread_local RowMatrix wide_out;
  wide = x.cast<double>();
  wide_out.resize(x.rows(), family.num_components());
  family.LogProbabilities(ViewOf(wide), wide_out);
  *out_t = wide_out.transpose().cast<float>();
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
  factor_rows_.clear();
  upper_.clear();
  max_factor_column_sum_ = 0.0;
  for (int f = 0; f < num_factors_; ++f) {
    factor_rows_.push_back(factors[f]->cast<float>());
    upper_.push_back(internal::IsExactlyUpperTriangular(*factors[f]) ? 1 : 0);
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

bool StackedWhiteningF::LogDensities(const MatrixViewF& x, const Eigen::RowVectorXf& constants,
                                     RowMatrixF* out_t) const {
  const int d = static_cast<int>(reference_.size());
  // Pointers into this object, so made per call (a copy must not share them).
  thread_local std::vector<internal::WhiteningFactor<float>> components;
  components.clear();
  for (Eigen::Index k = 0; k < offsets_.rows(); ++k) {
    const int f = FactorOf(static_cast<int>(k));
    components.push_back({factor_rows_[f].data(), upper_[f] != 0, offsets_.row(k).data()});
  }
  out_t->resize(offsets_.rows(), x.rows());
  const double max_centered = internal::WhitenedLogDensities<float>(
      x.data(), x.rows(), d, reference_.data(), components.data(), offsets_.rows(),
      constants.data(), out_t->data(), out_t->cols(), /*transposed=*/true);
  // Rounding of the centring, of W to float, of the D-term products, of
  // the offset and of the subtraction: (D + 3) eps_f of the magnitudes.
  const double error_bound = static_cast<double>(d + 3) * kEpsF *
                             (max_centered * max_factor_column_sum_ + max_offset_);
  return error_bound <= kMaxResidualErrorF;
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
  thread_local RowMatrixF out_t;
  LogProbabilitiesTransposed(family, x, &out_t);
  out = out_t.transpose();
}

void GaussianFullF::LogProbabilitiesTransposed(const GaussianFull& family, const MatrixViewF& x,
                                               RowMatrixF* out_t) const {
  if (family.num_features() <= kMaxSmallDimension && family.options().small_dimension_kernels) {
    thread_local std::vector<const Eigen::MatrixXd*> factors;
    thread_local RowMatrixF out;
    factors.clear();
    for (const Eigen::MatrixXd& w : family.precision_cholesky()) factors.push_back(&w);
    out.resize(x.rows(), family.num_components());
    internal::SmallWhitenedLogDensities<float>(x, family.means(), factors,
                                     log_constants_.cast<double>().transpose(), out);
    *out_t = out.transpose();
    return;
  }
  if (!whitening_.LogDensities(x, log_constants_, out_t)) {
    WidenedLogProbabilitiesTransposed(family, x, out_t);
  }
}

void GaussianFullF::Accumulate(const GaussianFull& family, const MatrixViewF& x,
                               const RowMatrixF& weights_t,
                               GaussianFull::Statistics* stats) const {
  thread_local RowMatrix means;
  thread_local std::vector<Eigen::MatrixXd> scatters;
  const BlockShifts& shifts = ShiftsOf(x, weights_t, whitening_.reference());
  internal::FullBlockMomentsF(x, weights_t, shifts.counts, shifts.means, &means, &scatters);
  for (int k = 0; k < family.num_components(); ++k) {
    const double count = shifts.counts[k];
    if (!(count > 0.0)) continue;
    PoolFullMoments(&stats->counts[k], stats->means.row(k), &stats->scatters[k], count,
                    means.row(k), &scatters[k]);
  }
}

// --- Tied ---

GaussianTiedF::GaussianTiedF(const GaussianTied& family) {
  whitening_.Update(family.means(), {&family.precision_cholesky()});
  const double log_det = family.precision_cholesky().diagonal().array().log().sum();
  log_constants_ = Eigen::RowVectorXf::Constant(
      family.num_components(),
      static_cast<float>(log_det - 0.5 * family.num_features() * kLog2Pi));
}

void GaussianTiedF::LogProbabilities(const GaussianTied& family, const MatrixViewF& x,
                                     Eigen::Ref<RowMatrixF> out) const {
  thread_local RowMatrixF out_t;
  LogProbabilitiesTransposed(family, x, &out_t);
  out = out_t.transpose();
}

void GaussianTiedF::LogProbabilitiesTransposed(const GaussianTied& family, const MatrixViewF& x,
                                               RowMatrixF* out_t) const {
  if (family.num_features() <= kMaxSmallDimension && family.options().small_dimension_kernels) {
    thread_local RowMatrixF out;
    const Eigen::VectorXd constants = log_constants_.cast<double>().transpose();
    out.resize(x.rows(), family.num_components());
    internal::SmallWhitenedLogDensities<float>(x, family.means(), {&family.precision_cholesky()},
                                     constants, out);
    *out_t = out.transpose();
    return;
  }
  if (!whitening_.LogDensities(x, log_constants_, out_t)) {
    WidenedLogProbabilitiesTransposed(family, x, out_t);
  }
}

void GaussianTiedF::Accumulate(const GaussianTied& family, const MatrixViewF& x,
                               const RowMatrixF& weights_t,
                               GaussianTied::Statistics* stats) const {
  thread_local RowMatrix means;
  thread_local std::vector<Eigen::MatrixXd> scatters;
  const BlockShifts& shifts = ShiftsOf(x, weights_t, whitening_.reference());
  internal::FullBlockMomentsF(x, weights_t, shifts.counts, shifts.means, &means, &scatters);
  for (int k = 0; k < family.num_components(); ++k) {
    const double count = shifts.counts[k];
    if (!(count > 0.0)) continue;
    stats->scatter += scatters[k];
    PoolFullMoments(&stats->counts[k], stats->means.row(k), &stats->scatter, count,
                    means.row(k), nullptr, &stats->scatter);
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
  minus_half_precisions_ = (-0.5 * precisions).cast<float>();
  precision_times_centered_means_ = precisions.cwiseProduct(centered_means).cast<float>();
  log_density_constants_ =
      (half_log_det.array() - 0.5 * d * kLog2Pi -
       0.5 * precisions.cwiseProduct(centered_means.cwiseAbs2()).rowwise().sum().array())
          .transpose()
          .cast<float>();
  precisions_ = precisions;
  small_constants_ = half_log_det.array() - 0.5 * d * kLog2Pi;
  max_precisions_f_ = precisions.colwise().maxCoeff().cast<float>();
  max_centered_means_f_ = centered_means.cwiseAbs().colwise().maxCoeff().cast<float>();
}

template <bool kSpherical>
void GaussianAxisAlignedF<kSpherical>::LogProbabilities(const Family& family,
                                                        const MatrixViewF& x,
                                                        Eigen::Ref<RowMatrixF> out) const {
  thread_local RowMatrixF out_t;
  LogProbabilitiesTransposed(family, x, &out_t);
  out = out_t.transpose();
}

template <bool kSpherical>
void GaussianAxisAlignedF<kSpherical>::LogProbabilitiesTransposed(const Family& family,
                                                                  const MatrixViewF& x,
                                                                  RowMatrixF* out_t) const {
  const Eigen::Index d = x.cols();
  out_t->resize(family.num_components(), x.rows());
  thread_local RowMatrixF direct;
  if (d <= kMaxSmallDimension && family.options().small_dimension_kernels) {
    internal::SmallDiagonalLogDensitiesTransposed<float>(x, family.means(), precisions_,
                                                         small_constants_, out_t);
    return;
  }
  // Row i's terms p_d (x_d - c_d)^2 / 2, p_d (x_d - c_d) (mu_d - c_d) and
  // p_d (mu_d - c_d)^2 / 2 have magnitudes adding up to at most
  // sum_d P_d (|x_d - c_d| + M_d)^2 / 2 (P_d: the largest precision of
  // feature d, M_d: the largest |mu_d - c_d|); with the rounding of the
  // inputs and constants to float, the error is under (D + 3) u times that,
  // u = eps_f / 2. The block's bound is the largest row's.
  const double largest = internal::ExpandedDiagonalLogDensitiesF(
      x, reference_, minus_half_precisions_, precision_times_centered_means_,
      log_density_constants_, max_precisions_f_, max_centered_means_f_, out_t->data(),
      out_t->cols());
  // The float sum itself is within (1 + 2 D u) of the exact one.
  const double error_bound = static_cast<double>(d + 3) * 0.5 * kEpsF * 0.5 * largest *
                             (1.0 + static_cast<double>(d) * kEpsF);
  if (!(error_bound <= kMaxLogDensityErrorF)) {
    // Each row centred on each component's mean: no cancellation, in float.
    direct.resize(x.rows(), family.num_components());
    internal::DirectDiagonalLogDensities<float>(x, family.means(), precisions_, small_constants_, direct);
    *out_t = direct.transpose();
  }
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
