#include "emkit/kmeans.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"

namespace emkit {

void KMeansOptions::Validate() const {
  if (max_iter < 0) {
    throw InvalidOptionError(fmt::format("kmeans max_iter = {} must be >= 0", max_iter));
  }
  if (!(tol >= 0.0) || !std::isfinite(tol)) {
    throw InvalidOptionError(fmt::format("kmeans tol = {} must be a finite number >= 0", tol));
  }
}

void NearestCenters(const MatrixView& x, const RowMatrix& centers, int* labels) {
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    int best_k = 0;
    for (Eigen::Index k = 0; k < centers.rows(); ++k) {
      const double d2 = (x.row(i) - centers.row(k)).squaredNorm();
      if (d2 < best) {
        best = d2;
        best_k = static_cast<int>(k);
      }
    }
    labels[i] = best_k;
  }
}

RowMatrix KMeansPlusPlusSeeds(const RowBlocks<double>& data, int k, Rng& rng, ThreadPool& pool) {
  ThreadedExecutor executor(pool);
  return KMeansPlusPlusSeeds(data, k, rng, executor);
}

RowMatrix LloydIterations(const RowBlocks<double>& data, RowMatrix centers,
                          const KMeansOptions& options, const Vector& feature_variance,
                          ThreadPool& pool) {
  ThreadedExecutor executor(pool);
  return LloydIterations(data, std::move(centers), options, feature_variance, executor);
}

Vector FeatureVariance(const RowBlocks<double>& data, ThreadPool& pool) {
  ThreadedExecutor executor(pool);
  return FeatureVariance(data, executor);
}

}  // namespace emkit
