// Deterministic synthetic data for tests: draws from known mixtures.
#ifndef EMKIT_TESTS_SYNTHETIC_DATA_H_
#define EMKIT_TESTS_SYNTHETIC_DATA_H_

#include <cstdint>
#include <vector>

#include "emkit/gaussian_mixture.h"
#include "emkit/random.h"

namespace emkit::testing_data {

// A K-component, D-dimensional full-covariance mixture with well separated
// means (spacing `separation` standard deviations) and random covariances.
inline GaussianMixtureFull RandomTruth(int k, int d, std::uint64_t seed,
                                       double separation = 6.0) {
  Rng rng(seed);
  RowMatrix means(k, d);
  std::vector<Eigen::MatrixXd> covariances;
  for (int c = 0; c < k; ++c) {
    for (int j = 0; j < d; ++j) means(c, j) = separation * StandardNormal(rng);
    Eigen::MatrixXd a(d, d);
    for (int r = 0; r < d; ++r) {
      for (int s = 0; s < d; ++s) a(r, s) = 0.5 * StandardNormal(rng);
    }
    covariances.push_back(a * a.transpose() + Eigen::MatrixXd::Identity(d, d));
  }
  Vector weights(k);
  for (int c = 0; c < k; ++c) weights[c] = 1.0 + UniformDouble(rng);
  weights /= weights.sum();
  return GaussianMixtureFull(weights, GaussianFull(means, covariances, GaussianOptions{}));
}

inline RowMatrix SampleFrom(const GaussianMixtureFull& truth, std::int64_t n,
                            std::uint64_t seed, std::vector<int>* labels = nullptr) {
  Rng rng(seed);
  return truth.Sample(n, rng, labels);
}

}  // namespace emkit::testing_data

#endif  // EMKIT_TESTS_SYNTHETIC_DATA_H_
