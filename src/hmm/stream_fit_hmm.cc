#include "emkit/hmm/stream_fit_hmm.h"

#include <utility>
#include <variant>

#include <fmt/format.h>

#include "emkit/error.h"
#include "gaussian_hmm_inputs.h"

namespace emkit {
namespace {

template <class Family, DataScalar Scalar>
Fitted<GaussianHmmModel> FitGaussianTyped(const FitOptions& fit_options,
                                          const GaussianHmmOptions& options,
                                          const io::RowStream<Scalar>& x,
                                          const io::RowStream<double>& pooled,
                                          std::span<const std::int64_t> lengths,
                                          const GaussianHmmModel* init_model) {
  Fitted<HiddenMarkovModel<Family>> fitted = internal::FitHmmOnStream<Family>(
      fit_options, options.hmm, x, pooled, lengths,
      init_model != nullptr ? &std::get<HiddenMarkovModel<Family>>(*init_model) : nullptr,
      [&options](const io::RowStream<double>& rows) {
        return [&options, &rows](const InitContext& context) {
          return GaussianEmissionsFromKMeans<Family>(rows, options.hmm.n_states,
                                                     options.gaussian, options.kmeans, context);
        };
      });
  return {std::move(fitted.model), std::move(fitted.report)};
}

// CheckGaussianHmmInputs's checks (src/hmm/gaussian_hmm_inputs.h), in its
// order, block by block; the covariance type of the fit.
template <class ModelVariant>
CovarianceType CheckGaussianStream(const FitOptions& fit_options, const ModelVariant* init_model,
                                   CovarianceType requested, int n_states,
                                   const io::RowStream<double>& rows) {
  CovarianceType type = requested;
  if (init_model != nullptr) {
    type = static_cast<CovarianceType>(init_model->index());
    n_states = std::visit([](const auto& h) { return h.num_states(); }, *init_model);
    internal::CheckInitialModelFeatures(
        std::visit([](const auto& h) { return h.emissions().num_features(); }, *init_model),
        rows.num_columns());
  }
  if (rows.num_rows() == 0 || rows.num_columns() == 0) {
    internal::CheckSequenceRows(rows.num_rows(), rows.num_columns(), n_states);
  }
  internal::CheckStreamedSequenceRows(fit_options, rows, 0, [](const MatrixView& block) {
    internal::ValidateGaussianSequenceData(block, 0);
  });
  internal::CheckSequenceRows(rows.num_rows(), rows.num_columns(), n_states);
  return type;
}

template <class Gaussian, DataScalar Scalar>
Fitted<GmmHmmModel> FitGmmTyped(const FitOptions& fit_options, const GmmHmmOptions& options,
                                const io::RowStream<Scalar>& x,
                                const io::RowStream<double>& pooled,
                                std::span<const std::int64_t> lengths,
                                const GmmHmmModel* init_model) {
  using Emission = GaussianMixtureEmission<Gaussian>;
  Fitted<HiddenMarkovModel<Emission>> fitted = internal::FitHmmOnStream<Emission>(
      fit_options, options.hmm, x, pooled, lengths,
      init_model != nullptr ? &std::get<HiddenMarkovModel<Emission>>(*init_model) : nullptr,
      [&options](const io::RowStream<double>& rows) {
        return [&options, &rows](const InitContext& context) {
          return GmmEmissionsFromKMeans<Emission>(rows, options.hmm.n_states, options.n_mix,
                                                  options.gaussian, options.kmeans, context);
        };
      });
  return {std::move(fitted.model), std::move(fitted.report)};
}

// The discrete emissions' checks, in the in-memory order: the initial
// model's features, the rows, the family's rules on every block.
template <class Family, class Hmm>
void CheckDiscreteStream(const FitOptions& fit_options, const HmmOptions& options,
                         const io::RowStream<double>& rows, const Hmm* init_model) {
  if (init_model != nullptr) {
    internal::CheckInitialModelFeatures(init_model->emissions().num_features(),
                                        rows.num_columns());
  }
  internal::CheckStreamedSequenceRows(
      fit_options, rows, init_model != nullptr ? init_model->num_states() : options.n_states,
      [](const MatrixView& block) { Family::ValidateData(block); });
}

// A Poisson or Bernoulli HMM on the stream: the checks, then EM from
// init(pooled, context) per restart.
template <class Family, DataScalar Scalar, class Init>
Fitted<HiddenMarkovModel<Family>> FitDiscreteStream(const FitOptions& fit_options,
                                                    const HmmOptions& options,
                                                    const io::RowStream<Scalar>& x,
                                                    std::span<const std::int64_t> lengths,
                                                    const HiddenMarkovModel<Family>* init_model,
                                                    const Init& init) {
  fit_options.Validate();
  options.Validate();
  return internal::WithDoubleRows(x, [&](const io::RowStream<double>& rows) {
    CheckDiscreteStream<Family>(fit_options, options, rows, init_model);
    return internal::FitHmmOnStream<Family>(
        fit_options, options, x, rows, lengths, init_model,
        [&](const io::RowStream<double>& pooled) {
          return [&](const InitContext& context) { return init(pooled, context); };
        });
  });
}

}  // namespace

template <DataScalar Scalar>
Fitted<GaussianHmmModel> FitGaussianHmm(const FitOptions& fit_options,
                                        const GaussianHmmOptions& options,
                                        const io::RowStream<Scalar>& x,
                                        std::span<const std::int64_t> lengths,
                                        const GaussianHmmModel* init_model) {
  fit_options.Validate();
  options.Validate();
  return internal::WithDoubleRows(x, [&](const io::RowStream<double>& rows) {
    const CovarianceType type = CheckGaussianStream(fit_options, init_model,
                                                    options.covariance_type,
                                                    options.hmm.n_states, rows);
    switch (type) {
      case CovarianceType::kFull:
        return FitGaussianTyped<GaussianFull>(fit_options, options, x, rows, lengths,
                                              init_model);
      case CovarianceType::kDiag:
        return FitGaussianTyped<GaussianDiag>(fit_options, options, x, rows, lengths,
                                              init_model);
      case CovarianceType::kSpherical:
        return FitGaussianTyped<GaussianSpherical>(fit_options, options, x, rows, lengths,
                                                   init_model);
      case CovarianceType::kTied:
        return FitGaussianTyped<GaussianTied>(fit_options, options, x, rows, lengths,
                                              init_model);
    }
    throw InvalidOptionError("unknown covariance type");
  });
}

template <DataScalar Scalar>
Fitted<GmmHmmModel> FitGmmHmm(const FitOptions& fit_options, const GmmHmmOptions& options,
                              const io::RowStream<Scalar>& x,
                              std::span<const std::int64_t> lengths,
                              const GmmHmmModel* init_model) {
  fit_options.Validate();
  options.Validate();
  return internal::WithDoubleRows(x, [&](const io::RowStream<double>& rows) {
    const CovarianceType type = CheckGaussianStream(fit_options, init_model,
                                                    options.covariance_type,
                                                    options.hmm.n_states, rows);
    switch (type) {
      case CovarianceType::kFull:
        return FitGmmTyped<GaussianFull>(fit_options, options, x, rows, lengths, init_model);
      case CovarianceType::kDiag:
        return FitGmmTyped<GaussianDiag>(fit_options, options, x, rows, lengths, init_model);
      case CovarianceType::kSpherical:
        return FitGmmTyped<GaussianSpherical>(fit_options, options, x, rows, lengths,
                                              init_model);
      case CovarianceType::kTied:
        return FitGmmTyped<GaussianGroupTied>(fit_options, options, x, rows, lengths,
                                              init_model);
    }
    throw InvalidOptionError("unknown covariance type");
  });
}

template <DataScalar Scalar>
Fitted<PoissonHmm> FitPoissonHmm(const FitOptions& fit_options, const HmmOptions& options,
                                 const PoissonOptions& poisson, const io::RowStream<Scalar>& x,
                                 std::span<const std::int64_t> lengths,
                                 const PoissonHmm* init_model) {
  fit_options.Validate();
  options.Validate();
  poisson.Validate();
  return FitDiscreteStream<Poisson>(
      fit_options, options, x, lengths, init_model,
      [&](const io::RowStream<double>& pooled, const InitContext& context) {
        return PoissonEmissionsFromKMeans(pooled, options.n_states, poisson, KMeansOptions{},
                                          context);
      });
}

template <DataScalar Scalar>
Fitted<BernoulliHmm> FitBernoulliHmm(const FitOptions& fit_options, const HmmOptions& options,
                                     const BernoulliOptions& bernoulli,
                                     const io::RowStream<Scalar>& x,
                                     std::span<const std::int64_t> lengths,
                                     const BernoulliHmm* init_model) {
  fit_options.Validate();
  options.Validate();
  bernoulli.Validate();
  return FitDiscreteStream<Bernoulli>(
      fit_options, options, x, lengths, init_model,
      [&](const io::RowStream<double>& pooled, const InitContext& context) {
        return BernoulliEmissionsFromKMeans(pooled, options.n_states, bernoulli,
                                            KMeansOptions{}, context);
      });
}

template <DataScalar Scalar>
Fitted<CategoricalHmm> FitCategoricalHmm(const FitOptions& fit_options, const HmmOptions& options,
                                         const CategoricalOptions& categorical,
                                         const io::RowStream<Scalar>& x,
                                         std::span<const std::int64_t> lengths,
                                         int num_categories, const CategoricalHmm* init_model) {
  fit_options.Validate();
  options.Validate();
  categorical.Validate();
  if (num_categories < 0) {
    throw InvalidOptionError(
        fmt::format("num_categories = {} must be >= 0 (0 = from the data)", num_categories));
  }
  return internal::WithDoubleRows(x, [&](const io::RowStream<double>& rows) {
    // FitCategoricalHmm's checks, in its order.
    const int n_states = init_model != nullptr ? init_model->num_states() : options.n_states;
    if (init_model != nullptr) {
      internal::CheckInitialModelFeatures(init_model->emissions().num_features(),
                                          rows.num_columns());
      num_categories = init_model->emissions().num_categories();
    }
    internal::CheckSequenceRows(rows.num_rows(), rows.num_columns(), n_states);
    if (rows.num_columns() != 1) {
      throw InvalidDataError(fmt::format(
          "categorical emissions read one symbol per row, but X has {} columns",
          rows.num_columns()));
    }
    CategoricalOptions symbols = categorical;
    symbols.layout = CategoricalLayout::kSymbols;
    if (num_categories == 0) {
      num_categories =
          internal::ShapeFromAllRows<Categorical>(fit_options, n_states, rows, symbols)
              .num_categories();
    }
    internal::CheckStreamedSequenceRows(fit_options, rows, n_states, [&](const MatrixView& block) {
      Categorical::ValidateData(block, CategoricalLayout::kSymbols, num_categories);
    });
    return internal::FitHmmOnStream<Categorical>(
        fit_options, options, x, rows, lengths, init_model,
        [&](const io::RowStream<double>& pooled) {
          return [&](const InitContext& context) {
            return CategoricalEmissionsFromKMeans(pooled, options.n_states, num_categories,
                                                  categorical, KMeansOptions{}, context);
          };
        });
  });
}

#define EMKIT_STREAMED_HMM_FITS(Scalar)                                                       \
  template Fitted<GaussianHmmModel> FitGaussianHmm(const FitOptions&, const GaussianHmmOptions&, \
                                                   const io::RowStream<Scalar>&,              \
                                                   std::span<const std::int64_t>,             \
                                                   const GaussianHmmModel*);                  \
  template Fitted<PoissonHmm> FitPoissonHmm(const FitOptions&, const HmmOptions&,             \
                                            const PoissonOptions&, const io::RowStream<Scalar>&, \
                                            std::span<const std::int64_t>, const PoissonHmm*); \
  template Fitted<BernoulliHmm> FitBernoulliHmm(                                              \
      const FitOptions&, const HmmOptions&, const BernoulliOptions&,                          \
      const io::RowStream<Scalar>&, std::span<const std::int64_t>, const BernoulliHmm*);     \
  template Fitted<GmmHmmModel> FitGmmHmm(const FitOptions&, const GmmHmmOptions&,              \
                                         const io::RowStream<Scalar>&,                         \
                                         std::span<const std::int64_t>, const GmmHmmModel*);   \
  template Fitted<CategoricalHmm> FitCategoricalHmm(                                          \
      const FitOptions&, const HmmOptions&, const CategoricalOptions&,                        \
      const io::RowStream<Scalar>&, std::span<const std::int64_t>, int, const CategoricalHmm*);
EMKIT_STREAMED_HMM_FITS(double)
EMKIT_STREAMED_HMM_FITS(float)
#undef EMKIT_STREAMED_HMM_FITS

}  // namespace emkit
