// K components on the unit sphere of R^D (D >= 2): component k is the von
// Mises-Fisher distribution with mean direction mu_k (a unit vector) and
// concentration kappa_k >= 0,
//
//   log p(x | k) = log C_D(kappa_k) + kappa_k mu_k'x,
//   log C_D(kappa) = (D/2 - 1) log kappa - (D/2) log(2 pi) - log I_{D/2-1}(kappa),
//
// a density with respect to the sphere's surface measure. kappa = 0 is the
// uniform distribution (C_D = 1 / the sphere's area); a large kappa puts the
// mass near mu_k, with a spread of about 1 / sqrt(kappa) radians in each of
// the D - 1 tangent directions. Usable as a mixture component
// (Mixture<VonMisesFisher>) and as an HMM emission. For directional data:
// normalised embeddings, tf-idf rows, unit vectors from measurements.
//
// Rows are used divided by their norms. ValidateData accepts norms within
// 1e-6 of 1 (data normalised in float32, or printed to 7 digits), and the
// division makes every such row the point of the sphere that it stands for:
// at kappa = 1e6 a norm of 1 + 1e-7 taken as given would move log p by 0.1.
//
// The normaliser is computed without forming I_nu (which overflows past
// kappa ~ 700): src/families/bessel_ratio.h, accurate to a few ulp for D up
// to thousands and kappa from 0 to past 1e6. log p itself is the difference
// kappa (mu'x - 1) of numbers near kappa, so its absolute error grows like
// kappa times the rounding of mu'x (~1e-10 at kappa = 1e6).
#ifndef EMKIT_FAMILIES_VON_MISES_FISHER_H_
#define EMKIT_FAMILIES_VON_MISES_FISHER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/option_table.h"

namespace emkit {

struct VonMisesFisherOptions {
  // Upper bound on every concentration. The maximum-likelihood kappa is
  // infinite when a component's weight sits on one point (its mean
  // resultant length r = |sum w x| / sum w is 1) and grows like
  // (D - 1) / (2 (1 - r)) as r nears 1, so a component of a few identical
  // rows would leave the E-step with an infinite density. Where the M-step
  // would go past the cap, kappa is set to it and the repair is counted as a
  // regularised covariance (the von Mises-Fisher form of the Gaussians' load
  // on a component without spread). 1e6 is a spread of ~1e-3 radians per
  // tangent direction, tighter than clusters of distinct directions are in
  // practice, while log p's rounding (~kappa * 1e-16) stays near 1e-10.
  // Must be finite and > 0; initial and loaded concentrations may not
  // exceed it (so that a capped M-step never lowers Q).
  //
  // There is no lower bound: kappa = 0 (a resultant of 0) is the uniform
  // distribution, exact and finite, from which the next M-step finds a
  // direction again as soon as the weights lean one way.
  double max_concentration = 1e6;

  // The option table (emkit/option_table.h).
  template <class Table>
  void Describe(Table& table) {
    table.Number("max_concentration", &max_concentration,
                 "upper bound on every concentration kappa");
  }

  void Validate() const;  // throws InvalidOptionError
};

class VonMisesFisher {
 public:
  static constexpr std::string_view kFamilyName = "vmf";
  using Options = VonMisesFisherOptions;

  // Data rows and mean directions may have norms this far from 1.
  static constexpr double kUnitNormTolerance = 1e-6;

  struct Statistics {
    Vector counts;   // K: sum of weights
    RowMatrix sums;  // K x D: sum w x / |x|

    // Merge adds every array: flat buffers reduce by addition.
    static constexpr bool kMergeIsSum = true;

    void Merge(const Statistics& other);
    void SetZero();
    // The statistics codec (emkit/model.h): "counts" [K], "sums" [K][D].
    void Encode(ParameterWriter& out) const;
    void Decode(const ParameterReader& in);
  };

  // mean_directions (K x D, K >= 1, D >= 2): each row of norm 1 within
  // kUnitNormTolerance (used divided by its norm, and kept as given, so
  // that a saved model loads bit for bit). concentrations (K): finite,
  // >= 0 and <= options.max_concentration. Throws InvalidDataError naming
  // the key and the first invalid element.
  VonMisesFisher(RowMatrix mean_directions, Vector concentrations,
                 VonMisesFisherOptions options = {});

  // Throws InvalidDataError naming the first row that is not a finite unit
  // vector: "X[3] has norm 1.5: von Mises-Fisher rows must be unit vectors
  // (norm 1 within 1e-6)", or "X[3, 1] = nan: values must be finite ...".
  static void ValidateData(const MatrixView& x);
  // K components shaped for x, with placeholder parameters, after checking
  // x as ValidateData does (emkit/family_fit.h).
  static VonMisesFisher ForData(int k, const MatrixView& x,
                                const VonMisesFisherOptions& options);

  int num_components() const { return static_cast<int>(mean_directions_.rows()); }
  int num_features() const { return static_cast<int>(mean_directions_.cols()); }
  // The family in words, for summaries such as emkit info (emkit/family.h).
  std::string Description() const { return "von Mises-Fisher"; }
  const RowMatrix& mean_directions() const { return mean_directions_; }
  const Vector& concentrations() const { return concentrations_; }
  const VonMisesFisherOptions& options() const { return options_; }

  Statistics NewStatistics() const;
  // out (n x K) = log p(x_i | component k).
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  // mu = s / |s| and kappa solving A_D(kappa) = |s| / w, where
  // A_D = I_{D/2} / I_{D/2-1} (Newton's method from the approximation of
  // Banerjee et al., JMLR 2005), capped at max_concentration (counted as a
  // regularised covariance). A component whose weight has vanished keeps its
  // parameters (counted as a collapsed component). A resultant of exactly 0
  // gives kappa = 0 and keeps the previous direction, which no longer
  // matters (the exact maximum, not a repair).
  VonMisesFisher Maximize(const Statistics& stats, RepairCounts* repairs) const;
  double ExpectedLogLikelihood(const Statistics& stats) const;
  // K (D - 1) for the directions and K for the concentrations.
  std::int64_t NumFreeParameters() const;
  // Writes D values, a unit vector: Wood's (1994) rejection sampler for the
  // cosine w = mu'x, a uniform direction in the tangent space, and the
  // Householder reflection that takes the first axis to mu.
  void Sample(int component, Rng& rng, double* out) const;

  // The parameter codec (emkit/parameters.h): "n_features",
  // "max_concentration", "mean_directions" [K][D], "concentrations" [K].
  void EncodeParameters(ParameterWriter& out) const;
  static VonMisesFisher DecodeParameters(const ParameterReader& in,
                                         Eigen::Index num_components);

 private:
  void UpdateDerived();

  RowMatrix mean_directions_;
  Vector concentrations_;
  Vector inverse_direction_norms_;  // K: 1 / |mu_k|
  Vector log_density_at_mean_;      // K: log C_D(kappa_k) + kappa_k
  VonMisesFisherOptions options_;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_VON_MISES_FISHER_H_
