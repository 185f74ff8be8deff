// Every shipped hidden Markov model through the public laws header
// (emkit/testing/model_laws.h), with whole sequences as the samples:
// Gaussian emissions of the four covariance structures, Gaussian-mixture
// emissions (GMM-HMMs) of the four, and categorical, Poisson, Bernoulli and
// von Mises-Fisher emissions. Data are sampled from a known model; EM starts from another,
// so that it has work to do. The round trip goes through the model file
// format.
#include "emkit/testing/model_laws.h"

#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/families/von_mises_fisher.h"
#include "emkit/hmm.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"
#include "emkit/io/model_file.h"
#include "emkit/random.h"

namespace emkit {
namespace {

constexpr int kSequences = 24;

void Append(const Eigen::Ref<const Eigen::MatrixXd>& m, std::vector<double>* out) {
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) out->push_back(m(i, j));
  }
}

MarkovChain TrueChain() {
  return MarkovChain((Vector(2) << 0.7, 0.3).finished(),
                     (RowMatrix(2, 2) << 0.9, 0.1, 0.2, 0.8).finished());
}

// The chain EM starts from: away from the truth.
MarkovChain StartChain() {
  return MarkovChain((Vector(2) << 0.5, 0.5).finished(),
                     (RowMatrix(2, 2) << 0.6, 0.4, 0.4, 0.6).finished());
}

// A data maker over sequences of 15 to 38 steps sampled from `truth`.
template <class Family>
auto SampledData(const HiddenMarkovModel<Family>& truth) {
  Rng rng(21);
  std::vector<std::int64_t> lengths;
  std::vector<RowMatrix> parts;
  std::int64_t total = 0;
  for (int s = 0; s < kSequences; ++s) {
    lengths.push_back(15 + (s * 7) % 24);
    parts.push_back(truth.Sample(lengths.back(), rng, nullptr));
    total += lengths.back();
  }
  RowMatrix x(total, parts.front().cols());
  std::int64_t at = 0;
  for (const RowMatrix& p : parts) {
    x.middleRows(at, p.rows()) = p;
    at += p.rows();
  }
  return laws::SequenceDataMaker(std::move(x), std::move(lengths));
}

// Law options for an HMM: no weights (sequence blocks carry none), blocks
// of four sequences, the chain and `emission_parameters` compared, and a
// round trip through the model file format.
template <class Family, class Parameters>
laws::LawOptions<HiddenMarkovModel<Family>> HmmLawOptions(Parameters emission_parameters) {
  using Model = HiddenMarkovModel<Family>;
  laws::LawOptions<Model> options;
  options.weights = false;
  options.block_rows = 4;
  options.parameters = [emission_parameters](const Model& m) {
    std::vector<double> out;
    Append(m.start().transpose(), &out);
    Append(m.transitions(), &out);
    emission_parameters(m.emissions(), &out);
    return out;
  };
  options.round_trip = [](const Model& m) {
    const io::AnyModel loaded =
        io::AnyModelFromJson(io::AnyModelToJson(io::AnyModel(m)), "round trip");
    if constexpr (std::is_constructible_v<GaussianHmmModel, Model>) {
      return std::get<Model>(std::get<GaussianHmmModel>(loaded));
    } else if constexpr (std::is_constructible_v<GmmHmmModel, Model>) {
      return std::get<Model>(std::get<GmmHmmModel>(loaded));
    } else {
      return std::get<Model>(loaded);
    }
  };
  return options;
}

template <class Family>
void ExpectHmmLaws(const HiddenMarkovModel<Family>& truth, const Family& start) {
  const HiddenMarkovModel<Family> model(StartChain(), start);
  const auto options = HmmLawOptions<Family>([](const Family& f, std::vector<double>* out) {
    if constexpr (requires { f.weights(); }) Append(f.weights(), out);
    if constexpr (requires { f.components().means(); }) {
      Append(f.components().means(), out);
    } else if constexpr (requires { f.means(); }) {
      Append(f.means(), out);
    } else if constexpr (requires { f.rates(); }) {
      Append(f.rates(), out);
    } else if constexpr (requires { f.mean_directions(); }) {
      Append(f.mean_directions(), out);
      Append(f.concentrations().transpose(), out);
    } else {
      Append(f.probabilities(), out);
    }
  });
  laws::ExpectModelLaws(model, SampledData(truth), kSequences, options);
}

// --- Gaussian emissions ---

RowMatrix TrueMeans() { return (RowMatrix(2, 2) << 0.0, 0.0, 3.0, -2.0).finished(); }
RowMatrix StartMeans() { return (RowMatrix(2, 2) << 1.0, 1.0, 2.0, -1.0).finished(); }
Eigen::MatrixXd Spd(double a, double b) {
  return (Eigen::MatrixXd(2, 2) << a, b, b, a).finished();
}

TEST(HmmLaws, GaussianFull) {
  const GaussianFull truth(TrueMeans(), {Spd(1.0, 0.3), Spd(0.5, -0.1)}, {});
  ExpectHmmLaws(HiddenMarkovModel<GaussianFull>(TrueChain(), truth),
                GaussianFull(StartMeans(), {Spd(2.0, 0.0), Spd(2.0, 0.0)}, {}));
}

TEST(HmmLaws, GaussianDiag) {
  const GaussianDiag truth(TrueMeans(), RowMatrix::Constant(2, 2, 0.7), {});
  ExpectHmmLaws(HiddenMarkovModel<GaussianDiag>(TrueChain(), truth),
                GaussianDiag(StartMeans(), RowMatrix::Constant(2, 2, 2.0), {}));
}

TEST(HmmLaws, GaussianSpherical) {
  const GaussianSpherical truth(TrueMeans(), RowMatrix::Constant(2, 2, 0.7), {});
  ExpectHmmLaws(HiddenMarkovModel<GaussianSpherical>(TrueChain(), truth),
                GaussianSpherical(StartMeans(), RowMatrix::Constant(2, 2, 2.0), {}));
}

TEST(HmmLaws, GaussianTied) {
  const GaussianTied truth(TrueMeans(), Spd(1.0, 0.3), {});
  ExpectHmmLaws(HiddenMarkovModel<GaussianTied>(TrueChain(), truth),
                GaussianTied(StartMeans(), Spd(2.0, 0.0), {}));
}

// --- Gaussian-mixture emissions: two Gaussians per state ---

RowMatrix TrueGmmMeans() {
  return (RowMatrix(4, 2) << 0.0, 0.0, 2.0, 1.0, 4.0, -3.0, 6.0, -1.0).finished();
}
RowMatrix StartGmmMeans() {
  return (RowMatrix(4, 2) << 1.0, 0.0, 1.5, 1.5, 4.5, -2.0, 5.0, -2.0).finished();
}
RowMatrix MixWeights(double w) {
  return (RowMatrix(2, 2) << w, 1.0 - w, 1.0 - w, w).finished();
}

template <class Gaussian>
void ExpectGmmHmmLaws(Gaussian truth, Gaussian start) {
  using Emission = GaussianMixtureEmission<Gaussian>;
  ExpectHmmLaws(HiddenMarkovModel<Emission>(TrueChain(), Emission(MixWeights(0.4), truth)),
                Emission(MixWeights(0.5), start));
}

TEST(HmmLaws, GmmFull) {
  std::vector<Eigen::MatrixXd> truth(4, Spd(0.5, 0.1)), start(4, Spd(1.5, 0.0));
  ExpectGmmHmmLaws(GaussianFull(TrueGmmMeans(), truth, {}),
                   GaussianFull(StartGmmMeans(), start, {}));
}

TEST(HmmLaws, GmmDiag) {
  ExpectGmmHmmLaws(GaussianDiag(TrueGmmMeans(), RowMatrix::Constant(4, 2, 0.4), {}),
                   GaussianDiag(StartGmmMeans(), RowMatrix::Constant(4, 2, 1.5), {}));
}

TEST(HmmLaws, GmmSpherical) {
  ExpectGmmHmmLaws(GaussianSpherical(TrueGmmMeans(), RowMatrix::Constant(4, 2, 0.4), {}),
                   GaussianSpherical(StartGmmMeans(), RowMatrix::Constant(4, 2, 1.5), {}));
}

TEST(HmmLaws, GmmTiedPerState) {
  auto groups = [](const RowMatrix& means, double a, double b) {
    return GaussianGroupTied({GaussianTied(means.topRows(2), Spd(a, b), {}),
                              GaussianTied(means.bottomRows(2), Spd(a, -b), {})});
  };
  ExpectGmmHmmLaws(groups(TrueGmmMeans(), 0.5, 0.1), groups(StartGmmMeans(), 1.5, 0.0));
}

// --- Discrete emissions ---

TEST(HmmLaws, Categorical) {
  CategoricalOptions symbols;
  symbols.layout = CategoricalLayout::kSymbols;
  const Categorical truth((RowMatrix(2, 3) << 0.7, 0.2, 0.1, 0.1, 0.3, 0.6).finished(),
                          symbols);
  ExpectHmmLaws(HiddenMarkovModel<Categorical>(TrueChain(), truth),
                Categorical((RowMatrix(2, 3) << 0.4, 0.3, 0.3, 0.3, 0.3, 0.4).finished(),
                            symbols));
}

TEST(HmmLaws, Poisson) {
  const Poisson truth((RowMatrix(2, 2) << 1.0, 6.0, 5.0, 0.5).finished(), {});
  ExpectHmmLaws(HiddenMarkovModel<Poisson>(TrueChain(), truth),
                Poisson((RowMatrix(2, 2) << 2.0, 4.0, 4.0, 2.0).finished(), {}));
}

TEST(HmmLaws, Bernoulli) {
  const Bernoulli truth((RowMatrix(2, 3) << 0.9, 0.2, 0.7, 0.1, 0.8, 0.3).finished(), {});
  ExpectHmmLaws(HiddenMarkovModel<Bernoulli>(TrueChain(), truth),
                Bernoulli((RowMatrix(2, 3) << 0.6, 0.4, 0.5, 0.4, 0.6, 0.5).finished(), {}));
}

TEST(HmmLaws, VonMisesFisher) {
  const double s = std::sqrt(0.5);
  const VonMisesFisher truth((RowMatrix(2, 3) << 1.0, 0.0, 0.0, 0.0, s, s).finished(),
                             (Vector(2) << 20.0, 8.0).finished());
  ExpectHmmLaws(HiddenMarkovModel<VonMisesFisher>(TrueChain(), truth),
                VonMisesFisher((RowMatrix(2, 3) << s, s, 0.0, 0.0, 0.0, 1.0).finished(),
                               (Vector(2) << 2.0, 2.0).finished()));
}

}  // namespace
}  // namespace emkit
