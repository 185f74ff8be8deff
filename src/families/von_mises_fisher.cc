#include "emkit/families/von_mises_fisher.h"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "bessel_ratio.h"
#include "emkit/constants.h"
#include "emkit/error.h"

namespace emkit {
namespace {

// A Gamma(shape, 1) draw from emkit's own generator (the standard library's
// distributions differ between implementations): Marsaglia and Tsang,
// "A simple method for generating gamma variables", ACM TOMS 26 (2000), and
// for shape < 1 their Gamma(shape + 1) U^{1 / shape}.
double SampleGamma(double shape, Rng& rng) {
  if (shape < 1.0) {
    const double u = 1.0 - UniformDouble(rng);  // (0, 1]
    return SampleGamma(shape + 1.0, rng) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x;
    double v;
    do {
      x = StandardNormal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = UniformDouble(rng);
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// Beta(a, a) as G1 / (G1 + G2).
double SampleSymmetricBeta(double a, Rng& rng) {
  while (true) {
    const double g1 = SampleGamma(a, rng);
    const double g2 = SampleGamma(a, rng);
    if (g1 + g2 > 0.0) return g1 / (g1 + g2);
  }
}

// The cosine w = mu'x of a draw from the von Mises-Fisher distribution on
// the sphere of R^d (d >= 2), by A. T. A. Wood, "Simulation of the von
// Mises Fisher distribution", Communications in Statistics - Simulation and
// Computation 23 (1994). Returns w and sets *one_minus_w; both are formed
// from b, x0 and z without subtracting numbers near 1, so that a draw at
// kappa = 1e6 (1 - w ~ 1e-6) keeps its digits.
double SampleCosine(int d, double kappa, Rng& rng, double* one_minus_w) {
  const double m = d - 1.0;
  // b = (-2 kappa + sqrt(4 kappa^2 + m^2)) / m, in the form without cancellation.
  const double b = m / (2.0 * kappa + std::hypot(2.0 * kappa, m));
  const double x0 = (1.0 - b) / (1.0 + b);
  const double one_minus_x0 = 2.0 * b / (1.0 + b);
  const double log_one_minus_x0_squared = std::log(one_minus_x0 * (1.0 + x0));
  while (true) {
    const double z = SampleSymmetricBeta(0.5 * m, rng);
    const double denominator = 1.0 - (1.0 - b) * z;
    const double w = (1.0 - (1.0 + b) * z) / denominator;
    const double omw = 2.0 * b * z / denominator;
    // Accept when kappa w + m log(1 - x0 w) - c >= log u, with
    // c = kappa x0 + m log(1 - x0^2).
    const double log_u = std::log(1.0 - UniformDouble(rng));
    const double test = kappa * (one_minus_x0 - omw) +
                        m * (std::log(one_minus_x0 + x0 * omw) - log_one_minus_x0_squared);
    if (test >= log_u) {
      *one_minus_w = omw;
      return w;
    }
  }
}

}  // namespace

void VonMisesFisherOptions::Validate() const {
  if (!(max_concentration > 0.0) || !std::isfinite(max_concentration)) {
    throw InvalidOptionError(fmt::format(
        "von Mises-Fisher max_concentration = {} must be a finite number > 0",
        max_concentration));
  }
}

void VonMisesFisher::Statistics::Merge(const Statistics& other) {
  counts += other.counts;
  sums += other.sums;
}

void VonMisesFisher::Statistics::SetZero() {
  counts.setZero();
  sums.setZero();
}

VonMisesFisher::VonMisesFisher(RowMatrix mean_directions, Vector concentrations,
                               VonMisesFisherOptions options)
    : mean_directions_(std::move(mean_directions)),
      concentrations_(std::move(concentrations)),
      options_(options) {
  options_.Validate();
  if (mean_directions_.rows() < 1 || mean_directions_.cols() < 2) {
    throw InvalidDataError(fmt::format(
        "von Mises-Fisher mean_directions must be K x D with K >= 1 and D >= 2, found {} x {}",
        mean_directions_.rows(), mean_directions_.cols()));
  }
  if (concentrations_.size() != mean_directions_.rows()) {
    throw InvalidDataError(fmt::format(
        "von Mises-Fisher concentrations: expected {} values (one per mean direction), found {}",
        mean_directions_.rows(), concentrations_.size()));
  }
  for (Eigen::Index k = 0; k < mean_directions_.rows(); ++k) {
    if (!mean_directions_.row(k).allFinite()) {
      throw InvalidDataError(fmt::format(
          "von Mises-Fisher mean_directions[{}] has a value that is not finite", k));
    }
    const double norm = mean_directions_.row(k).norm();
    if (!(std::abs(norm - 1.0) <= kUnitNormTolerance)) {
      throw InvalidDataError(fmt::format(
          "von Mises-Fisher mean_directions[{}] has norm {}: mean directions must be unit "
          "vectors (norm 1 within 1e-6)",
          k, norm));
    }
    const double kappa = concentrations_[k];
    if (!(kappa >= 0.0) || !std::isfinite(kappa)) {
      throw InvalidDataError(fmt::format(
          "von Mises-Fisher concentrations[{}] = {} must be finite and >= 0", k, kappa));
    }
    if (kappa > options_.max_concentration) {
      throw InvalidDataError(fmt::format(
          "von Mises-Fisher concentrations[{}] = {} exceeds max_concentration = {}", k, kappa,
          options_.max_concentration));
    }
  }
  UpdateDerived();
}

void VonMisesFisher::ValidateData(const MatrixView& x) {
  if (x.rows() > 0 && x.cols() < 2) {
    throw InvalidDataError(fmt::format(
        "X has {} column(s): von Mises-Fisher rows are directions in D >= 2 dimensions",
        x.cols()));
  }
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(x(i, j))) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: values must be finite (missing values are not supported)", i, j,
            x(i, j)));
      }
    }
    const double norm = x.row(i).norm();
    if (!(std::abs(norm - 1.0) <= kUnitNormTolerance)) {
      throw InvalidDataError(fmt::format(
          "X[{}] has norm {}: von Mises-Fisher rows must be unit vectors (norm 1 within 1e-6)",
          i, norm));
    }
  }
}

VonMisesFisher VonMisesFisher::ForData(int k, const MatrixView& x,
                                       const VonMisesFisherOptions& options) {
  ValidateData(x);
  RowMatrix directions = RowMatrix::Zero(k, x.cols());
  directions.col(0).setOnes();
  return VonMisesFisher(std::move(directions), Vector::Zero(k), options);
}

void VonMisesFisher::UpdateDerived() {
  const int k = num_components();
  inverse_direction_norms_ = mean_directions_.rowwise().norm().cwiseInverse();
  log_density_at_mean_.resize(k);
  for (int c = 0; c < k; ++c) {
    log_density_at_mean_[c] = internal::VmfLogDensityAtMean(num_features(), concentrations_[c]);
  }
}

VonMisesFisher::Statistics VonMisesFisher::NewStatistics() const {
  Statistics s;
  s.counts = Vector::Zero(num_components());
  s.sums = RowMatrix::Zero(num_components(), num_features());
  return s;
}

void VonMisesFisher::LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const {
  thread_local Vector inverse_norms;
  inverse_norms = x.rowwise().norm().cwiseInverse();
  out.noalias() = x * mean_directions_.transpose();
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (int k = 0; k < num_components(); ++k) {
      // log C + kappa mu'x = (log C + kappa) + kappa (cos - 1): the first
      // term is accurate even where log C and kappa are both ~1e6.
      const double cosine = out(i, k) * inverse_norms[i] * inverse_direction_norms_[k];
      out(i, k) = log_density_at_mean_[k] + concentrations_[k] * (cosine - 1.0);
    }
  }
}

void VonMisesFisher::Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                                Statistics* stats) const {
  thread_local RowMatrix scaled;
  scaled = weights;
  scaled.array().colwise() *= x.rowwise().norm().cwiseInverse().array();
  stats->counts += weights.colwise().sum().transpose();
  stats->sums.noalias() += scaled.transpose() * x;
}

VonMisesFisher VonMisesFisher::Maximize(const Statistics& stats, RepairCounts* repairs) const {
  VonMisesFisher next = *this;
  const int d = num_features();
  const double total = stats.counts.sum();
  const double cap = options_.max_concentration;
  const double cap_resultant = internal::VmfMeanResultantLength(d, cap);
  for (int k = 0; k < num_components(); ++k) {
    if (!(stats.counts[k] > kCollapsedFraction * total)) {
      if (repairs != nullptr) ++repairs->collapsed_components;
      continue;
    }
    // stableNorm: a resultant of subnormal sums still normalises.
    const double resultant = stats.sums.row(k).stableNorm();
    if (!(resultant > 0.0)) {
      next.concentrations_[k] = 0.0;
      continue;
    }
    next.mean_directions_.row(k) = stats.sums.row(k) / resultant;
    const double r = resultant / stats.counts[k];
    if (r >= cap_resultant) {
      next.concentrations_[k] = cap;
      if (repairs != nullptr) ++repairs->regularized_covariances;
    } else {
      next.concentrations_[k] = internal::VmfConcentration(d, r, cap);
    }
  }
  next.UpdateDerived();
  return next;
}

double VonMisesFisher::ExpectedLogLikelihood(const Statistics& stats) const {
  double q = 0.0;
  for (int k = 0; k < num_components(); ++k) {
    const double dot = mean_directions_.row(k).dot(stats.sums.row(k)) * inverse_direction_norms_[k];
    q += stats.counts[k] * log_density_at_mean_[k] + concentrations_[k] * (dot - stats.counts[k]);
  }
  return q;
}

std::int64_t VonMisesFisher::NumFreeParameters() const {
  return static_cast<std::int64_t>(num_components()) * num_features();
}

void VonMisesFisher::Sample(int component, Rng& rng, double* out) const {
  const int d = num_features();
  double one_minus_w;
  const double w = SampleCosine(d, concentrations_[component], rng, &one_minus_w);
  // y = (w, sqrt(1 - w^2) v) with v uniform on the unit sphere of R^{d-1}.
  double v_norm2;
  do {
    v_norm2 = 0.0;
    for (int j = 1; j < d; ++j) {
      out[j] = StandardNormal(rng);
      v_norm2 += out[j] * out[j];
    }
  } while (!(v_norm2 > 0.0));
  const double scale = std::sqrt(one_minus_w * (1.0 + w) / v_norm2);
  out[0] = w;
  for (int j = 1; j < d; ++j) out[j] *= scale;
  // Any orthogonal map that takes e_1 to mu keeps v uniform. The
  // Householder reflection H = I - 2 u u' / u'u with u = e_1 + s mu takes
  // e_1 to -s mu; s = sign(mu_1) keeps u'u = 2 + 2 |mu_1| >= 2 (no
  // cancellation), and x = -s H y.
  const double inv = inverse_direction_norms_[component];
  const auto mu = mean_directions_.row(component);
  const double s = mu[0] * inv > 0.0 ? 1.0 : -1.0;
  double mu_y = 0.0;
  for (int j = 0; j < d; ++j) mu_y += mu[j] * inv * out[j];
  const double u_y = out[0] + s * mu_y;
  const double u_u = 2.0 + 2.0 * s * mu[0] * inv;
  const double c = 2.0 * u_y / u_u;
  for (int j = 0; j < d; ++j) {
    const double u_j = (j == 0 ? 1.0 : 0.0) + s * mu[j] * inv;
    out[j] = -s * (out[j] - c * u_j);
  }
}

void VonMisesFisher::EncodeParameters(ParameterWriter& out) const {
  out.Integer("n_features", num_features());
  out.Number("max_concentration", options_.max_concentration);
  out.Matrix2("mean_directions", mean_directions_);
  out.Vector1("concentrations", concentrations_);
}

VonMisesFisher VonMisesFisher::DecodeParameters(const ParameterReader& in, Eigen::Index k) {
  VonMisesFisherOptions options;
  options.max_concentration = in.Number("max_concentration", options.max_concentration);
  const Eigen::Index d = in.Extent("n_features", "mean_directions", 1);
  RowMatrix mean_directions = in.Matrix2("mean_directions", k, d);
  Vector concentrations = in.Vector1("concentrations", k);
  return in.Checked([&] {
    options.Validate();
    return VonMisesFisher(std::move(mean_directions), std::move(concentrations), options);
  });
}

void VonMisesFisher::Statistics::Encode(ParameterWriter& out) const {
  out.Vector1("counts", counts);
  out.Matrix2("sums", sums);
}

void VonMisesFisher::Statistics::Decode(const ParameterReader& in) {
  counts = in.Vector1("counts", counts.size());
  sums = in.Matrix2("sums", sums.rows(), sums.cols());
}

}  // namespace emkit
