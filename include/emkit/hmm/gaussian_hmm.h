// Gaussian HMMs: the four covariance structures behind one entry point, as
// gaussian_mixture.h does for mixtures (the one run-time dispatch on the
// covariance type for HMMs).
#ifndef EMKIT_HMM_GAUSSIAN_HMM_H_
#define EMKIT_HMM_GAUSSIAN_HMM_H_

#include <cstdint>
#include <span>
#include <variant>

#include "emkit/families/gaussian_common.h"
#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/hmm.h"
#include "emkit/hmm/fit_hmm.h"
#include "emkit/init_context.h"
#include "emkit/initialization.h"
#include "emkit/internal/gaussian_shape.h"
#include "emkit/kmeans.h"
#include "emkit/options.h"
#include "emkit/random.h"
#include "emkit/row_blocks.h"

namespace emkit {

using GaussianHmmFull = HiddenMarkovModel<GaussianFull>;
using GaussianHmmDiag = HiddenMarkovModel<GaussianDiag>;
using GaussianHmmSpherical = HiddenMarkovModel<GaussianSpherical>;
using GaussianHmmTied = HiddenMarkovModel<GaussianTied>;

// Same order as CovarianceType.
using GaussianHmmModel =
    std::variant<GaussianHmmFull, GaussianHmmDiag, GaussianHmmSpherical, GaussianHmmTied>;

struct GaussianHmmOptions {
  HmmOptions hmm;
  CovarianceType covariance_type = CovarianceType::kDiag;  // hmmlearn's default
  GaussianOptions gaussian;  // reg_covar
  KMeansOptions kmeans;

  void Validate() const;  // throws InvalidOptionError
};

// K Gaussians from k-means++ and Lloyd iterations on the pooled rows of
// `data` (any RowBlockSource, emkit/kmeans.h), every pass through the
// context's executor (InitContext::ExecutorOrPool): the cluster means, and
// each cluster's covariance of the given structure (the data's variances
// for a cluster of fewer than two rows, counted in context.repairs).
// Compiled once on RowBlocks for the four Gaussian families.
template <class Family, RowBlockSource Data>
Family GaussianEmissionsFromKMeans(const Data& data, int k, const GaussianOptions& gaussian,
                                   const KMeansOptions& kmeans, const InitContext& context) {
  Rng rng(context.seed);
  AnyExecutor executor = context.ExecutorOrPool();
  const InitialResponsibilities partition = InitialResponsibilities::Draw(
      InitMethod::kKMeansPlusPlus, kmeans, data, k, rng, executor);
  return ComponentsFromResponsibilities(
             internal::GaussianShape<Family>(k, data.num_columns(), gaussian), partition, data,
             executor, context.repairs)
      .family;
}

extern template GaussianFull GaussianEmissionsFromKMeans<GaussianFull>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
extern template GaussianDiag GaussianEmissionsFromKMeans<GaussianDiag>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
extern template GaussianSpherical GaussianEmissionsFromKMeans<GaussianSpherical>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
extern template GaussianTied GaussianEmissionsFromKMeans<GaussianTied>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);

// Fits a Gaussian HMM to the sequences in x (rows, concatenated; `lengths`
// as hmmlearn takes it, empty for one sequence). When init_model is given,
// EM starts from it (one restart; its covariance type and number of states
// win over the options'; options.hmm.fit still says what is updated), else
// each restart starts from options.hmm's chain and k-means++ emissions.
// Invalid options or data throw before any work.
// Rows of either scalar type: float rows are held as they are and widened
// block by block (HiddenMarkovModel<F, float>), so the result is that of
// the float64 rows of the same values, bit for bit.
template <DataScalar Scalar>
[[nodiscard]] Fitted<GaussianHmmModel> FitGaussianHmm(
    const FitOptions& fit_options, const GaussianHmmOptions& options,
    const MatrixViewOf<Scalar>& x, std::span<const std::int64_t> lengths,
    const GaussianHmmModel* init_model = nullptr);

}  // namespace emkit

#endif  // EMKIT_HMM_GAUSSIAN_HMM_H_
