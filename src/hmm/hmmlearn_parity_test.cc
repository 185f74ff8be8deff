// Parity with hmmlearn (PyPI): from the same initial parameters and the same
// number of Baum-Welch iterations, with hmmlearn's priors made neutral, the
// fitted parameters and log-likelihoods agree to 1e-8 relative. The fixtures
// and the settings that make the two M-steps the same are described in
// tests/reference/make_hmmlearn_fixtures.py, which records hmmlearn's
// version; this test does not need Python.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emkit/families/categorical.h"
#include "emkit/families/gaussian_mixture_emission.h"
#include "emkit/families/poisson.h"
#include "emkit/fit.h"
#include "emkit/hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/sequence_blocks.h"
#include "../../tests/json_fixtures.h"

namespace emkit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kRelativeTolerance = 1e-8;

json LoadFixture(const std::string& name) {
  return testing_fixtures::LoadJsonFixture(name + ".json");
}

using testing_fixtures::MatrixFrom;
using testing_fixtures::VectorFrom;

// All numbers of a nested array, in order.
void Flatten(const json& j, std::vector<double>* out) {
  if (j.is_array()) {
    for (const json& e : j) Flatten(e, out);
  } else {
    out->push_back(j.get<double>());
  }
}

std::vector<double> FlatJson(const json& j) {
  std::vector<double> out;
  Flatten(j, &out);
  return out;
}

std::vector<double> FlatMatrix(const RowMatrix& m) {
  std::vector<double> out;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) out.push_back(m(i, j));
  }
  return out;
}

// Relative to the largest magnitude of the reference (so that a near-zero
// entry of a matrix is judged on the matrix's scale).
void ExpectClose(const std::vector<double>& actual, const std::vector<double>& expected,
                 const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  double scale = 0.0;
  for (double e : expected) scale = std::max(scale, std::abs(e));
  for (std::size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], kRelativeTolerance * scale) << what << "[" << i << "]";
  }
}

struct Data {
  RowMatrix x;
  std::vector<std::int64_t> lengths;
};

Data DataFrom(const json& f) {
  Data d{MatrixFrom(f["X"]), f["lengths"].get<std::vector<std::int64_t>>()};
  return d;
}

MarkovChain InitialChain(const json& f) {
  return MarkovChain(VectorFrom(f["init"]["startprob"]), MatrixFrom(f["init"]["transmat"]));
}

// Runs n_iter iterations and checks the chain, the history and the final
// log-likelihood; returns the fitted model for the emission checks.
template <class Family>
HiddenMarkovModel<Family> FitAndCheckCommon(const json& f, const Data& data,
                                            HiddenMarkovModel<Family> model,
                                            bool maximum_likelihood = true) {
  FitOptions options;
  options.max_iter = f["n_iter"].get<int>();
  options.tol = 0.0;
  const SequenceBlocks blocks(ViewOf(data.x), data.lengths, /*block_rows=*/64);
  const FitReport report = Fit(options, blocks, &model);
  EXPECT_EQ(report.n_iter, options.max_iter);
  // A prior's M-step maximises the posterior, not Q: the certificate may
  // object then.
  if (maximum_likelihood) {
    EXPECT_EQ(report.certificate_violations, 0);
  }
  ExpectClose(FlatMatrix(model.start().transpose()), FlatJson(f["final"]["startprob"]), "startprob");
  ExpectClose(FlatMatrix(model.transitions()), FlatJson(f["final"]["transmat"]), "transmat");
  // hmmlearn's history[i] is the log-likelihood of the parameters after i
  // M-steps, as emkit's initial value and its iterations 1..n-1.
  const std::vector<double> history = FlatJson(f["history"]);
  const RestartRecord& restart = report.restarts.at(0);
  const double n = static_cast<double>(data.x.rows());
  std::vector<double> ours{restart.initial_mean_log_likelihood * n};
  for (std::size_t i = 0; i + 1 < history.size(); ++i) {
    ours.push_back(restart.iterations.at(i).mean_log_likelihood * n);
  }
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_NEAR(ours[i], history[i], kRelativeTolerance * std::abs(history[i])) << "history " << i;
  }
  const double final_loglik = f["final_total_log_likelihood"].get<double>();
  EXPECT_NEAR(report.total_log_likelihood, final_loglik,
              kRelativeTolerance * std::abs(final_loglik));
  EXPECT_NEAR(model.TotalLogLikelihood(ViewOf(data.x), data.lengths), final_loglik,
              kRelativeTolerance * std::abs(final_loglik));
  return model;
}

GaussianOptions NoRegularisation() {
  GaussianOptions o;
  o.reg_covar = 0.0;  // hmmlearn adds min_covar only at its own initialisation
  return o;
}

TEST(HmmlearnParity, GaussianDiag) {
  const json f = LoadFixture("hmmlearn_gaussian_diag");
  const Data data = DataFrom(f);
  GaussianHmmDiag model(InitialChain(f),
                        GaussianDiag(MatrixFrom(f["init"]["means"]),
                                     MatrixFrom(f["init"]["covars"]), NoRegularisation()));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().means()), FlatJson(f["final"]["means"]), "means");
  ExpectClose(FlatMatrix(model.emissions().variances()), FlatJson(f["final"]["covars"]), "covars");
}

TEST(HmmlearnParity, GaussianSpherical) {
  const json f = LoadFixture("hmmlearn_gaussian_spherical");
  const Data data = DataFrom(f);
  const RowMatrix means = MatrixFrom(f["init"]["means"]);
  GaussianHmmSpherical model(
      InitialChain(f),
      GaussianSpherical(means,
                        GaussianSpherical::SphericalVariances(VectorFrom(f["init"]["covars"]),
                                                              static_cast<int>(means.cols())),
                        NoRegularisation()));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().means()), FlatJson(f["final"]["means"]), "means");
  // hmmlearn keeps spherical variances tiled to K x D, as emkit does.
  ExpectClose(FlatMatrix(model.emissions().variances()), FlatJson(f["final"]["covars"]),
              "covars");
}

TEST(HmmlearnParity, GaussianFull) {
  const json f = LoadFixture("hmmlearn_gaussian_full");
  const Data data = DataFrom(f);
  std::vector<Eigen::MatrixXd> covariances;
  for (const json& c : f["init"]["covars"]) covariances.push_back(MatrixFrom(c));
  GaussianHmmFull model(InitialChain(f), GaussianFull(MatrixFrom(f["init"]["means"]),
                                                      covariances, NoRegularisation()));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().means()), FlatJson(f["final"]["means"]), "means");
  std::vector<double> ours;
  for (const Eigen::MatrixXd& c : model.emissions().covariances()) {
    const RowMatrix r = c;
    const std::vector<double> flat = FlatMatrix(r);
    ours.insert(ours.end(), flat.begin(), flat.end());
  }
  ExpectClose(ours, FlatJson(f["final"]["covars"]), "covars");
}

TEST(HmmlearnParity, GaussianTied) {
  const json f = LoadFixture("hmmlearn_gaussian_tied");
  const Data data = DataFrom(f);
  GaussianHmmTied model(InitialChain(f),
                        GaussianTied(MatrixFrom(f["init"]["means"]),
                                     MatrixFrom(f["init"]["covars"]), NoRegularisation()));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().means()), FlatJson(f["final"]["means"]), "means");
  const RowMatrix covariance = model.emissions().covariance();
  ExpectClose(FlatMatrix(covariance), FlatJson(f["final"]["covars"]), "covars");
}

// hmmlearn's K x M x D means as emkit's K*M x D, state-major.
RowMatrix StateMajor(const json& per_state) {
  std::vector<double> flat = FlatJson(per_state);
  const std::size_t d = per_state.at(0).at(0).size();
  RowMatrix m(flat.size() / d, d);
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = flat[i * d + j];
  }
  return m;
}

TEST(HmmlearnParity, GmmDiag) {
  const json f = LoadFixture("hmmlearn_gmm_diag");
  const Data data = DataFrom(f);
  HiddenMarkovModel<GaussianMixtureEmissionDiag> model(
      InitialChain(f),
      GaussianMixtureEmissionDiag(
          MatrixFrom(f["init"]["weights"]),
          GaussianDiag(StateMajor(f["init"]["means"]), StateMajor(f["init"]["covars"]),
                       NoRegularisation())));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().weights()), FlatJson(f["final"]["weights"]), "weights");
  ExpectClose(FlatMatrix(model.emissions().components().means()), FlatJson(f["final"]["means"]), "means");
  ExpectClose(FlatMatrix(model.emissions().components().variances()), FlatJson(f["final"]["covars"]),
              "covars");
}

TEST(HmmlearnParity, GmmSpherical) {
  const json f = LoadFixture("hmmlearn_gmm_spherical");
  const Data data = DataFrom(f);
  const RowMatrix means = StateMajor(f["init"]["means"]);
  const Vector variances = Eigen::Map<const Vector>(FlatJson(f["init"]["covars"]).data(),
                                                    means.rows());
  HiddenMarkovModel<GaussianMixtureEmissionSpherical> model(
      InitialChain(f),
      GaussianMixtureEmissionSpherical(
          MatrixFrom(f["init"]["weights"]),
          GaussianSpherical(means,
                            GaussianSpherical::SphericalVariances(
                                variances, static_cast<int>(means.cols())),
                            NoRegularisation())));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().weights()), FlatJson(f["final"]["weights"]), "weights");
  ExpectClose(FlatMatrix(model.emissions().components().means()), FlatJson(f["final"]["means"]), "means");
  ExpectClose(FlatMatrix(model.emissions().components().variances().col(0).transpose()),
              FlatJson(f["final"]["covars"]), "covars");
}

TEST(HmmlearnParity, GmmFull) {
  const json f = LoadFixture("hmmlearn_gmm_full");
  const Data data = DataFrom(f);
  std::vector<Eigen::MatrixXd> covariances;
  for (const json& state : f["init"]["covars"]) {
    for (const json& c : state) covariances.push_back(MatrixFrom(c));
  }
  HiddenMarkovModel<GaussianMixtureEmissionFull> model(
      InitialChain(f),
      GaussianMixtureEmissionFull(MatrixFrom(f["init"]["weights"]),
                                  GaussianFull(StateMajor(f["init"]["means"]), covariances,
                                               NoRegularisation())));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().weights()), FlatJson(f["final"]["weights"]), "weights");
  ExpectClose(FlatMatrix(model.emissions().components().means()), FlatJson(f["final"]["means"]), "means");
  std::vector<double> ours;
  for (const Eigen::MatrixXd& c : model.emissions().components().covariances()) {
    const RowMatrix r = c;
    const std::vector<double> flat = FlatMatrix(r);
    ours.insert(ours.end(), flat.begin(), flat.end());
  }
  ExpectClose(ours, FlatJson(f["final"]["covars"]), "covars");
}

// hmmlearn's GMMHMM "tied": one covariance per state, shared by its M
// components (GaussianGroupTied with one group per state).
TEST(HmmlearnParity, GmmTied) {
  const json f = LoadFixture("hmmlearn_gmm_tied");
  const Data data = DataFrom(f);
  const RowMatrix means = StateMajor(f["init"]["means"]);
  const Eigen::Index m = means.rows() / static_cast<Eigen::Index>(f["init"]["covars"].size());
  std::vector<GaussianTied> groups;
  for (std::size_t k = 0; k < f["init"]["covars"].size(); ++k) {
    groups.emplace_back(means.middleRows(static_cast<Eigen::Index>(k) * m, m),
                        MatrixFrom(f["init"]["covars"][k]), NoRegularisation());
  }
  HiddenMarkovModel<GaussianMixtureEmissionTied> model(
      InitialChain(f), GaussianMixtureEmissionTied(MatrixFrom(f["init"]["weights"]),
                                                   GaussianGroupTied(std::move(groups))));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().weights()), FlatJson(f["final"]["weights"]), "weights");
  ExpectClose(FlatMatrix(model.emissions().components().means()), FlatJson(f["final"]["means"]), "means");
  std::vector<double> ours;
  for (const GaussianTied& group : model.emissions().components().groups()) {
    const RowMatrix r = group.covariance();
    const std::vector<double> flat = FlatMatrix(r);
    ours.insert(ours.end(), flat.begin(), flat.end());
  }
  ExpectClose(ours, FlatJson(f["final"]["covars"]), "covars");
}

TEST(HmmlearnParity, Categorical) {
  const json f = LoadFixture("hmmlearn_categorical");
  const Data data = DataFrom(f);
  CategoricalOptions options;
  options.layout = CategoricalLayout::kSymbols;
  options.pseudo_count = 0.0;  // hmmlearn's emissionprob_prior = 1 adds nothing
  HiddenMarkovModel<Categorical> model(
      InitialChain(f), Categorical(MatrixFrom(f["init"]["emissionprob"]), options));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().probabilities()), FlatJson(f["final"]["emissionprob"]),
              "emissionprob");
}

TEST(HmmlearnParity, Poisson) {
  const json f = LoadFixture("hmmlearn_poisson");
  const Data data = DataFrom(f);
  PoissonOptions options;
  options.min_rate = 0.0;  // hmmlearn's lambdas_prior = lambdas_weight = 0
  HiddenMarkovModel<Poisson> model(InitialChain(f),
                                   Poisson(MatrixFrom(f["init"]["lambdas"]), options));
  model = FitAndCheckCommon(f, data, model);
  ExpectClose(FlatMatrix(model.emissions().rates()), FlatJson(f["final"]["lambdas"]), "lambdas");
}

// Non-neutral priors: hmmlearn's M-steps max(prior - 1 + counts, 0),
// normalised, for the chain and the categorical emissions.
TEST(HmmlearnParity, CategoricalWithDirichletPriors) {
  const json f = LoadFixture("hmmlearn_categorical_priors");
  const Data data = DataFrom(f);
  CategoricalOptions options;
  options.layout = CategoricalLayout::kSymbols;
  options.pseudo_count = 0.0;
  options.dirichlet_prior = MatrixFrom(f["priors"]["emissionprob_prior"]);
  HiddenMarkovModel<Categorical> model(
      InitialChain(f), Categorical(MatrixFrom(f["init"]["emissionprob"]), options));
  ChainPriors priors;
  priors.start = VectorFrom(f["priors"]["startprob_prior"]);
  priors.transitions = MatrixFrom(f["priors"]["transmat_prior"]);
  model.set_chain_priors(priors);
  model = FitAndCheckCommon(f, data, model, /*maximum_likelihood=*/false);
  ExpectClose(FlatMatrix(model.emissions().probabilities()), FlatJson(f["final"]["emissionprob"]),
              "emissionprob");
}

// The Gamma prior of the rates, (prior + sum p x) / (weight + sum p); one
// state, where hmmlearn's formula is the same (see the fixture script).
TEST(HmmlearnParity, PoissonWithGammaPrior) {
  const json f = LoadFixture("hmmlearn_poisson_priors");
  const Data data = DataFrom(f);
  PoissonOptions options;
  options.min_rate = 0.0;
  const Eigen::Index d = data.x.cols();
  options.prior_sums = RowMatrix::Constant(1, d, f["priors"]["lambdas_prior"].get<double>());
  options.prior_weights = RowMatrix::Constant(1, d, f["priors"]["lambdas_weight"].get<double>());
  HiddenMarkovModel<Poisson> model(InitialChain(f),
                                   Poisson(MatrixFrom(f["init"]["lambdas"]), options));
  ChainPriors priors;
  priors.start = Vector::Constant(1, f["priors"]["startprob_prior"].get<double>());
  priors.transitions =
      RowMatrix::Constant(1, 1, f["priors"]["transmat_prior"].get<double>());
  model.set_chain_priors(priors);
  model = FitAndCheckCommon(f, data, model, /*maximum_likelihood=*/false);
  ExpectClose(FlatMatrix(model.emissions().rates()), FlatJson(f["final"]["lambdas"]), "lambdas");
}

}  // namespace
}  // namespace emkit
