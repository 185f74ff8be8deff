#include "emkit/hmm/gaussian_hmm.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/random.h"
#include "../families/gaussian_initialization.h"
#include "gaussian_hmm_inputs.h"

namespace emkit {
namespace {

template <class Family>
Fitted<GaussianHmmModel> FitTyped(const FitOptions& fit_options,
                                  const GaussianHmmOptions& options,
                                  const SequenceBlocks& data,
                                  const GaussianHmmModel* init_model) {
  if (init_model != nullptr) {
    HiddenMarkovModel<Family> model = std::get<HiddenMarkovModel<Family>>(*init_model);
    model.set_fit_parameters(options.hmm.fit);
    model.set_chain_priors(options.hmm.priors);
    FitReport report = Fit(fit_options, data, &model);
    return {std::move(model), std::move(report)};
  }
  // k-means sees the pooled rows in the engine's row blocks (their size is
  // fixed by the options, so the seeds do not depend on the thread count).
  const RowBlocks pooled(data.data(), nullptr, fit_options.block_rows);
  Fitted<HiddenMarkovModel<Family>> fitted =
      FitHmm<Family>(fit_options, options.hmm, data, [&](const InitContext& context) {
        return GaussianEmissionsFromKMeans<Family>(pooled, options.hmm.n_states,
                                                   options.gaussian, options.kmeans,
                                                   context);
      });
  return {std::move(fitted.model), std::move(fitted.report)};
}

}  // namespace

void GaussianHmmOptions::Validate() const {
  hmm.Validate();
  gaussian.Validate();
  kmeans.Validate();
}

template <class Family>
Family GaussianEmissionsFromKMeans(const RowBlocks& data, int k,
                                   const GaussianOptions& gaussian,
                                   const KMeansOptions& kmeans, const InitContext& context) {
  Rng rng(context.seed);
  const InitialResponsibilities partition = InitialResponsibilities::Draw(
      InitMethod::kKMeansPlusPlus, kmeans, data, k, rng, *context.pool);
  return ComponentsFromResponsibilities(
             internal::GaussianShape<Family>(k, data.data().cols(), gaussian), partition,
             data, *context.pool, context.repairs)
      .family;
}

template GaussianFull GaussianEmissionsFromKMeans<GaussianFull>(
    const RowBlocks&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
template GaussianDiag GaussianEmissionsFromKMeans<GaussianDiag>(
    const RowBlocks&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
template GaussianSpherical GaussianEmissionsFromKMeans<GaussianSpherical>(
    const RowBlocks&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
template GaussianTied GaussianEmissionsFromKMeans<GaussianTied>(
    const RowBlocks&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);

Fitted<GaussianHmmModel> FitGaussianHmm(const FitOptions& fit_options,
                                        const GaussianHmmOptions& options,
                                        const MatrixView& x,
                                        std::span<const std::int64_t> lengths,
                                        const GaussianHmmModel* init_model) {
  fit_options.Validate();
  options.Validate();
  const CovarianceType type = internal::CheckGaussianHmmInputs(
      init_model, options.covariance_type, options.hmm.n_states, x);
  const SequenceBlocks data(x, lengths, fit_options.block_rows);
  switch (type) {
    case CovarianceType::kFull:
      return FitTyped<GaussianFull>(fit_options, options, data, init_model);
    case CovarianceType::kDiag:
      return FitTyped<GaussianDiag>(fit_options, options, data, init_model);
    case CovarianceType::kSpherical:
      return FitTyped<GaussianSpherical>(fit_options, options, data, init_model);
    case CovarianceType::kTied:
      return FitTyped<GaussianTied>(fit_options, options, data, init_model);
  }
  throw InvalidOptionError("unknown covariance type");
}

}  // namespace emkit
