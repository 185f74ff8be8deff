// K components over D binary features: component k gives feature d the value
// 1 with probability p_kd, independently of the other features
// (binarised images, presence/absence data). Usable as a mixture component
// (Mixture<Bernoulli>) and as an HMM emission.
//
// Probabilities of exactly 0 or 1 are allowed: log p(x | k) is then -inf for
// a row that contradicts them, and the statistics use 0 * log 0 = 0, so Q
// stays finite whenever the likelihood is. With pseudo_count = 0 the M-step
// is the exact maximum-likelihood estimate and may produce such values; that
// is mathematically sound and is not counted as a repair.
#ifndef EMKIT_FAMILIES_BERNOULLI_H_
#define EMKIT_FAMILIES_BERNOULLI_H_

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/option_table.h"

namespace emkit {

struct BernoulliOptions {
  // Added to the weighted count of ones and of zeros of every feature in the
  // M-step: p = (ones + a) / (ones + zeros + 2a). It keeps probabilities off
  // exactly 0 and 1, so a new row that differs from everything seen in
  // training still has a finite log-likelihood. The default is small enough
  // that the M-step stays the maximum-likelihood estimate to ~1e-10, which
  // keeps the engine's certificate meaningful; a large value (1 is Laplace
  // smoothing) makes the M-step a posterior mode, which the certificate
  // (a statement about the likelihood) may then flag. Must be finite and
  // >= 0; 0 turns smoothing off.
  double pseudo_count = 1e-10;

  // The option table (emkit/option_table.h).
  template <class Table>
  void Describe(Table& table) {
    table.Number("pseudo_count", &pseudo_count, "added to every count in the M-step");
  }

  void Validate() const;  // throws InvalidOptionError
};

class Bernoulli {
 public:
  static constexpr const char* kFamilyName = "bernoulli";
  using Options = BernoulliOptions;

  // Weighted counts of the values 1 and 0 per component and feature. Both
  // are kept (rather than ones and the component's total) so that a count
  // of exactly zero stays exactly zero, which is what makes 0 * log 0 safe.
  struct Statistics {
    Vector counts;     // K: sum of weights
    RowMatrix ones;    // K x D: sum w x
    RowMatrix zeros;   // K x D: sum w (1 - x)

    // Merge adds every array: flat buffers reduce by addition.
    static constexpr bool kMergeIsSum = true;

    void Merge(const Statistics& other);
    void SetZero();
    // The statistics codec (emkit/model.h): "counts" [K], "ones" [K][D],
    // "zeros" [K][D].
    void Encode(ParameterWriter& out) const;
    void Decode(const ParameterReader& in);
  };

  // probabilities (K x D): p_kd = P(x_d = 1 | k), each in [0, 1]. Throws
  // InvalidDataError naming the first value outside [0, 1].
  Bernoulli(RowMatrix probabilities, BernoulliOptions options);

  // Throws InvalidDataError naming the first element that is not 0 or 1:
  // "X[3, 1] = 3: Bernoulli features must be 0 or 1".
  static void ValidateData(const MatrixView& x);
  // K components shaped for x, with placeholder parameters, after checking
  // x as ValidateData does (emkit/family_fit.h).
  static Bernoulli ForData(int k, const MatrixView& x, const BernoulliOptions& options);

  int num_components() const { return static_cast<int>(probabilities_.rows()); }
  int num_features() const { return static_cast<int>(probabilities_.cols()); }
  // The family in words, for summaries such as emkit info (emkit/family.h).
  std::string Description() const { return "Bernoulli"; }
  const RowMatrix& probabilities() const { return probabilities_; }
  const BernoulliOptions& options() const { return options_; }

  Statistics NewStatistics() const;
  // out (n x K) = log p(x_i | component k) = sum_d x log p + (1 - x) log(1 - p).
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  // Adds statistics of rows x with weights (n x K).
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  // p = (ones + a) / (ones + zeros + 2a). A component whose weight has
  // vanished keeps its probabilities (counted as a collapsed component).
  // A probability is exactly 0 (or 1) only when its count of ones (zeros)
  // is exactly 0: a quotient that rounds to 0 or 1 from a positive count is
  // moved to the nearest representable value inside (0, 1).
  Bernoulli Maximize(const Statistics& stats, RepairCounts* repairs) const;
  // sum_k sum_i w_ik log p(x_i | k) under these parameters, from stats.
  double ExpectedLogLikelihood(const Statistics& stats) const;
  std::int64_t NumFreeParameters() const;
  // Writes D values, each 0 or 1.
  void Sample(int component, Rng& rng, double* out) const;

  // The parameter codec (emkit/parameters.h): "n_features", "pseudo_count", "probabilities" [K][D].
  void EncodeParameters(ParameterWriter& out) const;
  static Bernoulli DecodeParameters(const ParameterReader& in, Eigen::Index num_components);

 private:
  void UpdateLogs();

  RowMatrix probabilities_;
  RowMatrix log_p_;  // log p, -inf where p = 0
  RowMatrix log_q_;  // log(1 - p), -inf where p = 1
  Vector sum_log_q_;  // K: sum_d log(1 - p_kd)
  bool all_finite_ = true;  // no probability is exactly 0 or 1
  BernoulliOptions options_;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_BERNOULLI_H_
