#include "emkit/hmm/gmm_hmm.h"

#include <concepts>
#include <cstdint>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/io/row_stream.h"
#include "emkit/random.h"
#include "../families/gaussian_initialization.h"
#include "gaussian_hmm_inputs.h"
#include "state_members.h"

namespace emkit {
namespace {

// The result of k-means in two levels: K state centres and K*M centres,
// state-major. A row's Gaussian (state * M + j) is the nearest of its
// state's M centres, its state the nearest state centre: computed from the
// row whenever it is needed (InitialResponsibilities::NearestInTwoLevels),
// never kept per row.
struct TwoLevelClusters {
  RowMatrix states;
  RowMatrix centers;
};

template <RowBlockSource Data>
RowMatrix KMeansCenters(const Data& data, int k, const KMeansOptions& kmeans, Rng& rng,
                        AnyExecutor& executor) {
  return InitialResponsibilities::Draw(InitMethod::kKMeansPlusPlus, kmeans, data, k, rng,
                                       executor)
      .centers();
}

template <RowBlockSource Data>
TwoLevelClusters ClusterInTwoLevels(const Data& data, int k, int m, const KMeansOptions& kmeans,
                                    const InitContext& context) {
  Rng rng(context.seed);
  AnyExecutor executor = context.ExecutorOrPool();
  TwoLevelClusters out{KMeansCenters(data, k, kmeans, rng, executor),
                       RowMatrix(k * m, data.num_columns())};
  const std::vector<std::vector<std::int64_t>> counts =
      internal::NearestCounts(data, out.states, executor);
  for (int s = 0; s < k; ++s) {
    // The state's rows, as a data set of their own for k-means.
    const internal::StateMembers<Data> members(data, out.states, s, counts);
    if (members.num_rows() == 0) {
      // Lloyd keeps the centre of a cluster it empties; so do its Gaussians.
      out.centers.middleRows(s * m, m).rowwise() = out.states.row(s);
      continue;
    }
    out.centers.middleRows(s * m, m) = KMeansCenters(members, m, kmeans, rng, executor);
  }
  return out;
}

// One M-step of the K*M Gaussians from the hard assignments.
template <class Gaussian, RowBlockSource Data>
  requires(!std::same_as<Gaussian, GaussianGroupTied>)
Gaussian GaussiansOfClusters(const Data& data, const TwoLevelClusters& clusters, int m,
                             const GaussianOptions& gaussian, const InitContext& context) {
  const Gaussian shape = internal::GaussianShape<Gaussian>(
      static_cast<int>(clusters.centers.rows()), clusters.centers.cols(), gaussian);
  AnyExecutor executor = context.ExecutorOrPool();
  return ComponentsFromResponsibilities(
             shape,
             InitialResponsibilities::NearestInTwoLevels(clusters.states, clusters.centers, m),
             data, executor, context.repairs)
      .family;
}

// Tied per state: each state's covariance from its own rows only.
template <class Gaussian, RowBlockSource Data>
  requires std::same_as<Gaussian, GaussianGroupTied>
GaussianGroupTied GaussiansOfClusters(const Data& data, const TwoLevelClusters& clusters, int m,
                                      const GaussianOptions& gaussian,
                                      const InitContext& context) {
  const int k = static_cast<int>(clusters.centers.rows()) / m;
  const GaussianTied shape = internal::GaussianShape<GaussianTied>(m, clusters.centers.cols(),
                                                                   gaussian);
  AnyExecutor executor = context.ExecutorOrPool();
  std::vector<GaussianTied> groups;
  for (int s = 0; s < k; ++s) {
    groups.push_back(ComponentsFromResponsibilities(
                         shape,
                         InitialResponsibilities::NearestInTwoLevels(clusters.states,
                                                                     clusters.centers, m, s),
                         data, executor, context.repairs)
                         .family);
  }
  return GaussianGroupTied(std::move(groups));
}

template <class Gaussian, DataScalar Scalar>
Fitted<GmmHmmModel> FitTyped(const FitOptions& fit_options, const GmmHmmOptions& options,
                             const MatrixViewOf<Scalar>& x, std::span<const std::int64_t> lengths,
                             const GmmHmmModel* init_model) {
  using Emission = GaussianMixtureEmission<Gaussian>;
  Fitted<HiddenMarkovModel<Emission>> fitted = internal::FitHmmOnRows<Emission>(
      fit_options, options.hmm, x, lengths,
      init_model != nullptr ? &std::get<HiddenMarkovModel<Emission>>(*init_model) : nullptr,
      [&options](const RowBlocks<double>& pooled) {
        return [&options, &pooled](const InitContext& context) {
          return GmmEmissionsFromKMeans<Emission>(pooled, options.hmm.n_states, options.n_mix,
                                                  options.gaussian, options.kmeans, context);
        };
      });
  return {std::move(fitted.model), std::move(fitted.report)};
}

template <class Emission>
struct InnerOf;
template <class Gaussian>
struct InnerOf<GaussianMixtureEmission<Gaussian>> {
  using type = Gaussian;
};

}  // namespace

void GmmHmmOptions::Validate() const {
  hmm.Validate();
  gaussian.Validate();
  if (n_mix < 1) {
    throw InvalidOptionError(fmt::format("n_mix = {} must be >= 1", n_mix));
  }
  kmeans.Validate();
}

template <class Emission, RowBlockSource Data>
Emission GmmEmissionsFromKMeans(const Data& data, int k, int m,
                                const GaussianOptions& gaussian, const KMeansOptions& kmeans,
                                const InitContext& context) {
  using Gaussian = typename InnerOf<Emission>::type;
  const TwoLevelClusters clusters = ClusterInTwoLevels(data, k, m, kmeans, context);
  return Emission(RowMatrix::Constant(k, m, 1.0 / m),
                  GaussiansOfClusters<Gaussian>(data, clusters, m, gaussian, context));
}

#define EMKIT_GMM_EMISSIONS_FROM_KMEANS(Emission, Data)                                     \
  template Emission GmmEmissionsFromKMeans<Emission>(const Data&, int, int,                  \
                                                     const GaussianOptions&,                 \
                                                     const KMeansOptions&, const InitContext&);
#define EMKIT_GMM_EMISSIONS_FOR(Data)                                     \
  EMKIT_GMM_EMISSIONS_FROM_KMEANS(GaussianMixtureEmissionFull, Data)      \
  EMKIT_GMM_EMISSIONS_FROM_KMEANS(GaussianMixtureEmissionDiag, Data)      \
  EMKIT_GMM_EMISSIONS_FROM_KMEANS(GaussianMixtureEmissionSpherical, Data) \
  EMKIT_GMM_EMISSIONS_FROM_KMEANS(GaussianMixtureEmissionTied, Data)
EMKIT_GMM_EMISSIONS_FOR(RowBlocks<double>)
EMKIT_GMM_EMISSIONS_FOR(io::RowStream<double>)
#undef EMKIT_GMM_EMISSIONS_FOR
#undef EMKIT_GMM_EMISSIONS_FROM_KMEANS

template <DataScalar Scalar>
Fitted<GmmHmmModel> FitGmmHmm(const FitOptions& fit_options, const GmmHmmOptions& options,
                              const MatrixViewOf<Scalar>& x, std::span<const std::int64_t> lengths,
                              const GmmHmmModel* init_model) {
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
      return FitTyped<GaussianGroupTied>(fit_options, options, x, lengths, init_model);
  }
  throw InvalidOptionError("unknown covariance type");
}

template Fitted<GmmHmmModel> FitGmmHmm(const FitOptions&, const GmmHmmOptions&,
                                       const MatrixView&, std::span<const std::int64_t>,
                                       const GmmHmmModel*);
template Fitted<GmmHmmModel> FitGmmHmm(const FitOptions&, const GmmHmmOptions&,
                                       const MatrixViewF&, std::span<const std::int64_t>,
                                       const GmmHmmModel*);

}  // namespace emkit
