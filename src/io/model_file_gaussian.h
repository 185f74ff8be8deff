// Gaussian parameters in model files: shared by Gaussian mixtures and
// Gaussian HMMs. Internal to emkit::io.
#ifndef EMKIT_IO_MODEL_FILE_GAUSSIAN_H_
#define EMKIT_IO_MODEL_FILE_GAUSSIAN_H_

#include <string>
#include <vector>

#include "emkit/gaussian_mixture.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/markov_chain.h"
#include "model_file_json.h"

namespace emkit::io::internal {

// Adds "covariance_type", "n_features", "reg_covar", "means" and the
// covariances of `family`.
void AddFamily(const GaussianFull& family, Json* j);
void AddFamily(const GaussianDiag& family, Json* j);
void AddFamily(const GaussianSpherical& family, Json* j);
void AddFamily(const GaussianTied& family, Json* j);
// Add "n_mix", "weights" and the Gaussian keys of the K*M components.
void AddFamily(const GaussianMixtureEmissionFull& family, Json* j);
void AddFamily(const GaussianMixtureEmissionDiag& family, Json* j);
void AddFamily(const GaussianMixtureEmissionSpherical& family, Json* j);
void AddFamily(const GaussianMixtureEmissionTied& family, Json* j);

// A Gaussian mixture document (the "model" key already checked).
GaussianMixtureModel ReadGaussianMixture(const ModelJsonReader& reader, const Json& root,
                                         std::vector<std::string>* feature_names);

// The Gaussian emissions of a K-state HMM document, with its chain.
GaussianHmmModel ReadGaussianHmm(const ModelJsonReader& reader, const Json& root,
                                 Eigen::Index k, const MarkovChain& chain);

// The Gaussian-mixture emissions of a K-state GMM-HMM document, with its
// chain.
GmmHmmModel ReadGmmHmm(const ModelJsonReader& reader, const Json& root, Eigen::Index k,
                       const MarkovChain& chain);

}  // namespace emkit::io::internal

#endif  // EMKIT_IO_MODEL_FILE_GAUSSIAN_H_
