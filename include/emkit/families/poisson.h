// K components over D count features: component k draws feature d from a
// Poisson distribution with rate lambda_kd, independently of the other
// features. Usable as a mixture component (Mixture<Poisson>) and as an HMM
// emission.
//
// log p(x | k) = sum_d x_d log lambda_kd - lambda_kd - log(x_d!), the full
// probability mass, constant term included (also in Q, so that L and Q are
// on the same scale and the certificate compares like with like).
//
// A rate of exactly 0 is allowed (min_rate = 0): a zero count then has
// probability 1 and any other count probability 0, and 0 * log 0 = 0 keeps Q
// finite whenever the likelihood is. It is not counted as a repair.
#ifndef EMKIT_FAMILIES_POISSON_H_
#define EMKIT_FAMILIES_POISSON_H_

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/option_table.h"

namespace emkit {

struct PoissonOptions {
  // Lower bound on every rate after each M-step: lambda = max(mean, min_rate).
  // It keeps a feature that was always 0 in a component from giving every
  // later non-zero count probability 0 there. The default is small enough
  // that the M-step stays the maximum-likelihood estimate for any practical
  // purpose (it changes Q by at most N * min_rate per rate). Must be finite
  // and >= 0; 0 turns the floor off.
  double min_rate = 1e-10;

  // A Gamma prior on every rate (hmmlearn's lambdas_prior and
  // lambdas_weight): empty, or K x D values, finite and >= 0 (both given
  // or neither). The M-step becomes lambda = (prior_sums + sum w x) /
  // (prior_weights + sum w), then floored by min_rate: the data's
  // statistics plus prior_weights pseudo-observations whose counts add up
  // to prior_sums. A fitting option, which the codec keeps (under
  // "prior_sums" and "prior_weights") only when it is set.
  RowMatrix prior_sums;
  RowMatrix prior_weights;

  // The option table (emkit/option_table.h).
  template <class Table>
  void Describe(Table& table) {
    table.Number("min_rate", &min_rate, "lower bound on every rate");
  }

  void Validate() const;  // throws InvalidOptionError
};

class Poisson {
 public:
  static constexpr const char* kFamilyName = "poisson";
  using Options = PoissonOptions;

  struct Statistics {
    Vector counts;          // K: sum of weights
    RowMatrix sums;         // K x D: sum w x
    Vector log_factorials;  // K: sum w sum_d log(x_d!)  (Q's constant term)

    // Merge adds every array: flat buffers reduce by addition.
    static constexpr bool kMergeIsSum = true;

    void Merge(const Statistics& other);
    void SetZero();
    // The statistics codec (emkit/model.h): "counts" [K], "sums" [K][D],
    // "log_factorials" [K].
    void Encode(ParameterWriter& out) const;
    void Decode(const ParameterReader& in);
  };

  // rates (K x D), each finite and >= 0. Throws InvalidDataError naming the
  // first invalid rate.
  Poisson(RowMatrix rates, PoissonOptions options);

  // Throws InvalidDataError naming the first element that is not a finite
  // non-negative integer: "X[4, 0] = -1: Poisson features must be
  // non-negative integers (counts)".
  static void ValidateData(const MatrixView& x);
  // K components shaped for x, with placeholder parameters, after checking
  // x as ValidateData does (emkit/family_fit.h).
  static Poisson ForData(int k, const MatrixView& x, const PoissonOptions& options);

  int num_components() const { return static_cast<int>(rates_.rows()); }
  int num_features() const { return static_cast<int>(rates_.cols()); }
  // The family in words, for summaries such as emkit info (emkit/family.h).
  std::string Description() const { return "Poisson"; }
  const RowMatrix& rates() const { return rates_; }
  const PoissonOptions& options() const { return options_; }

  Statistics NewStatistics() const;
  // out (n x K) = log p(x_i | component k).
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  // lambda = max(sums / counts, min_rate). A component whose weight has
  // vanished keeps its rates (counted as a collapsed component). A rate is
  // exactly 0 only when its sum is exactly 0.
  Poisson Maximize(const Statistics& stats, RepairCounts* repairs) const;
  double ExpectedLogLikelihood(const Statistics& stats) const;
  std::int64_t NumFreeParameters() const;
  // Writes D counts.
  void Sample(int component, Rng& rng, double* out) const;

  // The parameter codec (emkit/parameters.h): "n_features", "min_rate", "rates" [K][D].
  void EncodeParameters(ParameterWriter& out) const;
  static Poisson DecodeParameters(const ParameterReader& in, Eigen::Index num_components);

 private:
  void UpdateLogs();

  RowMatrix rates_;
  RowMatrix log_rates_;  // -inf where a rate is 0
  Vector rate_sums_;     // K: sum_d lambda_kd
  bool all_positive_ = true;
  PoissonOptions options_;
};

// log(x!) for a non-negative integer x (given as a double, as data are):
// a table below 256, Stirling's series above, accurate to a few ulp. Unlike
// std::lgamma it writes no global state, so E-steps may call it on threads.
// The categorical family uses it for the multinomial coefficient.
double LogFactorial(double x);

// A Poisson draw with mean `rate` (>= 0) from emkit's own generator, so that
// samples are the same with every standard library: multiplication of
// uniforms for small rates, Hormann's transformed rejection (PTRS) above.
std::int64_t SamplePoisson(double rate, Rng& rng);

}  // namespace emkit

#endif  // EMKIT_FAMILIES_POISSON_H_
