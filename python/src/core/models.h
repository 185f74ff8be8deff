// The models the stateless HMM and discrete-mixture functions build from a
// family's name and a dict of parameter arrays (hmmlearn's and
// scikit-learn's names), shared with the model-file functions.
#ifndef EMKIT_PYTHON_MODELS_H_
#define EMKIT_PYTHON_MODELS_H_

#include <string>
#include <variant>

#include <nanobind/nanobind.h>

#include "emkit/discrete_mixture.h"
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

using AnyMixture = std::variant<BernoulliMixture, CategoricalMixture, PoissonMixture>;

// family: "bernoulli", "categorical" (counts) or "poisson"; p holds weights
// and probabilities or rates.
AnyMixture BuildMixture(const std::string& family, const nb::dict& p, Eigen::Index k,
                        Eigen::Index d, double floor);
nb::dict MixtureParametersOf(const AnyMixture& model);

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_MODELS_H_
