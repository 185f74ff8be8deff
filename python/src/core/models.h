// The models the stateless HMM functions build from a family's name and a
// dict of parameter arrays (hmmlearn's names), shared with the model-file
// functions.
#ifndef EMKIT_PYTHON_MODELS_H_
#define EMKIT_PYTHON_MODELS_H_

#include <string>
#include <variant>

#include <nanobind/nanobind.h>

#include "emkit/families/gaussian_mixture_emission.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"

namespace emkit::python {

namespace nb = nanobind;

using AnyHmm = std::variant<GaussianHmmFull, GaussianHmmDiag, GaussianHmmSpherical,
                            GaussianHmmTied, HiddenMarkovModel<Categorical>,
                            HiddenMarkovModel<Poisson>,
                            HiddenMarkovModel<GaussianMixtureEmissionFull>,
                            HiddenMarkovModel<GaussianMixtureEmissionDiag>,
                            HiddenMarkovModel<GaussianMixtureEmissionSpherical>,
                            HiddenMarkovModel<GaussianMixtureEmissionTied>>;

// family: "full", "diag", "spherical", "tied", "categorical", "poisson" or
// "gmm-<type>"; p holds startprob, transmat and the family's arrays; d is
// the number of features (of symbols for "categorical"); floor is
// reg_covar, pseudo_count or min_rate.
AnyHmm BuildHmm(const std::string& family, const nb::dict& p, Eigen::Index d, double floor,
                HmmFitParameters fit);
// The arrays BuildHmm reads, from a model.
nb::dict HmmParametersOf(const AnyHmm& model);

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_MODELS_H_
