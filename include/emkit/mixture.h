// A finite mixture of K components of one family: p(x) = sum_k w_k p_k(x).
// It turns the family's log-probabilities into responsibilities and owns the
// mixing weights; everything else comes from the family (emkit/family.h).
//
// Mixture<F, Scalar> fits rows of type Scalar (emkit/matrix.h, DataScalar).
// Parameters and statistics are double whatever the data. On float rows a
// family that declares a float kernel (F::FloatKernel: the Gaussians,
// families/gaussian_float32.h) runs its log-densities, the log-sum-exp and
// its per-block moments in float, adding into double statistics; any other
// family widens each block to double, so its float fit is that of the
// widened data, bit for bit. Mixture<F, float> and Mixture<F> convert to
// each other explicitly (the same parameters).
#ifndef EMKIT_MIXTURE_H_
#define EMKIT_MIXTURE_H_

#include <cmath>
#include <cstdint>
#include <type_traits>
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

// The smallest certificate tolerance of a fit whose E-step runs in float.
// Its log-likelihoods come from float log-densities, whose rounding (a few
// float epsilons of each row's value, partly shared by all rows, e.g. a
// rounded constant) moves L by about 1e-7 of |L| from one iteration to the
// next; the default 1e-9 would report that noise as violations once EM has
// converged.
inline constexpr double kFloat32CertificateTolerance = 1e-6;

template <class F>
concept HasFloatKernel = requires { typename F::FloatKernel; };

namespace internal {

// What a mixture on Scalar rows keeps beside its parameters: nothing, or
// the float kernel built from them.
struct NoKernel {
  template <class F>
  explicit NoKernel(const F&) {}
};
template <class F, class Scalar>
struct MixtureKernel {
  using type = NoKernel;
};
template <HasFloatKernel F>
struct MixtureKernel<F, float> {
  using type = typename F::FloatKernel;
};

}  // namespace internal

template <class Family, DataScalar Scalar = double>
class Mixture {
 public:
  using Block = RowBlock<Scalar>;
  using Statistics = typename Family::Statistics;
  using View = MatrixViewOf<Scalar>;
  // Whether the E-step runs the family's float kernel.
  static constexpr bool kFloatKernel =
      !std::is_same_v<typename internal::MixtureKernel<Family, Scalar>::type,
                      internal::NoKernel>;

  // weights: K positive values summing to 1 (within 1e-8).
  Mixture(Vector weights, Family components)
      : weights_(std::move(weights)), components_(std::move(components)), kernel_(components_) {
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
    SetLogWeights();
  }

  // The same parameters for rows of another scalar type.
  template <DataScalar Other>
    requires(!std::is_same_v<Other, Scalar>)
  explicit Mixture(const Mixture<Family, Other>& other)
      : Mixture(other.weights(), other.components()) {}

  int num_components() const { return components_.num_components(); }
  int num_features() const { return components_.num_features(); }
  const Vector& weights() const { return weights_; }
  const Family& components() const { return components_; }

  // --- The engine's concept (emkit/model.h) ---

  Statistics NewStatistics() const { return components_.NewStatistics(); }

  double EStep(const Block& block, Statistics* stats) const {
    if constexpr (kFloatKernel) {
      return FloatKernelEStep(block, stats);
    } else {
      thread_local RowMatrix wide;
      return DoubleEStep(WidenedRows(block.rows, &wide), block.weights, stats);
    }
  }

  Mixture MStep(const Statistics& stats, RepairCounts* repairs) const {
    Vector weights = WeightsFromCounts(stats.counts);
    return Mixture(std::move(weights), components_.Maximize(stats, repairs), Unchecked{});
  }

  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return stats.counts.dot(log_weights_) + components_.ExpectedLogLikelihood(stats);
  }

  std::int64_t NumFreeParameters() const {
    return (num_components() - 1) + components_.NumFreeParameters();
  }

  // --- Fitted-model operations (blocks of any size; callers split big data) ---

  // out (n x K): log w_k + log p(x_i | k), in double (double rows, or
  // float rows of a family without a float kernel).
  void WeightedLogProbabilities(const View& x, RowMatrix* out) const
    requires(!kFloatKernel)
  {
    thread_local RowMatrix wide;
    const MatrixView rows = WidenedRows(x, &wide);
    out->resize(rows.rows(), num_components());
    components_.LogProbabilities(rows, *out);
    out->rowwise() += log_weights_.transpose();
  }
  // The same in float, by the float kernel.
  void WeightedLogProbabilities(const View& x, RowMatrixF* out) const
    requires kFloatKernel
  {
    out->resize(x.rows(), num_components());
    kernel_.LogProbabilities(components_, x, *out);
    out->rowwise() += log_weights_f_;
  }

  // Responsibilities p(k | x_i), n x K.
  RowMatrix PredictProba(const View& x) const {
    RowMatrix out(x.rows(), num_components());
    ForEachScoredBlock(x, [&](Eigen::Index first, auto& log_values, auto& log_norm) {
      LogSumExpRows(log_values, log_norm, /*normalize=*/true);
      out.middleRows(first, log_values.rows()) = log_values.template cast<double>();
    });
    return out;
  }

  // The most probable component of each row (ties: the lowest index).
  std::vector<int> Predict(const View& x) const {
    std::vector<int> labels(x.rows());
    ForEachScoredBlock(x, [&](Eigen::Index first, auto& log_values, auto&) {
      for (Eigen::Index i = 0; i < log_values.rows(); ++i) {
        Eigen::Index best;
        log_values.row(i).maxCoeff(&best);
        labels[first + i] = static_cast<int>(best);
      }
    });
    return labels;
  }

  // log p(x_i) per row.
  Vector ScoreSamples(const View& x) const {
    Vector out(x.rows());
    ForEachScoredBlock(x, [&](Eigen::Index first, auto& log_values, auto& log_norm) {
      LogSumExpRows(log_values, log_norm, /*normalize=*/false);
      out.segment(first, log_values.rows()) = log_norm.template cast<double>();
    });
    return out;
  }

  // The mean log-likelihood per row.
  double Score(const View& x) const { return ScoreSamples(x).mean(); }

  double Bic(const View& x) const {
    return -2.0 * ScoreSamples(x).sum() +
           NumFreeParameters() * std::log(static_cast<double>(x.rows()));
  }
  double Aic(const View& x) const {
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

  static constexpr double kMinCertificateTolerance =
      kFloatKernel ? kFloat32CertificateTolerance : 0.0;

 private:
  using Kernel = typename internal::MixtureKernel<Family, Scalar>::type;
  struct Unchecked {};

  // The M-step's result: weights from counts are valid by construction.
  Mixture(Vector weights, Family components, Unchecked)
      : weights_(std::move(weights)), components_(std::move(components)), kernel_(components_) {
    SetLogWeights();
  }

  void SetLogWeights() {
    log_weights_ = weights_.array().log();
    if constexpr (kFloatKernel) log_weights_f_ = log_weights_.cast<float>().transpose();
  }

  double DoubleEStep(const MatrixView& rows, const double* sample_weights,
                     Statistics* stats) const {
    thread_local RowMatrix responsibilities;
    thread_local Vector log_norm;
    responsibilities.resize(rows.rows(), num_components());
    components_.LogProbabilities(rows, responsibilities);
    responsibilities.rowwise() += log_weights_.transpose();
    log_norm.resize(rows.rows());
    LogSumExpRows(responsibilities, log_norm, /*normalize=*/true);
    double loglik = 0.0;
    if (sample_weights == nullptr) {
      loglik = log_norm.sum();
    } else {
      const Eigen::Map<const Vector> w(sample_weights, rows.rows());
      loglik = w.dot(log_norm);
      responsibilities.array().colwise() *= w.array();
    }
    components_.Accumulate(rows, responsibilities, stats);
    return loglik;
  }

  double FloatKernelEStep(const Block& block, Statistics* stats) const {
    // Transposed (K x n) from the log-densities to the statistics: the
    // log-sum-exp and the per-component sums run along rows of the block.
    thread_local RowMatrixF responsibilities_t;
    thread_local Eigen::VectorXf log_norm;
    const Eigen::Index n = block.rows.rows();
    kernel_.LogProbabilitiesTransposed(components_, block.rows, &responsibilities_t);
    log_norm.resize(n);
    // log w_k + log p(x_i | k), then normalised (emkit/log_sum_exp.h).
    LogSumExpColumns(responsibilities_t, log_weights_f_.transpose(), log_norm,
                     /*normalize=*/true);
    double loglik = 0.0;
    if (block.weights == nullptr) {
      for (Eigen::Index i = 0; i < n; ++i) loglik += log_norm[i];
    } else {
      for (Eigen::Index i = 0; i < n; ++i) loglik += block.weights[i] * log_norm[i];
      thread_local Eigen::RowVectorXf sample_weights;
      sample_weights = Eigen::Map<const Eigen::RowVectorXd>(block.weights, n).cast<float>();
      responsibilities_t.array().rowwise() *= sample_weights.array();
    }
    kernel_.Accumulate(components_, block.rows, responsibilities_t, stats);
    return loglik;
  }

  // body(first_row, log_values, log_norm) for blocks of x: log_values the
  // weighted log-probabilities (float with a float kernel, whose rounding
  // bound is checked block by block as in the fit, else double) and
  // log_norm a vector of the same scalar sized for them. The blocks are the
  // fit's (DefaultBlockRows), so that scoring n rows holds K values for a
  // block's rows, not for all n, and a file streamed block by block
  // (emkit predict --stream) scores to the same bits.
  template <class Body>
  void ForEachScoredBlock(const View& x, Body&& body) const {
    CheckFeatures(x);
    using Value = std::conditional_t<kFloatKernel, float, double>;
    RowMatrixOf<Value> log_values;
    Eigen::Matrix<Value, Eigen::Dynamic, 1> log_norm;
    const RowBlocks<Scalar> blocks(x, nullptr, 0);
    for (std::int64_t b = 0; b < blocks.NumBlocks(); ++b) {
      const RowBlock<Scalar> block = blocks.GetBlock(b);
      WeightedLogProbabilities(block.rows, &log_values);
      log_norm.resize(block.rows.rows());
      body(block.first_row, log_values, log_norm);
    }
  }

  static Vector WeightsFromCounts(const Vector& counts) {
    // Floored like the means (scikit-learn's convention), so an empty
    // component keeps a tiny positive weight and log w stays finite.
    Vector w = counts.array() + kCountFloor;
    return w / w.sum();
  }

  void CheckFeatures(const View& x) const {
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
  [[no_unique_address]] Kernel kernel_;
  Eigen::RowVectorXf log_weights_f_;  // with a float kernel only
};

}  // namespace emkit

#endif  // EMKIT_MIXTURE_H_
