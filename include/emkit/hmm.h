// Hidden Markov models: a Markov chain of K hidden states (start
// probabilities, a row-stochastic transition matrix) and one emission family
// holding the K states' observation distributions. Any family with the
// interface of GaussianFull (Statistics, LogProbabilities, Accumulate,
// Maximize, ExpectedLogLikelihood, NumFreeParameters, Sample) makes an HMM
// the engine fits by Baum-Welch: the E-step is forward-backward per
// sequence, its posteriors weight the family's statistics exactly as a
// mixture's responsibilities do, and the engine adds threads, restarts and
// the certificate. Blocks are groups of whole sequences (SequenceBlocks).
//
// HiddenMarkovModel<F, Scalar> fits rows of type Scalar (emkit/matrix.h):
// on float rows each block is widened to double before the emissions'
// log-probabilities, so a float32 fit holds the data in half the memory and
// is the float64 fit of the same values, bit for bit. Parameters and
// statistics are double; the two convert to each other explicitly, and the
// fitted-model operations below take double rows.
#ifndef EMKIT_HMM_H_
#define EMKIT_HMM_H_

#include <cmath>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/hmm/forward_backward.h"
#include "emkit/hmm/markov_chain.h"
#include "emkit/hmm/sequence_blocks.h"
#include "emkit/matrix.h"
#include "emkit/model.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

// Which parameters the M-step updates (hmmlearn's `params` letters s, t and
// the emission letters). A frozen part keeps its given value; its statistics
// are still gathered so that Q stays exact.
struct HmmFitParameters {
  bool start = true;
  bool transitions = true;
  bool emissions = true;
};

template <class Family, DataScalar Scalar = double>
class HiddenMarkovModel {
 public:
  using Block = SequenceBlock<Scalar>;

  struct Statistics {
    Vector start_counts;           // K: expected first states
    RowMatrix transition_counts;   // K x K: expected transitions i -> j
    typename Family::Statistics emission;

    void Merge(const Statistics& other) {
      start_counts += other.start_counts;
      transition_counts += other.transition_counts;
      emission.Merge(other.emission);
    }
    void SetZero() {
      start_counts.setZero();
      transition_counts.setZero();
      emission.SetZero();
    }
    // The statistics codec (emkit/model.h): "start_counts" [K],
    // "transition_counts" [K][K] and the emission statistics' keys; there
    // when the emission statistics have one.
    void Encode(ParameterWriter& out) const
      requires SerializableStatistics<typename Family::Statistics>
    {
      out.Vector1("start_counts", start_counts);
      out.Matrix2("transition_counts", transition_counts);
      emission.Encode(out);
    }
    void Decode(const ParameterReader& in)
      requires SerializableStatistics<typename Family::Statistics>
    {
      start_counts = in.Vector1("start_counts", start_counts.size());
      transition_counts =
          in.Matrix2("transition_counts", transition_counts.rows(), transition_counts.cols());
      emission.Decode(in);
    }
    // The chain's counts are plain sums; the whole is when the emissions' are.
    static constexpr bool kMergeIsSum = SummableStatistics<typename Family::Statistics>;
  };

  // The family must have as many components as the chain has states.
  HiddenMarkovModel(MarkovChain chain, Family emissions, HmmFitParameters fit = {})
      : chain_(std::move(chain)), emissions_(std::move(emissions)), fit_(fit) {
    if (emissions_.num_components() != chain_.num_states()) {
      throw InvalidDataError(fmt::format(
          "the emission family has {} components, but the chain has {} states",
          emissions_.num_components(), chain_.num_states()));
    }
  }

  // The same parameters, priors and frozen parts for rows of another
  // scalar type.
  template <DataScalar Other>
    requires(!std::is_same_v<Other, Scalar>)
  explicit HiddenMarkovModel(const HiddenMarkovModel<Family, Other>& other)
      : HiddenMarkovModel(other.chain(), other.emissions(), other.fit_parameters()) {
    priors_ = other.chain_priors();
  }

  int num_states() const { return chain_.num_states(); }
  const MarkovChain& chain() const { return chain_; }
  const Vector& start() const { return chain_.start(); }
  const RowMatrix& transitions() const { return chain_.transitions(); }
  const Family& emissions() const { return emissions_; }
  const HmmFitParameters& fit_parameters() const { return fit_; }
  void set_fit_parameters(HmmFitParameters fit) { fit_ = fit; }
  // Dirichlet priors of the chain's M-step (empty: maximum likelihood).
  const ChainPriors& chain_priors() const { return priors_; }
  void set_chain_priors(ChainPriors priors) {
    priors.Validate(num_states());
    priors_ = std::move(priors);
  }

  // --- The engine's concept (emkit/model.h) ---

  Statistics NewStatistics() const {
    const int k = num_states();
    return Statistics{Vector::Zero(k), RowMatrix::Zero(k, k), emissions_.NewStatistics()};
  }

  double EStep(const Block& block, Statistics* stats) const {
    // The whole block's log-probabilities in one call (the family's fast
    // path), turned into posteriors sequence by sequence in place, then
    // accumulated in one call.
    thread_local RowMatrix wide;
    const MatrixView rows = WidenedRows(block.rows, &wide);
    thread_local RowMatrix work;
    work.resize(rows.rows(), num_states());
    emissions_.LogProbabilities(rows, work);
    double loglik = 0.0;
    std::int64_t row = 0;
    for (const std::int64_t length : block.lengths) {
      auto sequence = work.middleRows(row, length);
      loglik += ForwardBackward(chain_, sequence, &stats->start_counts,
                                &stats->transition_counts);
      row += length;
    }
    emissions_.Accumulate(rows, work, &stats->emission);
    return loglik;
  }

  HiddenMarkovModel MStep(const Statistics& stats, RepairCounts* repairs) const {
    HiddenMarkovModel next = *this;
    next.chain_ = chain_.Maximize(stats.start_counts, stats.transition_counts,
                                  fit_.start, fit_.transitions, priors_);
    if (fit_.emissions) next.emissions_ = emissions_.Maximize(stats.emission, repairs);
    return next;
  }

  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return chain_.ExpectedLogLikelihood(stats.start_counts, stats.transition_counts) +
           emissions_.ExpectedLogLikelihood(stats.emission);
  }

  std::int64_t NumFreeParameters() const {
    return chain_.NumFreeParameters(fit_.start, fit_.transitions) +
           (fit_.emissions ? emissions_.NumFreeParameters() : 0);
  }

  // --- Fitted-model operations. `lengths` as in SequenceBlocks (empty: one
  // sequence of all rows); memory is O(longest sequence x K). ---

  // log p(sequence s) for each sequence.
  Vector SequenceLogLikelihoods(const MatrixView& x,
                                std::span<const std::int64_t> lengths) const {
    const std::vector<std::int64_t> checked = Checked(x, lengths);
    Vector out(static_cast<Eigen::Index>(checked.size()));
    RowMatrix log_b;
    std::int64_t row = 0;
    for (std::size_t s = 0; s < checked.size(); ++s) {
      SequenceLogProbabilities(x, row, checked[s], &log_b);
      out[static_cast<Eigen::Index>(s)] = ForwardLogLikelihood(chain_, log_b);
      row += checked[s];
    }
    return out;
  }

  // The total log-likelihood of all sequences (hmmlearn's score).
  double TotalLogLikelihood(const MatrixView& x,
                            std::span<const std::int64_t> lengths) const {
    return SequenceLogLikelihoods(x, lengths).sum();
  }

  // Posterior state probabilities p(z_t = k | its sequence), n x K.
  RowMatrix PredictProba(const MatrixView& x, std::span<const std::int64_t> lengths) const {
    const std::vector<std::int64_t> checked = Checked(x, lengths);
    RowMatrix out(x.rows(), num_states());
    Vector start_counts = Vector::Zero(num_states());
    RowMatrix transition_counts = RowMatrix::Zero(num_states(), num_states());
    std::int64_t row = 0;
    for (const std::int64_t length : checked) {
      const MatrixView rows(x.data() + row * x.cols(), length, x.cols());
      auto block = out.middleRows(row, length);
      emissions_.LogProbabilities(rows, block);
      ForwardBackward(chain_, block, &start_counts, &transition_counts);
      row += length;
    }
    return out;
  }

  // The most probable state path of each sequence (Viterbi), concatenated;
  // the sum of the paths' log p(x, z) goes to *total_log_probability.
  std::vector<int> Viterbi(const MatrixView& x, std::span<const std::int64_t> lengths,
                           double* total_log_probability = nullptr) const {
    const std::vector<std::int64_t> checked = Checked(x, lengths);
    std::vector<int> states(static_cast<std::size_t>(x.rows()));
    RowMatrix log_b;
    double total = 0.0;
    std::int64_t row = 0;
    for (const std::int64_t length : checked) {
      SequenceLogProbabilities(x, row, length, &log_b);
      total += emkit::Viterbi(chain_, log_b, states.data() + row);
      row += length;
    }
    if (total_log_probability != nullptr) *total_log_probability = total;
    return states;
  }

  // The most probable state of each step (posterior decoding).
  std::vector<int> PredictPosteriorStates(const MatrixView& x,
                                          std::span<const std::int64_t> lengths) const {
    const RowMatrix p = PredictProba(x, lengths);
    std::vector<int> states(static_cast<std::size_t>(x.rows()));
    for (Eigen::Index t = 0; t < p.rows(); ++t) {
      Eigen::Index best;
      p.row(t).maxCoeff(&best);
      states[t] = static_cast<int>(best);
    }
    return states;
  }

  // One sequence of n_steps draws (rows as the family's Sample writes them);
  // the hidden states go to *states when not null.
  RowMatrix Sample(std::int64_t n_steps, Rng& rng, std::vector<int>* states) const {
    RowMatrix out(n_steps, SampleColumns());
    if (states != nullptr) states->resize(static_cast<std::size_t>(n_steps));
    int state = 0;
    for (std::int64_t t = 0; t < n_steps; ++t) {
      const double u = UniformDouble(rng);
      state = t == 0 ? MarkovChain::DrawState(chain_.start().transpose(), u)
                     : MarkovChain::DrawState(chain_.transitions().row(state), u);
      emissions_.Sample(state, rng, out.row(t).data());
      if (states != nullptr) (*states)[t] = state;
    }
    return out;
  }

 private:
  int SampleColumns() const {
    if constexpr (requires { emissions_.num_features(); }) {
      return emissions_.num_features();
    } else {
      return 1;
    }
  }

  std::vector<std::int64_t> Checked(const MatrixView& x,
                                    std::span<const std::int64_t> lengths) const {
    if constexpr (requires { emissions_.num_features(); }) {
      if (x.cols() != emissions_.num_features()) {
        throw InvalidDataError(fmt::format(
            "X has {} features, but the model was fitted with {}", x.cols(),
            emissions_.num_features()));
      }
    }
    return CheckedLengths(lengths, x.rows());
  }

  void SequenceLogProbabilities(const MatrixView& x, std::int64_t first_row,
                                std::int64_t length, RowMatrix* out) const {
    out->resize(length, num_states());
    emissions_.LogProbabilities(
        MatrixView(x.data() + first_row * x.cols(), length, x.cols()), *out);
  }

  MarkovChain chain_;
  Family emissions_;
  HmmFitParameters fit_;
  ChainPriors priors_;
};

}  // namespace emkit

#endif  // EMKIT_HMM_H_
