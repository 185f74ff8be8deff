// Microbenchmarks of the Gaussian family kernels on one block of rows, the
// unit of work of the engine: log-densities (E-step) and weighted statistics
// (M-step side), and the fused Mixture::EStep that does both. Shapes are
// those of the benchmark cases (D, K) with the engine's default block size.
//
//   emkit_kernels_bench [--benchmark_filter=Full]
// Counters: rows/s and useful GFLOP/s (multiply-add = 2 flops, as in
// docs/benchmarks.md).
#include <cstdint>
#include <type_traits>
#include <vector>

#include <benchmark/benchmark.h>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/random.h"
#include "emkit/row_blocks.h"

namespace {

using emkit::RowMatrix;

struct Block {
  RowMatrix x;
  RowMatrix responsibilities;
};

// Deterministic rows near K well-separated centres, and soft
// responsibilities summing to 1 per row.
Block MakeBlock(std::int64_t rows, int d, int k) {
  emkit::Rng rng(12345);
  Block b{RowMatrix(rows, d), RowMatrix(rows, k)};
  for (std::int64_t i = 0; i < rows; ++i) {
    for (int j = 0; j < d; ++j) {
      b.x(i, j) = 3.0 * static_cast<double>(i % k) + emkit::StandardNormal(rng);
    }
    for (int c = 0; c < k; ++c) b.responsibilities(i, c) = emkit::UniformDouble(rng);
    b.responsibilities.row(i) /= b.responsibilities.row(i).sum();
  }
  return b;
}

RowMatrix Means(int d, int k) {
  RowMatrix means(k, d);
  for (int c = 0; c < k; ++c) means.row(c).setConstant(3.0 * c);
  return means;
}

emkit::GaussianFull MakeFull(int d, int k) {
  std::vector<Eigen::MatrixXd> covariances(k, Eigen::MatrixXd::Identity(d, d));
  return emkit::GaussianFull(Means(d, k), covariances, emkit::GaussianOptions{});
}

emkit::GaussianDiag MakeDiag(int d, int k) {
  return emkit::GaussianDiag(Means(d, k), RowMatrix::Ones(k, d), emkit::GaussianOptions{});
}

void SetCounters(benchmark::State& state, std::int64_t rows, double flops_per_pass) {
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops_per_pass * static_cast<double>(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate);
}

template <class Family>
Family MakeFamily(int d, int k) {
  if constexpr (std::is_same_v<Family, emkit::GaussianFull>) {
    return MakeFull(d, k);
  } else {
    return MakeDiag(d, k);
  }
}

// Useful flops of one pass over `rows` rows (see cases.py::useful_flops).
template <class Family>
double EStepFlops(double rows, double d, double k) {
  return std::is_same_v<Family, emkit::GaussianFull> ? 2 * rows * k * d * d
                                                     : 4 * rows * k * d;
}
template <class Family>
double AccumulateFlops(double rows, double d, double k) {
  return std::is_same_v<Family, emkit::GaussianFull> ? rows * k * d * (d + 1)
                                                     : 4 * rows * k * d;
}

template <class Family>
void BM_LogProbabilities(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  const int k = static_cast<int>(state.range(1));
  const std::int64_t rows = emkit::DefaultBlockRows(d);
  const Block b = MakeBlock(rows, d, k);
  const Family family = MakeFamily<Family>(d, k);
  RowMatrix out(rows, k);
  for (auto _ : state) {
    family.LogProbabilities(emkit::ViewOf(b.x), out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  SetCounters(state, rows, EStepFlops<Family>(rows, d, k));
}

template <class Family>
void BM_Accumulate(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  const int k = static_cast<int>(state.range(1));
  const std::int64_t rows = emkit::DefaultBlockRows(d);
  const Block b = MakeBlock(rows, d, k);
  const Family family = MakeFamily<Family>(d, k);
  typename Family::Statistics stats = family.NewStatistics();
  for (auto _ : state) {
    family.Accumulate(emkit::ViewOf(b.x), b.responsibilities, &stats);
    benchmark::DoNotOptimize(stats.counts.data());
    benchmark::ClobberMemory();
  }
  SetCounters(state, rows, AccumulateFlops<Family>(rows, d, k));
}

template <class Family>
void BM_MixtureEStep(benchmark::State& state) {
  const int d = static_cast<int>(state.range(0));
  const int k = static_cast<int>(state.range(1));
  const std::int64_t rows = emkit::DefaultBlockRows(d);
  const Block b = MakeBlock(rows, d, k);
  const emkit::Mixture<Family> mixture(emkit::Vector::Constant(k, 1.0 / k),
                                       MakeFamily<Family>(d, k));
  typename Family::Statistics stats = mixture.NewStatistics();
  const emkit::RowBlock<double> block{emkit::ViewOf(b.x), nullptr, 0};
  for (auto _ : state) {
    benchmark::DoNotOptimize(mixture.EStep(block, &stats));
    benchmark::ClobberMemory();
  }
  SetCounters(state, rows,
              EStepFlops<Family>(rows, d, k) + AccumulateFlops<Family>(rows, d, k));
}

// {D, K} of cases A/B/F (16, 16), C (2, 8), D (64, 32) and E (2, 3).
void FullShapes(benchmark::internal::Benchmark* b) {
  b->Args({16, 16})->Args({64, 32})->Args({2, 3});
}
void DiagShapes(benchmark::internal::Benchmark* b) {
  b->Args({16, 16})->Args({2, 8});
}

BENCHMARK(BM_LogProbabilities<emkit::GaussianFull>)->Apply(FullShapes);
BENCHMARK(BM_Accumulate<emkit::GaussianFull>)->Apply(FullShapes);
BENCHMARK(BM_MixtureEStep<emkit::GaussianFull>)->Apply(FullShapes);
BENCHMARK(BM_LogProbabilities<emkit::GaussianDiag>)->Apply(DiagShapes);
BENCHMARK(BM_Accumulate<emkit::GaussianDiag>)->Apply(DiagShapes);
BENCHMARK(BM_MixtureEStep<emkit::GaussianDiag>)->Apply(DiagShapes);

}  // namespace

BENCHMARK_MAIN();
