// The scalar type of the rows as a template parameter (emkit/mixture.h,
// emkit/mixture_fit.h): a family without float kernels fitted on float32
// rows is, bit for bit, the float64 fit of the same values (each block is
// widened exactly); a Gaussian one runs its float kernels and agrees with
// the float64 fit within float's resolution; both start from the float64
// fit's parameters.
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/family_fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/io/model_file.h"
#include "emkit/mixture.h"
#include "emkit/mixture_fit.h"
#include "emkit/model_registry.h"
#include "emkit/random.h"

namespace emkit {
namespace {

static_assert(Mixture<GaussianFull, float>::kFloatKernel);
static_assert(Mixture<GaussianDiag, float>::kFloatKernel);
static_assert(!Mixture<GaussianFull>::kFloatKernel);
static_assert(!Mixture<Bernoulli, float>::kFloatKernel);
static_assert(!Mixture<VonMisesFisher, float>::kFloatKernel);
static_assert(EmModel<Mixture<Poisson, float>> && EmModel<Mixture<GaussianTied, float>>);

// Rows of two groups for each family, exactly representable in float.
RowMatrix BernoulliRows(Rng& rng) {
  RowMatrix x(300, 5);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      x(i, j) = UniformDouble(rng) < (i % 2 == 0 ? 0.8 : 0.2) ? 1.0 : 0.0;
    }
  }
  return x;
}

RowMatrix CountRows(Rng& rng) {
  RowMatrix x(300, 4);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      x(i, j) = std::floor(UniformDouble(rng) * (i % 2 == 0 ? 3.0 : 12.0));
    }
  }
  return x;
}

// Unit rows: float32 rounding leaves their norms within 1e-7 of 1.
RowMatrix DirectionRows(Rng& rng) {
  RowMatrix x(300, 3);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      x(i, j) = (j == i % 2 ? 4.0 : 0.0) + UniformDouble(rng) - 0.5;
    }
    x.row(i).normalize();
  }
  return x;
}

template <class F>
void ExpectFloatFitIsTheWidenedFit(const RowMatrix& values, const typename F::Options& options) {
  const RowMatrixF x32 = values.cast<float>();
  const RowMatrix x64 = x32.cast<double>();
  std::vector<double> weights(x64.rows());
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 0.5 + (i % 3);
  FitOptions fit_options;
  fit_options.n_init = 2;
  fit_options.seed = 4;
  fit_options.block_rows = 64;
  MixtureOptions mixture;
  mixture.n_components = 2;
  for (const double* w : std::vector<const double*>{nullptr, weights.data()}) {
    const Fitted<Mixture<F>> wide =
        FitMixtureOfFamily<F>(fit_options, mixture, options, ViewOf(x64), w);
    const Fitted<Mixture<F>> narrow =
        FitMixtureOfFamily<F>(fit_options, mixture, options, ViewOf(x32), w);
    ASSERT_TRUE(wide.report.IsUsable()) << wide.report.FullReport();
    EXPECT_EQ(io::AnyModelToJson(ToAnyModel(narrow.model), {}),
              io::AnyModelToJson(ToAnyModel(wide.model), {}));
    EXPECT_EQ(narrow.report.total_log_likelihood, wide.report.total_log_likelihood);
    EXPECT_EQ(narrow.report.n_iter, wide.report.n_iter);

    // Scoring float rows is scoring the widened rows.
    const Mixture<F, float> on_float(narrow.model);
    EXPECT_EQ(on_float.ScoreSamples(ViewOf(x32)), wide.model.ScoreSamples(ViewOf(x64)));
    EXPECT_EQ(on_float.PredictProba(ViewOf(x32)), wide.model.PredictProba(ViewOf(x64)));
    EXPECT_EQ(on_float.Predict(ViewOf(x32)), wide.model.Predict(ViewOf(x64)));
  }
}

TEST(MixtureScalarTest, BernoulliOnFloatRowsIsTheWidenedFit) {
  Rng rng(1);
  ExpectFloatFitIsTheWidenedFit<Bernoulli>(BernoulliRows(rng), BernoulliOptions{});
}

TEST(MixtureScalarTest, PoissonOnFloatRowsIsTheWidenedFit) {
  Rng rng(2);
  ExpectFloatFitIsTheWidenedFit<Poisson>(CountRows(rng), PoissonOptions{});
}

TEST(MixtureScalarTest, CategoricalCountsOnFloatRowsAreTheWidenedFit) {
  Rng rng(3);
  ExpectFloatFitIsTheWidenedFit<Categorical>(CountRows(rng), CategoricalOptions{});
}

TEST(MixtureScalarTest, VonMisesFisherOnFloatRowsIsTheWidenedFit) {
  Rng rng(4);
  ExpectFloatFitIsTheWidenedFit<VonMisesFisher>(DirectionRows(rng), VonMisesFisherOptions{});
}

TEST(MixtureScalarTest, FloatRowsOfABadValueNameTheElement) {
  Rng rng(5);
  RowMatrixF x = BernoulliRows(rng).cast<float>();
  x(17, 3) = 0.5f;
  MixtureOptions mixture;
  mixture.n_components = 2;
  try {
    (void)FitMixtureOfFamily<Bernoulli>(FitOptions{}, mixture, BernoulliOptions{}, ViewOf(x),
                                        nullptr);
    FAIL() << "a value other than 0 or 1 was accepted";
  } catch (const InvalidDataError& e) {
    EXPECT_NE(std::string(e.what()).find("X[17, 3]"), std::string::npos) << e.what();
  }
}

TEST(MixtureScalarTest, ConversionKeepsTheParameters) {
  Rng rng(6);
  const RowMatrix x = CountRows(rng);
  MixtureOptions mixture;
  mixture.n_components = 2;
  const Fitted<Mixture<Poisson>> fitted =
      FitMixtureOfFamily<Poisson>(FitOptions{}, mixture, PoissonOptions{}, ViewOf(x), nullptr);
  const Mixture<Poisson, float> narrow(fitted.model);
  const Mixture<Poisson> back(narrow);
  EXPECT_EQ(back.weights(), fitted.model.weights());
  EXPECT_EQ(back.components().rates(), fitted.model.components().rates());
}

}  // namespace
}  // namespace emkit
