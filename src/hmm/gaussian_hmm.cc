#include "emkit/hmm/gaussian_hmm.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/ordered_reduce.h"
#include "emkit/random.h"

namespace emkit {
namespace {

// A family with the given means and placeholder covariances: the shift
// about which the initial statistics are accumulated.
GaussianFull Placeholder(const GaussianFull*, const RowMatrix& means, GaussianOptions o) {
  return GaussianFull(
      means,
      std::vector<Eigen::MatrixXd>(means.rows(),
                                   Eigen::MatrixXd::Identity(means.cols(), means.cols())),
      o);
}
template <bool kSpherical>
GaussianAxisAligned<kSpherical> Placeholder(const GaussianAxisAligned<kSpherical>*,
                                            const RowMatrix& means, GaussianOptions o) {
  return GaussianAxisAligned<kSpherical>(means, RowMatrix::Ones(means.rows(), means.cols()),
                                         o);
}
GaussianTied Placeholder(const GaussianTied*, const RowMatrix& means, GaussianOptions o) {
  return GaussianTied(means, Eigen::MatrixXd::Identity(means.cols(), means.cols()), o);
}

void ValidateSequenceData(const MatrixView& x, int n_states) {
  if (x.rows() == 0 || x.cols() == 0) {
    throw InvalidDataError(fmt::format(
        "X has shape ({}, {}): at least one row and one column are needed", x.rows(),
        x.cols()));
  }
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(x(i, j))) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: values must be finite (missing values are not supported)", i,
            j, x(i, j)));
      }
    }
  }
  if (x.rows() < n_states) {
    throw InvalidDataError(fmt::format(
        "X has {} rows, fewer than n_states = {}: each state needs at least one row",
        x.rows(), n_states));
  }
}

template <class Family>
Fitted<GaussianHmmModel> FitTyped(const FitOptions& fit_options,
                                  const GaussianHmmOptions& options,
                                  const SequenceBlocks& data,
                                  const GaussianHmmModel* init_model) {
  if (init_model != nullptr) {
    HiddenMarkovModel<Family> model = std::get<HiddenMarkovModel<Family>>(*init_model);
    model.set_fit_parameters(options.hmm.fit);
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
  if (kmeans.max_iter < 0) {
    throw InvalidOptionError(fmt::format("kmeans max_iter = {} must be >= 0", kmeans.max_iter));
  }
  if (!(kmeans.tol >= 0.0) || !std::isfinite(kmeans.tol)) {
    throw InvalidOptionError(
        fmt::format("kmeans tol = {} must be a finite number >= 0", kmeans.tol));
  }
}

template <class Family>
Family GaussianEmissionsFromKMeans(const RowBlocks& data, int k,
                                   const GaussianOptions& gaussian,
                                   const KMeansOptions& kmeans, const InitContext& context) {
  Rng rng(context.seed);
  ThreadPool& pool = *context.pool;
  RowMatrix centers = KMeansPlusPlusSeeds(data, k, rng, pool);
  if (kmeans.max_iter > 0) {
    centers = LloydIterations(data, std::move(centers), kmeans, FeatureVariance(data, pool),
                              pool);
  }
  // Hard assignments to the nearest centre, then one M-step.
  const Family placeholder =
      Placeholder(static_cast<const Family*>(nullptr), centers, gaussian);
  typename Family::Statistics stats = placeholder.NewStatistics();
  const typename Family::Statistics zero = stats;
  OrderedReduce(pool, data.NumBlocks(), zero, &stats,
                [&](std::int64_t b, typename Family::Statistics* s) {
                  const RowBlock block = data.GetBlock(b);
                  std::vector<int> labels(block.rows.rows());
                  NearestCenters(block.rows, centers, labels.data());
                  RowMatrix r = RowMatrix::Zero(block.rows.rows(), k);
                  for (std::size_t i = 0; i < labels.size(); ++i) r(i, labels[i]) = 1.0;
                  placeholder.Accumulate(block.rows, r, s);
                  return 0.0;
                });
  Family family = placeholder.Maximize(stats, nullptr);
  // A covariance is never made from reg_covar alone.
  Vector variance;
  for (int c = 0; c < k; ++c) {
    if (stats.counts[c] < 2.0) {
      if (variance.size() == 0) variance = FeatureVariance(data, pool);
      family.SetDiagonalCovariance(c, variance);
      if (context.repairs != nullptr) ++context.repairs->initial_covariances_from_data;
    }
  }
  return family;
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
  CovarianceType type = options.covariance_type;
  int n_states = options.hmm.n_states;
  if (init_model != nullptr) {
    type = static_cast<CovarianceType>(init_model->index());
    n_states = std::visit([](const auto& m) { return m.num_states(); }, *init_model);
    const int features =
        std::visit([](const auto& m) { return m.emissions().num_features(); }, *init_model);
    if (features != x.cols()) {
      throw InvalidDataError(fmt::format(
          "the initial model has {} features, but X has {} columns", features, x.cols()));
    }
  }
  ValidateSequenceData(x, n_states);
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
