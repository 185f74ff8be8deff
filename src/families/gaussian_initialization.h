// The Gaussian families' hooks for the generic initialisation
// (emkit/initialization.h): a placeholder family centred on a partition's
// centres (emkit/internal/gaussian_shape.h), and the first M-step, shared
// by the four covariance structures.
#ifndef EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_
#define EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/initialization.h"
#include "emkit/internal/gaussian_shape.h"
#include "emkit/report.h"

namespace emkit::internal {

// A covariance is never made from reg_covar alone: with a hard partition, a
// component left with fewer than two rows takes the data's variances
// (counted in repairs). The M-step's own repairs are not counted, since
// this one replaces them.
template <class Family>
Family MaximizeGaussianInitial(const Family& prototype,
                               const typename Family::Statistics& stats,
                               const InitialResponsibilities& responsibilities,
                               LazyFeatureVariance& data_variance, RepairCounts* repairs) {
  Family family = prototype.Maximize(stats, nullptr);
  for (int k = 0; k < family.num_components(); ++k) {
    if (responsibilities.hard() && stats.counts[k] < 2.0) {
      family.SetDiagonalCovariance(k, data_variance.Get());
      if (repairs != nullptr) ++repairs->initial_covariances_from_data;
    }
  }
  return family;
}

}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_GAUSSIAN_INITIALIZATION_H_
