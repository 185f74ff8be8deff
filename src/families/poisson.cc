#include "emkit/families/poisson.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "emkit/constants.h"
#include "emkit/error.h"

namespace emkit {
namespace {

// c * log_y with 0 * log 0 = 0.
double XLogY(double c, double log_y) { return c == 0.0 ? 0.0 : c * log_y; }

// The PTRS threshold: below it the multiplication method is fast and exact.
constexpr double kSmallRate = 10.0;

constexpr int kLogFactorialTableSize = 256;

}  // namespace

double LogFactorial(double x) {
  // Filled once (thread-safe static initialisation); lgamma is only called
  // here, never concurrently.
  static const auto* const table = [] {
    auto* t = new double[kLogFactorialTableSize];
    t[0] = 0.0;
    for (int i = 1; i < kLogFactorialTableSize; ++i) t[i] = std::lgamma(i + 1.0);
    return t;
  }();
  if (x < kLogFactorialTableSize) return table[static_cast<int>(x)];
  // log Gamma(n) for n = x + 1 >= 257: the omitted terms are under 1e-19.
  const double n = x + 1.0;
  const double inv = 1.0 / n;
  const double inv2 = inv * inv;
  constexpr double kHalfLog2Pi = 0.91893853320467274178032973640562;
  return (n - 0.5) * std::log(n) - n + kHalfLog2Pi +
         inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0)));
}

void PoissonOptions::Validate() const {
  if (!(min_rate >= 0.0) || !std::isfinite(min_rate)) {
    throw InvalidOptionError(
        fmt::format("Poisson min_rate = {} must be a finite number >= 0", min_rate));
  }
  if (prior_sums.rows() != prior_weights.rows() || prior_sums.cols() != prior_weights.cols()) {
    throw InvalidOptionError(fmt::format(
        "Poisson prior_sums ({} x {}) and prior_weights ({} x {}) must have one shape",
        prior_sums.rows(), prior_sums.cols(), prior_weights.rows(), prior_weights.cols()));
  }
  for (const RowMatrix* m : {&prior_sums, &prior_weights}) {
    for (Eigen::Index i = 0; i < m->size(); ++i) {
      const double v = m->data()[i];
      if (!(v >= 0.0) || !std::isfinite(v)) {
        throw InvalidOptionError(fmt::format(
            "Poisson {} value {} must be finite and >= 0",
            m == &prior_sums ? "prior_sums" : "prior_weights", v));
      }
    }
  }
}

void Poisson::Statistics::Merge(const Statistics& other) {
  counts += other.counts;
  sums += other.sums;
  log_factorials += other.log_factorials;
}

void Poisson::Statistics::SetZero() {
  counts.setZero();
  sums.setZero();
  log_factorials.setZero();
}

Poisson::Poisson(RowMatrix rates, PoissonOptions options)
    : rates_(std::move(rates)), options_(options) {
  options_.Validate();
  if (rates_.rows() < 1 || rates_.cols() < 1) {
    throw InvalidDataError(fmt::format(
        "Poisson rates must be K x D with K, D >= 1, found {} x {}", rates_.rows(),
        rates_.cols()));
  }
  for (Eigen::Index k = 0; k < rates_.rows(); ++k) {
    for (Eigen::Index d = 0; d < rates_.cols(); ++d) {
      const double r = rates_(k, d);
      if (!(r >= 0.0) || !std::isfinite(r)) {
        throw InvalidDataError(fmt::format(
            "Poisson rates[{}, {}] = {} must be finite and >= 0", k, d, r));
      }
    }
  }
  if (options_.prior_sums.size() != 0 &&
      (options_.prior_sums.rows() != rates_.rows() ||
       options_.prior_sums.cols() != rates_.cols())) {
    throw InvalidOptionError(fmt::format(
        "Poisson priors are {} x {}, but the rates are {} x {}", options_.prior_sums.rows(),
        options_.prior_sums.cols(), rates_.rows(), rates_.cols()));
  }
  UpdateLogs();
}

Poisson Poisson::ForData(int k, const MatrixView& x, const PoissonOptions& options) {
  ValidateData(x);
  return Poisson(RowMatrix::Ones(k, x.cols()), options);
}

void Poisson::ValidateData(const MatrixView& x) {
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const double v = x(i, j);
      if (!(v >= 0.0) || !std::isfinite(v) || v != std::floor(v)) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: Poisson features must be non-negative integers (counts)",
            i, j, v));
      }
    }
  }
}

void Poisson::UpdateLogs() {
  log_rates_ = rates_.array().log();
  all_positive_ = log_rates_.allFinite();
  rate_sums_ = rates_.rowwise().sum();
}

Poisson::Statistics Poisson::NewStatistics() const {
  Statistics s;
  s.counts = Vector::Zero(num_components());
  s.sums = RowMatrix::Zero(num_components(), num_features());
  s.log_factorials = Vector::Zero(num_components());
  return s;
}

namespace {

// sum_d log(x_id!) per row.
void RowLogFactorials(const MatrixView& x, Vector* out) {
  out->resize(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double s = 0.0;
    for (Eigen::Index d = 0; d < x.cols(); ++d) s += LogFactorial(x(i, d));
    (*out)[i] = s;
  }
}

}  // namespace

void Poisson::LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const {
  thread_local Vector log_factorials;
  RowLogFactorials(x, &log_factorials);
  if (all_positive_) {
    out.noalias() = x * log_rates_.transpose();
  } else {
    // A rate of 0 has log -inf: a zero count must contribute 0, not nan.
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      for (int k = 0; k < num_components(); ++k) {
        double sum = 0.0;
        for (int d = 0; d < num_features(); ++d) sum += XLogY(x(i, d), log_rates_(k, d));
        out(i, k) = sum;
      }
    }
  }
  out.rowwise() -= rate_sums_.transpose();
  out.colwise() -= log_factorials;
}

void Poisson::Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                         Statistics* stats) const {
  thread_local Vector log_factorials;
  RowLogFactorials(x, &log_factorials);
  stats->counts += weights.colwise().sum().transpose();
  stats->sums.noalias() += weights.transpose() * x;
  stats->log_factorials.noalias() += weights.transpose() * log_factorials;
}

Poisson Poisson::Maximize(const Statistics& stats, RepairCounts* repairs) const {
  Poisson next = *this;
  const double total = stats.counts.sum();
  for (int k = 0; k < num_components(); ++k) {
    if (!(stats.counts[k] > kCollapsedFraction * total)) {
      if (repairs != nullptr) ++repairs->collapsed_components;
      continue;
    }
    const bool prior = options_.prior_sums.size() != 0;
    for (int d = 0; d < num_features(); ++d) {
      double rate = prior ? (options_.prior_sums(k, d) + stats.sums(k, d)) /
                                (options_.prior_weights(k, d) + stats.counts[k])
                          : stats.sums(k, d) / stats.counts[k];
      if (rate == 0.0 && stats.sums(k, d) > 0.0) {
        rate = std::numeric_limits<double>::denorm_min();  // keep the support
      }
      next.rates_(k, d) = std::max(rate, options_.min_rate);
    }
  }
  next.UpdateLogs();
  return next;
}

double Poisson::ExpectedLogLikelihood(const Statistics& stats) const {
  double q = 0.0;
  for (int k = 0; k < num_components(); ++k) {
    for (int d = 0; d < num_features(); ++d) q += XLogY(stats.sums(k, d), log_rates_(k, d));
    q -= stats.counts[k] * rate_sums_[k] + stats.log_factorials[k];
  }
  return q;
}

std::int64_t Poisson::NumFreeParameters() const {
  return static_cast<std::int64_t>(num_components()) * num_features();
}

void Poisson::Sample(int component, Rng& rng, double* out) const {
  for (int d = 0; d < num_features(); ++d) {
    out[d] = static_cast<double>(SamplePoisson(rates_(component, d), rng));
  }
}

std::int64_t SamplePoisson(double rate, Rng& rng) {
  if (rate <= 0.0) return 0;
  if (rate < kSmallRate) {
    // Count uniforms until their product falls under exp(-rate).
    const double limit = std::exp(-rate);
    std::int64_t k = 0;
    double product = UniformDouble(rng);
    while (product > limit) {
      ++k;
      product *= UniformDouble(rng);
    }
    return k;
  }
  // W. Hormann, "The transformed rejection method for generating Poisson
  // random variables", Insurance: Mathematics and Economics 12 (1993).
  const double slam = std::sqrt(rate);
  const double log_rate = std::log(rate);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  while (true) {
    const double u = UniformDouble(rng) - 0.5;
    const double v = UniformDouble(rng);
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2.0 * a / us + b) * u + rate + 0.43);
    if (us >= 0.07 && v <= v_r) return static_cast<std::int64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -rate + k * log_rate - LogFactorial(k)) {
      return static_cast<std::int64_t>(k);
    }
  }
}

}  // namespace emkit
