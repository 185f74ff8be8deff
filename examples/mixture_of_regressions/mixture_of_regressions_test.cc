// The user-defined model of this example under emkit's model laws
// (emkit/testing/model_laws.h), recovery of the true lines, the closed form
// for K = 1 (ordinary least squares), and the certificate catching an M-step
// that ignores the responsibilities.
#include "mixture_of_regressions.h"

#include <cmath>
#include <memory>
#include <vector>

#include <Eigen/QR>
#include <gtest/gtest.h>

#include "emkit/fit.h"
#include "emkit/testing/model_laws.h"
#include "synthetic_lines.h"

namespace regression_example {
namespace {

// Owns the selected samples so that the laws can build data sets freely.
class OwnedRegressionData {
 public:
  OwnedRegressionData(RowMatrix x, std::vector<double> y, std::vector<double> weights,
                      std::int64_t block_rows)
      : storage_(std::make_unique<Storage>(std::move(x), std::move(y), std::move(weights),
                                           block_rows)) {}
  std::int64_t NumBlocks() const { return storage_->data.NumBlocks(); }
  RegressionBlock GetBlock(std::int64_t b) const { return storage_->data.GetBlock(b); }
  double TotalWeight() const { return storage_->data.TotalWeight(); }

 private:
  struct Storage {
    Storage(RowMatrix x_in, std::vector<double> y_in, std::vector<double> w_in,
            std::int64_t block_rows)
        : x(std::move(x_in)),
          y(std::move(y_in)),
          w(std::move(w_in)),
          data(emkit::ViewOf(x), y.data(), w.empty() ? nullptr : w.data(), block_rows) {}
    RowMatrix x;
    std::vector<double> y;
    std::vector<double> w;
    RegressionData data;
  };
  std::unique_ptr<Storage> storage_;
};

// The laws' data maker over a sample.
auto MakerFor(const LinesSample& sample) {
  return [&sample](const std::vector<std::int64_t>& rows, const std::vector<double>* weights,
                   std::int64_t block_rows) {
    RowMatrix x(static_cast<Eigen::Index>(rows.size()), sample.x.cols());
    std::vector<double> y(rows.size());
    for (std::size_t j = 0; j < rows.size(); ++j) {
      x.row(j) = sample.x.row(rows[j]);
      y[j] = sample.y[rows[j]];
    }
    return OwnedRegressionData(std::move(x), std::move(y),
                               weights ? *weights : std::vector<double>{}, block_rows);
  };
}

std::vector<double> Flatten(const MixtureOfLinearRegressions& m) {
  std::vector<double> out(m.weights().data(), m.weights().data() + m.weights().size());
  for (Eigen::Index k = 0; k < m.coefficients().rows(); ++k) {
    for (Eigen::Index j = 0; j < m.coefficients().cols(); ++j) {
      out.push_back(m.coefficients()(k, j));
    }
  }
  out.insert(out.end(), m.variances().data(), m.variances().data() + m.variances().size());
  return out;
}

MixtureOfLinearRegressions StartAwayFromTruth() {
  RowMatrix coefficients(3, 2);
  coefficients << 0.5, 0.5,
                  1.0, -0.5,
                 -1.0, 0.0;
  return MixtureOfLinearRegressions(Vector::Constant(3, 1.0 / 3), coefficients,
                                    Vector::Constant(3, 1.0));
}

TEST(MixtureOfRegressions, ObeysTheModelLaws) {
  const LinesSample sample = SampleLines(ThreeLines(), 300, 1);
  emkit::laws::LawOptions<MixtureOfLinearRegressions> options;
  options.parameters = &Flatten;
  options.block_rows = 32;
  // A round trip through the public parameters (what a file would store).
  options.round_trip = [](const MixtureOfLinearRegressions& m) {
    return MixtureOfLinearRegressions(m.weights(), m.coefficients(), m.variances());
  };
  emkit::laws::ExpectModelLaws(StartAwayFromTruth(), MakerFor(sample), 300, options);
}

TEST(MixtureOfRegressions, RecoversTheTrueLines) {
  const LinesTruth truth = ThreeLines();
  const LinesSample sample = SampleLines(truth, 3000, 2);
  const RegressionData data(emkit::ViewOf(sample.x), sample.y.data(), nullptr, 256);
  emkit::FitOptions options;
  options.num_threads = 2;
  options.n_init = 10;
  options.seed = 3;
  const auto fitted = FitMixtureOfRegressions(options, data, 3);
  ASSERT_TRUE(fitted.report.IsUsable()) << fitted.report.FullReport();
  EXPECT_EQ(fitted.report.certificate_violations, 0);
  const MixtureOfLinearRegressions& model = fitted.model;
  // Each true line against its closest fitted line. With ~1000 samples a
  // line, the standard errors are ~0.01 (intercept) and ~0.006 (slope);
  // the bounds are several times that.
  for (int t = 0; t < 3; ++t) {
    Eigen::Index k;
    (model.coefficients().rowwise() - truth.coefficients.row(t))
        .rowwise()
        .squaredNorm()
        .minCoeff(&k);
    EXPECT_NEAR(model.coefficients()(k, 0), truth.coefficients(t, 0), 0.06) << "line " << t;
    EXPECT_NEAR(model.coefficients()(k, 1), truth.coefficients(t, 1), 0.04) << "line " << t;
    EXPECT_NEAR(std::sqrt(model.variances()[k]), truth.noise[t], 0.1 * truth.noise[t]);
    EXPECT_NEAR(model.weights()[k], truth.weights[t], 0.05);
  }
}

TEST(MixtureOfRegressions, OneLineIsOrdinaryLeastSquares) {
  const LinesSample sample = SampleLines(ThreeLines(), 500, 4);
  const RegressionData data(emkit::ViewOf(sample.x), sample.y.data(), nullptr, 64);
  emkit::FitOptions options;
  options.max_iter = 3;
  const auto fitted = FitMixtureOfRegressions(options, data, 1);
  // The closed form, by a QR least-squares solve.
  const Eigen::Map<const Eigen::VectorXd> y(sample.y.data(), 500);
  const Eigen::VectorXd ols = sample.x.colPivHouseholderQr().solve(y);
  EXPECT_NEAR(fitted.model.coefficients()(0, 0), ols[0], 1e-10);
  EXPECT_NEAR(fitted.model.coefficients()(0, 1), ols[1], 1e-10);
  const double rss = (y - sample.x * ols).squaredNorm();
  EXPECT_NEAR(fitted.model.variances()[0], rss / 500, 1e-10 * rss / 500);
}

// The same model with a plausible bug: the M-step fits every line to all
// samples (ordinary least squares) instead of weighting by responsibility.
class UnweightedMStep {
 public:
  using Block = RegressionBlock;
  using Statistics = MixtureOfLinearRegressions::Statistics;
  explicit UnweightedMStep(MixtureOfLinearRegressions inner) : inner_(std::move(inner)) {}
  Statistics NewStatistics() const { return inner_.NewStatistics(); }
  double EStep(const RegressionBlock& block, Statistics* stats) const {
    return inner_.EStep(block, stats);
  }
  UnweightedMStep MStep(const Statistics& stats, emkit::RepairCounts* repairs) const {
    // Pool the components' sums, as if every responsibility were 1.
    Statistics pooled = stats;
    for (int k = 0; k < inner_.num_components(); ++k) {
      pooled.xx[k].setZero();
      pooled.xe.row(k).setZero();
      pooled.ee[k] = 0.0;
      for (int j = 0; j < inner_.num_components(); ++j) {
        const Eigen::VectorXd d = (stats.shift.row(j) - stats.shift.row(k)).transpose();
        // Move component j's residual sums to component k's shift.
        pooled.xx[k] += stats.xx[j];
        pooled.xe.row(k) += stats.xe.row(j) + (stats.xx[j] * d).transpose();
        pooled.ee[k] += stats.ee[j] + 2.0 * d.dot(stats.xe.row(j).transpose()) +
                        d.dot(stats.xx[j] * d);
      }
    }
    MixtureOfLinearRegressions wrong = inner_.MStep(pooled, repairs);
    // Keep the correct mixing weights: only the lines are wrong.
    return UnweightedMStep(MixtureOfLinearRegressions(inner_.MStep(stats, nullptr).weights(),
                                                      wrong.coefficients(), wrong.variances()));
  }
  double ExpectedCompleteLogLikelihood(const Statistics& stats) const {
    return inner_.ExpectedCompleteLogLikelihood(stats);
  }
  std::int64_t NumFreeParameters() const { return inner_.NumFreeParameters(); }

 private:
  MixtureOfLinearRegressions inner_;
};

TEST(MixtureOfRegressions, TheCertificateCatchesAWrongMStep) {
  const LinesTruth truth = ThreeLines();
  const LinesSample sample = SampleLines(truth, 1000, 5);
  const RegressionData data(emkit::ViewOf(sample.x), sample.y.data(), nullptr, 128);
  const MixtureOfLinearRegressions near_truth(truth.weights, truth.coefficients,
                                              truth.noise.array().square().matrix());
  emkit::FitOptions options;
  options.tol = 0.0;
  options.max_iter = 5;
  UnweightedMStep wrong(near_truth);
  const emkit::FitReport bad = emkit::Fit(options, data, &wrong);
  EXPECT_GT(bad.certificate_violations, 0) << bad.FullReport();
  MixtureOfLinearRegressions right = near_truth;
  const emkit::FitReport good = emkit::Fit(options, data, &right);
  EXPECT_EQ(good.certificate_violations, 0) << good.FullReport();
}

}  // namespace
}  // namespace regression_example
