// The shape a Gaussian family's initialisation starts from: K placeholder
// components at given means, of any of the four covariance structures. The
// Gaussians' InitialPrototype (src/families/gaussian_initialization.cc) and
// the initialisers of Gaussian mixtures and HMMs make theirs with it.
#ifndef EMKIT_INTERNAL_GAUSSIAN_SHAPE_H_
#define EMKIT_INTERNAL_GAUSSIAN_SHAPE_H_

#include <vector>

#include <Eigen/Core>

#include "emkit/families/gaussian_common.h"
#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/matrix.h"

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

}  // namespace emkit::internal

#endif  // EMKIT_INTERNAL_GAUSSIAN_SHAPE_H_
