#include "emkit/internal/stacked_whitening.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "emkit/families/gaussian_common.h"
#include "whitened_distances.h"

namespace emkit {
namespace {

// Largest rounding error tolerated in a whitened residual (whose entries
// are O(1) for rows near a component): far below what changes a
// responsibility or a log-likelihood at the 1e-10 level.
constexpr double kMaxResidualError = 1e-10;

}  // namespace

void StackedWhitening::Update(const RowMatrix& means,
                              const std::vector<const Eigen::MatrixXd*>& factors) {
  means_ = means;
  const Eigen::Index d = means.cols();
  factors_.clear();
  factor_rows_.clear();
  upper_.clear();
  for (const Eigen::MatrixXd* w : factors) {
    factors_.push_back(*w);
    factor_rows_.push_back(*w);
    upper_.push_back(internal::IsExactlyUpperTriangular(*w) ? 1 : 0);
  }
  reference_ = CoordinateMedian(means);
  max_factor_column_sum_ = 0.0;
  for (const Eigen::MatrixXd& w : factors_) {
    max_factor_column_sum_ =
        std::max(max_factor_column_sum_, w.cwiseAbs().colwise().sum().maxCoeff());
  }
  offsets_.resize(means.rows(), d);
  for (Eigen::Index k = 0; k < means.rows(); ++k) {
    offsets_.row(k) = (means.row(k) - reference_) * factors_[FactorOf(static_cast<int>(k))];
  }
  max_offset_ = offsets_.size() > 0 ? offsets_.cwiseAbs().maxCoeff() : 0.0;
}

void StackedWhitening::LogDensities(const MatrixView& x, const Vector& constants,
                                    Eigen::Ref<RowMatrix> out) const {
  const int d = static_cast<int>(means_.cols());
  // Pointers into this object, so made per call (a copy must not share them).
  thread_local std::vector<internal::WhiteningFactor<double>> components;
  components.clear();
  for (Eigen::Index k = 0; k < means_.rows(); ++k) {
    const int f = FactorOf(static_cast<int>(k));
    components.push_back({factor_rows_[f].data(), upper_[f] != 0, offsets_.row(k).data()});
  }
  const double max_centred = internal::WhitenedLogDensities<double>(
      x.data(), x.rows(), d, reference_.data(), components.data(), means_.rows(),
      constants.data(), out.data(), out.outerStride(), /*transposed=*/false);
  // The block's bound is known once every row is centred; a block past it
  // (rare: rows or means far from c) is recomputed exactly.
  const double error_bound = static_cast<double>(d + 1) * std::numeric_limits<double>::epsilon() *
                             (max_centred * max_factor_column_sum_ + max_offset_);
  if (!(error_bound <= kMaxResidualError)) ExactLogDensities(x, constants, out);
}

void StackedWhitening::ExactLogDensities(const MatrixView& x, const Vector& constants,
                                         Eigen::Ref<RowMatrix> out) const {
  thread_local RowMatrix centered;
  thread_local RowMatrix whitened;
  centered.resize(x.rows(), means_.cols());
  whitened.resize(x.rows(), means_.cols());
  for (Eigen::Index k = 0; k < means_.rows(); ++k) {
    centered.noalias() = x.rowwise() - means_.row(k);
    whitened.noalias() = centered * factors_[FactorOf(static_cast<int>(k))];
    out.col(k) = -0.5 * whitened.rowwise().squaredNorm().array() + constants[k];
  }
}

}  // namespace emkit
