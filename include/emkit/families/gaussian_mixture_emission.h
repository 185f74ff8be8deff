// K emission distributions that are each a mixture of M Gaussians (the
// emissions of a GMM-HMM). Component m of state k is component k*M + m of
// one inner Gaussian family, so the covariance structures come from the
// Gaussian families as they are: full, diag and spherical give every
// component its own; "tied" is GaussianGroupTied with one group per state
// (the state's M components share one covariance, as in hmmlearn's GMMHMM).
//
// The interface is that of the Gaussian families, with num_components() =
// K, so Mixture<> and HiddenMarkovModel<> drive it like any family.
#ifndef EMKIT_FAMILIES_GAUSSIAN_MIXTURE_EMISSION_H_
#define EMKIT_FAMILIES_GAUSSIAN_MIXTURE_EMISSION_H_

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_group_tied.h"
#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

template <class Gaussian>
class GaussianMixtureEmission {
 public:
  static constexpr const char* kFamilyName = "gaussian_mixture";
  static constexpr const char* kCovarianceName = Gaussian::kCovarianceName;
  using Options = GaussianOptions;

  struct Statistics {
    Vector counts;  // K: the total weight of each state
    typename Gaussian::Statistics components;  // of the K*M inner components

    void Merge(const Statistics& other) {
      counts += other.counts;
      components.Merge(other.components);
    }
    void SetZero() {
      counts.setZero();
      components.SetZero();
    }
    // The statistics codec (emkit/model.h): "state_counts" [K] and the
    // inner components' keys.
    void Encode(ParameterWriter& out) const {
      out.Vector1("state_counts", counts);
      components.Encode(out);
    }
    void Decode(const ParameterReader& in) {
      counts = in.Vector1("state_counts", counts.size());
      components.Decode(in);
    }
  };

  // weights: K x M, each row a distribution (zeros allowed); components:
  // K*M Gaussians, state-major (for GaussianGroupTied: K groups of M).
  // Throws InvalidDataError otherwise.
  GaussianMixtureEmission(RowMatrix weights, Gaussian components);

  int num_components() const { return static_cast<int>(weights_.rows()); }
  int num_mixture_components() const { return static_cast<int>(weights_.cols()); }
  int num_features() const { return components_.num_features(); }
  // The family in words, for summaries such as emkit info (emkit/family.h):
  // "Gaussian mixture, 2 components per state, full covariance".
  std::string Description() const {
    return fmt::format("Gaussian mixture, {} components per state, {} covariance",
                       num_mixture_components(), kCovarianceName);
  }
  const RowMatrix& weights() const { return weights_; }
  const Gaussian& components() const { return components_; }
  const GaussianOptions& options() const { return components_.options(); }

  Statistics NewStatistics() const;
  // out (n x K) = log sum_m w_km p(x_i | k, m).
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  // Splits each state's weight among its M components by their
  // responsibilities and adds the inner statistics.
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  // Inner components by their own Maximize; weights are the normalised
  // component counts of each state (a state with no weight keeps its).
  GaussianMixtureEmission Maximize(const Statistics& stats, RepairCounts* repairs) const;
  // Q of the inner components plus sum_km c_km log w_km (0 log 0 = 0).
  double ExpectedLogLikelihood(const Statistics& stats) const;
  std::int64_t NumFreeParameters() const;
  void Sample(int state, Rng& rng, double* out) const;

  static void ValidateData(const MatrixView& x) { ValidateGaussianData(x); }
  // The parameter codec (emkit/parameters.h): "n_mix" M, "weights" [K][M]
  // and the Gaussian keys of the K*M components, state-major.
  void EncodeParameters(ParameterWriter& out) const;
  static GaussianMixtureEmission DecodeParameters(const ParameterReader& in,
                                                  Eigen::Index num_states);

 private:
  // n x K*M: log w_km + log p(x_i | k, m).
  void WeightedComponentLogProbabilities(const MatrixView& x, RowMatrix* out) const;
  void UpdateLogWeights();

  RowMatrix weights_;
  RowMatrix log_weights_;
  Gaussian components_;
};

using GaussianMixtureEmissionFull = GaussianMixtureEmission<GaussianFull>;
using GaussianMixtureEmissionDiag = GaussianMixtureEmission<GaussianDiag>;
using GaussianMixtureEmissionSpherical = GaussianMixtureEmission<GaussianSpherical>;
using GaussianMixtureEmissionTied = GaussianMixtureEmission<GaussianGroupTied>;

extern template class GaussianMixtureEmission<GaussianFull>;
extern template class GaussianMixtureEmission<GaussianDiag>;
extern template class GaussianMixtureEmission<GaussianSpherical>;
extern template class GaussianMixtureEmission<GaussianGroupTied>;

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_MIXTURE_EMISSION_H_
