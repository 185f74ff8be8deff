// Times emkit's EM iterations on one benchmark case from the case's initial
// parameters: a fixed number of iterations (tol = 0), repeated; prints one
// JSON line. Only the iterations are timed (the engine's per-iteration
// clock), not loading, validation or the E-step of the initial parameters.
//
//   emkit_em_bench --case DIR --threads T --iters N --repeats R
//                  [--max-seconds S] [--block-rows B] [--dtype float64|float32|both]
//                  [--small-kernels on|off|both]
//
// --dtype float32 rounds the case's data to float once (before timing) and
// fits it with the float32 path from the same initial parameters; both
// alternates float64 and float32 runs and prints a line for each, the
// float32 one with the per-repeat speed-up over float64. --small-kernels
// off uses the general kernels for D <= 4 too; both alternates general and
// small-D kernels and reports the speed-up of the latter.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "bench_case.h"
#include "emkit/gaussian_mixture.h"

namespace emkit_bench {
namespace {

using emkit::GaussianMixtureModel;
using emkit::RowMatrix;

// small_kernels: GaussianOptions::small_dimension_kernels.
GaussianMixtureModel InitialModel(const BenchCase& c, bool small_kernels) {
  const int k = c.num_components;
  const int d = c.num_features;
  emkit::GaussianOptions options;
  options.small_dimension_kernels = small_kernels;
  // Every implementation runs without covariance regularisation, because
  // Armadillo has only a variance floor; the cases are well conditioned.
  options.reg_covar = 0.0;
  const emkit::Vector weights = Eigen::Map<const emkit::Vector>(c.weights.data(), k);
  RowMatrix means = Eigen::Map<const RowMatrix>(c.means.data(), k, d);
  const double* cov = c.covariances.data();
  if (c.covariance_type == "full") {
    std::vector<Eigen::MatrixXd> covariances;
    for (int j = 0; j < k; ++j) {
      covariances.push_back(Eigen::Map<const RowMatrix>(cov + j * d * d, d, d));
    }
    return emkit::GaussianMixtureFull(
        weights, emkit::GaussianFull(std::move(means), std::move(covariances), options));
  }
  if (c.covariance_type == "diag") {
    return emkit::GaussianMixtureDiag(
        weights, emkit::GaussianDiag(std::move(means),
                                     Eigen::Map<const RowMatrix>(cov, k, d), options));
  }
  if (c.covariance_type == "spherical") {
    const emkit::Vector per_component = Eigen::Map<const emkit::Vector>(cov, k);
    return emkit::GaussianMixtureSpherical(
        weights, emkit::GaussianSpherical(
                     std::move(means),
                     emkit::GaussianSpherical::SphericalVariances(per_component, d),
                     options));
  }
  return emkit::GaussianMixtureTied(
      weights, emkit::GaussianTied(std::move(means),
                                   Eigen::Map<const RowMatrix>(cov, d, d), options));
}

// Fingerprints of the fitted covariances, one overload per family.
std::uint64_t HashCovariances(const emkit::GaussianFull& g, std::uint64_t h) {
  for (const Eigen::MatrixXd& c : g.covariances()) h = HashDoubles(c.data(), c.size(), h);
  return h;
}
template <bool kSpherical>
std::uint64_t HashCovariances(const emkit::GaussianAxisAligned<kSpherical>& g,
                              std::uint64_t h) {
  return HashDoubles(g.variances().data(), g.variances().size(), h);
}
std::uint64_t HashCovariances(const emkit::GaussianTied& g, std::uint64_t h) {
  return HashDoubles(g.covariance().data(), g.covariance().size(), h);
}

std::uint64_t HashModel(const GaussianMixtureModel& model) {
  const emkit::Vector& w = emkit::MixtureWeights(model);
  const RowMatrix& m = emkit::MixtureMeans(model);
  std::uint64_t h = HashDoubles(w.data(), w.size(), 0);
  h = HashDoubles(m.data(), m.size(), h);
  return std::visit(
      [h](const auto& mixture) { return HashCovariances(mixture.components(), h); },
      model);
}

int Run(int argc, char** argv) {
  const auto flags = ParseFlags(argc, argv);
  const std::string dir = FlagOr(flags, "case", "");
  const int threads = std::stoi(FlagOr(flags, "threads", "1"));
  const int iters = std::stoi(FlagOr(flags, "iters", "10"));
  const int repeats = std::stoi(FlagOr(flags, "repeats", "3"));
  const double max_seconds = std::stod(FlagOr(flags, "max-seconds", "1e30"));
  const int block_rows = std::stoi(FlagOr(flags, "block-rows", "0"));
  const std::string dtype = FlagOr(flags, "dtype", "float64");
  const std::string small_kernels = FlagOr(flags, "small-kernels", "on");
  // Each variant: a dtype and whether the small-D kernels are on.
  std::vector<std::string> dtypes;
  std::vector<bool> small;
  if (dtype == "both") {
    dtypes = {"float64", "float32"};
  } else if (dtype == "float64" || dtype == "float32") {
    dtypes = {dtype};
  } else {
    throw std::invalid_argument("--dtype must be float64, float32 or both, not " + dtype);
  }
  if (small_kernels == "both") {
    if (dtypes.size() != 1) {
      throw std::invalid_argument("--small-kernels both needs a single --dtype");
    }
    dtypes = {dtypes[0], dtypes[0]};
    small = {false, true};
  } else if (small_kernels == "on" || small_kernels == "off") {
    small.assign(dtypes.size(), small_kernels == "on");
  } else {
    throw std::invalid_argument("--small-kernels must be on, off or both");
  }

  const std::int64_t rss_before_load = PeakRssBytes();
  const BenchCase c = LoadBenchCase(dir);
  // One initial model per variant: the small-D choice is the families' option.
  std::vector<GaussianMixtureModel> initial;
  for (const bool s : small) initial.push_back(InitialModel(c, s));
  const emkit::MatrixView x(c.x.data(), c.num_rows, c.num_features);
  emkit::RowMatrixF x_float;
  if (dtype != "float64") x_float = x.cast<float>();

  emkit::FitOptions fit_options;
  fit_options.max_iter = iters;
  fit_options.tol = 0.0;  // never stop early: every run does `iters` M-steps
  fit_options.num_threads = threads;
  fit_options.block_rows = block_rows;
  emkit::GaussianMixtureOptions mixture_options;
  mixture_options.n_components = c.num_components;

  // With several dtypes the repeats alternate between them, so that both
  // see the same machine load and their ratio is measured in one process.
  std::vector<std::vector<double>> per_iteration(dtypes.size());
  std::vector<nlohmann::json> out(dtypes.size());
  double total_seconds = 0.0;
  for (int r = 0; r < repeats && (r == 0 || total_seconds < max_seconds); ++r) {
    for (std::size_t t = 0; t < dtypes.size(); ++t) {
      const emkit::Fitted<GaussianMixtureModel> fitted =
          dtypes[t] == "float32"
              ? emkit::FitGaussianMixture(fit_options, mixture_options, emkit::ViewOf(x_float),
                                          nullptr, &initial[t])
              : emkit::FitGaussianMixture(fit_options, mixture_options, x, nullptr, &initial[t]);
      const emkit::RestartRecord& record = fitted.report.restarts.at(0);
      double seconds = 0.0;
      for (const emkit::IterationRecord& it : record.iterations) seconds += it.seconds;
      total_seconds += seconds;
      per_iteration[t].push_back(seconds / std::max(1, record.n_iter));
      out[t]["n_iter"] = record.n_iter;
      out[t]["termination"] = record.message;
      out[t]["certificate_violations"] = record.certificate_violations;
      out[t]["mean_log_likelihood"] = record.mean_log_likelihood;
      out[t]["param_hash"] = HashModel(fitted.model);
      out[t]["threads_used"] = fitted.report.threads_used;
      out[t]["block_rows"] = fitted.report.block_rows;
    }
  }
  for (std::size_t t = 0; t < dtypes.size(); ++t) {
    out[t]["impl"] = dtypes[t] == "float32" ? "emkit-float32" : "emkit";
    out[t]["small_kernels"] = static_cast<bool>(small[t]);
    out[t]["dtype"] = dtypes[t];
    out[t]["case"] = c.name;
    out[t]["covariance_type"] = c.covariance_type;
    out[t]["threads"] = threads;
    out[t]["iters"] = iters;
    out[t]["repeats"] = per_iteration[t].size();
    out[t]["seconds_per_iter_each"] = per_iteration[t];
    out[t]["seconds_per_iter"] = Median(per_iteration[t]);
    out[t]["data_bytes"] = static_cast<std::int64_t>(
        c.x.size() * (dtypes[t] == "float32" ? sizeof(float) : sizeof(double)));
    out[t]["rss_before_load_bytes"] = rss_before_load;
    out[t]["peak_rss_bytes"] = PeakRssBytes();
  }
  if (small_kernels == "both") {
    // General-kernel time / small-kernel time per repeat, then the median.
    std::vector<double> ratios;
    for (std::size_t r = 0; r < per_iteration[0].size(); ++r) {
      ratios.push_back(per_iteration[0][r] / per_iteration[1][r]);
    }
    out[1]["speedup_vs_general_kernels_each"] = ratios;
    out[1]["speedup_vs_general_kernels"] = Median(ratios);
  } else if (dtypes.size() == 2) {
    // float64 time / float32 time per repeat, then the median.
    std::vector<double> ratios;
    for (std::size_t r = 0; r < per_iteration[0].size(); ++r) {
      ratios.push_back(per_iteration[0][r] / per_iteration[1][r]);
    }
    out[1]["speedup_vs_float64_each"] = ratios;
    out[1]["speedup_vs_float64"] = Median(ratios);
    out[1]["float64_mean_log_likelihood"] = out[0]["mean_log_likelihood"];
  }
  for (const nlohmann::json& line : out) std::printf("%s\n", line.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace emkit_bench

int main(int argc, char** argv) {
  try {
    return emkit_bench::Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "emkit_em_bench: %s\n", e.what());
    return 1;
  }
}
