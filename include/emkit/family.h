// The component-family concept: what a family of K component distributions
// must provide to be a mixture's components (Mixture<F>, emkit/mixture.h)
// or an HMM's emissions (HiddenMarkovModel<F>, emkit/hmm.h), and to be
// saved, loaded and listed through the model registry
// (emkit/model_registry.h). A family holds all K components' parameters
// together, so that log-probabilities come out as one n x K block.
#ifndef EMKIT_FAMILY_H_
#define EMKIT_FAMILY_H_

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "emkit/model.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

template <class F>
concept ComponentFamily =
    std::copy_constructible<F> &&
    // Statistics with their codec (Encode / Decode, emkit/model.h), so that
    // they can be sent between processes and stored.
    SerializableStatistics<typename F::Statistics> &&
    requires(const F& family, const MatrixView& x, Eigen::Ref<RowMatrix> log_probabilities,
             const Eigen::Ref<const RowMatrix>& weights, typename F::Statistics* stats,
             const typename F::Statistics& merged, RepairCounts* repairs, Rng& rng,
             double* draw, ParameterWriter& writer, const ParameterReader& reader,
             Eigen::Index k) {
      // Its name in model files and on the command line ("gaussian", ...).
      { F::kFamilyName } -> std::convertible_to<std::string_view>;
      // The family's own options (floors, priors, reg_covar), stored with it.
      typename F::Options;
      { family.options() } -> std::convertible_to<const typename F::Options&>;
      { family.num_components() } -> std::convertible_to<int>;
      // Columns of a data row.
      { family.num_features() } -> std::convertible_to<int>;
      // Throws InvalidDataError naming the first element that breaks the
      // family's rules (a non-finite value, a count that is not an integer).
      family.ValidateData(x);
      { family.NewStatistics() } -> std::same_as<typename F::Statistics>;
      // log_probabilities (n x K) = log p(x_i | component k).
      family.LogProbabilities(x, log_probabilities);
      // ADDS the statistics of rows x weighted by `weights` (n x K).
      family.Accumulate(x, weights, stats);
      // The parameters that maximise Q given merged statistics; repairs
      // (an emptied component, a regularised covariance) are counted.
      { family.Maximize(merged, repairs) } -> std::same_as<F>;
      // sum_k sum_i w_ik log p(x_i | k) under these parameters, from merged.
      { family.ExpectedLogLikelihood(merged) } -> std::same_as<double>;
      { family.NumFreeParameters() } -> std::convertible_to<std::int64_t>;
      // Writes one draw of `component` (num_features() values).
      family.Sample(0, rng, draw);
      // The parameter codec (emkit/parameters.h).
      family.EncodeParameters(writer);
      { F::DecodeParameters(reader, k) } -> std::same_as<F>;
    };

// A family with variants told apart by a covariance structure (the
// Gaussians): "covariance_type" in model files and on the command line.
template <class F>
concept HasCovarianceType = requires {
  { F::kCovarianceName } -> std::convertible_to<std::string_view>;
};

// Two optional declarations for summaries of a family's parameters
// (emkit info), which a family without them does not need:
//
//   std::string Description() const;  // "Gaussian, full covariance"
//   static constexpr std::array<std::string_view, N> kSharedParameterArrays;
//
// The second names the arrays of the parameter codec (EncodeParameters)
// that all components share (a tied covariance). Every other array the
// codec writes leads with the component axis: its first extent is K, one
// slice per component, or K*M, M slices per component, component-major (the
// M mixture components of a GMM-HMM state).

// The family in words: its Description(), else its kFamilyName.
template <class F>
std::string FamilyDescription(const F& family) {
  if constexpr (requires { { family.Description() } -> std::convertible_to<std::string>; }) {
    return family.Description();
  } else {
    return std::string(F::kFamilyName);
  }
}

// Whether the codec array `key` of F is shared by all components.
template <class F>
bool IsSharedParameterArray(std::string_view key) {
  if constexpr (requires { F::kSharedParameterArrays; }) {
    for (std::string_view shared : F::kSharedParameterArrays) {
      if (shared == key) return true;
    }
  }
  return false;
}

}  // namespace emkit

#endif  // EMKIT_FAMILY_H_
