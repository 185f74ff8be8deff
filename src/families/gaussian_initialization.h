// The Gaussian families' hooks for the generic initialisation
// (emkit/initialization.h): a placeholder family centred on a partition's
// centres, and the first M-step, shared by the four covariance structures.
#ifndef EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_
#define EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/initialization.h"
#include "emkit/kmeans.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"
#include "emkit/thread_pool.h"

namespace emkit::internal {

// A family with K components at `means` (K x D), whose statistics the
// initial responsibilities fill: the moments are gathered about the means,
// which keeps them accurate far from the origin. Its covariances are never
// used.
inline GaussianFull GaussianPlaceholder(const GaussianFull*, const RowMatrix& means,
                                        const GaussianOptions& o) {
  return GaussianFull(
      means,
      std::vector<Eigen::MatrixXd>(means.rows(),
                                   Eigen::MatrixXd::Identity(means.cols(), means.cols())),
      o);
}
template <bool kSpherical>
GaussianAxisAligned<kSpherical> GaussianPlaceholder(const GaussianAxisAligned<kSpherical>*,
                                                    const RowMatrix& means,
                                                    const GaussianOptions& o) {
  return GaussianAxisAligned<kSpherical>(means, RowMatrix::Ones(means.rows(), means.cols()),
                                         o);
}
inline GaussianTied GaussianPlaceholder(const GaussianTied*, const RowMatrix& means,
                                        const GaussianOptions& o) {
  return GaussianTied(means, Eigen::MatrixXd::Identity(means.cols(), means.cols()), o);
}

// The shape of a Gaussian family of k components of dimension d: what the
// generic initialisation starts from.
template <class Family>
Family GaussianShape(int k, Eigen::Index d, const GaussianOptions& options) {
  return GaussianPlaceholder(static_cast<const Family*>(nullptr), RowMatrix::Zero(k, d),
                             options);
}

// A covariance is never made from reg_covar alone: with a hard partition, a
// component left with fewer than two rows takes the data's variances
// (counted in repairs). The M-step's own repairs are not counted, since
// this one replaces them.
template <class Family>
Family MaximizeGaussianInitial(const Family& prototype,
                               const typename Family::Statistics& stats,
                               const InitialResponsibilities& responsibilities,
                               const RowBlocks<double>& data, ThreadPool& pool,
                               RepairCounts* repairs) {
  Family family = prototype.Maximize(stats, nullptr);
  Vector variance;
  for (int k = 0; k < family.num_components(); ++k) {
    if (responsibilities.hard() && stats.counts[k] < 2.0) {
      if (variance.size() == 0) variance = FeatureVariance(data, pool);
      family.SetDiagonalCovariance(k, variance);
      if (repairs != nullptr) ++repairs->initial_covariances_from_data;
    }
  }
  return family;
}

}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_
