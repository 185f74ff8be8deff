// The umbrella header compiles on its own and exposes the whole API: every
// registered family satisfies the family concept, and a mixture fits
// through it alone.
#include "emkit/emkit.h"

#include <gtest/gtest.h>

namespace emkit {
namespace {

static_assert(ComponentFamily<GaussianFull> && ComponentFamily<GaussianDiag> &&
              ComponentFamily<GaussianSpherical> && ComponentFamily<GaussianTied> &&
              ComponentFamily<Bernoulli> && ComponentFamily<Categorical> &&
              ComponentFamily<Poisson> && ComponentFamily<VonMisesFisher>);

TEST(UmbrellaHeaderTest, FitsAPoissonMixtureThroughTheOneInclude) {
  RowMatrix x(8, 1);
  x << 0, 1, 0, 1, 20, 21, 19, 22;
  DiscreteMixtureOptions options;
  options.n_components = 2;
  const Fitted<PoissonMixture> fitted =
      FitPoissonMixture(FitOptions{}, options, PoissonOptions{}, ViewOf(x), nullptr);
  const RowMatrix& rates = fitted.model.components().rates();
  // Closed form: a hard split of two clear groups gives their means.
  EXPECT_NEAR(std::min(rates(0, 0), rates(1, 0)), 0.5, 1e-6);
  EXPECT_NEAR(std::max(rates(0, 0), rates(1, 0)), 20.5, 1e-6);
}

TEST(UmbrellaHeaderTest, FitsFloat32RowsThroughTheOneInclude) {
  RowMatrixF x(8, 1);
  x << 0, 1, 0, 1, 20, 21, 19, 22;
  MixtureOptions options;
  options.n_components = 2;
  const Fitted<Mixture<Poisson>> fitted =
      FitMixtureOfFamily<Poisson>(FitOptions{}, options, PoissonOptions{}, ViewOf(x), nullptr);
  const RowMatrix& rates = fitted.model.components().rates();
  EXPECT_NEAR(std::min(rates(0, 0), rates(1, 0)), 0.5, 1e-6);
  EXPECT_NEAR(std::max(rates(0, 0), rates(1, 0)), 20.5, 1e-6);
  const Mixture<Poisson, float> on_float_rows(fitted.model);
  const RowMatrix wide = x.cast<double>();
  EXPECT_EQ(on_float_rows.Predict(ViewOf(x)), fitted.model.Predict(ViewOf(wide)));
}

}  // namespace
}  // namespace emkit
