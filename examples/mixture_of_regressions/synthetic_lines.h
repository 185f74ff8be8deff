// Synthetic data for the example: samples from three known lines.
#ifndef EXAMPLES_MIXTURE_OF_REGRESSIONS_SYNTHETIC_LINES_H_
#define EXAMPLES_MIXTURE_OF_REGRESSIONS_SYNTHETIC_LINES_H_

#include <cstdint>
#include <vector>

#include "emkit/matrix.h"
#include "emkit/random.h"

namespace regression_example {

struct LinesTruth {
  emkit::RowMatrix coefficients;  // K x 2: intercept, slope
  emkit::Vector weights;          // K
  emkit::Vector noise;            // K: standard deviations
};

inline LinesTruth ThreeLines() {
  LinesTruth t;
  t.coefficients.resize(3, 2);
  t.coefficients << 0.0, 1.0,
                    2.0, -1.0,
                   -2.0, 0.3;
  t.weights.resize(3);
  t.weights << 0.4, 0.35, 0.25;
  t.noise.resize(3);
  t.noise << 0.3, 0.2, 0.4;
  return t;
}

struct LinesSample {
  emkit::RowMatrix x;      // n x 2: a column of ones, then the regressor
  std::vector<double> y;   // n
  std::vector<int> line;   // n: which line drew the sample
};

// n samples, the regressor uniform on [-3, 3].
inline LinesSample SampleLines(const LinesTruth& truth, std::int64_t n, std::uint64_t seed) {
  emkit::Rng rng(seed);
  LinesSample s;
  s.x.resize(n, 2);
  s.y.resize(n);
  s.line.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    double u = emkit::UniformDouble(rng);
    int k = 0;
    while (k + 1 < truth.weights.size() && u >= truth.weights[k]) u -= truth.weights[k++];
    const double t = -3.0 + 6.0 * emkit::UniformDouble(rng);
    s.x(i, 0) = 1.0;
    s.x(i, 1) = t;
    s.y[i] = truth.coefficients(k, 0) + truth.coefficients(k, 1) * t +
             truth.noise[k] * emkit::StandardNormal(rng);
    s.line[i] = k;
  }
  return s;
}

}  // namespace regression_example

#endif  // EXAMPLES_MIXTURE_OF_REGRESSIONS_SYNTHETIC_LINES_H_
