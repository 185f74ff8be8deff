// The Gaussian half of "responsibilities, then one M-step", shared by
// Gaussian mixtures and Gaussian HMM emissions.
#ifndef EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_
#define EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/kmeans.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"
#include "../responsibility_statistics.h"

namespace emkit::internal {

// A family with K components of the data's dimension, whose statistics the
// initial responsibilities fill; its own covariances are never used.
inline GaussianFull Placeholder(const GaussianFull*, const RowMatrix& means,
                                GaussianOptions o) {
  return GaussianFull(
      means,
      std::vector<Eigen::MatrixXd>(means.rows(),
                                   Eigen::MatrixXd::Identity(means.cols(), means.cols())),
      o);
}
template <bool kSpherical>
GaussianAxisAligned<kSpherical> Placeholder(const GaussianAxisAligned<kSpherical>*,
                                            const RowMatrix& means, GaussianOptions o) {
  return GaussianAxisAligned<kSpherical>(means, RowMatrix::Ones(means.rows(), means.cols()),
                                         o);
}
inline GaussianTied Placeholder(const GaussianTied*, const RowMatrix& means,
                                GaussianOptions o) {
  return GaussianTied(means, Eigen::MatrixXd::Identity(means.cols(), means.cols()), o);
}

// One M-step of a Gaussian family from the responsibilities that
// fill(block_index, block, &r) writes; *counts receives each component's
// total responsibility. A covariance is never made from reg_covar alone:
// with hard assignments, a component left with fewer than two rows takes
// the data's variances (counted in repairs).
template <class Family, class Fill>
Family GaussianFromResponsibilities(const RowBlocks& data, ThreadPool& pool,
                                    const RowMatrix& means, const GaussianOptions& options,
                                    bool hard_assignments, RepairCounts* repairs,
                                    Vector* counts, Fill&& fill) {
  const Family placeholder = Placeholder(static_cast<const Family*>(nullptr), means, options);
  const typename Family::Statistics stats =
      AccumulateResponsibilities(placeholder, data, pool, fill);
  Family family = placeholder.Maximize(stats, nullptr);
  Vector variance;
  for (int k = 0; k < family.num_components(); ++k) {
    if (hard_assignments && stats.counts[k] < 2.0) {
      if (variance.size() == 0) variance = FeatureVariance(data, pool);
      family.SetDiagonalCovariance(k, variance);
      if (repairs != nullptr) ++repairs->initial_covariances_from_data;
    }
  }
  *counts = stats.counts;
  return family;
}

}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_
