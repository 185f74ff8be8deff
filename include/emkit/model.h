// The concept the engine drives. A model (a latent structure with its
// parameters) is fitted by EM when it can
//   - start an empty statistics value,
//   - run a const E-step over one block of data that ADDS the block's
//     expected sufficient statistics into a caller-owned value and returns
//     the block's total log-likelihood,
//   - merge two statistics values by addition,
//   - produce the M-step's new model from merged statistics,
//   - evaluate Q(theta | theta_old) from statistics computed at theta_old,
//   - count its free parameters.
// Nothing else: threads, restarts, convergence, the certificate and the
// report come from the engine. A model whose E-step rounds more coarsely
// than double (float kernels) may declare
//   static constexpr double kMinCertificateTolerance = ...;
// and the certificate is then checked with at least that relative
// tolerance (FitOptions::certificate_tolerance). Shipped models are written against this
// concept alone; a user's model (see examples/) is no different.
#ifndef EMKIT_MODEL_H_
#define EMKIT_MODEL_H_

#include <concepts>
#include <cstdint>

#include "emkit/report.h"

namespace emkit {

template <class S>
concept Statistics = std::copy_constructible<S> && requires(S s, const S& other) {
  // Adds `other` into `s`; statistics of disjoint data merge to those of
  // the union.
  s.Merge(other);
  // Back to the value NewStatistics() returned (reuses the memory).
  s.SetZero();
};

class ParameterWriter;  // emkit/parameters.h
class ParameterReader;

// Statistics that can leave the process as named, shaped arrays through the
// parameter codec (emkit/parameters.h): for executors that reduce across
// processes (MPI ranks, Dask workers) and for checkpoints of statistics.
// A fit in one process never needs it, so EmModel does not ask for it; every
// shipped family's statistics have it (ComponentFamily, emkit/family.h), and
// so do the mixtures' and HMMs' built on them. emkit/statistics_codec.h
// makes one flat buffer of them.
template <class S>
concept SerializableStatistics =
    Statistics<S> && requires(S s, const S& stats, ParameterWriter& out,
                              const ParameterReader& in) {
      // Writes every number that Merge and the M-step read, as they are.
      stats.Encode(out);
      // Reads what Encode wrote into this value, whose shapes (those of the
      // model's NewStatistics()) are the shapes expected: a missing key or
      // another shape fails through in.Fail(), naming the key.
      s.Decode(in);
    };

// Statistics whose Merge is the element-wise sum of the arrays Encode
// writes (they declare `static constexpr bool kMergeIsSum = true`), so that
// their flat buffers may be reduced by plain addition. Pooled moments (the
// Gaussians') are not: their Merge pools means with a cross term.
template <class S>
concept SummableStatistics = SerializableStatistics<S> && requires {
  requires S::kMergeIsSum;
};

template <class M>
concept EmModel =
    std::copy_constructible<M> && Statistics<typename M::Statistics> &&
    requires(const M& model, typename M::Statistics& stats,
             const typename M::Statistics& merged,
             const typename M::Block& block, RepairCounts* repairs) {
      typename M::Block;
      { model.NewStatistics() } -> std::same_as<typename M::Statistics>;
      { model.EStep(block, &stats) } -> std::same_as<double>;
      { model.MStep(merged, repairs) } -> std::same_as<M>;
      { model.ExpectedCompleteLogLikelihood(merged) } -> std::same_as<double>;
      { model.NumFreeParameters() } -> std::convertible_to<std::int64_t>;
    };

// Splits a data set into blocks of work. The split depends on the data and
// options only, never on the number of threads: the engine merges block
// statistics in block order, so results are bit-identical for any thread
// count.
template <class D, class Block>
concept BlockSource = requires(const D& data, std::int64_t b) {
  { data.NumBlocks() } -> std::convertible_to<std::int64_t>;
  { data.GetBlock(b) } -> std::convertible_to<Block>;
  // The total sample weight (the number of samples when unweighted); the
  // mean log-likelihood divides by it.
  { data.TotalWeight() } -> std::convertible_to<double>;
};

}  // namespace emkit

#endif  // EMKIT_MODEL_H_
