// Fits a mixture of three linear regressions to synthetic data with emkit's
// engine (two threads, ten restarts) and prints the report and the lines.
//
//   mixture_of_regressions [num_samples]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "emkit/fit.h"
#include "mixture_of_regressions.h"
#include "synthetic_lines.h"

int main(int argc, char** argv) {
  using namespace regression_example;
  try {
    const std::int64_t n = argc > 1 ? std::stoll(argv[1]) : 3000;
    const LinesTruth truth = ThreeLines();
    const LinesSample sample = SampleLines(truth, n, /*seed=*/2024);
    const RegressionData data(emkit::ViewOf(sample.x), sample.y.data(), nullptr,
                              /*block_rows=*/256);

    emkit::FitOptions options;
    options.num_threads = 2;
    options.n_init = 10;
    options.seed = 1;
    const emkit::Fitted<MixtureOfLinearRegressions> fitted =
        FitMixtureOfRegressions(options, data, /*num_components=*/3);

    std::printf("%s\n", fitted.report.FullReport().c_str());
    std::printf("fitted lines (y = a + b x, noise sd, weight):\n");
    const MixtureOfLinearRegressions& model = fitted.model;
    for (int k = 0; k < model.num_components(); ++k) {
      std::printf("  a = %+.4f  b = %+.4f  sd = %.4f  w = %.4f\n", model.coefficients()(k, 0),
                  model.coefficients()(k, 1), std::sqrt(model.variances()[k]),
                  model.weights()[k]);
    }
    std::printf("true lines:\n");
    for (int k = 0; k < truth.coefficients.rows(); ++k) {
      std::printf("  a = %+.4f  b = %+.4f  sd = %.4f  w = %.4f\n", truth.coefficients(k, 0),
                  truth.coefficients(k, 1), truth.noise[k], truth.weights[k]);
    }
    return fitted.report.IsUsable() ? EXIT_SUCCESS : EXIT_FAILURE;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return EXIT_FAILURE;
  }
}
