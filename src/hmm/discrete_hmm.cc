#include "emkit/hmm/discrete_hmm.h"

#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/family_fit.h"  // internal::CheckSequenceRows
#include "emkit/random.h"
#include "emkit/hmm/fit_hmm.h"
#include "emkit/initialization.h"
#include "emkit/internal/row_offset_message.h"
#include "emkit/io/row_stream.h"

namespace emkit {
namespace {

// The stream of the seed that moves coinciding states apart, distinct from
// the one k-means++ draws from.
constexpr std::uint64_t kSeparationStream = 0x5e9a7a7e;

// Hard assignments of every row to its nearest k-means centre, as
// statistics of `shape` (a family of K components; its parameters are not
// used).
template <class Family, RowBlockSource Data>
typename Family::Statistics KMeansStatistics(const Family& shape, const Data& data,
                                             const KMeansOptions& kmeans, Rng& rng,
                                             AnyExecutor& executor) {
  const InitialResponsibilities partition = InitialResponsibilities::Draw(
      InitMethod::kKMeansPlusPlus, kmeans, data, shape.num_components(), rng, executor);
  return StatisticsOfResponsibilities(shape, data, executor, partition);
}

// Whether row `s` of `p` equals an earlier row exactly.
bool RepeatsEarlierRow(const RowMatrix& p, int s) {
  for (int t = 0; t < s; ++t) {
    if (p.row(t) == p.row(s)) return true;
  }
  return false;
}

// Moves every row that repeats an earlier one by move(value, u) per entry,
// with u uniform in [0, 1) from the restart's separation stream.
template <class Move>
void SeparateRepeatedRows(RowMatrix* p, std::uint64_t seed, Move move) {
  Rng rng(DeriveSeed(seed, kSeparationStream));
  for (int s = 1; s < p->rows(); ++s) {
    if (!RepeatsEarlierRow(*p, s)) continue;
    for (Eigen::Index j = 0; j < p->cols(); ++j) (*p)(s, j) = move((*p)(s, j), UniformDouble(rng));
  }
}

void CheckK(int k) {
  if (k < 1) throw InvalidOptionError(fmt::format("n_states = {} must be >= 1", k));
}

template <class Family, class View>
void CheckInitModel(const HiddenMarkovModel<Family>& model, const View& x) {
  if (model.emissions().num_features() != x.cols()) {
    throw InvalidDataError(fmt::format(
        "the initial model has {} features, but X has {} columns",
        model.emissions().num_features(), x.cols()));
  }
}

// The engine from a given model, or from options' chain and
// init(pooled, context) per restart (internal::FitHmmOnRows).
template <class Family, DataScalar Scalar, class Init>
Fitted<HiddenMarkovModel<Family>> FitFrom(const FitOptions& fit_options,
                                          const HmmOptions& options,
                                          const MatrixViewOf<Scalar>& x,
                                          std::span<const std::int64_t> lengths,
                                          const HiddenMarkovModel<Family>* init_model,
                                          Init&& init) {
  return internal::FitHmmOnRows<Family>(
      fit_options, options, x, lengths, init_model, [&init](const RowBlocks<double>& pooled) {
        return [&init, &pooled](const InitContext& context) { return init(pooled, context); };
      });
}

}  // namespace

template <RowBlockSource Data>
Bernoulli BernoulliEmissionsFromKMeans(const Data& data, int k,
                                       const BernoulliOptions& options,
                                       const KMeansOptions& kmeans,
                                       const InitContext& context) {
  CheckK(k);
  Rng rng(context.seed);
  AnyExecutor executor = context.ExecutorOrPool();
  const Bernoulli shape(RowMatrix::Constant(k, data.num_columns(), 0.5), options);
  Bernoulli::Statistics stats = KMeansStatistics(shape, data, kmeans, rng, executor);
  // One pseudo-row of the pooled mean per state: the pooled statistics are
  // the sum of the states'.
  const double total = stats.counts.sum();
  const Eigen::RowVectorXd pooled_ones = stats.ones.colwise().sum() / total;
  const Eigen::RowVectorXd pooled_zeros = stats.zeros.colwise().sum() / total;
  stats.counts.array() += 1.0;
  stats.ones.rowwise() += pooled_ones;
  stats.zeros.rowwise() += pooled_zeros;
  RowMatrix p = shape.Maximize(stats, context.repairs).probabilities();
  SeparateRepeatedRows(&p, context.seed, [](double value, double u) {
    if (value <= 0.0 || value >= 1.0) return value;  // a constant feature
    const double logit = std::log(value) - std::log1p(-value) + (u - 0.5);
    return 1.0 / (1.0 + std::exp(-logit));
  });
  return Bernoulli(std::move(p), options);
}

template <RowBlockSource Data>
Poisson PoissonEmissionsFromKMeans(const Data& data, int k, const PoissonOptions& options,
                                   const KMeansOptions& kmeans, const InitContext& context) {
  CheckK(k);
  Rng rng(context.seed);
  AnyExecutor executor = context.ExecutorOrPool();
  const Poisson shape(RowMatrix::Ones(k, data.num_columns()), options);
  Poisson::Statistics stats = KMeansStatistics(shape, data, kmeans, rng, executor);
  const double total = stats.counts.sum();
  const Eigen::RowVectorXd pooled_sums = stats.sums.colwise().sum() / total;
  stats.counts.array() += 1.0;
  stats.sums.rowwise() += pooled_sums;
  stats.log_factorials.array() += stats.log_factorials.sum() / total;
  RowMatrix rates = shape.Maximize(stats, context.repairs).rates();
  SeparateRepeatedRows(&rates, context.seed,
                       [](double value, double u) { return value * (0.5 + u); });
  return Poisson(std::move(rates), options);
}

template Bernoulli BernoulliEmissionsFromKMeans(const RowBlocks<double>&, int,
                                                const BernoulliOptions&, const KMeansOptions&,
                                                const InitContext&);
template Bernoulli BernoulliEmissionsFromKMeans(const io::RowStream<double>&, int,
                                                const BernoulliOptions&, const KMeansOptions&,
                                                const InitContext&);
template Poisson PoissonEmissionsFromKMeans(const RowBlocks<double>&, int, const PoissonOptions&,
                                            const KMeansOptions&, const InitContext&);
template Poisson PoissonEmissionsFromKMeans(const io::RowStream<double>&, int,
                                            const PoissonOptions&, const KMeansOptions&,
                                            const InitContext&);

template <RowBlockSource Data>
Categorical CategoricalEmissionsFromKMeans(const Data& data, int k, int num_categories,
                                           const CategoricalOptions& options,
                                           const KMeansOptions& kmeans,
                                           const InitContext& context) {
  CheckK(k);
  if (num_categories < 1) {
    throw InvalidOptionError(
        fmt::format("num_categories = {} must be >= 1", num_categories));
  }
  CategoricalOptions symbols = options;
  symbols.layout = CategoricalLayout::kSymbols;
  // Weighted symbol counts, in row order (a fixed order: deterministic),
  // each block checked first: the first bad symbol in row order is the
  // error, its row that of the whole data.
  Vector counts = Vector::Zero(num_categories);
  for (std::int64_t b = 0; b < data.NumBlocks(); ++b) {
    const RowBlock<double> block = data.GetBlock(b);
    try {
      Categorical::ValidateData(block.rows, CategoricalLayout::kSymbols, num_categories);
    } catch (const InvalidDataError& e) {
      throw InvalidDataError(internal::MessageWithRowOffset(e.what(), block.first_row));
    }
    for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
      counts[static_cast<Eigen::Index>(block.rows(i, 0))] +=
          block.weights == nullptr ? 1.0 : block.weights[i];
    }
  }
  // The one-hot vectors of the observed symbols, weighted by their counts:
  // k-means on them is k-means on the pooled one-hot rows, at the cost of V
  // points instead of N.
  std::vector<int> observed;
  for (int v = 0; v < num_categories; ++v) {
    if (counts[v] > 0.0) observed.push_back(v);
  }
  const Eigen::Index n_observed = static_cast<Eigen::Index>(observed.size());
  RowMatrix points = RowMatrix::Zero(n_observed, num_categories);
  Vector point_weights(n_observed);
  for (Eigen::Index s = 0; s < n_observed; ++s) {
    points(s, observed[s]) = 1.0;
    point_weights[s] = counts[observed[s]];
  }
  const RowBlocks<double> point_blocks(ViewOf(points), point_weights.data(), 0);
  Rng rng(context.seed);
  AnyExecutor executor = context.ExecutorOrPool();
  const RowMatrix centers =
      InitialResponsibilities::Draw(InitMethod::kKMeansPlusPlus, kmeans, point_blocks, k,
                                    rng, executor)
          .centers();
  std::vector<int> labels(static_cast<std::size_t>(n_observed));
  NearestCenters(ViewOf(points), centers, labels.data());

  const Eigen::RowVectorXd frequencies = counts.transpose() / counts.sum();
  RowMatrix p = RowMatrix::Zero(k, num_categories);
  for (Eigen::Index s = 0; s < n_observed; ++s) p(labels[s], observed[s]) = counts[observed[s]];
  for (int state = 0; state < k; ++state) {
    const double mass = p.row(state).sum();
    if (mass > 0.0) {
      p.row(state) = 0.5 * (p.row(state) / mass) + 0.5 * frequencies;
    } else {
      p.row(state) = frequencies;
      if (context.repairs != nullptr) ++context.repairs->collapsed_components;
    }
  }
  SeparateRepeatedRows(&p, context.seed,
                       [](double value, double u) { return value * -std::log1p(-u); });
  for (int state = 0; state < k; ++state) {
    const double sum = p.row(state).sum();
    // All factors 0 (probability 2^-53 each) would leave nothing to scale.
    if (sum > 0.0) {
      p.row(state) /= sum;
    } else {
      p.row(state) = frequencies;
    }
  }
  return Categorical(std::move(p), symbols);
}

template Categorical CategoricalEmissionsFromKMeans(const RowBlocks<double>&, int, int,
                                                    const CategoricalOptions&,
                                                    const KMeansOptions&, const InitContext&);
template Categorical CategoricalEmissionsFromKMeans(const io::RowStream<double>&, int, int,
                                                    const CategoricalOptions&,
                                                    const KMeansOptions&, const InitContext&);

template <DataScalar Scalar>
Fitted<BernoulliHmm> FitBernoulliHmm(const FitOptions& fit_options, const HmmOptions& options,
                                     const BernoulliOptions& bernoulli,
                                     const MatrixViewOf<Scalar>& x,
                                     std::span<const std::int64_t> lengths,
                                     const BernoulliHmm* init_model) {
  fit_options.Validate();
  options.Validate();
  bernoulli.Validate();
  if (init_model != nullptr) CheckInitModel(*init_model, x);
  internal::CheckSequenceRows(x.rows(), x.cols(),
                              init_model != nullptr ? init_model->num_states() : options.n_states);
  {
    RowMatrix wide;
    Bernoulli::ValidateData(WidenedRows(x, &wide));
  }
  return FitFrom<Bernoulli>(fit_options, options, x, lengths, init_model,
                            [&](const RowBlocks<double>& pooled, const InitContext& context) {
                              return BernoulliEmissionsFromKMeans(
                                  pooled, options.n_states, bernoulli, KMeansOptions{},
                                  context);
                            });
}

template <DataScalar Scalar>
Fitted<PoissonHmm> FitPoissonHmm(const FitOptions& fit_options, const HmmOptions& options,
                                 const PoissonOptions& poisson, const MatrixViewOf<Scalar>& x,
                                 std::span<const std::int64_t> lengths,
                                 const PoissonHmm* init_model) {
  fit_options.Validate();
  options.Validate();
  poisson.Validate();
  if (init_model != nullptr) CheckInitModel(*init_model, x);
  internal::CheckSequenceRows(x.rows(), x.cols(),
                              init_model != nullptr ? init_model->num_states() : options.n_states);
  {
    RowMatrix wide;
    Poisson::ValidateData(WidenedRows(x, &wide));
  }
  return FitFrom<Poisson>(fit_options, options, x, lengths, init_model,
                          [&](const RowBlocks<double>& pooled, const InitContext& context) {
                            return PoissonEmissionsFromKMeans(pooled, options.n_states,
                                                              poisson, KMeansOptions{},
                                                              context);
                          });
}

template <DataScalar Scalar>
Fitted<CategoricalHmm> FitCategoricalHmm(const FitOptions& fit_options,
                                         const HmmOptions& options,
                                         const CategoricalOptions& categorical,
                                         const MatrixViewOf<Scalar>& x,
                                         std::span<const std::int64_t> lengths,
                                         int num_categories,
                                         const CategoricalHmm* init_model) {
  fit_options.Validate();
  options.Validate();
  categorical.Validate();
  if (num_categories < 0) {
    throw InvalidOptionError(
        fmt::format("num_categories = {} must be >= 0 (0 = from the data)", num_categories));
  }
  if (init_model != nullptr) {
    CheckInitModel(*init_model, x);
    num_categories = init_model->emissions().num_categories();
  }
  internal::CheckSequenceRows(x.rows(), x.cols(),
                              init_model != nullptr ? init_model->num_states() : options.n_states);
  if (x.cols() != 1) {
    throw InvalidDataError(fmt::format(
        "categorical emissions read one symbol per row, but X has {} columns", x.cols()));
  }
  if (num_categories == 0) {
    // The largest valid symbol + 1; an invalid one is reported below.
    const double largest = static_cast<double>(x.col(0).maxCoeff());
    num_categories =
        largest >= 0.0 && largest < 1e9 ? static_cast<int>(std::floor(largest)) + 1 : 1;
  }
  {
    RowMatrix wide;
    Categorical::ValidateData(WidenedRows(x, &wide), CategoricalLayout::kSymbols,
                              num_categories);
  }
  return FitFrom<Categorical>(fit_options, options, x, lengths, init_model,
                              [&](const RowBlocks<double>& pooled, const InitContext& context) {
                                return CategoricalEmissionsFromKMeans(
                                    pooled, options.n_states, num_categories, categorical,
                                    KMeansOptions{}, context);
                              });
}

#define EMKIT_INSTANTIATE_FOR_ROWS(Scalar)                                                   \
  template Fitted<BernoulliHmm> FitBernoulliHmm(                                             \
      const FitOptions&, const HmmOptions&, const BernoulliOptions&,                         \
      const MatrixViewOf<Scalar>&, std::span<const std::int64_t>, const BernoulliHmm*);      \
  template Fitted<PoissonHmm> FitPoissonHmm(const FitOptions&, const HmmOptions&,            \
                                            const PoissonOptions&, const MatrixViewOf<Scalar>&, \
                                            std::span<const std::int64_t>, const PoissonHmm*); \
  template Fitted<CategoricalHmm> FitCategoricalHmm(                                         \
      const FitOptions&, const HmmOptions&, const CategoricalOptions&,                       \
      const MatrixViewOf<Scalar>&, std::span<const std::int64_t>, int, const CategoricalHmm*);
EMKIT_INSTANTIATE_FOR_ROWS(double)
EMKIT_INSTANTIATE_FOR_ROWS(float)
#undef EMKIT_INSTANTIATE_FOR_ROWS

}  // namespace emkit
