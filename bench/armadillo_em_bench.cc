// Times Armadillo's gmm_full / gmm_diag EM on one benchmark case from the
// case's initial parameters; prints one JSON line in the format of
// emkit_em_bench. Threads come from OMP_NUM_THREADS (Armadillo's E-step is
// an OpenMP loop over one chunk per thread).
//
//   armadillo_em_bench --case DIR --iters N --repeats R [--max-seconds S]
//
// Armadillo's learn() also checks the data for non-finite values and copies
// the model before EM; that overhead is timed with em_iter = 0 and
// subtracted, so only the iterations count. Its EM stops early when the
// mean log-likelihood changes by less than machine epsilon; the iterations
// it actually ran are counted from its progress output and reported.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <armadillo>
#include <nlohmann/json.hpp>

#include "bench_case.h"

namespace emkit_bench {
namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int CountIterations(const std::string& progress) {
  int count = 0;
  for (std::size_t at = progress.find("EM: iteration:"); at != std::string::npos;
       at = progress.find("EM: iteration:", at + 1)) {
    ++count;
  }
  return count;
}

// The row-major (K x D, N x D) arrays of the case are exactly Armadillo's
// column-major (D x K, D x N) matrices, so nothing is transposed.
template <class Gmm>
Gmm InitialModel(const BenchCase& c) {
  const arma::uword k = c.num_components;
  const arma::uword d = c.num_features;
  const arma::mat means(c.means.data(), d, k);
  const arma::rowvec hefts(c.weights.data(), k);
  Gmm model;
  if constexpr (std::is_same_v<Gmm, arma::gmm_full>) {
    // Row-major K x D x D symmetric blocks read as D x D x K slices.
    const arma::cube fcovs(c.covariances.data(), d, d, k);
    model.set_params(means, fcovs, hefts);
  } else {
    const arma::mat dcovs(c.covariances.data(), d, k);
    model.set_params(means, dcovs, hefts);
  }
  return model;
}

template <class Gmm>
nlohmann::json Run(const BenchCase& c, int iters, int repeats, double max_seconds) {
  const arma::mat x(const_cast<double*>(c.x.data()), c.num_features, c.num_rows,
                    /*copy_aux_mem=*/false, /*strict=*/true);
  const Gmm initial = InitialModel<Gmm>(c);
  const arma::uword k = c.num_components;
  // var_floor 0 means the smallest positive double: no flooring in practice.
  constexpr double kVarFloor = 0.0;

  std::vector<double> overhead;
  for (int r = 0; r < 3; ++r) {
    Gmm model = initial;
    const auto start = std::chrono::steady_clock::now();
    model.learn(x, k, arma::eucl_dist, arma::keep_existing, 0, 0, kVarFloor, false);
    overhead.push_back(Seconds(start));
  }
  const double learn_overhead = Median(overhead);

  std::vector<double> per_iteration;
  double total_seconds = 0.0;
  nlohmann::json out;
  for (int r = 0; r < repeats && (r == 0 || total_seconds < max_seconds); ++r) {
    Gmm model = initial;
    std::ostringstream progress;
    arma::set_cout_stream(progress);
    const auto start = std::chrono::steady_clock::now();
    const bool ok = model.learn(x, k, arma::eucl_dist, arma::keep_existing, 0, iters,
                                kVarFloor, /*print_mode=*/true);
    const double seconds = Seconds(start) - learn_overhead;
    arma::set_cout_stream(std::cout);
    const int done = CountIterations(progress.str());
    total_seconds += seconds;
    per_iteration.push_back(seconds / std::max(1, done));
    out["ok"] = ok;
    out["n_iter"] = done;
    out["mean_log_likelihood"] = model.avg_log_p(x);
  }
  out["seconds_per_iter_each"] = per_iteration;
  out["seconds_per_iter"] = Median(per_iteration);
  out["learn_overhead_seconds"] = learn_overhead;
  return out;
}

int Main(int argc, char** argv) {
  const auto flags = ParseFlags(argc, argv);
  const int iters = std::stoi(FlagOr(flags, "iters", "10"));
  const int repeats = std::stoi(FlagOr(flags, "repeats", "3"));
  const double max_seconds = std::stod(FlagOr(flags, "max-seconds", "1e30"));
  const BenchCase c = LoadBenchCase(FlagOr(flags, "case", ""));
  nlohmann::json out;
  if (c.covariance_type == "full") {
    out = Run<arma::gmm_full>(c, iters, repeats, max_seconds);
  } else if (c.covariance_type == "diag") {
    out = Run<arma::gmm_diag>(c, iters, repeats, max_seconds);
  } else {
    out["unsupported"] = "Armadillo has no " + c.covariance_type + " covariance";
  }
  out["impl"] = "armadillo";
  out["case"] = c.name;
  out["covariance_type"] = c.covariance_type;
  out["iters"] = iters;
  out["arma_version"] = arma::arma_version::as_string();
#if defined(_OPENMP)
  out["threads"] = omp_get_max_threads();
#else
  out["threads"] = 1;
#endif
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace emkit_bench

int main(int argc, char** argv) {
  try {
    return emkit_bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "armadillo_em_bench: %s\n", e.what());
    return 1;
  }
}
