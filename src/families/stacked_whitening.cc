#include "emkit/families/stacked_whitening.h"

#include "emkit/families/gaussian_common.h"

#include <cmath>
#include <limits>

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
  const Eigen::Index f_count = static_cast<Eigen::Index>(factors.size());
  factors_.clear();
  for (const Eigen::MatrixXd* w : factors) factors_.push_back(*w);
  reference_ = CoordinateMedian(means);
  stacked_.resize(d, f_count * d);
  max_factor_column_sum_ = 0.0;
  for (Eigen::Index f = 0; f < f_count; ++f) {
    stacked_.middleCols(f * d, d) = factors_[f];
    max_factor_column_sum_ =
        std::max(max_factor_column_sum_, factors_[f].cwiseAbs().colwise().sum().maxCoeff());
  }
  offsets_.resize(means.rows(), d);
  for (Eigen::Index k = 0; k < means.rows(); ++k) {
    offsets_.row(k) = (means.row(k) - reference_) * factors_[FactorOf(static_cast<int>(k))];
  }
  max_offset_ = offsets_.size() > 0 ? offsets_.cwiseAbs().maxCoeff() : 0.0;
}

void StackedWhitening::SquaredDistances(const MatrixView& x, Eigen::Ref<RowMatrix> out) const {
  const Eigen::Index d = means_.cols();
  thread_local RowMatrix centered;
  thread_local RowMatrix whitened;
  centered.resize(x.rows(), d);
  centered.noalias() = x.rowwise() - reference_;
  const double max_centered = centered.size() > 0 ? centered.cwiseAbs().maxCoeff() : 0.0;
  const double error_bound = static_cast<double>(d + 1) * std::numeric_limits<double>::epsilon() *
                             (max_centered * max_factor_column_sum_ + max_offset_);
  if (!(error_bound <= kMaxResidualError)) {
    ExactSquaredDistances(x, out);
    return;
  }
  whitened.resize(x.rows(), stacked_.cols());
  whitened.noalias() = centered * stacked_;
  for (Eigen::Index k = 0; k < means_.rows(); ++k) {
    const Eigen::Index f = FactorOf(static_cast<int>(k));
    out.col(k) = (whitened.middleCols(f * d, d).rowwise() - offsets_.row(k))
                     .rowwise()
                     .squaredNorm();
  }
}

void StackedWhitening::ExactSquaredDistances(const MatrixView& x,
                                             Eigen::Ref<RowMatrix> out) const {
  thread_local RowMatrix centered;
  thread_local RowMatrix whitened;
  centered.resize(x.rows(), means_.cols());
  whitened.resize(x.rows(), means_.cols());
  for (Eigen::Index k = 0; k < means_.rows(); ++k) {
    centered.noalias() = x.rowwise() - means_.row(k);
    whitened.noalias() = centered * factors_[FactorOf(static_cast<int>(k))];
    out.col(k) = whitened.rowwise().squaredNorm();
  }
}

}  // namespace emkit
