// HMMs on float32 rows (HiddenMarkovModel<F, float>, internal::FitHmmOnRows):
// each block is widened to double, so every emission family's float32 fit
// is, bit for bit, the float64 fit of the same values; initial models and
// conversions keep every parameter.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/family_fit.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"
#include "emkit/io/model_file.h"
#include "emkit/model_registry.h"
#include "emkit/random.h"

namespace emkit {
namespace {

static_assert(EmModel<HiddenMarkovModel<GaussianDiag, float>>);
static_assert(std::is_same_v<HiddenMarkovModel<Poisson, float>::Block, SequenceBlock<float>>);

const std::vector<std::int64_t> kLengths = {120, 200, 80};

// Two regimes of 40 rows, alternating; the values are rounded to float so
// that the float64 fit sees exactly what the float32 one does.
RowMatrix Regimes(Eigen::Index columns, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(400, columns);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double state = static_cast<double>((i / 40) % 2);
    for (Eigen::Index j = 0; j < columns; ++j) {
      x(i, j) = 3.0 * state * (j % 2 == 0 ? 1.0 : -1.0) + StandardNormal(rng);
    }
  }
  return x.cast<float>().cast<double>();
}

template <class Model>
std::string Text(const Model& model) {
  return io::AnyModelToJson(io::AnyModel(model), {});
}

FitOptions Options() {
  FitOptions fit;
  fit.n_init = 2;
  fit.seed = 9;
  fit.block_rows = 100;
  fit.max_iter = 30;
  return fit;
}

TEST(HmmScalarTest, GaussianHmmOnFloatRowsIsTheWidenedFit) {
  const RowMatrix x64 = Regimes(3, 1);
  const RowMatrixF x32 = x64.cast<float>();
  for (CovarianceType type : {CovarianceType::kDiag, CovarianceType::kFull,
                              CovarianceType::kSpherical, CovarianceType::kTied}) {
    GaussianHmmOptions options;
    options.hmm.n_states = 2;
    options.covariance_type = type;
    const Fitted<GaussianHmmModel> wide = FitGaussianHmm(Options(), options, ViewOf(x64), kLengths);
    const Fitted<GaussianHmmModel> narrow =
        FitGaussianHmm(Options(), options, ViewOf(x32), kLengths);
    ASSERT_TRUE(wide.report.IsUsable()) << wide.report.FullReport();
    EXPECT_EQ(std::visit([](const auto& m) { return Text(m); }, narrow.model),
              std::visit([](const auto& m) { return Text(m); }, wide.model));
    EXPECT_EQ(narrow.report.total_log_likelihood, wide.report.total_log_likelihood);

    // From the fitted model: one more restart, the same on both.
    const Fitted<GaussianHmmModel> again_wide =
        FitGaussianHmm(Options(), options, ViewOf(x64), kLengths, &wide.model);
    const Fitted<GaussianHmmModel> again_narrow =
        FitGaussianHmm(Options(), options, ViewOf(x32), kLengths, &wide.model);
    EXPECT_EQ(again_narrow.report.total_log_likelihood, again_wide.report.total_log_likelihood);
  }
}

TEST(HmmScalarTest, GmmHmmOnFloatRowsIsTheWidenedFit) {
  const RowMatrix x64 = Regimes(2, 2);
  const RowMatrixF x32 = x64.cast<float>();
  GmmHmmOptions options;
  options.hmm.n_states = 2;
  options.n_mix = 2;
  const Fitted<GmmHmmModel> wide = FitGmmHmm(Options(), options, ViewOf(x64), kLengths);
  const Fitted<GmmHmmModel> narrow = FitGmmHmm(Options(), options, ViewOf(x32), kLengths);
  EXPECT_EQ(std::visit([](const auto& m) { return Text(m); }, narrow.model),
            std::visit([](const auto& m) { return Text(m); }, wide.model));
}

TEST(HmmScalarTest, PoissonAndVonMisesFisherHmmsOnFloatRowsAreTheWidenedFits) {
  RowMatrix counts = Regimes(2, 3).array().abs().floor();
  const RowMatrixF counts32 = counts.cast<float>();
  HmmOptions hmm;
  hmm.n_states = 2;
  const Fitted<PoissonHmm> wide =
      FitPoissonHmm(Options(), hmm, PoissonOptions{}, ViewOf(counts), kLengths);
  const Fitted<PoissonHmm> narrow =
      FitPoissonHmm(Options(), hmm, PoissonOptions{}, ViewOf(counts32), kLengths);
  EXPECT_EQ(Text(narrow.model), Text(wide.model));

  RowMatrix directions = Regimes(3, 4);
  directions.rowwise().normalize();
  const RowMatrixF directions32 = directions.cast<float>();
  const RowMatrix widened = directions32.cast<double>();
  const auto vmf_wide = FitHmmOfFamily<VonMisesFisher>(Options(), hmm, VonMisesFisherOptions{},
                                                       ViewOf(widened), kLengths);
  const auto vmf_narrow = FitHmmOfFamily<VonMisesFisher>(
      Options(), hmm, VonMisesFisherOptions{}, ViewOf(directions32), kLengths);
  EXPECT_EQ(Text(vmf_narrow.model), Text(vmf_wide.model));
}

TEST(HmmScalarTest, ConversionKeepsChainEmissionsAndFrozenParts) {
  const RowMatrix counts = Regimes(2, 5).array().abs().floor();
  HmmOptions hmm;
  hmm.n_states = 2;
  hmm.fit.start = false;
  const Fitted<PoissonHmm> fitted =
      FitPoissonHmm(Options(), hmm, PoissonOptions{}, ViewOf(counts), kLengths);
  const HiddenMarkovModel<Poisson, float> narrow(fitted.model);
  const PoissonHmm back(narrow);
  EXPECT_EQ(back.start(), fitted.model.start());
  EXPECT_EQ(back.transitions(), fitted.model.transitions());
  EXPECT_EQ(back.emissions().rates(), fitted.model.emissions().rates());
  EXPECT_FALSE(back.fit_parameters().start);
}

TEST(HmmScalarTest, BadFloatRowsNameTheElement) {
  RowMatrixF x = Regimes(2, 6).array().abs().floor().cast<float>();
  x(33, 1) = -1.0f;
  HmmOptions hmm;
  hmm.n_states = 2;
  try {
    (void)FitPoissonHmm(Options(), hmm, PoissonOptions{}, ViewOf(x), kLengths);
    FAIL() << "a negative count was accepted";
  } catch (const InvalidDataError& e) {
    EXPECT_NE(std::string(e.what()).find("X[33, 1]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace emkit
