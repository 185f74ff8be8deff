// The one place that maps a family named on the command line to the
// library's fitting function (from the model registry), and the visitors
// that hand a loaded model to the mixture or the HMM commands.
#ifndef EMKIT_CLI_MODEL_KINDS_H_
#define EMKIT_CLI_MODEL_KINDS_H_

#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "emkit/discrete_mixture.h"
#include "emkit/family_fit.h"
#include "emkit/error.h"
#include "emkit/fit.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/io/model_file.h"
#include "emkit/io/row_stream.h"
#include "emkit/online_fit.h"
#include "emkit/row_blocks.h"
#include "emkit/stream_fit.h"
#include "family_options.h"

namespace emkit::cli {

// A typed fit's result as the command's one model type, for writing.
template <class Model>
Fitted<io::AnyModel> Erase(Fitted<Model> fitted) {
  return {io::AnyModel(std::move(fitted.model)), std::move(fitted.report)};
}

// The family named by --model: one of the registry's mixture families
// (emkit/model_registry.h); else InvalidOptionError listing them.
std::string ParseMixtureFamily(const std::string& name);

// Whether `family` is fitted by the Gaussian mixture path (covariance
// structures, --init-model) rather than the generic one.
bool HasCovarianceStructures(const std::string& family);

// What a mixture fit needs besides the data.
struct MixtureFitSpec {
  std::string family = "gaussian";
  GaussianMixtureOptions gaussian;  // the Gaussians' (reg_covar included)
  MixtureOptions mixture;           // every other family's
  const FamilyOptionFlags* family_options = nullptr;  // every other family's own
  const GaussianMixtureModel* init_model = nullptr;   // Gaussian only
};

// Checks the options of spec.family (from spec.family_options) before any
// data is read: InvalidOptionError naming the flag.
void ValidateFamilyOptions(const MixtureFitSpec& spec);

// On float32 rows the data stay float32 (emkit/mixture.h, Mixture<F, float>).
template <DataScalar Scalar>
[[nodiscard]] Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions& fit_options,
                                                      const MixtureFitSpec& spec,
                                                      const MatrixViewOf<Scalar>& x);

// The same on rows streamed from a file (emkit/stream_fit.h), to the
// same bits.
template <DataScalar Scalar>
[[nodiscard]] Fitted<io::AnyModel> FitMixtureOfFamily(const FitOptions& fit_options,
                                                      const MixtureFitSpec& spec,
                                                      const io::RowStream<Scalar>& x);

// An online fit (emkit/online_fit.h) of num_rows rows read by `read_rows`,
// started as the batch fit starts, on the first mini-batch alone
// (model_kinds_online.cc).
template <DataScalar Scalar>
[[nodiscard]] Fitted<io::AnyModel> FitMixtureOnline(const FitOptions& fit_options,
                                                    const MixtureFitSpec& spec,
                                                    const OnlineFitOptions& online,
                                                    std::int64_t num_rows,
                                                    std::int64_t num_columns,
                                                    const ReadRowRange<Scalar>& read_rows);

// Checks the rows against the family's rules (a Bernoulli value other than 0
// or 1, a negative count): InvalidDataError "PATH: X[i, j] = ...".
template <class Family>
void ValidateFamilyData(const Family& family, const MatrixView& x, const std::string& path) {
  if constexpr (requires { family.ValidateData(x); }) {
    try {
      family.ValidateData(x);
    } catch (const InvalidDataError& e) {
      throw InvalidDataError(fmt::format("{}: {}", path == "-" ? "<stdin>" : path, e.what()));
    }
  }
}

// ValidateFamilyData for one block of streamed rows: the row in the message
// is that of the file.
template <class Family>
void ValidateFamilyBlock(const Family& family, const RowBlock<double>& block,
                         const std::string& path) {
  if constexpr (requires { family.ValidateData(block.rows); }) {
    try {
      family.ValidateData(block.rows);
    } catch (const InvalidDataError& e) {
      throw InvalidDataError(fmt::format("{}: {}", path == "-" ? "<stdin>" : path,
                                         internal::MessageWithRowOffset(e.what(),
                                                                        block.first_row)));
    }
  }
}

// Calls f with the concrete mixture in `model` (every f must return the same
// type); an HMM is an InvalidOptionError that points to `emkit hmm`.
template <class F>
auto VisitMixture(const io::AnyModel& model, const std::string& path, F&& f) {
  using R = decltype(f(std::declval<const BernoulliMixture&>()));
  return VisitModel(model, [&](const auto& m) -> R {
    if constexpr (kIsMixture<std::decay_t<decltype(m)>>) {
      return f(m);
    } else {
      throw InvalidOptionError(fmt::format(
          "{} holds a hidden Markov model; use emkit hmm decode, score or sample", path));
    }
  });
}

// Calls f with the concrete HMM in `model`; a mixture is an
// InvalidOptionError that points to the mixture commands.
template <class F>
auto VisitHmm(const io::AnyModel& model, const std::string& path, F&& f) {
  using R = decltype(f(std::declval<const io::CategoricalHmm&>()));
  return VisitModel(model, [&](const auto& m) -> R {
    if constexpr (kIsHmm<std::decay_t<decltype(m)>>) {
      return f(m);
    } else {
      throw InvalidOptionError(fmt::format(
          "{} holds a {}, not a hidden Markov model; use emkit predict, score "
          "or sample", path, io::ModelKindName(model)));
    }
  });
}

}  // namespace emkit::cli

#endif  // EMKIT_CLI_MODEL_KINDS_H_
