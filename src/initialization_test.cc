// The generic initialisation (emkit/initialization.h), against closed forms:
// the maximum-likelihood Poisson rates of a partition are its column means.
#include "emkit/initialization.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/families/poisson.h"
#include "emkit/families/von_mises_fisher.h"

namespace emkit {
namespace {

RowMatrix Counts() {
  RowMatrix x(6, 2);
  x << 0, 1, 1, 0, 2, 1, 10, 12, 11, 9, 12, 10;
  return x;
}

TEST(InitialResponsibilitiesTest, NearestOfAssignsEachRowToItsNearestCentre) {
  const RowMatrix x = Counts();
  const RowBlocks<double> data(ViewOf(x), nullptr, 4);
  RowMatrix centers(2, 2);
  centers << 11, 10, 1, 1;
  const InitialResponsibilities partition = InitialResponsibilities::NearestOf(centers);
  EXPECT_TRUE(partition.hard());
  for (std::int64_t b = 0; b < data.NumBlocks(); ++b) {
    const RowBlock<double> block = data.GetBlock(b);
    RowMatrix r = RowMatrix::Zero(block.rows.rows(), 2);
    partition.Fill(b, block, &r);
    for (Eigen::Index i = 0; i < r.rows(); ++i) {
      const bool high = block.first_row + i >= 3;
      EXPECT_EQ(r(i, 0), high ? 1.0 : 0.0);
      EXPECT_EQ(r(i, 1), high ? 0.0 : 1.0);
    }
  }
}

TEST(InitialResponsibilitiesTest, RandomRowsSumToOneAndDoNotDependOnThreads) {
  const RowMatrix x = Counts();
  const RowBlocks<double> data(ViewOf(x), nullptr, 2);
  Rng rng(7);
  ThreadPool pool(1);
  const InitialResponsibilities random =
      InitialResponsibilities::Draw(InitMethod::kRandom, {}, data, 3, rng, pool);
  EXPECT_FALSE(random.hard());
  const RowBlock<double> block = data.GetBlock(1);
  RowMatrix a = RowMatrix::Zero(2, 3), b = RowMatrix::Zero(2, 3);
  random.Fill(1, block, &a);
  random.Fill(1, block, &b);  // the block's own stream: the same values again
  EXPECT_EQ(a, b);
  for (Eigen::Index i = 0; i < 2; ++i) EXPECT_NEAR(a.row(i).sum(), 1.0, 1e-15);
}

TEST(InitialMixtureTest, LabelsGiveThePartitionsMeansAndWeights) {
  const RowMatrix x = Counts();
  const RowBlocks<double> data(ViewOf(x), nullptr, 4);
  ThreadPool pool(2);
  const Poisson shape(RowMatrix::Ones(2, 2), PoissonOptions{});
  const Mixture<Poisson> mixture = MixtureFromResponsibilities(
      shape, InitialResponsibilities::FromLabels(RowMatrix::Zero(2, 2), {0, 0, 0, 1, 1, 1}),
      data, pool, nullptr);
  EXPECT_NEAR(mixture.components().rates()(0, 0), 1.0, 1e-12);
  EXPECT_NEAR(mixture.components().rates()(0, 1), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(mixture.components().rates()(1, 0), 11.0, 1e-12);
  EXPECT_NEAR(mixture.components().rates()(1, 1), 31.0 / 3.0, 1e-12);
  EXPECT_NEAR(mixture.weights()[0], 0.5, 1e-9);
}

TEST(InitialMixtureTest, AComponentLeftOutKeepsTheWholeDataFit) {
  const RowMatrix x = Counts();
  const RowBlocks<double> data(ViewOf(x), nullptr, 4);
  ThreadPool pool(1);
  const Poisson whole =
      WholeDataComponents(Poisson(RowMatrix::Ones(2, 2), PoissonOptions{}), data, pool);
  EXPECT_NEAR(whole.rates()(1, 0), 36.0 / 6.0, 1e-12);
  EXPECT_NEAR(whole.rates()(1, 1), 33.0 / 6.0, 1e-12);
  const Mixture<Poisson> mixture = MixtureFromResponsibilities(
      whole, InitialResponsibilities::FromLabels(RowMatrix::Zero(2, 2), std::vector<int>(6, 0)),
      data, pool, nullptr);
  EXPECT_NEAR(mixture.components().rates()(1, 0), 6.0, 1e-12);
  EXPECT_LT(mixture.weights()[1], 1e-6);
}

TEST(InitialMixtureTest, TheSameSeedGivesTheSameMixtureForAnyThreadCount) {
  const RowMatrix x = Counts();
  const RowBlocks<double> data(ViewOf(x), nullptr, 2);
  const Poisson shape(RowMatrix::Ones(2, 2), PoissonOptions{});
  for (InitMethod method :
       {InitMethod::kKMeansPlusPlus, InitMethod::kRandom, InitMethod::kRandomFromData}) {
    ThreadPool one(1), two(2);
    const Mixture<Poisson> a =
        InitialMixture(method, {}, shape, data, InitContext{0, 11, &one, nullptr});
    const Mixture<Poisson> b =
        InitialMixture(method, {}, shape, data, InitContext{0, 11, &two, nullptr});
    EXPECT_EQ(a.components().rates(), b.components().rates()) << InitMethodName(method);
    EXPECT_EQ(a.weights(), b.weights());
  }
}

// A family written against the concept alone gets the same start: two
// tight groups of directions on the circle give their mean directions.
TEST(InitialMixtureTest, WorksForAFamilyWithoutHooks) {
  RowMatrix x(6, 2);
  const double a[] = {0.0, 0.05, -0.05, 1.6, 1.65, 1.55};  // angles
  for (int i = 0; i < 6; ++i) x.row(i) << std::cos(a[i]), std::sin(a[i]);
  const RowBlocks<double> data(ViewOf(x), nullptr, 4);
  ThreadPool pool(1);
  const VonMisesFisher shape(RowMatrix::Identity(2, 2), Vector::Ones(2), {});
  const Mixture<VonMisesFisher> mixture =
      InitialMixture(InitMethod::kKMeansPlusPlus, {}, shape, data, InitContext{0, 5, &pool});
  const RowMatrix& mu = mixture.components().mean_directions();
  const int first = mu(0, 0) > mu(1, 0) ? 0 : 1;
  EXPECT_NEAR(mu(first, 0), 1.0, 1e-12);                      // angle 0
  EXPECT_NEAR(mu(1 - first, 0), std::cos(1.6), 1e-12);        // angle 1.6
  EXPECT_NEAR(mixture.weights()[0], 0.5, 1e-9);
}

}  // namespace
}  // namespace emkit
