// How every mixture and every HMM's emissions get their first parameters,
// for any component family: a partition of the rows (k-means++ and Lloyd,
// or K random rows as centres, each row then assigned to its nearest) or
// random responsibilities, then one M-step of the family. Every pass uses
// the data's fixed blocks and ordered merges, so a seed gives the same
// parameters for any number of threads.
//
// A family may customise the M-step of its first partition with two
// optional members (the Gaussians do; emkit/families/gaussian_common.h):
//   F InitialPrototype(const RowMatrix& centers) const
//       the K-component family whose statistics the partition fills, e.g.
//       centred on the partition's centres for accurate second moments;
//   F MaximizeInitial(const Statistics&, const InitialResponsibilities&,
//                     LazyFeatureVariance&, RepairCounts*) const
//       the M-step from those statistics, e.g. giving a component that a
//       hard partition left with too few rows the data's variances (one
//       more pass over the data, made only when it asks for them).
// Without them the family's own shape and Maximize are used: a component
// the partition leaves empty then keeps the shape's parameters
// (WholeDataComponents below gives the maximum-likelihood fit of all rows).
//
// Every pass takes any RowBlockSource (emkit/kmeans.h) and any executor
// (emkit/engine/executor.h), for every family; InitialMixture with only an
// InitContext reduces through the context's executor (the engine's), and
// the overloads on RowBlocks and a ThreadPool are the threaded executor on
// that pool.
#ifndef EMKIT_INITIALIZATION_H_
#define EMKIT_INITIALIZATION_H_

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "emkit/constants.h"
#include "emkit/engine/any_executor.h"
#include "emkit/engine/executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"
#include "emkit/family.h"
#include "emkit/init_context.h"
#include "emkit/kmeans.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {

enum class InitMethod { kKMeansPlusPlus, kRandom, kRandomFromData };

// "kmeans++" (also "k-means++", "kmeans"), "random", "random_from_data";
// throws InvalidOptionError otherwise.
InitMethod ParseInitMethod(std::string_view name);
const char* InitMethodName(InitMethod method);


// The first responsibilities of one restart.
class InitialResponsibilities {
 public:
  // kKMeansPlusPlus: k-means++ seeds, then Lloyd iterations when
  // kmeans.max_iter > 0. kRandomFromData: k distinct rows, uniformly. Both
  // then assign each row to its nearest centre. kRandom: uniform random
  // responsibilities normalised per row, each block drawing from its own
  // stream so that the values do not depend on which thread runs it.
  template <RowBlockSource Data, class Executor>
    requires ReducesBlocks<Executor, Data, internal::NoStatistics>
  static InitialResponsibilities Draw(InitMethod method, const KMeansOptions& kmeans,
                                      const Data& data, int k, Rng& rng, Executor& executor);
  // The same on in-memory rows and the threads of `pool`.
  static InitialResponsibilities Draw(InitMethod method, const KMeansOptions& kmeans,
                                      const RowBlocks<double>& data, int k, Rng& rng,
                                      ThreadPool& pool);
  // Each row wholly in the component of its nearest centre (k x d).
  static InitialResponsibilities NearestOf(RowMatrix centers);
  // A given partition: row i wholly in component labels[i], or in none when
  // labels[i] < 0; `centers` (k x d) are the components' centres.
  static InitialResponsibilities FromLabels(RowMatrix centers, std::vector<int> labels);
  // A partition in two levels, computed from each row (nothing kept per
  // row): its state is the nearest of `states` (k x d), its component the
  // nearest of that state's m rows of `centers` (k*m x d, state-major),
  // numbered state * m + j. With only_state >= 0 the components are that
  // state's m alone, numbered j, and rows of other states are in none.
  static InitialResponsibilities NearestInTwoLevels(RowMatrix states, RowMatrix centers, int m,
                                                    int only_state = -1);

  // Whether every row belongs wholly to one component.
  bool hard() const { return hard_; }
  int num_components() const { return static_cast<int>(centers_.rows()); }
  // k x d: the centres of a partition; zeros for random responsibilities.
  const RowMatrix& centers() const { return centers_; }
  // Writes the responsibilities of block `block_index` into *r
  // (block rows x k, zeros on entry).
  void Fill(std::int64_t block_index, const RowBlock<double>& block, RowMatrix* r) const;

 private:
  InitialResponsibilities(RowMatrix centers, bool hard, std::uint64_t random_seed,
                          std::vector<int> labels = {})
      : centers_(std::move(centers)),
        hard_(hard),
        random_seed_(random_seed),
        labels_(std::move(labels)) {}

  RowMatrix centers_;
  bool hard_ = true;
  std::uint64_t random_seed_ = 0;
  std::vector<int> labels_;  // empty: the nearest centre
  // NearestInTwoLevels: the states (empty otherwise), the components per
  // state, each state's centres and the one state kept (-1: all).
  RowMatrix states_;
  int per_state_ = 0;
  std::vector<RowMatrix> state_centers_;
  int only_state_ = -1;
};

template <RowBlockSource Data, class Executor>
  requires ReducesBlocks<Executor, Data, internal::NoStatistics>
InitialResponsibilities InitialResponsibilities::Draw(InitMethod method,
                                                      const KMeansOptions& kmeans,
                                                      const Data& data, int k, Rng& rng,
                                                      Executor& executor) {
  const std::int64_t n = data.num_rows();
  const std::int64_t d = data.num_columns();
  switch (method) {
    case InitMethod::kKMeansPlusPlus: {
      RowMatrix centers = KMeansPlusPlusSeeds(data, k, rng, executor);
      if (kmeans.max_iter > 0) {
        centers = LloydIterations(data, std::move(centers), kmeans,
                                  FeatureVariance(data, executor), executor);
      }
      return NearestOf(std::move(centers));
    }
    case InitMethod::kRandomFromData: {
      std::set<std::int64_t> chosen;
      RowMatrix centers(k, d);
      for (int c = 0; c < k; ++c) {
        std::int64_t row;
        do {
          row = static_cast<std::int64_t>(UniformIndex(rng, n));
        } while (!chosen.insert(row).second);
        centers.row(c) = RowAt(data, row);
      }
      return NearestOf(std::move(centers));
    }
    case InitMethod::kRandom:
      return InitialResponsibilities(RowMatrix::Zero(k, d), /*hard=*/false, rng());
  }
  throw InvalidOptionError("unknown init method");
}

// The draw the shipped initialisers make (in-memory rows, the context's
// executor), compiled once in initialization.cc.
extern template InitialResponsibilities InitialResponsibilities::Draw(
    InitMethod, const KMeansOptions&, const RowBlocks<double>&, int, Rng&, AnyExecutor&);

// How a block's first responsibilities are written: fill(block_index,
// block, &r) with r (block rows x K) zeros on entry.
template <class Fill>
concept ResponsibilityFill = std::invocable<Fill&, std::int64_t, const RowBlock<double>&, RowMatrix*>;

// The statistics of `family` over all blocks for responsibilities that
// `fill` writes, times the sample weights. Merged in block order by the
// executor: identical for any thread count.
template <ComponentFamily F, RowBlockSource Data, class Executor, ResponsibilityFill Fill>
  requires ReducesBlocks<Executor, Data, typename F::Statistics>
typename F::Statistics StatisticsOfResponsibilities(const F& family, const Data& data,
                                                    Executor& executor, Fill&& fill) {
  typename F::Statistics stats = family.NewStatistics();
  const typename F::Statistics zero = stats;
  executor.Reduce(data, zero, &stats,
                  [&](std::int64_t b, const RowBlock<double>& block, typename F::Statistics* s) {
                    RowMatrix r = RowMatrix::Zero(block.rows.rows(), family.num_components());
                    fill(b, block, &r);
                    if (block.weights != nullptr) {
                      r.array().colwise() *=
                          Eigen::Map<const Vector>(block.weights, block.rows.rows()).array();
                    }
                    family.Accumulate(block.rows, r, s);
                    return 0.0;
                  });
  return stats;
}

template <ComponentFamily F, RowBlockSource Data, class Executor>
  requires ReducesBlocks<Executor, Data, typename F::Statistics>
typename F::Statistics StatisticsOfResponsibilities(
    const F& family, const Data& data, Executor& executor,
    const InitialResponsibilities& responsibilities) {
  return StatisticsOfResponsibilities(
      family, data, executor, [&](std::int64_t b, const RowBlock<double>& block, RowMatrix* r) {
        responsibilities.Fill(b, block, r);
      });
}

// The same on in-memory rows and the threads of `pool`.
template <ComponentFamily F, ResponsibilityFill Fill>
typename F::Statistics StatisticsOfResponsibilities(const F& family, const RowBlocks<double>& data,
                                                    ThreadPool& pool, Fill&& fill) {
  ThreadedExecutor executor(pool);
  return StatisticsOfResponsibilities(family, data, executor, std::forward<Fill>(fill));
}

template <ComponentFamily F>
typename F::Statistics StatisticsOfResponsibilities(
    const F& family, const RowBlocks<double>& data, ThreadPool& pool,
    const InitialResponsibilities& responsibilities) {
  ThreadedExecutor executor(pool);
  return StatisticsOfResponsibilities(family, data, executor, responsibilities);
}

template <class F>
concept HasInitialPrototype = requires(const F& family, const RowMatrix& centers) {
  { family.InitialPrototype(centers) } -> std::same_as<F>;
};

// The data's per-feature variances (FeatureVariance, emkit/kmeans.h), for
// a family's MaximizeInitial: computed through the initialiser's executor
// by one more pass over the data the first time they are asked for, and
// not at all when they are not.
class LazyFeatureVariance {
 public:
  // `data` and `executor` must outlive this.
  template <RowBlockSource Data, class Executor>
    requires ReducesBlocks<Executor, Data, internal::Moments>
  LazyFeatureVariance(const Data& data, Executor& executor)
      : compute_([&data, &executor] { return FeatureVariance(data, executor); }) {}

  // The variances (D), computed on the first call.
  const Vector& Get() {
    if (!value_.has_value()) value_ = compute_();
    return *value_;
  }

 private:
  std::function<Vector()> compute_;
  std::optional<Vector> value_;
};

template <class F>
concept HasMaximizeInitial =
    requires(const F& family, const typename F::Statistics& stats,
             const InitialResponsibilities& responsibilities, LazyFeatureVariance& variance,
             RepairCounts* repairs) {
      { family.MaximizeInitial(stats, responsibilities, variance, repairs) } -> std::same_as<F>;
    };

// Statistics carry each component's total weight as `counts` (K).
template <class F>
concept HasComponentCounts = requires(const typename F::Statistics& stats) {
  { stats.counts } -> std::convertible_to<Vector>;
};

template <class F>
struct InitialComponents {
  F family;
  Vector counts;  // K: each component's total responsibility
};

namespace internal {

// The family whose statistics a partition fills (see InitialPrototype).
template <ComponentFamily F>
F InitialPrototypeOf(const F& shape, const InitialResponsibilities& responsibilities) {
  if constexpr (HasInitialPrototype<F>) {
    return shape.InitialPrototype(responsibilities.centers());
  } else {
    return shape;
  }
}

// Mixing weights from the components' total responsibilities, floored like
// Mixture's M-step, so that an empty component keeps a tiny positive weight
// and log w stays finite.
template <ComponentFamily F>
Mixture<F> MixtureOf(InitialComponents<F> initial) {
  Vector weights = initial.counts.array() + kCountFloor;
  weights /= weights.sum();
  return Mixture<F>(std::move(weights), std::move(initial.family));
}

}  // namespace internal

// One M-step of `shape`'s family (K components, the data's shape, its
// options) from the given responsibilities, every pass through `executor`.
template <ComponentFamily F, RowBlockSource Data, class Executor>
  requires HasComponentCounts<F> && ReducesBlocks<Executor, Data, typename F::Statistics> &&
           (!HasMaximizeInitial<F> || ReducesBlocks<Executor, Data, internal::Moments>)
InitialComponents<F> ComponentsFromResponsibilities(
    const F& shape, const InitialResponsibilities& responsibilities, const Data& data,
    Executor& executor, RepairCounts* repairs) {
  const F prototype = internal::InitialPrototypeOf(shape, responsibilities);
  const typename F::Statistics stats =
      StatisticsOfResponsibilities(prototype, data, executor, responsibilities);
  if constexpr (HasMaximizeInitial<F>) {
    LazyFeatureVariance variance(data, executor);
    return {prototype.MaximizeInitial(stats, responsibilities, variance, repairs),
            stats.counts};
  } else {
    return {prototype.Maximize(stats, repairs), stats.counts};
  }
}

// The same on in-memory rows and the threads of `pool`.
template <ComponentFamily F>
  requires HasComponentCounts<F>
InitialComponents<F> ComponentsFromResponsibilities(
    const F& shape, const InitialResponsibilities& responsibilities, const RowBlocks<double>& data,
    ThreadPool& pool, RepairCounts* repairs) {
  ThreadedExecutor executor(pool);
  return ComponentsFromResponsibilities(shape, responsibilities, data, executor, repairs);
}

// The mixture of those components, weighted by their total
// responsibilities (internal::MixtureOf).
template <ComponentFamily F, RowBlockSource Data, class Executor>
  requires HasComponentCounts<F> && ReducesBlocks<Executor, Data, typename F::Statistics> &&
           (!HasMaximizeInitial<F> || ReducesBlocks<Executor, Data, internal::Moments>)
Mixture<F> MixtureFromResponsibilities(const F& shape,
                                       const InitialResponsibilities& responsibilities,
                                       const Data& data, Executor& executor,
                                       RepairCounts* repairs) {
  return internal::MixtureOf(
      ComponentsFromResponsibilities(shape, responsibilities, data, executor, repairs));
}

template <ComponentFamily F>
  requires HasComponentCounts<F>
Mixture<F> MixtureFromResponsibilities(const F& shape,
                                       const InitialResponsibilities& responsibilities,
                                       const RowBlocks<double>& data, ThreadPool& pool,
                                       RepairCounts* repairs) {
  ThreadedExecutor executor(pool);
  return MixtureFromResponsibilities(shape, responsibilities, data, executor, repairs);
}

// The initial mixture of one restart: responsibilities drawn by `method`
// from the restart's seed, then one M-step, every pass through `executor`
// (the context's executor and pool are not used).
template <ComponentFamily F, RowBlockSource Data, class Executor>
  requires HasComponentCounts<F> && ReducesBlocks<Executor, Data, typename F::Statistics> &&
           ReducesBlocks<Executor, Data, internal::NoStatistics> &&
           ReducesBlocks<Executor, Data, internal::ClusterSums> &&
           ReducesBlocks<Executor, Data, internal::Moments>
Mixture<F> InitialMixture(InitMethod method, const KMeansOptions& kmeans, const F& shape,
                          const Data& data, Executor& executor, const InitContext& context) {
  Rng rng(context.seed);
  const InitialResponsibilities responsibilities = InitialResponsibilities::Draw(
      method, kmeans, data, shape.num_components(), rng, executor);
  return MixtureFromResponsibilities(shape, responsibilities, data, executor,
                                     context.repairs);
}

// The same through the context's executor (InitContext::ExecutorOrPool):
// the one the engine's E-steps reduce through.
template <ComponentFamily F, RowBlockSource Data>
  requires HasComponentCounts<F>
Mixture<F> InitialMixture(InitMethod method, const KMeansOptions& kmeans, const F& shape,
                          const Data& data, const InitContext& context) {
  AnyExecutor executor = context.ExecutorOrPool();
  return InitialMixture(method, kmeans, shape, data, executor, context);
}

// `shape` with every component the maximum-likelihood fit of all the rows:
// what a component that a partition leaves empty keeps.
template <ComponentFamily F, RowBlockSource Data, class Executor>
  requires ReducesBlocks<Executor, Data, typename F::Statistics>
F WholeDataComponents(const F& shape, const Data& data, Executor& executor) {
  const typename F::Statistics stats = StatisticsOfResponsibilities(
      shape, data, executor, [](std::int64_t, const RowBlock<double>&, RowMatrix* r) { r->setOnes(); });
  return shape.Maximize(stats, nullptr);
}

template <ComponentFamily F>
F WholeDataComponents(const F& shape, const RowBlocks<double>& data, ThreadPool& pool) {
  ThreadedExecutor executor(pool);
  return WholeDataComponents(shape, data, executor);
}

}  // namespace emkit

#endif  // EMKIT_INITIALIZATION_H_
