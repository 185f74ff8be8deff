// Gaussian mixture parameters in scikit-learn's array shapes, and the models
// built from them. This is the one place that knows those shapes:
//
//   covariances, precisions, precisions_cholesky
//     full      (K, D, D)      tied       (D, D)
//     diag      (K, D)         spherical  (K,)
//
// precisions_cholesky of full and tied are upper triangular with
// precision = P P^T; of diag and spherical, 1 / sqrt(variance).
#ifndef EMKIT_PYTHON_PARAMETERS_H_
#define EMKIT_PYTHON_PARAMETERS_H_

#include <cstdint>
#include <vector>

#include "emkit/gaussian_mixture.h"
#include "emkit/matrix.h"

namespace emkit::python {

// Values in scikit-learn's shape for the covariance type, row-major.
using FlatArray = std::vector<double>;

// The expected shape of a covariance-like array.
std::vector<std::size_t> CovarianceShape(CovarianceType type, int n_components,
                                         int n_features);

struct ParameterArrays {
  CovarianceType covariance_type = CovarianceType::kFull;
  Vector weights;   // K
  RowMatrix means;  // K x D
  // Exactly one way of giving the covariances: covariances (with, for full
  // and tied, optionally their stored precision Cholesky factors, used as
  // they are so that a round trip is exact), or precisions.
  FlatArray covariances;
  FlatArray precisions_cholesky;
  FlatArray precisions;
  double reg_covar = GaussianOptions{}.reg_covar;
};

// Throws InvalidDataError when the arrays do not describe a valid model.
GaussianMixtureModel BuildModel(const ParameterArrays& p);

// The model's covariances, precisions and precision Cholesky factors in
// scikit-learn's shapes.
FlatArray Covariances(const GaussianMixtureModel& model);
FlatArray Precisions(const GaussianMixtureModel& model);
FlatArray PrecisionsCholesky(const GaussianMixtureModel& model);

// All parameters of a model as arrays (covariances and precision Cholesky
// factors filled in).
ParameterArrays ArraysOf(const GaussianMixtureModel& model);

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_PARAMETERS_H_
