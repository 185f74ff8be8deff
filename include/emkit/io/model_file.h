// Saving and loading fitted models as versioned JSON model files.
//
// The format (version 1):
//   {"format": "emkit-model", "version": 1, "model": "gaussian_mixture",
//    "covariance_type": "full" | "diag" | "spherical" | "tied",
//    "n_components": K, "n_features": D, "reg_covar": r,
//    "weights": [K], "means": [K][D],
//    "covariances": full [K][D][D], tied [D][D], diag [K][D], spherical [K],
//    "precisions_cholesky": full [K][D][D], tied [D][D] (absent for diag and
//        spherical, whose precisions follow exactly from the variances),
//    "feature_names": [D] (optional)}
//
// Numbers are written as the shortest text that reads back as the same
// double, and the stored precision Cholesky factors are used as they are, so
// a saved model loads back bit-identical and scores identically.
//
// Hand-written initial models may give "precisions" (precision matrices, or
// 1/variance for diag and spherical) instead of "covariances", or
// covariances without "precisions_cholesky"; "n_components", "n_features",
// "model" and "reg_covar" (default 1e-6) may then be left out.
#ifndef EMKIT_IO_MODEL_FILE_H_
#define EMKIT_IO_MODEL_FILE_H_

#include <string>
#include <vector>

#include "emkit/gaussian_mixture.h"
#include "emkit/model_registry.h"

namespace emkit::io {

// The newest model file version this emkit reads and the one it writes.
inline constexpr int kModelFileVersion = 1;

// The model as JSON text (ending in a line break). `feature_names` is empty
// or has one name per feature (otherwise InvalidOptionError). Throws
// InvalidDataError if a parameter is not finite, since JSON cannot hold it.
std::string ModelToJson(const GaussianMixtureModel& model,
                        const std::vector<std::string>& feature_names = {});

// Parses a model file's text. Every problem is a FileFormatError whose
// message starts with "DISPLAY_NAME: " and names the key at fault.
// The stored feature names (or an empty vector) go to *feature_names when it
// is not null.
GaussianMixtureModel ModelFromJson(const std::string& text,
                                   const std::string& display_name,
                                   std::vector<std::string>* feature_names = nullptr);

// Writes ModelToJson's text to `path` with WriteFileAtomically ("-" is
// standard output). Nothing is written when the model cannot be serialised.
void SaveModel(const std::string& path, const GaussianMixtureModel& model,
               const std::vector<std::string>& feature_names = {});

// Reads and parses the model file `path`; a file that cannot be read is a
// FileAccessError "PATH: cannot open: reason".
GaussianMixtureModel LoadModel(const std::string& path,
                               std::vector<std::string>* feature_names = nullptr);

// ---------------------------------------------------------------------------
// Every model kind. Besides "gaussian_mixture" (above), version 1 files hold
//   "bernoulli_mixture":   "n_components", "weights" [K], "n_features",
//                          "pseudo_count", "probabilities" [K][D]
//   "categorical_mixture": "n_components", "weights" [K], "categorical_layout"
//                          ("counts" | "symbols"), "n_categories",
//                          "pseudo_count", "sample_total", "probabilities" [K][V]
//   "poisson_mixture":     "n_components", "weights" [K], "n_features",
//                          "min_rate", "rates" [K][D]
//   "hmm":                 "emission" ("gaussian" | "gaussian_mixture" |
//                          "categorical" | "poisson" | "bernoulli"),
//                          "n_components", "startprob" [K], "transmat" [K][K],
//                          and the emission family's keys as above (for
//                          "gaussian": "covariance_type", "n_features",
//                          "reg_covar", "means" and the covariances)
//   For "gaussian_mixture" emissions (GMM-HMMs, M components per state):
//                          "n_mix" M, "weights" [K][M], and the Gaussian keys
//                          of the K*M components, state-major ("means"
//                          [K*M][D]; covariances full [K*M][D][D], diag
//                          [K*M][D], spherical [K*M]) except "tied", which
//                          has one covariance per state: [K][D][D] (and
//                          "precisions_cholesky" [K][D][D]).
// with the optional "feature_names" of every kind. Options left out take the
// library's defaults; sizes left out are taken from the arrays.

using emkit::BernoulliHmm;
using emkit::CategoricalHmm;
using emkit::PoissonHmm;

// Every model a model file can hold (emkit/model_registry.h).
using emkit::AnyModel;
using emkit::ModelKindName;
using emkit::NumFeaturesOf;

// As ModelToJson, for any kind (a Gaussian mixture's text is ModelToJson's).
std::string AnyModelToJson(const AnyModel& model,
                           const std::vector<std::string>& feature_names = {});

// As ModelFromJson, for any kind; a file without "model" is a Gaussian
// mixture.
AnyModel AnyModelFromJson(const std::string& text, const std::string& display_name,
                          std::vector<std::string>* feature_names = nullptr);

// As SaveModel, for any kind.
void SaveAnyModel(const std::string& path, const AnyModel& model,
                  const std::vector<std::string>& feature_names = {});

// As LoadModel, for any kind.
AnyModel LoadAnyModel(const std::string& path,
                      std::vector<std::string>* feature_names = nullptr);

}  // namespace emkit::io

#endif  // EMKIT_IO_MODEL_FILE_H_
