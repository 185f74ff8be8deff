#include "emkit/families/gaussian_mixture_emission.h"

#include <cmath>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/log_sum_exp.h"

namespace emkit {

template <class Gaussian>
GaussianMixtureEmission<Gaussian>::GaussianMixtureEmission(RowMatrix weights,
                                                           Gaussian components)
    : weights_(std::move(weights)), components_(std::move(components)) {
  if (weights_.rows() < 1 || weights_.cols() < 1 ||
      weights_.size() != components_.num_components()) {
    throw InvalidDataError(fmt::format(
        "mixture emission weights are {} x {}, but there are {} Gaussian components "
        "(K x M weights need K*M components)",
        weights_.rows(), weights_.cols(), components_.num_components()));
  }
  if constexpr (std::is_same_v<Gaussian, GaussianGroupTied>) {
    if (components_.num_groups() != weights_.rows()) {
      throw InvalidDataError(fmt::format(
          "tied mixture emissions need one covariance group per state: {} states, {} "
          "groups", weights_.rows(), components_.num_groups()));
    }
  }
  for (Eigen::Index k = 0; k < weights_.rows(); ++k) {
    for (Eigen::Index m = 0; m < weights_.cols(); ++m) {
      if (!(weights_(k, m) >= 0.0) || !std::isfinite(weights_(k, m))) {
        throw InvalidDataError(fmt::format(
            "mixture emission weights[{}, {}] = {} must be finite and >= 0", k, m,
            weights_(k, m)));
      }
    }
    if (std::abs(weights_.row(k).sum() - 1.0) > 1e-8) {
      throw InvalidDataError(fmt::format(
          "mixture emission weights row {} must sum to 1, found sum {}", k,
          weights_.row(k).sum()));
    }
  }
  UpdateLogWeights();
}

template <class Gaussian>
void GaussianMixtureEmission<Gaussian>::UpdateLogWeights() {
  log_weights_ = weights_.unaryExpr([](double w) { return std::log(w); });
}

template <class Gaussian>
typename GaussianMixtureEmission<Gaussian>::Statistics
GaussianMixtureEmission<Gaussian>::NewStatistics() const {
  return Statistics{Vector::Zero(num_components()), components_.NewStatistics()};
}

template <class Gaussian>
void GaussianMixtureEmission<Gaussian>::WeightedComponentLogProbabilities(
    const MatrixView& x, RowMatrix* out) const {
  out->resize(x.rows(), weights_.size());
  components_.LogProbabilities(x, *out);
  // log_weights_ is K x M row-major: flat index k*M + m, as the components.
  const Eigen::Map<const Eigen::RowVectorXd> flat(log_weights_.data(), log_weights_.size());
  out->rowwise() += flat;
}

template <class Gaussian>
void GaussianMixtureEmission<Gaussian>::LogProbabilities(const MatrixView& x,
                                                         Eigen::Ref<RowMatrix> out) const {
  thread_local RowMatrix inner;
  thread_local Vector log_sum;
  WeightedComponentLogProbabilities(x, &inner);
  log_sum.resize(x.rows());
  const int m = num_mixture_components();
  for (int k = 0; k < num_components(); ++k) {
    auto state = inner.middleCols(k * m, m);
    LogSumExpRows(state, log_sum, /*normalize=*/false);
    out.col(k) = log_sum;
  }
}

template <class Gaussian>
void GaussianMixtureEmission<Gaussian>::Accumulate(const MatrixView& x,
                                                   const Eigen::Ref<const RowMatrix>& weights,
                                                   Statistics* stats) const {
  thread_local RowMatrix inner;
  thread_local Vector log_norm;
  WeightedComponentLogProbabilities(x, &inner);
  log_norm.resize(x.rows());
  const int m = num_mixture_components();
  for (int k = 0; k < num_components(); ++k) {
    auto state = inner.middleCols(k * m, m);
    LogSumExpRows(state, log_norm, /*normalize=*/true);
    state.array().colwise() *= weights.col(k).array();
  }
  stats->counts += weights.colwise().sum().transpose();
  components_.Accumulate(x, inner, &stats->components);
}

template <class Gaussian>
GaussianMixtureEmission<Gaussian> GaussianMixtureEmission<Gaussian>::Maximize(
    const Statistics& stats, RepairCounts* repairs) const {
  GaussianMixtureEmission next = *this;
  next.components_ = components_.Maximize(stats.components, repairs);
  const int m = num_mixture_components();
  for (int k = 0; k < num_components(); ++k) {
    const auto counts = stats.components.counts.segment(k * m, m);
    const double total = counts.sum();
    if (total > 0.0) next.weights_.row(k) = counts.transpose() / total;
  }
  next.UpdateLogWeights();
  return next;
}

template <class Gaussian>
double GaussianMixtureEmission<Gaussian>::ExpectedLogLikelihood(
    const Statistics& stats) const {
  double q = components_.ExpectedLogLikelihood(stats.components);
  const Eigen::Map<const Vector> flat(log_weights_.data(), log_weights_.size());
  for (Eigen::Index j = 0; j < flat.size(); ++j) {
    const double c = stats.components.counts[j];
    if (c != 0.0) q += c * flat[j];  // 0 log 0 = 0
  }
  return q;
}

template <class Gaussian>
std::int64_t GaussianMixtureEmission<Gaussian>::NumFreeParameters() const {
  return static_cast<std::int64_t>(num_components()) * (num_mixture_components() - 1) +
         components_.NumFreeParameters();
}

template <class Gaussian>
void GaussianMixtureEmission<Gaussian>::Sample(int state, Rng& rng, double* out) const {
  double u = UniformDouble(rng);
  const int m = num_mixture_components();
  int chosen = m - 1;
  for (int j = 0; j < m; ++j) {
    if (weights_(state, j) <= 0.0) continue;
    chosen = j;
    if (u < weights_(state, j)) break;
    u -= weights_(state, j);
  }
  components_.Sample(state * m + chosen, rng, out);
}

template class GaussianMixtureEmission<GaussianFull>;
template class GaussianMixtureEmission<GaussianDiag>;
template class GaussianMixtureEmission<GaussianSpherical>;
template class GaussianMixtureEmission<GaussianGroupTied>;

}  // namespace emkit
