// A mixture of linear regressions, written only against emkit's public
// headers: the kind of model a user brings to the engine.
//
// Each sample is (x, y) with x a row of p regressors (put a 1 in it for an
// intercept). A hidden z in {0..K-1} picks the line:
//
//   p(z = k) = pi_k,   y | x, z = k  ~  N(x . beta_k, sigma_k^2).
//
// EM: responsibilities r_ik from the residuals (E-step); weighted least
// squares per component, weights r_ik (M-step). The statistics are sums over
// samples, so the engine's threads, restarts, convergence and certificate
// work unchanged. As emkit's Gaussians do, the statistics are accumulated
// about the current coefficients (residuals, not raw y), so that the sums do
// not cancel when the lines fit well.
#ifndef EXAMPLES_MIXTURE_OF_REGRESSIONS_MIXTURE_OF_REGRESSIONS_H_
#define EXAMPLES_MIXTURE_OF_REGRESSIONS_MIXTURE_OF_REGRESSIONS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>

#include "emkit/constants.h"
#include "emkit/fit.h"
#include "emkit/log_sum_exp.h"
#include "emkit/matrix.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace regression_example {

using emkit::MatrixView;
using emkit::RowMatrix;
using emkit::Vector;

// The model's unit of work: consecutive samples.
struct RegressionBlock {
  MatrixView x;                   // n x p regressors
  const double* y = nullptr;      // n responses
  const double* weights = nullptr;  // n sample weights, or null
};

// Samples cut into fixed blocks (a BlockSource for the engine). The arrays
// must outlive it.
class RegressionData {
 public:
  RegressionData(MatrixView x, const double* y, const double* weights,
                 std::int64_t block_rows)
      : x_(x), y_(y), weights_(weights), block_rows_(block_rows) {
    if (block_rows_ < 1) throw std::invalid_argument("block_rows must be >= 1");
    total_weight_ = 0.0;
    for (std::int64_t i = 0; i < x_.rows(); ++i) total_weight_ += weights_ ? weights_[i] : 1.0;
  }

  std::int64_t NumBlocks() const { return (x_.rows() + block_rows_ - 1) / block_rows_; }
  RegressionBlock GetBlock(std::int64_t b) const {
    const std::int64_t first = b * block_rows_;
    const std::int64_t n = std::min(block_rows_, x_.rows() - first);
    return RegressionBlock{MatrixView(x_.data() + first * x_.cols(), n, x_.cols()),
                           y_ + first, weights_ ? weights_ + first : nullptr};
  }
  double TotalWeight() const { return total_weight_; }
  std::int64_t block_rows() const { return block_rows_; }
  const MatrixView& x() const { return x_; }
  const double* y() const { return y_; }

 private:
  MatrixView x_;
  const double* y_;
  const double* weights_;
  std::int64_t block_rows_;
  double total_weight_;
};

class MixtureOfLinearRegressions {
 public:
  using Block = RegressionBlock;

  // Weighted sums about `shift` (the coefficients that computed them), with
  // residuals e = y - x . shift_k.
  struct Statistics {
    Vector counts;                  // K: sum r
    std::vector<Eigen::MatrixXd> xx;  // K of p x p: sum r x x^T
    RowMatrix xe;                   // K x p: sum r e x
    Vector ee;                      // K: sum r e^2
    RowMatrix shift;                // K x p (not summed)

    void Merge(const Statistics& other) {
      counts += other.counts;
      for (std::size_t k = 0; k < xx.size(); ++k) xx[k] += other.xx[k];
      xe += other.xe;
      ee += other.ee;
    }
    void SetZero() {
      counts.setZero();
      for (Eigen::MatrixXd& m : xx) m.setZero();
      xe.setZero();
      ee.setZero();
    }
  };

  // weights: K mixing weights (positive, sum 1); coefficients: K x p;
  // variances: K noise variances (positive). min_variance floors the
  // M-step's variances, so a line through exactly fitting points does not
  // give an infinite likelihood.
  MixtureOfLinearRegressions(Vector weights, RowMatrix coefficients, Vector variances,
                             double min_variance = 1e-10)
      : weights_(std::move(weights)),
        coefficients_(std::move(coefficients)),
        variances_(std::move(variances)),
        min_variance_(min_variance) {
    if (weights_.size() != coefficients_.rows() || variances_.size() != coefficients_.rows()) {
      throw std::invalid_argument("weights, coefficients and variances disagree on K");
    }
    if (!(variances_.array() > 0.0).all() || !(weights_.array() > 0.0).all()) {
      throw std::invalid_argument("weights and variances must be positive");
    }
  }

  int num_components() const { return static_cast<int>(coefficients_.rows()); }
  int num_regressors() const { return static_cast<int>(coefficients_.cols()); }
  const Vector& weights() const { return weights_; }
  const RowMatrix& coefficients() const { return coefficients_; }
  const Vector& variances() const { return variances_; }

  // --- The engine's concept (emkit/model.h) ---

  Statistics NewStatistics() const {
    const int k = num_components();
    const int p = num_regressors();
    Statistics s;
    s.counts = Vector::Zero(k);
    s.xx.assign(k, Eigen::MatrixXd::Zero(p, p));
    s.xe = RowMatrix::Zero(k, p);
    s.ee = Vector::Zero(k);
    s.shift = coefficients_;
    return s;
  }

  // Responsibilities of the block's samples, then their weighted sums.
  double EStep(const RegressionBlock& block, Statistics* stats) const {
    const Eigen::Index n = block.x.rows();
    RowMatrix r(n, num_components());
    LogJoint(block, &r);
    Vector log_norm(n);
    emkit::LogSumExpRows(r, log_norm, /*normalize=*/true);
    double loglik = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double w = block.weights ? block.weights[i] : 1.0;
      r.row(i) *= w;
      if (w != 0.0) loglik += w * log_norm[i];  // weight 0: a sample left out
    }
    AddWeightedRows(block, r, stats);
    return loglik;
  }

  MixtureOfLinearRegressions MStep(const Statistics& stats,
                                   emkit::RepairCounts* repairs) const {
    MixtureOfLinearRegressions next = *this;
    const double total = stats.counts.sum();
    for (int k = 0; k < num_components(); ++k) {
      Eigen::LDLT<Eigen::MatrixXd> ldlt(stats.xx[k]);
      const bool solvable = stats.counts[k] > emkit::kCollapsedFraction * total &&
                            ldlt.info() == Eigen::Success &&
                            ldlt.vectorD().minCoeff() > 1e-12 * ldlt.vectorD().maxCoeff();
      if (!solvable) {
        // Too little weight to determine the line: keep it, and say so.
        if (repairs != nullptr) ++repairs->collapsed_components;
        continue;
      }
      const Eigen::VectorXd delta = ldlt.solve(stats.xe.row(k).transpose());
      next.coefficients_.row(k) = stats.shift.row(k) + delta.transpose();
      next.variances_[k] =
          std::max(ResidualSum(stats, k, next.coefficients_.row(k)) / stats.counts[k],
                   min_variance_);
    }
    next.weights_ = (stats.counts.array() + emkit::kCountFloor).matrix();
    next.weights_ /= next.weights_.sum();
    return next;
  }

  // Q(theta | old) = sum_k N_k (log pi_k - log(2 pi sigma_k^2) / 2)
  //                  - RSS_k(beta_k) / (2 sigma_k^2), from the statistics.
  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    double q = 0.0;
    for (int k = 0; k < num_components(); ++k) {
      q += stats.counts[k] *
               (std::log(weights_[k]) - 0.5 * (emkit::kLog2Pi + std::log(variances_[k]))) -
           0.5 * ResidualSum(stats, k, coefficients_.row(k)) / variances_[k];
    }
    return q;
  }

  std::int64_t NumFreeParameters() const {
    const std::int64_t k = num_components();
    return (k - 1) + k * num_regressors() + k;
  }

  // --- Beyond the concept ---

  // Adds the sums of rows with responsibilities r (n x K, already times the
  // sample weights) about stats->shift.
  static void AddWeightedRows(const RegressionBlock& block, const RowMatrix& r,
                              Statistics* stats) {
    const Eigen::Map<const Eigen::VectorXd> y(block.y, block.x.rows());
    for (Eigen::Index k = 0; k < r.cols(); ++k) {
      const Eigen::VectorXd e = y - block.x * stats->shift.row(k).transpose();
      const auto rk = r.col(k);
      stats->counts[k] += rk.sum();
      stats->xx[k].noalias() += block.x.transpose() * rk.asDiagonal() * block.x;
      stats->xe.row(k).noalias() += (rk.cwiseProduct(e)).transpose() * block.x;
      stats->ee[k] += rk.dot(e.cwiseProduct(e));
    }
  }

  // out (n x K) = log pi_k + log N(y_i | x_i . beta_k, sigma_k^2).
  void LogJoint(const RegressionBlock& block, RowMatrix* out) const {
    const Eigen::Map<const Eigen::VectorXd> y(block.y, block.x.rows());
    for (int k = 0; k < num_components(); ++k) {
      const Eigen::VectorXd e = y - block.x * coefficients_.row(k).transpose();
      out->col(k) = (-0.5 / variances_[k]) * e.array().square();
      out->col(k).array() +=
          std::log(weights_[k]) - 0.5 * (emkit::kLog2Pi + std::log(variances_[k]));
    }
  }

 private:
  // sum r (y - x . beta)^2 for component k, from sums about the shift:
  // with d = beta - shift, RSS = ee - 2 d . xe + d^T xx d.
  static double ResidualSum(const Statistics& stats, int k,
                            const Eigen::Ref<const Eigen::RowVectorXd>& beta) {
    const Eigen::VectorXd d = (beta - stats.shift.row(k)).transpose();
    const double rss = stats.ee[k] - 2.0 * d.dot(stats.xe.row(k).transpose()) +
                       d.dot(stats.xx[k] * d);
    return std::max(rss, 0.0);  // rounding can leave a tiny negative
  }

  Vector weights_;
  RowMatrix coefficients_;
  Vector variances_;
  double min_variance_;
};

// One restart's starting model: each component's line passes exactly
// through p samples drawn at random (distinct), all start with the
// variance of y and equal weights. Depends on the seed alone, so a fit is
// the same for any number of threads.
inline MixtureOfLinearRegressions RandomLinesThroughSamples(const RegressionData& data,
                                                            int num_components,
                                                            std::uint64_t seed) {
  emkit::Rng rng(seed);
  const MatrixView& x = data.x();
  const Eigen::Index n = x.rows();
  const Eigen::Index p = x.cols();
  if (n < num_components * p) {
    throw std::invalid_argument("fewer samples than K lines need");
  }
  const Eigen::Map<const Eigen::VectorXd> y(data.y(), n);
  const double variance = std::max((y.array() - y.mean()).square().mean(), 1e-12);
  std::set<std::int64_t> used;
  RowMatrix coefficients(num_components, p);
  for (int k = 0; k < num_components; ++k) {
    Eigen::MatrixXd xs(p, p);
    Eigen::VectorXd ys(p);
    for (Eigen::Index j = 0; j < p; ++j) {
      std::int64_t row;
      do {
        row = static_cast<std::int64_t>(emkit::UniformIndex(rng, n));
      } while (!used.insert(row).second);
      xs.row(j) = x.row(row);
      ys[j] = y[row];
    }
    // Least squares, so that collinear picks still give a line.
    coefficients.row(k) = xs.colPivHouseholderQr().solve(ys).transpose();
  }
  return MixtureOfLinearRegressions(Vector::Constant(num_components, 1.0 / num_components),
                                    std::move(coefficients),
                                    Vector::Constant(num_components, variance));
}

// Fits K lines with the engine: options.n_init restarts, threads, the
// certificate and the report all come from emkit.
inline emkit::Fitted<MixtureOfLinearRegressions> FitMixtureOfRegressions(
    const emkit::FitOptions& options, const RegressionData& data, int num_components) {
  return emkit::FitWithRestarts(options, data, [&](const emkit::InitContext& context) {
    return RandomLinesThroughSamples(data, num_components, context.seed);
  });
}

}  // namespace regression_example

#endif  // EXAMPLES_MIXTURE_OF_REGRESSIONS_MIXTURE_OF_REGRESSIONS_H_
