// The full and tied kernels for D > 4 (whitened distances, transposed
// tiles, block moments, their float32 versions) against the formulas
// computed directly, one row and one component at a time: every width of a residual group (D = 5 to 40),
// row counts that do and do not fill a SIMD tile or a chunk, component
// counts on both sides of a tile, upper factors (from covariances) and
// lower ones (from precisions), data near the origin and offset by 1e4, and
// a block with a row far from everything (the exact fallback).
#include <cmath>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <gtest/gtest.h>

#include "emkit/constants.h"
#include "emkit/families/gaussian_float32.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/random.h"

namespace emkit {
namespace {

RowMatrix Data(int n, int d, int k_count, double offset, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) {
      x(i, j) = offset + 2.0 * (i % k_count) + StandardNormal(rng);
    }
  }
  return x;
}

RowMatrix Means(int d, int k_count, double offset, Rng& rng) {
  RowMatrix m(k_count, d);
  for (int k = 0; k < k_count; ++k) {
    for (int j = 0; j < d; ++j) m(k, j) = offset + 2.0 * k + 0.3 * StandardNormal(rng);
  }
  return m;
}

Eigen::MatrixXd Spd(int d, Rng& rng) {
  Eigen::MatrixXd a(d, d);
  for (int r = 0; r < d; ++r) {
    for (int c = 0; c < d; ++c) a(r, c) = 0.4 * StandardNormal(rng);
  }
  return a * a.transpose() + Eigen::MatrixXd::Identity(d, d);
}

RowMatrix Weights(int n, int k_count, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix w(n, k_count);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < k_count; ++k) w(i, k) = UniformDouble(rng);
  }
  w.col(k_count - 1).setZero();  // an empty component is skipped
  return w;
}

// log N(x_i | mu_k, Sigma_k), from the factor, one row at a time.
RowMatrix DirectLogDensities(const GaussianFull& g, const RowMatrix& x) {
  RowMatrix out(x.rows(), g.num_components());
  const int d = g.num_features();
  for (int k = 0; k < g.num_components(); ++k) {
    const Eigen::MatrixXd& w = g.precision_cholesky()[k];
    const double log_det = w.diagonal().array().log().sum();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const Eigen::RowVectorXd y = (x.row(i) - g.means().row(k)) * w;
      out(i, k) = -0.5 * y.squaredNorm() + log_det - 0.5 * d * kLog2Pi;
    }
  }
  return out;
}

void ExpectLogDensitiesMatch(const GaussianFull& g, const RowMatrix& x) {
  RowMatrix fast(x.rows(), g.num_components());
  g.LogProbabilities(ViewOf(x), fast);
  const RowMatrix direct = DirectLogDensities(g, x);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (int k = 0; k < g.num_components(); ++k) {
      EXPECT_LT(std::abs(fast(i, k) - direct(i, k)), 1e-12 * (1.0 + std::abs(direct(i, k))))
          << "D " << x.cols() << ", n " << x.rows() << ", K " << g.num_components()
          << ", row " << i << ", component " << k;
    }
  }
}

TEST(GaussianFullKernelsTest, LogDensitiesMatchTheDirectFormula) {
  Rng rng(1);
  for (int d : {5, 8, 9, 15, 16, 17, 31, 40}) {
    for (int k_count : {3, 9}) {
      for (double offset : {0.0, 1e4}) {
        std::vector<Eigen::MatrixXd> covariances;
        std::vector<Eigen::MatrixXd> precisions;
        for (int k = 0; k < k_count; ++k) {
          covariances.push_back(Spd(d, rng));
          precisions.push_back(covariances.back().inverse());
        }
        const GaussianFull upper(Means(d, k_count, offset, rng), covariances, {});
        const GaussianFull lower =
            GaussianFull::FromPrecisions(Means(d, k_count, offset, rng), precisions, {});
        for (int n : {1, 7, 8, 133, 300}) {
          const RowMatrix x = Data(n, d, k_count, offset, 100 + n);
          ExpectLogDensitiesMatch(upper, x);
          ExpectLogDensitiesMatch(lower, x);
        }
      }
    }
  }
}

TEST(GaussianFullKernelsTest, AFarComponentIsComputedExactly) {
  // One component 1e9 standard deviations from the others, and rows near
  // it: their residuals about the reference point cancel to O(1), the
  // block fails the rounding bound, and every row still gets its exact
  // log-density.
  Rng rng(2);
  const int d = 12;
  std::vector<Eigen::MatrixXd> covariances;
  for (int k = 0; k < 4; ++k) covariances.push_back(Spd(d, rng));
  RowMatrix means = Means(d, 4, 0.0, rng);
  means.row(0).array() += 1e9;
  const GaussianFull g(means, covariances, {});
  RowMatrix x = Data(50, d, 4, 0.0, 3);
  for (int i = 0; i < 5; ++i) x.row(i) = means.row(0) + x.row(i + 5) - means.row(1);
  ExpectLogDensitiesMatch(g, x);
}

TEST(GaussianFullKernelsTest, TiedLogDensitiesMatchTheDirectFormula) {
  Rng rng(4);
  for (int d : {6, 16, 21}) {
    const Eigen::MatrixXd covariance = Spd(d, rng);
    const GaussianTied tied(Means(d, 5, 1e4, rng), covariance, {});
    const GaussianFull full(tied.means(), std::vector<Eigen::MatrixXd>(5, covariance), {});
    const RowMatrix x = Data(77, d, 5, 1e4, 5);
    RowMatrix from_tied(77, 5);
    tied.LogProbabilities(ViewOf(x), from_tied);
    const RowMatrix direct = DirectLogDensities(full, x);
    EXPECT_LT((from_tied - direct).cwiseAbs().maxCoeff(),
              1e-12 * (1.0 + direct.cwiseAbs().maxCoeff()));
  }
}

TEST(GaussianFullKernelsTest, BlockMomentsMatchTheDirectFormula) {
  Rng rng(6);
  for (int d : {5, 8, 11, 16, 17, 24}) {
    for (double offset : {0.0, 1e4}) {
      const int k_count = 4;
      std::vector<Eigen::MatrixXd> covariances;
      for (int k = 0; k < k_count; ++k) covariances.push_back(Spd(d, rng));
      const GaussianFull g(Means(d, k_count, offset, rng), covariances, {});
      for (int n : {1, 6, 203}) {
        const RowMatrix x = Data(n, d, k_count, offset, 7 + n);
        const RowMatrix w = Weights(n, k_count, 8 + n);
        GaussianFull::Statistics stats = g.NewStatistics();
        g.Accumulate(ViewOf(x), w, &stats);
        for (int k = 0; k < k_count; ++k) {
          const double count = w.col(k).sum();
          EXPECT_NEAR(stats.counts[k], count, 1e-13 * (1.0 + count));
          if (count == 0.0) {
            EXPECT_TRUE(stats.scatters[k].isZero(0.0));
            continue;
          }
          const Eigen::RowVectorXd mean = (w.col(k).transpose() * x) / count;
          Eigen::MatrixXd scatter = Eigen::MatrixXd::Zero(d, d);
          for (int i = 0; i < n; ++i) {
            const Eigen::RowVectorXd c = x.row(i) - mean;
            scatter += w(i, k) * c.transpose() * c;
          }
          EXPECT_LT((stats.means.row(k) - mean).cwiseAbs().maxCoeff(),
                    1e-13 * (1.0 + std::abs(offset)))
              << "D " << d << ", n " << n;
          const Eigen::MatrixXd lower = stats.scatters[k].triangularView<Eigen::Lower>();
          const Eigen::MatrixXd expected = scatter.triangularView<Eigen::Lower>();
          EXPECT_LT((lower - expected).cwiseAbs().maxCoeff(),
                    1e-11 * (1.0 + expected.cwiseAbs().maxCoeff()))
              << "D " << d << ", n " << n;
        }
      }
    }
  }
}

TEST(GaussianFullKernelsTest, TiedScatterMatchesTheDirectFormula) {
  // The shared scatter sums every component's scatter about its own mean.
  Rng rng(12);
  for (int d : {6, 16, 20}) {
    const int k_count = 4;
    const GaussianTied g(Means(d, k_count, 1e3, rng), Spd(d, rng), {});
    const RowMatrix x = Data(150, d, k_count, 1e3, 13);
    const RowMatrix w = Weights(150, k_count, 14);
    GaussianTied::Statistics stats = g.NewStatistics();
    g.Accumulate(ViewOf(x), w, &stats);
    Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(d, d);
    for (int k = 0; k < k_count; ++k) {
      const double count = w.col(k).sum();
      if (count == 0.0) continue;
      const Eigen::RowVectorXd mean = (w.col(k).transpose() * x) / count;
      for (int i = 0; i < x.rows(); ++i) {
        const Eigen::RowVectorXd c = x.row(i) - mean;
        expected += w(i, k) * c.transpose() * c;
      }
    }
    const Eigen::MatrixXd lower = stats.scatter.triangularView<Eigen::Lower>();
    const Eigen::MatrixXd expected_lower = expected.triangularView<Eigen::Lower>();
    EXPECT_LT((lower - expected_lower).cwiseAbs().maxCoeff(),
              1e-11 * expected.cwiseAbs().maxCoeff())
        << "D " << d;
  }
}

// The float32 kernels of the same shapes against the double ones: the
// log-densities within float rounding, the moments within the float path's
// bound (gaussian_float32.h; the test asks for 1e-5 of the scatter).
TEST(GaussianFullKernelsTest, Float32KernelsAgreeWithTheDoubleOnes) {
  Rng rng(9);
  for (int d : {5, 11, 16, 17, 33}) {
    for (double offset : {0.0, 1e3}) {
      const int k_count = 5;
      std::vector<Eigen::MatrixXd> covariances;
      std::vector<Eigen::MatrixXd> precisions;
      for (int k = 0; k < k_count; ++k) {
        covariances.push_back(Spd(d, rng));
        precisions.push_back(covariances.back().inverse());
      }
      const RowMatrix means = Means(d, k_count, offset, rng);
      for (const GaussianFull& g : {GaussianFull(means, covariances, {}),
                                    GaussianFull::FromPrecisions(means, precisions, {})}) {
        const RowMatrix x = Data(301, d, k_count, offset, 10);
        const RowMatrixF x32 = x.cast<float>();
        const RowMatrix rounded = x32.cast<double>();
        const GaussianFullF kernel(g);
        RowMatrixF out32(x.rows(), k_count);
        RowMatrix out64(x.rows(), k_count);
        kernel.LogProbabilities(g, ViewOf(x32), out32);
        g.LogProbabilities(ViewOf(rounded), out64);
        EXPECT_LT(((out32.cast<double>() - out64).array() / (1.0 + out64.array().abs()))
                      .abs()
                      .maxCoeff(),
                  1e-5)
            << "D " << d;

        const RowMatrix w = Weights(x.rows(), k_count, 11);
        GaussianFull::Statistics s32 = g.NewStatistics();
        GaussianFull::Statistics s64 = g.NewStatistics();
        kernel.Accumulate(g, ViewOf(x32), RowMatrixF(w.cast<float>().transpose()), &s32);
        g.Accumulate(ViewOf(rounded), w.cast<float>().cast<double>(), &s64);
        for (int k = 0; k + 1 < k_count; ++k) {
          EXPECT_LT((s32.means.row(k) - s64.means.row(k)).cwiseAbs().maxCoeff(),
                    1e-5 * (1.0 + std::abs(offset)))
              << "D " << d;
          const Eigen::MatrixXd lower32 = s32.scatters[k].triangularView<Eigen::Lower>();
          const Eigen::MatrixXd lower64 = s64.scatters[k].triangularView<Eigen::Lower>();
          EXPECT_LT((lower32 - lower64).cwiseAbs().maxCoeff(),
                    1e-5 * lower64.cwiseAbs().maxCoeff())
              << "D " << d;
        }
      }
    }
  }
}

}  // namespace
}  // namespace emkit
