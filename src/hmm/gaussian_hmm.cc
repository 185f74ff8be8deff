#include "emkit/hmm/gaussian_hmm.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/random.h"
#include "gaussian_hmm_inputs.h"

namespace emkit {
namespace {

template <class Family, DataScalar Scalar>
Fitted<GaussianHmmModel> FitTyped(const FitOptions& fit_options,
                                  const GaussianHmmOptions& options,
                                  const MatrixViewOf<Scalar>& x,
                                  std::span<const std::int64_t> lengths,
                                  const GaussianHmmModel* init_model) {
  Fitted<HiddenMarkovModel<Family>> fitted = internal::FitHmmOnRows<Family>(
      fit_options, options.hmm, x, lengths,
      init_model != nullptr ? &std::get<HiddenMarkovModel<Family>>(*init_model) : nullptr,
      [&options](const RowBlocks<double>& pooled) {
        return [&options, &pooled](const InitContext& context) {
          return GaussianEmissionsFromKMeans<Family>(pooled, options.hmm.n_states,
                                                     options.gaussian, options.kmeans, context);
        };
      });
  return {std::move(fitted.model), std::move(fitted.report)};
}

}  // namespace

void GaussianHmmOptions::Validate() const {
  hmm.Validate();
  gaussian.Validate();
  kmeans.Validate();
}

template GaussianFull GaussianEmissionsFromKMeans<GaussianFull>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
template GaussianDiag GaussianEmissionsFromKMeans<GaussianDiag>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
template GaussianSpherical GaussianEmissionsFromKMeans<GaussianSpherical>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);
template GaussianTied GaussianEmissionsFromKMeans<GaussianTied>(
    const RowBlocks<double>&, int, const GaussianOptions&, const KMeansOptions&, const InitContext&);

template <DataScalar Scalar>
Fitted<GaussianHmmModel> FitGaussianHmm(const FitOptions& fit_options,
                                        const GaussianHmmOptions& options,
                                        const MatrixViewOf<Scalar>& x,
                                        std::span<const std::int64_t> lengths,
                                        const GaussianHmmModel* init_model) {
  fit_options.Validate();
  options.Validate();
  const CovarianceType type = internal::CheckGaussianHmmInputs(
      init_model, options.covariance_type, options.hmm.n_states, x);
  switch (type) {
    case CovarianceType::kFull:
      return FitTyped<GaussianFull>(fit_options, options, x, lengths, init_model);
    case CovarianceType::kDiag:
      return FitTyped<GaussianDiag>(fit_options, options, x, lengths, init_model);
    case CovarianceType::kSpherical:
      return FitTyped<GaussianSpherical>(fit_options, options, x, lengths, init_model);
    case CovarianceType::kTied:
      return FitTyped<GaussianTied>(fit_options, options, x, lengths, init_model);
  }
  throw InvalidOptionError("unknown covariance type");
}

template Fitted<GaussianHmmModel> FitGaussianHmm(const FitOptions&, const GaussianHmmOptions&,
                                                 const MatrixView&,
                                                 std::span<const std::int64_t>,
                                                 const GaussianHmmModel*);
template Fitted<GaussianHmmModel> FitGaussianHmm(const FitOptions&, const GaussianHmmOptions&,
                                                 const MatrixViewF&,
                                                 std::span<const std::int64_t>,
                                                 const GaussianHmmModel*);

}  // namespace emkit
