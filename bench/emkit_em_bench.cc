// Times emkit's EM iterations on one benchmark case from the case's initial
// parameters: a fixed number of iterations (tol = 0), repeated; prints one
// JSON line. Only the iterations are timed (the engine's per-iteration
// clock), not loading, validation or the E-step of the initial parameters.
//
//   emkit_em_bench --case DIR --threads T --iters N --repeats R
//                  [--max-seconds S] [--block-rows B]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
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

GaussianMixtureModel InitialModel(const BenchCase& c) {
  const int k = c.num_components;
  const int d = c.num_features;
  emkit::GaussianOptions options;
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

  const std::int64_t rss_before_load = PeakRssBytes();
  const BenchCase c = LoadBenchCase(dir);
  const GaussianMixtureModel initial = InitialModel(c);
  const emkit::MatrixView x(c.x.data(), c.num_rows, c.num_features);

  emkit::FitOptions fit_options;
  fit_options.max_iter = iters;
  fit_options.tol = 0.0;  // never stop early: every run does `iters` M-steps
  fit_options.num_threads = threads;
  fit_options.block_rows = block_rows;
  emkit::GaussianMixtureOptions mixture_options;
  mixture_options.n_components = c.num_components;

  std::vector<double> per_iteration;
  double total_seconds = 0.0;
  nlohmann::json out;
  for (int r = 0; r < repeats && (r == 0 || total_seconds < max_seconds); ++r) {
    const emkit::Fitted<GaussianMixtureModel> fitted = emkit::FitGaussianMixture(
        fit_options, mixture_options, x, nullptr, &initial);
    const emkit::RestartRecord& record = fitted.report.restarts.at(0);
    double seconds = 0.0;
    for (const emkit::IterationRecord& it : record.iterations) seconds += it.seconds;
    total_seconds += seconds;
    per_iteration.push_back(seconds / std::max(1, record.n_iter));
    out["n_iter"] = record.n_iter;
    out["termination"] = record.message;
    out["certificate_violations"] = record.certificate_violations;
    out["mean_log_likelihood"] = record.mean_log_likelihood;
    out["param_hash"] = HashModel(fitted.model);
    out["threads_used"] = fitted.report.threads_used;
    out["block_rows"] = fitted.report.block_rows;
  }
  out["impl"] = "emkit";
  out["case"] = c.name;
  out["covariance_type"] = c.covariance_type;
  out["threads"] = threads;
  out["iters"] = iters;
  out["repeats"] = per_iteration.size();
  out["seconds_per_iter_each"] = per_iteration;
  out["seconds_per_iter"] = Median(per_iteration);
  out["data_bytes"] = static_cast<std::int64_t>(c.x.size() * sizeof(double));
  out["rss_before_load_bytes"] = rss_before_load;
  out["peak_rss_bytes"] = PeakRssBytes();
  std::printf("%s\n", out.dump().c_str());
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
