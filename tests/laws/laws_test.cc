// Every shipped mixture model through the public laws header
// (emkit/testing/model_laws.h): Gaussian mixtures of the four covariance
// structures and the Bernoulli, Categorical (counts and symbols), Poisson and
// von Mises-Fisher mixtures. Each starts from parameters away from the data's maximum, so that
// EM has work to do. The last tests show that the laws can fail: a model
// with a wrong M-step, one whose E-step overwrites instead of adding, and
// one whose statistics codec drops an array, are caught.
#include "emkit/testing/model_laws.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "emkit/discrete_mixture.h"
#include "emkit/families/von_mises_fisher.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/model_file.h"
#include "emkit/random.h"

namespace emkit {
namespace {

constexpr std::int64_t kSamples = 240;

// --- Parameters as numbers, for exact and near comparisons ---

void Append(const Eigen::Ref<const Eigen::MatrixXd>& m, std::vector<double>* out) {
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) out->push_back(m(i, j));
  }
}

std::vector<double> Flatten(const GaussianFull& f) {
  std::vector<double> out;
  Append(f.means(), &out);
  for (const Eigen::MatrixXd& c : f.covariances()) Append(c, &out);
  return out;
}
template <bool kSpherical>
std::vector<double> Flatten(const GaussianAxisAligned<kSpherical>& f) {
  std::vector<double> out;
  Append(f.means(), &out);
  Append(f.variances(), &out);
  return out;
}
std::vector<double> Flatten(const GaussianTied& f) {
  std::vector<double> out;
  Append(f.means(), &out);
  Append(f.covariance(), &out);
  return out;
}
std::vector<double> Flatten(const Bernoulli& f) {
  std::vector<double> out;
  Append(f.probabilities(), &out);
  return out;
}
std::vector<double> Flatten(const Categorical& f) {
  std::vector<double> out;
  Append(f.probabilities(), &out);
  return out;
}
std::vector<double> Flatten(const Poisson& f) {
  std::vector<double> out;
  Append(f.rates(), &out);
  return out;
}
std::vector<double> Flatten(const VonMisesFisher& f) {
  std::vector<double> out;
  Append(f.mean_directions(), &out);
  Append(f.concentrations(), &out);
  return out;
}

template <class Family>
laws::LawOptions<Mixture<Family>> MixtureLawOptions() {
  laws::LawOptions<Mixture<Family>> options;
  options.parameters = [](const Mixture<Family>& m) {
    std::vector<double> out(m.weights().data(), m.weights().data() + m.weights().size());
    const std::vector<double> family = Flatten(m.components());
    out.insert(out.end(), family.begin(), family.end());
    return out;
  };
  return options;
}

// --- Gaussian mixtures: data from a known mixture, a start away from it ---

RowMatrix GaussianData() {
  Rng rng(7);
  RowMatrix x(kSamples, 2);
  for (std::int64_t i = 0; i < kSamples; ++i) {
    const double center = 4.0 * static_cast<double>(i % 3);
    x(i, 0) = center + StandardNormal(rng);
    x(i, 1) = -center + 0.5 * StandardNormal(rng);
  }
  return x;
}

RowMatrix StartMeans() {
  RowMatrix means(3, 2);
  means << 1.0, 1.0,
           3.0, -2.0,
           6.0, -6.0;
  return means;
}

Vector StartWeights() {
  Vector w(3);
  w << 0.5, 0.3, 0.2;
  return w;
}

// A round trip through the model file format, as text.
template <class Mix>
Mix ThroughModelFile(const Mix& model) {
  const GaussianMixtureModel loaded =
      io::ModelFromJson(io::ModelToJson(GaussianMixtureModel(model)), "round trip");
  return std::get<Mix>(loaded);
}

TEST(ModelLaws, GaussianFullMixture) {
  std::vector<Eigen::MatrixXd> covariances(3, Eigen::MatrixXd::Identity(2, 2) * 2.0);
  const GaussianMixtureFull model(StartWeights(),
                                  GaussianFull(StartMeans(), covariances, GaussianOptions{}));
  auto options = MixtureLawOptions<GaussianFull>();
  options.round_trip = &ThroughModelFile<GaussianMixtureFull>;
  laws::ExpectModelLaws(model, laws::RowDataMaker(GaussianData()), kSamples, options);
}

TEST(ModelLaws, GaussianDiagMixture) {
  const GaussianMixtureDiag model(
      StartWeights(), GaussianDiag(StartMeans(), RowMatrix::Constant(3, 2, 2.0), GaussianOptions{}));
  auto options = MixtureLawOptions<GaussianDiag>();
  options.round_trip = &ThroughModelFile<GaussianMixtureDiag>;
  laws::ExpectModelLaws(model, laws::RowDataMaker(GaussianData()), kSamples, options);
}

TEST(ModelLaws, GaussianSphericalMixture) {
  const GaussianMixtureSpherical model(
      StartWeights(),
      GaussianSpherical(StartMeans(), RowMatrix::Constant(3, 2, 2.0), GaussianOptions{}));
  auto options = MixtureLawOptions<GaussianSpherical>();
  options.round_trip = &ThroughModelFile<GaussianMixtureSpherical>;
  laws::ExpectModelLaws(model, laws::RowDataMaker(GaussianData()), kSamples, options);
}

TEST(ModelLaws, GaussianTiedMixture) {
  const GaussianMixtureTied model(
      StartWeights(),
      GaussianTied(StartMeans(), Eigen::MatrixXd::Identity(2, 2) * 2.0, GaussianOptions{}));
  auto options = MixtureLawOptions<GaussianTied>();
  options.round_trip = &ThroughModelFile<GaussianMixtureTied>;
  laws::ExpectModelLaws(model, laws::RowDataMaker(GaussianData()), kSamples, options);
}

// --- Discrete mixtures ---

// The round trip of the discrete families: the public parameters and options
// are all a file would hold, so rebuilding from them must give the same model.
BernoulliMixture RebuildBernoulli(const BernoulliMixture& m) {
  return BernoulliMixture(m.weights(), Bernoulli(m.components().probabilities(),
                                                 m.components().options()));
}
CategoricalMixture RebuildCategorical(const CategoricalMixture& m) {
  return CategoricalMixture(m.weights(), Categorical(m.components().probabilities(),
                                                     m.components().options()));
}
PoissonMixture RebuildPoisson(const PoissonMixture& m) {
  return PoissonMixture(m.weights(),
                        Poisson(m.components().rates(), m.components().options()));
}

TEST(ModelLaws, BernoulliMixture) {
  RowMatrix truth(3, 6);
  truth << 0.9, 0.9, 0.8, 0.1, 0.2, 0.1,
           0.1, 0.2, 0.1, 0.9, 0.8, 0.9,
           0.8, 0.1, 0.9, 0.1, 0.9, 0.2;
  Rng rng(8);
  const RowMatrix x =
      BernoulliMixture(StartWeights(), Bernoulli(truth, {})).Sample(kSamples, rng, nullptr);
  RowMatrix start(3, 6);
  start << 0.6, 0.5, 0.5, 0.4, 0.5, 0.4,
           0.4, 0.5, 0.4, 0.6, 0.5, 0.6,
           0.5, 0.4, 0.6, 0.5, 0.6, 0.5;
  auto options = MixtureLawOptions<Bernoulli>();
  options.round_trip = &RebuildBernoulli;
  laws::ExpectModelLaws(BernoulliMixture(Vector::Constant(3, 1.0 / 3), Bernoulli(start, {})),
                        laws::RowDataMaker(x), kSamples, options);
}

TEST(ModelLaws, CategoricalCountsMixture) {
  RowMatrix truth(2, 4);
  truth << 0.6, 0.2, 0.1, 0.1,
           0.1, 0.1, 0.3, 0.5;
  CategoricalOptions documents;
  documents.sample_total = 12;
  Rng rng(9);
  const RowMatrix x = CategoricalMixture(Vector::Constant(2, 0.5), Categorical(truth, documents))
                          .Sample(kSamples, rng, nullptr);
  RowMatrix start(2, 4);
  start << 0.3, 0.3, 0.2, 0.2,
           0.2, 0.2, 0.3, 0.3;
  auto options = MixtureLawOptions<Categorical>();
  options.round_trip = &RebuildCategorical;
  laws::ExpectModelLaws(CategoricalMixture(Vector::Constant(2, 0.5), Categorical(start, {})),
                        laws::RowDataMaker(x), kSamples, options);
}

TEST(ModelLaws, CategoricalSymbolsMixture) {
  CategoricalOptions symbols;
  symbols.layout = CategoricalLayout::kSymbols;
  RowMatrix truth(1, 5);
  truth << 0.1, 0.4, 0.2, 0.2, 0.1;
  Rng rng(10);
  const RowMatrix x = CategoricalMixture(Vector::Ones(1), Categorical(truth, symbols))
                          .Sample(kSamples, rng, nullptr);
  RowMatrix start(2, 5);
  start << 0.3, 0.3, 0.2, 0.1, 0.1,
           0.1, 0.1, 0.2, 0.3, 0.3;
  auto options = MixtureLawOptions<Categorical>();
  options.round_trip = &RebuildCategorical;
  // One symbol per row: EM reaches its fixed point in one step, then stays.
  laws::ExpectModelLaws(CategoricalMixture(Vector::Constant(2, 0.5), Categorical(start, symbols)),
                        laws::RowDataMaker(x), kSamples, options);
}

TEST(ModelLaws, PoissonMixture) {
  RowMatrix truth(2, 3);
  truth << 1.0, 6.0, 2.0,
           7.0, 1.5, 2.0;
  Rng rng(11);
  const RowMatrix x = PoissonMixture(Vector::Constant(2, 0.5), Poisson(truth, {}))
                          .Sample(kSamples, rng, nullptr);
  RowMatrix start(2, 3);
  start << 3.0, 4.0, 2.0,
           4.0, 3.0, 2.5;
  auto options = MixtureLawOptions<Poisson>();
  options.round_trip = &RebuildPoisson;
  laws::ExpectModelLaws(PoissonMixture(Vector::Constant(2, 0.5), Poisson(start, {})),
                        laws::RowDataMaker(x), kSamples, options);
}

TEST(ModelLaws, VonMisesFisherMixture) {
  using VmfMixture = Mixture<VonMisesFisher>;
  const double s = std::sqrt(0.5);
  const VonMisesFisher truth((RowMatrix(2, 3) << 1.0, 0.0, 0.0, 0.0, s, s).finished(),
                             (Vector(2) << 20.0, 8.0).finished());
  Rng rng(13);
  const RowMatrix x = VmfMixture(Vector::Constant(2, 0.5), truth).Sample(kSamples, rng, nullptr);
  const VonMisesFisher start((RowMatrix(2, 3) << s, s, 0.0, 0.0, 0.0, 1.0).finished(),
                             (Vector(2) << 2.0, 2.0).finished());
  auto options = MixtureLawOptions<VonMisesFisher>();
  options.round_trip = [](const VmfMixture& m) {
    return VmfMixture(m.weights(), VonMisesFisher(m.components().mean_directions(),
                                                  m.components().concentrations(),
                                                  m.components().options()));
  };
  laws::ExpectModelLaws(VmfMixture(Vector::Constant(2, 0.5), start), laws::RowDataMaker(x),
                        kSamples, options);
}

// --- The laws catch broken models ---

// A Bernoulli mixture whose M-step moves every probability towards 1/2
// after maximising: Q goes down, and the certificate must say so.
class ShrinkingMStep {
 public:
  using Block = RowBlock<double>;
  using Statistics = BernoulliMixture::Statistics;
  explicit ShrinkingMStep(BernoulliMixture inner) : inner_(std::move(inner)) {}
  Statistics NewStatistics() const { return inner_.NewStatistics(); }
  double EStep(const RowBlock<double>& block, Statistics* stats) const {
    return inner_.EStep(block, stats);
  }
  ShrinkingMStep MStep(const Statistics& stats, RepairCounts* repairs) const {
    const BernoulliMixture right = inner_.MStep(stats, repairs);
    const RowMatrix p = 0.5 * right.components().probabilities().array() + 0.25;
    return ShrinkingMStep(BernoulliMixture(right.weights(), Bernoulli(p, {})));
  }
  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return inner_.ExpectedCompleteLogLikelihood(stats);
  }
  std::int64_t NumFreeParameters() const { return inner_.NumFreeParameters(); }

 private:
  BernoulliMixture inner_;
};

// A mixture whose E-step forgets what the statistics held before.
class OverwritingEStep {
 public:
  using Block = RowBlock<double>;
  using Statistics = BernoulliMixture::Statistics;
  explicit OverwritingEStep(BernoulliMixture inner) : inner_(std::move(inner)) {}
  Statistics NewStatistics() const { return inner_.NewStatistics(); }
  double EStep(const RowBlock<double>& block, Statistics* stats) const {
    stats->SetZero();
    return inner_.EStep(block, stats);
  }
  OverwritingEStep MStep(const Statistics& stats, RepairCounts* repairs) const {
    return OverwritingEStep(inner_.MStep(stats, repairs));
  }
  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return inner_.ExpectedCompleteLogLikelihood(stats);
  }
  std::int64_t NumFreeParameters() const { return inner_.NumFreeParameters(); }

 private:
  BernoulliMixture inner_;
};

// Bernoulli statistics whose codec leaves out the counts of zeros.
struct ForgetfulStatistics : Bernoulli::Statistics {
  void Merge(const ForgetfulStatistics& other) { Bernoulli::Statistics::Merge(other); }
  void Encode(ParameterWriter& out) const {
    out.Vector1("counts", counts);
    out.Matrix2("ones", ones);
  }
  void Decode(const ParameterReader& in) {
    counts = in.Vector1("counts", counts.size());
    ones = in.Matrix2("ones", ones.rows(), ones.cols());
  }
};

class ForgetfulCodec {
 public:
  using Block = RowBlock<double>;
  using Statistics = ForgetfulStatistics;
  explicit ForgetfulCodec(BernoulliMixture inner) : inner_(std::move(inner)) {}
  Statistics NewStatistics() const { return {inner_.NewStatistics()}; }
  double EStep(const RowBlock<double>& block, Statistics* stats) const {
    return inner_.EStep(block, stats);
  }
  ForgetfulCodec MStep(const Statistics& stats, RepairCounts* repairs) const {
    return ForgetfulCodec(inner_.MStep(stats, repairs));
  }
  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return inner_.ExpectedCompleteLogLikelihood(stats);
  }
  std::int64_t NumFreeParameters() const { return inner_.NumFreeParameters(); }

 private:
  BernoulliMixture inner_;
};

RowMatrix SeparatedTruth() {
  RowMatrix truth(2, 4);
  truth << 0.95, 0.9, 0.05, 0.1,
           0.05, 0.1, 0.95, 0.9;
  return truth;
}

RowMatrix SeparatedBernoulliData() {
  Rng rng(12);
  return BernoulliMixture(Vector::Constant(2, 0.5), Bernoulli(SeparatedTruth(), {}))
      .Sample(kSamples, rng, nullptr);
}

// The failures `check` reports, intercepted so that the test can inspect
// them instead of failing.
template <class Check>
std::vector<std::string> FailuresOf(Check&& check) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    check();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) messages.push_back(results.GetTestPartResult(i).message());
  return messages;
}

bool AnyContains(const std::vector<std::string>& messages, const std::string& text) {
  for (const std::string& m : messages) {
    if (m.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ModelLaws, AWrongMStepIsCaughtByTheCertificate) {
  const auto make_data = laws::RowDataMaker(SeparatedBernoulliData());
  std::vector<std::int64_t> all(kSamples);
  for (std::int64_t i = 0; i < kSamples; ++i) all[i] = i;
  const auto data = make_data(all, nullptr, 16);
  // Started near the maximum, the shrinking M-step moves away from it: Q
  // falls in the first iteration, which the certificate must report.
  const BernoulliMixture start(Vector::Constant(2, 0.5), Bernoulli(SeparatedTruth(), {}));
  const std::vector<std::string> failures = FailuresOf(
      [&] { laws::ExpectLikelihoodNeverDecreases(ShrinkingMStep(start), data); });
  EXPECT_TRUE(AnyContains(failures, "the M-step lowered Q")) << failures.size();
  EXPECT_TRUE(AnyContains(failures, "certificate_violations")) << failures.size();
  // The right M-step from the same start passes.
  laws::ExpectLikelihoodNeverDecreases(start, data);
}

TEST(ModelLaws, AnEStepThatOverwritesIsCaught) {
  RowMatrix start(2, 4);
  start << 0.7, 0.6, 0.4, 0.3,
           0.3, 0.4, 0.6, 0.7;
  const BernoulliMixture model(Vector::Constant(2, 0.5), Bernoulli(start, {}));
  const auto make_data = laws::RowDataMaker(SeparatedBernoulliData());
  const std::vector<std::string> failures = FailuresOf([&] {
    laws::ExpectStatisticsAreAdditive(OverwritingEStep(model), make_data, kSamples);
  });
  EXPECT_TRUE(AnyContains(failures, "the E-step must add, not overwrite")) << failures.size();
  // The real mixture passes.
  laws::ExpectStatisticsAreAdditive(model, make_data, kSamples);
}

TEST(ModelLaws, AStatisticsCodecThatDropsAnArrayIsCaught) {
  RowMatrix start(2, 4);
  start << 0.7, 0.6, 0.4, 0.3,
           0.3, 0.4, 0.6, 0.7;
  const BernoulliMixture model(Vector::Constant(2, 0.5), Bernoulli(start, {}));
  const auto make_data = laws::RowDataMaker(SeparatedBernoulliData());
  const std::vector<std::string> failures = FailuresOf([&] {
    laws::ExpectStatisticsCodecRoundTrips(ForgetfulCodec(model), make_data, kSamples);
  });
  EXPECT_TRUE(AnyContains(failures, "flattened and unflattened: Q(theta | S)"))
      << failures.size();
  // The real codec passes.
  laws::ExpectStatisticsCodecRoundTrips(model, make_data, kSamples);
}

}  // namespace
}  // namespace emkit
