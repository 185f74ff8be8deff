// k-means for initialising mixtures: k-means++ seeding (greedy, as
// scikit-learn does it) followed by Lloyd iterations. Passes over the data
// use the same fixed blocks and ordered merges as EM, so the centres are
// identical for any number of threads.
#ifndef EMKIT_KMEANS_H_
#define EMKIT_KMEANS_H_

#include "emkit/matrix.h"
#include "emkit/random.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit {

struct KMeansOptions {
  int max_iter = 300;  // Lloyd iterations after seeding
  // Stop when the centres move (sum of squared moves) less than tol times
  // the mean variance of the features.
  double tol = 1e-4;

  void Validate() const;  // throws InvalidOptionError
};

// k centres (k x d) chosen by k-means++ from the rows of `data`.
RowMatrix KMeansPlusPlusSeeds(const RowBlocks& data, int k, Rng& rng,
                              ThreadPool& pool);

// Lloyd iterations from `centers`; an empty cluster keeps its centre.
RowMatrix LloydIterations(const RowBlocks& data, RowMatrix centers,
                          const KMeansOptions& options, const Vector& feature_variance,
                          ThreadPool& pool);

// The index of the nearest centre for each row of x.
void NearestCenters(const MatrixView& x, const RowMatrix& centers, int* labels);

// The (weighted) variance of each feature over all rows.
Vector FeatureVariance(const RowBlocks& data, ThreadPool& pool);

}  // namespace emkit

#endif  // EMKIT_KMEANS_H_
