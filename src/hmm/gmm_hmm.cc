#include "emkit/hmm/gmm_hmm.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/random.h"
#include "../families/gaussian_initialization.h"
#include "gaussian_hmm_inputs.h"

namespace emkit {
namespace {

// The result of k-means in two levels: K*M centres, state-major, and for
// every row the index (state * M + j) of the Gaussian it is assigned to.
struct TwoLevelClusters {
  RowMatrix centers;
  std::vector<int> component;
};

RowMatrix KMeansCenters(const RowBlocks<double>& data, int k, const KMeansOptions& kmeans, Rng& rng,
                        AnyExecutor& executor) {
  return InitialResponsibilities::Draw(InitMethod::kKMeansPlusPlus, kmeans, data, k, rng,
                                       executor)
      .centers();
}

TwoLevelClusters ClusterInTwoLevels(const RowBlocks<double>& data, int k, int m,
                                    const KMeansOptions& kmeans, const InitContext& context) {
  Rng rng(context.seed);
  AnyExecutor executor = context.ExecutorOrPool();
  const MatrixView& x = data.data();
  const RowMatrix states = KMeansCenters(data, k, kmeans, rng, executor);
  std::vector<int> state_of(static_cast<std::size_t>(x.rows()));
  NearestCenters(x, states, state_of.data());

  TwoLevelClusters out{RowMatrix(k * m, x.cols()),
                       std::vector<int>(static_cast<std::size_t>(x.rows()))};
  std::vector<Eigen::Index> rows;
  for (int s = 0; s < k; ++s) {
    rows.clear();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (state_of[i] == s) rows.push_back(i);
    }
    if (rows.empty()) {
      // Lloyd keeps the centre of a cluster it empties; so do its Gaussians.
      out.centers.middleRows(s * m, m).rowwise() = states.row(s);
      continue;
    }
    // The state's rows are copied (one state at a time) so that k-means
    // sees them as a data set of their own.
    RowMatrix members(static_cast<Eigen::Index>(rows.size()), x.cols());
    for (std::size_t j = 0; j < rows.size(); ++j) members.row(j) = x.row(rows[j]);
    const RowBlocks<double> member_blocks(ViewOf(members), nullptr, data.block_rows());
    const RowMatrix sub = KMeansCenters(member_blocks, m, kmeans, rng, executor);
    out.centers.middleRows(s * m, m) = sub;
    std::vector<int> nearest(rows.size());
    NearestCenters(ViewOf(members), sub, nearest.data());
    for (std::size_t j = 0; j < rows.size(); ++j) out.component[rows[j]] = s * m + nearest[j];
  }
  return out;
}

// One M-step of the K*M Gaussians from the hard assignments.
template <class Gaussian>
Gaussian GaussiansOfClusters(const RowBlocks<double>& data, const TwoLevelClusters& clusters, int,
                             const GaussianOptions& gaussian, const InitContext& context) {
  const Gaussian shape = internal::GaussianShape<Gaussian>(
      static_cast<int>(clusters.centers.rows()), clusters.centers.cols(), gaussian);
  AnyExecutor executor = context.ExecutorOrPool();
  return ComponentsFromResponsibilities(
             shape, InitialResponsibilities::FromLabels(clusters.centers, clusters.component),
             data, executor, context.repairs)
      .family;
}

// Tied per state: each state's covariance from its own rows only.
template <>
GaussianGroupTied GaussiansOfClusters<GaussianGroupTied>(const RowBlocks<double>& data,
                                                         const TwoLevelClusters& clusters,
                                                         int m, const GaussianOptions& gaussian,
                                                         const InitContext& context) {
  const int k = static_cast<int>(clusters.centers.rows()) / m;
  const GaussianTied shape = internal::GaussianShape<GaussianTied>(m, clusters.centers.cols(),
                                                                   gaussian);
  AnyExecutor executor = context.ExecutorOrPool();
  std::vector<GaussianTied> groups;
  for (int s = 0; s < k; ++s) {
    std::vector<int> labels(clusters.component.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const int c = clusters.component[i];
      labels[i] = c / m == s ? c % m : -1;
    }
    groups.push_back(
        ComponentsFromResponsibilities(
            shape,
            InitialResponsibilities::FromLabels(clusters.centers.middleRows(s * m, m),
                                                std::move(labels)),
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

template <class Emission>
Emission GmmEmissionsFromKMeans(const RowBlocks<double>& data, int k, int m,
                                const GaussianOptions& gaussian, const KMeansOptions& kmeans,
                                const InitContext& context) {
  using Gaussian = typename InnerOf<Emission>::type;
  const TwoLevelClusters clusters = ClusterInTwoLevels(data, k, m, kmeans, context);
  return Emission(RowMatrix::Constant(k, m, 1.0 / m),
                  GaussiansOfClusters<Gaussian>(data, clusters, m, gaussian, context));
}

template GaussianMixtureEmissionFull GmmEmissionsFromKMeans<GaussianMixtureEmissionFull>(
    const RowBlocks<double>&, int, int, const GaussianOptions&, const KMeansOptions&,
    const InitContext&);
template GaussianMixtureEmissionDiag GmmEmissionsFromKMeans<GaussianMixtureEmissionDiag>(
    const RowBlocks<double>&, int, int, const GaussianOptions&, const KMeansOptions&,
    const InitContext&);
template GaussianMixtureEmissionSpherical
GmmEmissionsFromKMeans<GaussianMixtureEmissionSpherical>(const RowBlocks<double>&, int, int,
                                                         const GaussianOptions&,
                                                         const KMeansOptions&,
                                                         const InitContext&);
template GaussianMixtureEmissionTied GmmEmissionsFromKMeans<GaussianMixtureEmissionTied>(
    const RowBlocks<double>&, int, int, const GaussianOptions&, const KMeansOptions&,
    const InitContext&);

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
