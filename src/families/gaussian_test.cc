// Laws of the Gaussian families, checked against direct computation:
// Q from statistics equals the weighted sum of log-densities, statistics
// merge additively, and the M-step maximises Q.
#include <vector>

#include <Eigen/LU>

#include <gtest/gtest.h>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/random.h"

namespace emkit {
namespace {

constexpr int kK = 3;
constexpr int kD = 3;

RowMatrix RandomData(int n, std::uint64_t seed, double offset) {
  Rng rng(seed);
  RowMatrix x(n, kD);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < kD; ++j) x(i, j) = offset + 2.0 * StandardNormal(rng) + (i % kK);
  }
  return x;
}

RowMatrix RandomWeights(int n, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix w(n, kK);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < kK; ++k) w(i, k) = UniformDouble(rng);
  }
  return w;
}

RowMatrix RandomMeans(std::uint64_t seed, double offset) {
  Rng rng(seed);
  RowMatrix m(kK, kD);
  for (int k = 0; k < kK; ++k) {
    for (int j = 0; j < kD; ++j) m(k, j) = offset + StandardNormal(rng);
  }
  return m;
}

Eigen::MatrixXd RandomSpd(Rng& rng) {
  Eigen::MatrixXd a(kD, kD);
  for (int r = 0; r < kD; ++r) {
    for (int c = 0; c < kD; ++c) a(r, c) = StandardNormal(rng);
  }
  return a * a.transpose() + Eigen::MatrixXd::Identity(kD, kD);
}

// One family of each kind with random parameters.
GaussianFull MakeFull(std::uint64_t seed, double offset) {
  Rng rng(seed);
  std::vector<Eigen::MatrixXd> covs;
  for (int k = 0; k < kK; ++k) covs.push_back(RandomSpd(rng));
  return GaussianFull(RandomMeans(seed, offset), covs, {});
}
GaussianTied MakeTied(std::uint64_t seed, double offset) {
  Rng rng(seed);
  return GaussianTied(RandomMeans(seed, offset), RandomSpd(rng), {});
}
GaussianDiag MakeDiag(std::uint64_t seed, double offset) {
  Rng rng(seed);
  RowMatrix v(kK, kD);
  for (int k = 0; k < kK; ++k) {
    for (int j = 0; j < kD; ++j) v(k, j) = 0.5 + UniformDouble(rng);
  }
  return GaussianDiag(RandomMeans(seed, offset), v, {});
}
GaussianSpherical MakeSpherical(std::uint64_t seed, double offset) {
  Rng rng(seed);
  Vector v(kK);
  for (int k = 0; k < kK; ++k) v[k] = 0.5 + UniformDouble(rng);
  return GaussianSpherical(RandomMeans(seed, offset), GaussianSpherical::SphericalVariances(v, kD),
                           {});
}

template <class Family>
class GaussianFamilyTest : public ::testing::Test {
 protected:
  static Family Make(std::uint64_t seed, double offset = 0.0);
};
template <>
GaussianFull GaussianFamilyTest<GaussianFull>::Make(std::uint64_t s, double o) { return MakeFull(s, o); }
template <>
GaussianTied GaussianFamilyTest<GaussianTied>::Make(std::uint64_t s, double o) { return MakeTied(s, o); }
template <>
GaussianDiag GaussianFamilyTest<GaussianDiag>::Make(std::uint64_t s, double o) { return MakeDiag(s, o); }
template <>
GaussianSpherical GaussianFamilyTest<GaussianSpherical>::Make(std::uint64_t s, double o) {
  return MakeSpherical(s, o);
}

using Families = ::testing::Types<GaussianFull, GaussianTied, GaussianDiag, GaussianSpherical>;
TYPED_TEST_SUITE(GaussianFamilyTest, Families);

// sum_ik w_ik log p(x_i | k; theta) computed from the log-densities.
template <class Family>
double DirectExpectedLogLikelihood(const Family& f, const RowMatrix& x, const RowMatrix& w) {
  RowMatrix logp(x.rows(), kK);
  f.LogProbabilities(ViewOf(x), logp);
  return (logp.array() * w.array()).sum();
}

TYPED_TEST(GaussianFamilyTest, ExpectedLogLikelihoodFromStatisticsMatchesDirectSum) {
  for (double offset : {0.0, 1e4}) {
    const RowMatrix x = RandomData(300, 1, offset);
    const RowMatrix w = RandomWeights(300, 2);
    const TypeParam old_params = this->Make(3, offset);  // computes the statistics
    const TypeParam new_params = this->Make(4, offset);  // evaluated at
    auto stats = old_params.NewStatistics();
    old_params.Accumulate(ViewOf(x), w, &stats);
    const double direct = DirectExpectedLogLikelihood(new_params, x, w);
    EXPECT_NEAR(new_params.ExpectedLogLikelihood(stats), direct, 1e-9 * std::abs(direct))
        << "offset " << offset;
  }
}

TYPED_TEST(GaussianFamilyTest, StatisticsMergeAdditively) {
  const RowMatrix x = RandomData(200, 5, 0.0);
  const RowMatrix w = RandomWeights(200, 6);
  const TypeParam f = this->Make(7);
  auto whole = f.NewStatistics();
  f.Accumulate(ViewOf(x), w, &whole);
  auto head = f.NewStatistics();
  auto tail = f.NewStatistics();
  f.Accumulate(MatrixView(x.data(), 77, kD), w.topRows(77), &head);
  f.Accumulate(MatrixView(x.data() + 77 * kD, 123, kD), w.bottomRows(123), &tail);
  head.Merge(tail);
  const TypeParam from_whole = f.Maximize(whole, nullptr);
  const TypeParam from_parts = f.Maximize(head, nullptr);
  EXPECT_LT((from_whole.means() - from_parts.means()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(from_whole.ExpectedLogLikelihood(whole), from_parts.ExpectedLogLikelihood(head),
              1e-9 * std::abs(from_whole.ExpectedLogLikelihood(whole)));
  // Zeroing returns to the empty statistics.
  head.SetZero();
  EXPECT_EQ(head.counts.sum(), 0.0);
}

TYPED_TEST(GaussianFamilyTest, MaximizeIncreasesQOverPerturbedParameters) {
  const RowMatrix x = RandomData(400, 8, 0.0);
  const RowMatrix w = RandomWeights(400, 9);
  const TypeParam f = this->Make(10);
  auto stats = f.NewStatistics();
  f.Accumulate(ViewOf(x), w, &stats);
  const TypeParam best = f.Maximize(stats, nullptr);
  const double q_best = best.ExpectedLogLikelihood(stats);
  // Any other parameters (the starting ones, random ones) score lower.
  EXPECT_GT(q_best, f.ExpectedLogLikelihood(stats));
  for (std::uint64_t seed = 20; seed < 25; ++seed) {
    EXPECT_GT(q_best, this->Make(seed).ExpectedLogLikelihood(stats));
  }
}

TYPED_TEST(GaussianFamilyTest, NeverProducesNanForAnEmptyComponent) {
  const RowMatrix x = RandomData(50, 11, 0.0);
  RowMatrix w = RandomWeights(50, 12);
  w.col(1).setZero();  // component 1 gets nothing
  const TypeParam f = this->Make(13);
  auto stats = f.NewStatistics();
  f.Accumulate(ViewOf(x), w, &stats);
  RepairCounts repairs;
  const TypeParam next = f.Maximize(stats, &repairs);
  EXPECT_TRUE(next.means().allFinite());
  EXPECT_EQ(repairs.collapsed_components, 1);
  EXPECT_TRUE(next.means().row(1) == f.means().row(1));  // kept, not invented
  RowMatrix logp(50, kK);
  next.LogProbabilities(ViewOf(x), logp);
  EXPECT_TRUE(logp.allFinite());
}

TEST(GaussianCommonTest, RegularizesASingularCovarianceAndCountsIt) {
  Eigen::MatrixXd singular(2, 2);
  singular << 1.0, 1.0, 1.0, 1.0;  // rank 1
  Eigen::MatrixXd w;
  double log_det = 0.0;
  RepairCounts repairs;
  ASSERT_TRUE(PrecisionCholeskyFromCovariance(&singular, &w, &log_det, &repairs));
  EXPECT_EQ(repairs.regularized_covariances, 1);
  EXPECT_TRUE(w.allFinite());
  EXPECT_GT(singular.determinant(), 0.0);
  // W W^T is the inverse of the (loaded) covariance.
  EXPECT_LT(((w * w.transpose()) * singular - Eigen::MatrixXd::Identity(2, 2)).norm(), 1e-6);
}

TEST(GaussianCommonTest, RejectsANonPositiveDefinitePrecision) {
  Eigen::MatrixXd p(2, 2);
  p << 1.0, 2.0, 2.0, 1.0;
  EXPECT_THROW(GaussianFull::FromPrecisions(RowMatrix::Zero(1, 2), {p}, {}),
               std::invalid_argument);
}

}  // namespace
}  // namespace emkit
