#include "emkit/families/bernoulli.h"

#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "emkit/constants.h"
#include "emkit/error.h"

namespace emkit {
namespace {

// c * log_y with 0 * log 0 = 0: a count of zero contributes nothing, even
// where the probability it multiplies is zero.
double XLogY(double c, double log_y) { return c == 0.0 ? 0.0 : c * log_y; }

// (count + a) / (total + 2a), kept inside (0, 1) unless its count (or the
// complementary count) is exactly zero.
double Probability(double ones, double zeros, double a) {
  double p = (ones + a) / (ones + zeros + 2.0 * a);
  if (p == 0.0 && ones + a > 0.0) p = std::numeric_limits<double>::denorm_min();
  if (p == 1.0 && zeros + a > 0.0) p = std::nextafter(1.0, 0.0);
  return p;
}

}  // namespace

void BernoulliOptions::Validate() const {
  if (!(pseudo_count >= 0.0) || !std::isfinite(pseudo_count)) {
    throw InvalidOptionError(fmt::format(
        "Bernoulli pseudo_count = {} must be a finite number >= 0", pseudo_count));
  }
}

void Bernoulli::Statistics::Merge(const Statistics& other) {
  counts += other.counts;
  ones += other.ones;
  zeros += other.zeros;
}

void Bernoulli::Statistics::SetZero() {
  counts.setZero();
  ones.setZero();
  zeros.setZero();
}

Bernoulli::Bernoulli(RowMatrix probabilities, BernoulliOptions options)
    : probabilities_(std::move(probabilities)), options_(options) {
  options_.Validate();
  if (probabilities_.rows() < 1 || probabilities_.cols() < 1) {
    throw InvalidDataError(fmt::format(
        "Bernoulli probabilities must be K x D with K, D >= 1, found {} x {}",
        probabilities_.rows(), probabilities_.cols()));
  }
  for (Eigen::Index k = 0; k < probabilities_.rows(); ++k) {
    for (Eigen::Index d = 0; d < probabilities_.cols(); ++d) {
      const double p = probabilities_(k, d);
      if (!(p >= 0.0 && p <= 1.0)) {
        throw InvalidDataError(fmt::format(
            "Bernoulli probabilities[{}, {}] = {} must be in [0, 1]", k, d, p));
      }
    }
  }
  UpdateLogs();
}

Bernoulli Bernoulli::ForData(int k, const MatrixView& x, const BernoulliOptions& options) {
  ValidateData(x);
  return Bernoulli(RowMatrix::Constant(k, x.cols(), 0.5), options);
}

void Bernoulli::ValidateData(const MatrixView& x) {
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const double v = x(i, j);
      if (v != 0.0 && v != 1.0) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: Bernoulli features must be 0 or 1", i, j, v));
      }
    }
  }
}

void Bernoulli::UpdateLogs() {
  log_p_ = probabilities_.array().log();
  log_q_ = (-probabilities_.array()).log1p();
  all_finite_ = log_p_.allFinite() && log_q_.allFinite();
  sum_log_q_ = log_q_.rowwise().sum();
}

Bernoulli::Statistics Bernoulli::NewStatistics() const {
  Statistics s;
  s.counts = Vector::Zero(num_components());
  s.ones = RowMatrix::Zero(num_components(), num_features());
  s.zeros = RowMatrix::Zero(num_components(), num_features());
  return s;
}

void Bernoulli::LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const {
  if (all_finite_) {
    // sum_d x log p + (1 - x) log q = x . (log p - log q) + sum_d log q:
    // one matrix product for the whole block.
    out.noalias() = x * (log_p_ - log_q_).transpose();
    out.rowwise() += sum_log_q_.transpose();
    return;
  }
  // Some probability is exactly 0 or 1: pick the log of the observed
  // outcome per element, so that 0 * (-inf) never arises.
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (int k = 0; k < num_components(); ++k) {
      double sum = 0.0;
      for (int d = 0; d < num_features(); ++d) {
        sum += x(i, d) == 1.0 ? log_p_(k, d) : log_q_(k, d);
      }
      out(i, k) = sum;
    }
  }
}

void Bernoulli::Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                           Statistics* stats) const {
  thread_local RowMatrix complement;
  complement = (1.0 - x.array()).matrix();
  stats->counts += weights.colwise().sum().transpose();
  stats->ones.noalias() += weights.transpose() * x;
  stats->zeros.noalias() += weights.transpose() * complement;
}

Bernoulli Bernoulli::Maximize(const Statistics& stats, RepairCounts* repairs) const {
  Bernoulli next = *this;
  const double total = stats.counts.sum();
  const double a = options_.pseudo_count;
  for (int k = 0; k < num_components(); ++k) {
    if (!(stats.counts[k] > kCollapsedFraction * total)) {
      if (repairs != nullptr) ++repairs->collapsed_components;
      continue;
    }
    for (int d = 0; d < num_features(); ++d) {
      next.probabilities_(k, d) = Probability(stats.ones(k, d), stats.zeros(k, d), a);
    }
  }
  next.UpdateLogs();
  return next;
}

double Bernoulli::ExpectedLogLikelihood(const Statistics& stats) const {
  double q = 0.0;
  for (int k = 0; k < num_components(); ++k) {
    for (int d = 0; d < num_features(); ++d) {
      q += XLogY(stats.ones(k, d), log_p_(k, d)) + XLogY(stats.zeros(k, d), log_q_(k, d));
    }
  }
  return q;
}

std::int64_t Bernoulli::NumFreeParameters() const {
  return static_cast<std::int64_t>(num_components()) * num_features();
}

void Bernoulli::Sample(int component, Rng& rng, double* out) const {
  for (int d = 0; d < num_features(); ++d) {
    out[d] = UniformDouble(rng) < probabilities_(component, d) ? 1.0 : 0.0;
  }
}

}  // namespace emkit
