// GMM-HMMs: hidden Markov models whose states emit mixtures of M Gaussians
// (GaussianMixtureEmission), for the four covariance structures behind one
// entry point, as gaussian_hmm.h does for single Gaussians.
#ifndef EMKIT_HMM_GMM_HMM_H_
#define EMKIT_HMM_GMM_HMM_H_

#include <cstdint>
#include <span>
#include <variant>

#include "emkit/families/gaussian_common.h"
#include "emkit/families/gaussian_mixture_emission.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/hmm.h"
#include "emkit/hmm/fit_hmm.h"
#include "emkit/kmeans.h"
#include "emkit/options.h"
#include "emkit/row_blocks.h"

namespace emkit {

// Same order as CovarianceType.
using GmmHmmModel = std::variant<HiddenMarkovModel<GaussianMixtureEmissionFull>,
                                 HiddenMarkovModel<GaussianMixtureEmissionDiag>,
                                 HiddenMarkovModel<GaussianMixtureEmissionSpherical>,
                                 HiddenMarkovModel<GaussianMixtureEmissionTied>>;

struct GmmHmmOptions {
  HmmOptions hmm;
  int n_mix = 1;  // M: Gaussians per state
  // "tied": one covariance per state, shared by its M Gaussians (hmmlearn's
  // GMMHMM meaning).
  CovarianceType covariance_type = CovarianceType::kDiag;
  GaussianOptions gaussian;  // reg_covar
  KMeansOptions kmeans;

  void Validate() const;  // throws InvalidOptionError
};

// Emissions for K states of M Gaussians each, by k-means in two levels (as
// hmmlearn's GMMHMM initialises): k-means++ and Lloyd for K state centres
// on the pooled rows, then for each state the same for M centres on the
// rows nearest to it; one M-step of the family from these hard
// assignments, and uniform mixture weights. Instantiated for the
// GaussianMixtureEmission of the four covariance structures, on RowBlocks
// and on io::RowStream<double> (emkit/io/row_stream.h): the second level
// gathers each state's rows block by block, keeping nothing per row.
template <class Emission, RowBlockSource Data>
Emission GmmEmissionsFromKMeans(const Data& data, int k, int m,
                                const GaussianOptions& gaussian, const KMeansOptions& kmeans,
                                const InitContext& context);

// Fits a GMM-HMM to the sequences in x (rows, concatenated; `lengths` as
// hmmlearn takes it, empty for one sequence). From init_model when given
// (one restart; its shape wins over the options'; options.hmm.fit still
// says what is updated), else each restart starts from options.hmm's chain
// and GmmEmissionsFromKMeans. Invalid options or data throw before any work.
// Rows of either scalar type, as FitGaussianHmm takes them.
template <DataScalar Scalar>
[[nodiscard]] Fitted<GmmHmmModel> FitGmmHmm(const FitOptions& fit_options,
                                            const GmmHmmOptions& options,
                                            const MatrixViewOf<Scalar>& x,
                                            std::span<const std::int64_t> lengths,
                                            const GmmHmmModel* init_model = nullptr);

}  // namespace emkit

#endif  // EMKIT_HMM_GMM_HMM_H_
