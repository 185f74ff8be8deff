// The small-D log-density kernels against the general kernels (block
// products with their rounding bound, GaussianOptions::small_dimension_kernels
// off for the comparison):
// within rounding of each other for D = 1..4, every covariance type, data
// near the origin and offset by 1e4, and in float against the exact double
// computation.
#include <cmath>
#include <utility>
#include <vector>

#include <Eigen/LU>
#include <gtest/gtest.h>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_float32.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_tied.h"
#include "small_dimension.h"
#include "emkit/random.h"

namespace emkit {
namespace {

constexpr int kK = 5;

// The same parameters with GaussianOptions::small_dimension_kernels off.
GaussianOptions GeneralKernelOptions() {
  GaussianOptions options;
  options.small_dimension_kernels = false;
  return options;
}
GaussianFull WithGeneralKernels(const GaussianFull& g) {
  return GaussianFull::FromStored(g.means(), g.covariances(), g.precision_cholesky(),
                                  GeneralKernelOptions());
}
GaussianTied WithGeneralKernels(const GaussianTied& g) {
  return GaussianTied::FromStored(g.means(), g.covariance(), g.precision_cholesky(),
                                  GeneralKernelOptions());
}
template <bool kSpherical>
GaussianAxisAligned<kSpherical> WithGeneralKernels(const GaussianAxisAligned<kSpherical>& g) {
  return GaussianAxisAligned<kSpherical>(g.means(), g.variances(), GeneralKernelOptions());
}

RowMatrix Data(int n, int d, double offset, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = offset + 3.0 * (i % kK) + StandardNormal(rng);
  }
  return x;
}

RowMatrix Means(int d, double offset, Rng& rng) {
  RowMatrix m(kK, d);
  for (int k = 0; k < kK; ++k) {
    for (int j = 0; j < d; ++j) m(k, j) = offset + 3.0 * k + 0.3 * StandardNormal(rng);
  }
  return m;
}

Eigen::MatrixXd Spd(int d, Rng& rng) {
  Eigen::MatrixXd a(d, d);
  for (int r = 0; r < d; ++r) {
    for (int c = 0; c < d; ++c) a(r, c) = 0.5 * StandardNormal(rng);
  }
  return a * a.transpose() + Eigen::MatrixXd::Identity(d, d);
}

std::vector<GaussianFull> FullFamilies(int d, double offset, Rng& rng) {
  std::vector<Eigen::MatrixXd> covariances;
  std::vector<Eigen::MatrixXd> precisions;
  for (int k = 0; k < kK; ++k) {
    covariances.push_back(Spd(d, rng));
    precisions.push_back(covariances.back().inverse());
  }
  // Upper factors (from covariances) and lower ones (from precisions).
  return {GaussianFull(Means(d, offset, rng), covariances, GaussianOptions{}),
          GaussianFull::FromPrecisions(Means(d, offset, rng), precisions, GaussianOptions{})};
}

template <class Family>
void ExpectWithinRounding(const Family& family, const RowMatrix& x) {
  RowMatrix small(x.rows(), kK);
  RowMatrix general(x.rows(), kK);
  family.LogProbabilities(ViewOf(x), small);
  WithGeneralKernels(family).LogProbabilities(ViewOf(x), general);
  const double scale = 1.0 + general.cwiseAbs().maxCoeff();
  EXPECT_LT((small - general).cwiseAbs().maxCoeff(), 1e-12 * scale);
  // float data through the float32 kernels (small ones too): within float
  // rounding of the exact double values.
  const RowMatrixF xf = x.cast<float>();
  const RowMatrix widened = xf.cast<double>();
  family.LogProbabilities(ViewOf(widened), general);
  RowMatrixF smallf(x.rows(), kK);
  const typename Family::FloatKernel kernel(family);
  kernel.LogProbabilities(family, ViewOf(xf), smallf);
  EXPECT_LT((smallf.cast<double>() - general).cwiseAbs().maxCoeff(), 2e-6 * scale);
}

TEST(SmallDimensionTest, AgreesWithTheGeneralKernels) {
  Rng rng(17);
  for (int d = 1; d <= kMaxSmallDimension; ++d) {
    for (double offset : {0.0, 1e4}) {
      SCOPED_TRACE(testing::Message() << "d=" << d << " offset=" << offset);
      const RowMatrix x = Data(700, d, offset, 3 + d);
      for (const GaussianFull& full : FullFamilies(d, offset, rng)) ExpectWithinRounding(full, x);
      ExpectWithinRounding(GaussianTied(Means(d, offset, rng), Spd(d, rng), GaussianOptions{}), x);
      RowMatrix variances(kK, d);
      for (Eigen::Index i = 0; i < variances.size(); ++i) {
        variances.data()[i] = 0.5 + UniformDouble(rng);
      }
      ExpectWithinRounding(GaussianDiag(Means(d, offset, rng), variances, GaussianOptions{}), x);
      Vector per_component(kK);
      for (int k = 0; k < kK; ++k) per_component[k] = 0.5 + UniformDouble(rng);
      ExpectWithinRounding(
          GaussianSpherical(Means(d, offset, rng),
                            GaussianSpherical::SphericalVariances(per_component, d),
                            GaussianOptions{}),
          x);
    }
  }
}

// The full family's statistics for few features (direct passes) against the
// general path (the rank update), for weights that sum to anything and data
// far from the origin.
TEST(SmallDimensionTest, FullStatisticsAgreeWithTheRankUpdate) {
  Rng rng(23);
  for (int d = 1; d <= kMaxSmallDimension; ++d) {
    for (double offset : {0.0, 1e4}) {
      SCOPED_TRACE(testing::Message() << "d=" << d << " offset=" << offset);
      const RowMatrix x = Data(600, d, offset, 40 + d);
      RowMatrix weights(x.rows(), kK);
      for (Eigen::Index i = 0; i < weights.size(); ++i) {
        weights.data()[i] = UniformDouble(rng);
      }
      weights.col(kK - 1).setZero();  // a component with no weight in this block
      const GaussianFull family = FullFamilies(d, offset, rng).front();
      const GaussianFull general_family = WithGeneralKernels(family);
      GaussianFull::Statistics small = family.NewStatistics();
      GaussianFull::Statistics general = family.NewStatistics();
      // Two blocks, so that pooling is exercised as well.
      const Eigen::Index half = x.rows() / 2;
      for (const auto& [first, rows] : {std::pair<Eigen::Index, Eigen::Index>{0, half},
                                        {half, x.rows() - half}}) {
        const MatrixView block(x.data() + first * d, rows, d);
        family.Accumulate(block, weights.middleRows(first, rows), &small);
        general_family.Accumulate(block, weights.middleRows(first, rows), &general);
      }
      EXPECT_LT((small.counts - general.counts).cwiseAbs().maxCoeff(),
                1e-12 * general.counts.maxCoeff());
      EXPECT_LT((small.means - general.means).cwiseAbs().maxCoeff(), 1e-12 * (1.0 + offset));
      for (int k = 0; k < kK; ++k) {
        const Eigen::MatrixXd a = small.scatters[k].selfadjointView<Eigen::Lower>();
        const Eigen::MatrixXd b = general.scatters[k].selfadjointView<Eigen::Lower>();
        EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-11 * (1.0 + b.cwiseAbs().maxCoeff()))
            << "component " << k;
      }
      EXPECT_EQ(small.counts[kK - 1], 0.0);
    }
  }
}

// A row 1e6 away (where the general kernels fall back to their exact
// formula): the small kernels compute that formula directly.
TEST(SmallDimensionTest, FarRowsStayExact) {
  Rng rng(5);
  RowMatrix x = Data(200, 2, 0.0, 9);
  x(3, 1) = 1e6;
  for (const GaussianFull& full : FullFamilies(2, 0.0, rng)) ExpectWithinRounding(full, x);
}

}  // namespace
}  // namespace emkit
