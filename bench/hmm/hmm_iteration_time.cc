// Times one Baum-Welch iteration of emkit on a problem written by
// bench/hmm/compare_hmm.py (the same data and initial parameters that
// hmmlearn and pomegranate get). Prints the median of `repeats` iteration
// times in seconds, and the log-likelihood of the initial parameters.
//
// Input (native byte order, from the script): int64 kind (0 diagonal
// Gaussian, 1 categorical), n_sequences, length, K, D (Gaussian) or V
// (categorical); then doubles: X (n_sequences*length rows; D columns, or one
// symbol column), start (K), transitions (K x K), then means and variances
// (K x D each) or emission probabilities (K x V).
//
// Usage: hmm_iteration_time PROBLEM.bin REPEATS THREADS
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <tuple>
#include <vector>

#include "emkit/families/categorical.h"
#include "emkit/families/gaussian_diagonal.h"
#include "emkit/fit.h"
#include "emkit/hmm.h"
#include "emkit/hmm/sequence_blocks.h"

namespace {

using emkit::RowMatrix;

RowMatrix ReadMatrix(std::ifstream& in, Eigen::Index rows, Eigen::Index cols) {
  RowMatrix m(rows, cols);
  in.read(reinterpret_cast<char*>(m.data()), sizeof(double) * rows * cols);
  return m;
}

template <class Family>
double MedianIterationSeconds(const emkit::HiddenMarkovModel<Family>& init,
                              const emkit::SequenceBlocks<double>& data, int repeats, int threads,
                              double* initial_loglik) {
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    emkit::FitOptions options;
    options.max_iter = 1;
    options.tol = 0.0;
    options.num_threads = threads;
    auto model = init;
    const emkit::FitReport report = emkit::Fit(options, data, &model);
    seconds.push_back(report.restarts[0].iterations.at(0).seconds);
    *initial_loglik = report.restarts[0].initial_mean_log_likelihood * data.TotalWeight();
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PROBLEM.bin REPEATS THREADS\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::int64_t header[5];
  in.read(reinterpret_cast<char*>(header), sizeof(header));
  const auto [kind, n_sequences, length, k, d] =
      std::tuple(header[0], header[1], header[2], header[3], header[4]);
  const RowMatrix x = ReadMatrix(in, n_sequences * length, kind == 0 ? d : 1);
  const RowMatrix start = ReadMatrix(in, 1, k);
  const RowMatrix transitions = ReadMatrix(in, k, k);
  const emkit::MarkovChain chain(start.transpose(), transitions);
  const std::vector<std::int64_t> lengths(n_sequences, length);
  const emkit::SequenceBlocks data(emkit::ViewOf(x), lengths, 0);
  const int repeats = std::atoi(argv[2]);
  const int threads = std::atoi(argv[3]);
  double seconds = 0.0, loglik = 0.0;
  if (kind == 0) {
    const RowMatrix means = ReadMatrix(in, k, d);
    const RowMatrix variances = ReadMatrix(in, k, d);
    emkit::GaussianOptions options;
    options.reg_covar = 0.0;
    const emkit::HiddenMarkovModel<emkit::GaussianDiag> model(
        chain, emkit::GaussianDiag(means, variances, options));
    seconds = MedianIterationSeconds(model, data, repeats, threads, &loglik);
  } else {
    const RowMatrix probabilities = ReadMatrix(in, k, d);
    emkit::CategoricalOptions options;
    options.layout = emkit::CategoricalLayout::kSymbols;
    options.pseudo_count = 0.0;
    const emkit::HiddenMarkovModel<emkit::Categorical> model(
        chain, emkit::Categorical(probabilities, options));
    seconds = MedianIterationSeconds(model, data, repeats, threads, &loglik);
  }
  std::printf("%.9g %.17g\n", seconds, loglik);
  return 0;
}
