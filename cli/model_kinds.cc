#include "model_kinds.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "emkit/hmm/fit_hmm.h"
#include "emkit/random.h"

namespace emkit::cli {
namespace {

template <class Model>
Fitted<io::AnyModel> Erase(Fitted<Model> fitted) {
  return {io::AnyModel(std::move(fitted.model)), std::move(fitted.report)};
}

// Every state starts from the data's own feature means (or category
// frequencies), each scaled by a random factor drawn from the restart's
// seed, so that the states differ and restarts differ. Rates take a factor
// in [0.5, 1.5). Category probabilities take an exponential one (a draw
// from a Dirichlet centred on the frequencies): with few categories a
// narrower spread leaves the states so alike that EM stops near the
// symmetric saddle point.
RowMatrix JitteredRows(const Eigen::RowVectorXd& base, int k, std::uint64_t seed,
                       bool exponential) {
  Rng rng(seed);
  RowMatrix out(k, base.size());
  for (int s = 0; s < k; ++s) {
    for (Eigen::Index j = 0; j < base.size(); ++j) {
      const double u = UniformDouble(rng);
      out(s, j) = base[j] * (exponential ? -std::log1p(-u) : 0.5 + u);
    }
  }
  return out;
}

}  // namespace

MixtureKind ParseMixtureKind(const std::string& name) {
  if (name == "gaussian") return MixtureKind::kGaussian;
  if (name == "bernoulli") return MixtureKind::kBernoulli;
  if (name == "categorical") return MixtureKind::kCategorical;
  if (name == "poisson") return MixtureKind::kPoisson;
  throw InvalidOptionError(fmt::format(
      "unknown model \"{}\" (expected gaussian, bernoulli, categorical or poisson)", name));
}

EmissionKind ParseEmissionKind(const std::string& name) {
  if (name == "gaussian") return EmissionKind::kGaussian;
  if (name == "categorical") return EmissionKind::kCategorical;
  if (name == "poisson") return EmissionKind::kPoisson;
  throw InvalidOptionError(fmt::format(
      "unknown emission \"{}\" (expected gaussian, categorical or poisson)", name));
}

Fitted<io::AnyModel> FitMixtureOfKind(const FitOptions& fit_options,
                                      const MixtureFitSpec& spec, const MatrixView& x) {
  switch (spec.kind) {
    case MixtureKind::kGaussian:
      return Erase(FitGaussianMixture(fit_options, spec.gaussian, x, nullptr,
                                      spec.init_model));
    case MixtureKind::kBernoulli:
      return Erase(FitBernoulliMixture(fit_options, spec.discrete, spec.bernoulli, x,
                                       nullptr));
    case MixtureKind::kCategorical:
      return Erase(FitCategoricalMixture(fit_options, spec.discrete, spec.categorical, x,
                                         nullptr));
    case MixtureKind::kPoisson:
      return Erase(FitPoissonMixture(fit_options, spec.discrete, spec.poisson, x, nullptr));
  }
  throw InvalidOptionError("unknown model kind");
}

Fitted<io::AnyModel> FitHmmOfKind(const FitOptions& fit_options, const HmmFitSpec& spec,
                                  const MatrixView& x,
                                  std::span<const std::int64_t> lengths) {
  const HmmOptions& hmm = spec.gaussian.hmm;
  const int k = hmm.n_states;
  switch (spec.emission) {
    case EmissionKind::kGaussian:
      return Erase(FitGaussianHmm(fit_options, spec.gaussian, x, lengths));
    case EmissionKind::kCategorical: {
      if (x.cols() != 1) {
        throw InvalidDataError(fmt::format(
            "categorical emissions read one symbol per row, but the data has {} "
            "columns; pick one with --columns", x.cols()));
      }
      CategoricalOptions options = spec.categorical;
      options.layout = CategoricalLayout::kSymbols;
      options.Validate();
      const MatrixView column(x.data(), x.rows(), 1);
      const double largest = x.rows() > 0 ? Eigen::Map<const Vector>(x.data(), x.rows()).maxCoeff()
                                          : 0.0;
      // Symbols are checked against [0, V) by the family; a bound keeps a
      // huge symbol from sizing V before that check names it.
      const int v = largest >= 0.0 && largest < 1e6 ? static_cast<int>(largest) + 1 : 1;
      Categorical::ValidateData(column, CategoricalLayout::kSymbols, v);
      Eigen::RowVectorXd frequencies = Eigen::RowVectorXd::Zero(v);
      for (Eigen::Index i = 0; i < x.rows(); ++i) {
        frequencies[static_cast<Eigen::Index>(x(i, 0))] += 1.0;
      }
      const SequenceBlocks data(x, lengths, 0);
      return Erase(FitHmm<Categorical>(
          fit_options, hmm, data, [&](const InitContext& context) {
            RowMatrix p = JitteredRows(frequencies, k, context.seed, /*exponential=*/true);
            for (int s = 0; s < k; ++s) p.row(s) /= p.row(s).sum();
            return Categorical(std::move(p), options);
          }));
    }
    case EmissionKind::kPoisson: {
      spec.poisson.Validate();
      Poisson::ValidateData(x);
      const Eigen::RowVectorXd means = x.colwise().mean();
      const SequenceBlocks data(x, lengths, 0);
      return Erase(FitHmm<Poisson>(fit_options, hmm, data, [&](const InitContext& context) {
        return Poisson(JitteredRows(means, k, context.seed, /*exponential=*/false),
                       spec.poisson);
      }));
    }
  }
  throw InvalidOptionError("unknown emission kind");
}

}  // namespace emkit::cli
