// The machine's DGEMM rate: OpenBLAS cblas_dgemm on n x n matrices (C = A B),
// median over repeats, for a given number of threads. It is the yardstick
// for "fraction of DGEMM" in the benchmark table. Prints one JSON line.
//
//   dgemm_rate --threads T [--n 4096] [--repeats 3]
#include <cblas.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_case.h"

namespace emkit_bench {
namespace {

int Main(int argc, char** argv) {
  const auto flags = ParseFlags(argc, argv);
  const int threads = std::stoi(FlagOr(flags, "threads", "1"));
  const int n = std::stoi(FlagOr(flags, "n", "4096"));
  const int repeats = std::stoi(FlagOr(flags, "repeats", "3"));
  openblas_set_num_threads(threads);
  std::vector<double> a(static_cast<std::size_t>(n) * n);
  std::vector<double> b(a.size());
  std::vector<double> c(a.size(), 0.0);
  // Deterministic values of moderate size; the rate does not depend on them.
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = 1.0 + 1e-3 * static_cast<double>(i % 1000);
    b[i] = 1.0 - 1e-3 * static_cast<double>(i % 997);
  }
  std::vector<double> rates;
  // One untimed call first, so that thread start-up and page faults on C
  // are not counted.
  for (int r = 0; r <= repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data(), n,
                b.data(), n, 0.0, c.data(), n);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r > 0) rates.push_back(2.0 * n * static_cast<double>(n) * n / seconds * 1e-9);
  }
  nlohmann::json out;
  out["impl"] = "openblas_dgemm";
  out["threads"] = threads;
  out["n"] = n;
  out["core"] = openblas_get_corename();
  out["gflops_each"] = rates;
  out["gflops"] = Median(rates);
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace emkit_bench

int main(int argc, char** argv) {
  try {
    return emkit_bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dgemm_rate: %s\n", e.what());
    return 1;
  }
}
