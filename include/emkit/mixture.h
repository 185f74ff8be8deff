// A finite mixture of K components of one family: p(x) = sum_k w_k p_k(x).
// It turns the family's log-probabilities into responsibilities and owns the
// mixing weights; everything else comes from the family. Any family with the
// interface of GaussianFull (Statistics, LogProbabilities, Accumulate,
// Maximize, ExpectedLogLikelihood, NumFreeParameters, Sample) makes a
// mixture the engine can fit.
#ifndef EMKIT_MIXTURE_H_
#define EMKIT_MIXTURE_H_

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/constants.h"
#include "emkit/error.h"
#include "emkit/log_sum_exp.h"
#include "emkit/matrix.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"

namespace emkit {

template <class Family>
class Mixture {
 public:
  using Block = RowBlock;
  using Statistics = typename Family::Statistics;

  // weights: K positive values summing to 1 (within 1e-8).
  Mixture(Vector weights, Family components)
      : weights_(std::move(weights)), components_(std::move(components)) {
    if (weights_.size() != components_.num_components()) {
      throw InvalidDataError(fmt::format("weights: expected {} values, found {}",
                                         components_.num_components(), weights_.size()));
    }
    for (Eigen::Index k = 0; k < weights_.size(); ++k) {
      if (!(weights_[k] > 0.0) || !std::isfinite(weights_[k])) {
        throw InvalidDataError(fmt::format(
            "weights[{}] = {} must be positive and finite", k, weights_[k]));
      }
    }
    if (std::abs(weights_.sum() - 1.0) > 1e-8) {
      throw InvalidDataError(
          fmt::format("weights must sum to 1, found sum {}", weights_.sum()));
    }
    log_weights_ = weights_.array().log();
  }

  int num_components() const { return components_.num_components(); }
  int num_features() const { return components_.num_features(); }
  const Vector& weights() const { return weights_; }
  const Family& components() const { return components_; }
  Family& mutable_components() { return components_; }

  // --- The engine's concept (emkit/model.h) ---

  Statistics NewStatistics() const { return components_.NewStatistics(); }

  double EStep(const RowBlock& block, Statistics* stats) const {
    thread_local RowMatrix responsibilities;
    thread_local Vector log_norm;
    WeightedLogProbabilities(block.rows, &responsibilities);
    log_norm.resize(block.rows.rows());
    LogSumExpRows(responsibilities, log_norm, /*normalize=*/true);
    double loglik = 0.0;
    if (block.weights == nullptr) {
      loglik = log_norm.sum();
    } else {
      const Eigen::Map<const Vector> w(block.weights, block.rows.rows());
      loglik = w.dot(log_norm);
      responsibilities.array().colwise() *= w.array();
    }
    components_.Accumulate(block.rows, responsibilities, stats);
    return loglik;
  }

  Mixture MStep(const Statistics& stats, RepairCounts* repairs) const {
    Mixture next = *this;
    next.components_ = components_.Maximize(stats, repairs);
    next.weights_ = WeightsFromCounts(stats.counts);
    next.log_weights_ = next.weights_.array().log();
    return next;
  }

  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return stats.counts.dot(log_weights_) + components_.ExpectedLogLikelihood(stats);
  }

  std::int64_t NumFreeParameters() const {
    return (num_components() - 1) + components_.NumFreeParameters();
  }

  // --- Fitted-model operations (blocks of any size; callers split big data) ---

  // out (n x K): log w_k + log p(x_i | k).
  void WeightedLogProbabilities(const MatrixView& x, RowMatrix* out) const {
    out->resize(x.rows(), num_components());
    components_.LogProbabilities(x, *out);
    out->rowwise() += log_weights_.transpose();
  }

  // Responsibilities p(k | x_i), n x K.
  RowMatrix PredictProba(const MatrixView& x) const {
    CheckFeatures(x);
    RowMatrix r;
    WeightedLogProbabilities(x, &r);
    Vector log_norm(x.rows());
    LogSumExpRows(r, log_norm, /*normalize=*/true);
    return r;
  }

  // The most probable component of each row (ties: the lowest index).
  std::vector<int> Predict(const MatrixView& x) const {
    CheckFeatures(x);
    RowMatrix r;
    WeightedLogProbabilities(x, &r);
    std::vector<int> labels(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      Eigen::Index best;
      r.row(i).maxCoeff(&best);
      labels[i] = static_cast<int>(best);
    }
    return labels;
  }

  // log p(x_i) per row.
  Vector ScoreSamples(const MatrixView& x) const {
    CheckFeatures(x);
    RowMatrix r;
    WeightedLogProbabilities(x, &r);
    Vector log_norm(x.rows());
    LogSumExpRows(r, log_norm, /*normalize=*/false);
    return log_norm;
  }

  // The mean log-likelihood per row.
  double Score(const MatrixView& x) const { return ScoreSamples(x).mean(); }

  double Bic(const MatrixView& x) const {
    return -2.0 * ScoreSamples(x).sum() +
           NumFreeParameters() * std::log(static_cast<double>(x.rows()));
  }
  double Aic(const MatrixView& x) const {
    return -2.0 * ScoreSamples(x).sum() + 2.0 * NumFreeParameters();
  }

  // n draws; the component of each goes to *labels when not null.
  RowMatrix Sample(std::int64_t n, Rng& rng, std::vector<int>* labels) const {
    RowMatrix out(n, num_features());
    if (labels != nullptr) labels->resize(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const int k = DrawComponent(rng);
      components_.Sample(k, rng, out.row(i).data());
      if (labels != nullptr) (*labels)[i] = k;
    }
    return out;
  }

 private:
  static Vector WeightsFromCounts(const Vector& counts) {
    // Floored like the means (scikit-learn's convention), so an empty
    // component keeps a tiny positive weight and log w stays finite.
    Vector w = counts.array() + kCountFloor;
    return w / w.sum();
  }

  void CheckFeatures(const MatrixView& x) const {
    if (x.cols() != num_features()) {
      throw InvalidDataError(fmt::format(
          "X has {} features, but the model was fitted with {}", x.cols(),
          num_features()));
    }
  }

  int DrawComponent(Rng& rng) const {
    double u = UniformDouble(rng);
    for (int k = 0; k + 1 < num_components(); ++k) {
      if (u < weights_[k]) return k;
      u -= weights_[k];
    }
    return num_components() - 1;
  }

  Vector weights_;
  Vector log_weights_;
  Family components_;
};

}  // namespace emkit

#endif  // EMKIT_MIXTURE_H_
