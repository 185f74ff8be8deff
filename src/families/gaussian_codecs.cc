// The parameter codecs of the Gaussian families (emkit/parameters.h). Saved
// files hold covariances with their precision Cholesky factors, used as
// stored so that a round trip is exact; hand-written ones may give
// "precisions" instead, or covariances alone. Their statistics' codecs
// are here too.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <fmt/format.h>

#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_group_tied.h"
#include "emkit/families/gaussian_mixture_emission.h"
#include "emkit/families/gaussian_tied.h"

namespace emkit {
namespace {

template <class Gaussian>
void EncodeCommon(const Gaussian& family, ParameterWriter& out) {
  out.Text("covariance_type", Gaussian::kCovarianceName);
  out.Integer("n_features", family.num_features());
  out.Number("reg_covar", family.options().reg_covar);
  out.Matrix2("means", family.means());
}

GaussianOptions DecodeOptions(const ParameterReader& in) {
  GaussianOptions options;
  options.reg_covar = in.Number("reg_covar", options.reg_covar);
  return options;
}

// "means" as a rows x D matrix, D from "n_features" or the first row.
RowMatrix DecodeMeans(const ParameterReader& in, Eigen::Index rows) {
  const Eigen::Index d = in.Extent("n_features", "means", 1);
  return in.Matrix2("means", rows, d);
}

// Exactly one of "covariances" and "precisions": the key that is there.
const char* CovarianceOrPrecisionKey(const ParameterReader& in) {
  const bool covariances = in.Has("covariances");
  const bool precisions = in.Has("precisions");
  if (covariances && precisions) {
    in.Fail("give either \"covariances\" or \"precisions\", not both");
  }
  if (!covariances && !precisions) {
    in.Fail("missing key \"covariances\" (or \"precisions\")");
  }
  if (precisions && in.Has("precisions_cholesky")) {
    in.Fail("\"precisions_cholesky\" goes with \"covariances\", not with \"precisions\"");
  }
  return precisions ? "precisions" : "covariances";
}

// The library would load the diagonal of a covariance that is not positive
// definite until it is; a file's covariances are used as written or
// rejected.
void CheckPositiveDefinite(const ParameterReader& in, const Eigen::MatrixXd& covariance,
                           const std::string& where) {
  if (!covariance.isApprox(covariance.transpose()) ||
      Eigen::LLT<Eigen::MatrixXd>(covariance).info() != Eigen::Success) {
    in.Fail(where + " is not a symmetric positive definite matrix");
  }
}

// One tied Gaussian from its covariance or precision, as the keys say.
// `factor` is the stored precision Cholesky factor, or null.
GaussianTied DecodeTied(const ParameterReader& in, RowMatrix means, bool is_precision,
                        Eigen::MatrixXd matrix, const Eigen::MatrixXd* factor,
                        const std::string& where, const GaussianOptions& options) {
  if (is_precision) return GaussianTied::FromPrecision(std::move(means), matrix, options);
  if (factor != nullptr) {
    return GaussianTied::FromStored(std::move(means), std::move(matrix), *factor, options);
  }
  CheckPositiveDefinite(in, matrix, where);
  return GaussianTied(std::move(means), std::move(matrix), options);
}

}  // namespace

// --- Full ---

void GaussianFull::EncodeParameters(ParameterWriter& out) const {
  EncodeCommon(*this, out);
  out.Matrices3("covariances", covariances_);
  out.Matrices3("precisions_cholesky", precision_cholesky_);
}

GaussianFull GaussianFull::DecodeParameters(const ParameterReader& in, Eigen::Index k) {
  const GaussianOptions options = DecodeOptions(in);
  RowMatrix means = DecodeMeans(in, k);
  const Eigen::Index d = means.cols();
  return in.Checked([&] {
    options.Validate();
    const char* key = CovarianceOrPrecisionKey(in);
    std::vector<Eigen::MatrixXd> matrices = in.Matrices3(key, k, d);
    if (std::string(key) == "precisions") {
      return GaussianFull::FromPrecisions(std::move(means), matrices, options);
    }
    if (in.Has("precisions_cholesky")) {
      return GaussianFull::FromStored(std::move(means), std::move(matrices),
                                      in.Matrices3("precisions_cholesky", k, d), options);
    }
    for (std::size_t c = 0; c < matrices.size(); ++c) {
      CheckPositiveDefinite(in, matrices[c], fmt::format("covariances[{}]", c));
    }
    return GaussianFull(std::move(means), std::move(matrices), options);
  });
}

// --- Diagonal and spherical ---

template <bool kSpherical>
void GaussianAxisAligned<kSpherical>::EncodeParameters(ParameterWriter& out) const {
  EncodeCommon(*this, out);
  if constexpr (kSpherical) {
    out.Vector1("covariances", variances_.col(0));
  } else {
    out.Matrix2("covariances", variances_);
  }
}

template <bool kSpherical>
GaussianAxisAligned<kSpherical> GaussianAxisAligned<kSpherical>::DecodeParameters(
    const ParameterReader& in, Eigen::Index k) {
  const GaussianOptions options = DecodeOptions(in);
  RowMatrix means = DecodeMeans(in, k);
  const Eigen::Index d = means.cols();
  return in.Checked([&] {
    options.Validate();
    if (in.Has("precisions_cholesky")) {
      in.Fail(fmt::format("\"precisions_cholesky\" does not apply to covariance_type "
                          "\"{}\" (its precisions are 1 / covariances)",
                          kCovarianceName));
    }
    const char* key = CovarianceOrPrecisionKey(in);
    RowMatrix variances = kSpherical
                              ? SphericalVariances(in.Vector1(key, k), static_cast<int>(d))
                              : in.Matrix2(key, k, d);
    if (std::string(key) == "precisions") {
      for (Eigen::Index c = 0; c < k; ++c) {
        for (Eigen::Index j = 0; j < d; ++j) {
          if (!(variances(c, j) > 0.0)) {
            in.Fail(fmt::format("precisions must be positive, found {} for component {}",
                                variances(c, j), c));
          }
        }
      }
      variances = variances.cwiseInverse();
    }
    return GaussianAxisAligned(std::move(means), std::move(variances), options);
  });
}

// Only the codec's members: the classes are instantiated in
// gaussian_diagonal.cc.
template void GaussianDiag::EncodeParameters(ParameterWriter&) const;
template void GaussianSpherical::EncodeParameters(ParameterWriter&) const;
template GaussianDiag GaussianDiag::DecodeParameters(const ParameterReader&, Eigen::Index);
template GaussianSpherical GaussianSpherical::DecodeParameters(const ParameterReader&,
                                                               Eigen::Index);

// --- Tied ---

void GaussianTied::EncodeParameters(ParameterWriter& out) const {
  EncodeCommon(*this, out);
  out.Matrix2("covariances", covariance_);
  out.Matrix2("precisions_cholesky", precision_cholesky_);
}

GaussianTied GaussianTied::DecodeParameters(const ParameterReader& in, Eigen::Index k) {
  const GaussianOptions options = DecodeOptions(in);
  RowMatrix means = DecodeMeans(in, k);
  const Eigen::Index d = means.cols();
  return in.Checked([&] {
    options.Validate();
    const char* key = CovarianceOrPrecisionKey(in);
    Eigen::MatrixXd matrix = in.Matrix2(key, d, d);
    std::optional<Eigen::MatrixXd> factor;
    if (in.Has("precisions_cholesky")) factor = in.Matrix2("precisions_cholesky", d, d);
    return DecodeTied(in, std::move(means), std::string(key) == "precisions",
                      std::move(matrix), factor ? &*factor : nullptr, "covariances", options);
  });
}

// --- One tied covariance per group (GMM-HMM states) ---

void GaussianGroupTied::EncodeParameters(ParameterWriter& out) const {
  EncodeCommon(*this, out);
  std::vector<Eigen::MatrixXd> covariances, factors;
  for (const GaussianTied& group : groups_) {
    covariances.push_back(group.covariance());
    factors.push_back(group.precision_cholesky());
  }
  out.Matrices3("covariances", covariances);
  out.Matrices3("precisions_cholesky", factors);
}

GaussianGroupTied GaussianGroupTied::DecodeGroups(const ParameterReader& in,
                                                  Eigen::Index num_groups,
                                                  Eigen::Index group_size) {
  const GaussianOptions options = DecodeOptions(in);
  const RowMatrix means = DecodeMeans(in, num_groups * group_size);
  const Eigen::Index d = means.cols();
  return in.Checked([&] {
    options.Validate();
    const char* key = CovarianceOrPrecisionKey(in);
    const bool is_precision = std::string(key) == "precisions";
    const std::vector<Eigen::MatrixXd> matrices = in.Matrices3(key, num_groups, d);
    std::vector<Eigen::MatrixXd> factors;
    if (in.Has("precisions_cholesky")) {
      factors = in.Matrices3("precisions_cholesky", num_groups, d);
    }
    std::vector<GaussianTied> groups;
    for (Eigen::Index s = 0; s < num_groups; ++s) {
      groups.push_back(DecodeTied(in, means.middleRows(s * group_size, group_size),
                                  is_precision, matrices[s],
                                  factors.empty() ? nullptr : &factors[s],
                                  fmt::format("covariances[{}]", s), options));
    }
    return GaussianGroupTied(std::move(groups));
  });
}

// --- Statistics (pooled moments, stored as they are) ---

void GaussianFull::Statistics::Encode(ParameterWriter& out) const {
  out.Vector1("counts", counts);
  out.Matrix2("means", means);
  out.Matrices3("scatters", scatters);
}

void GaussianFull::Statistics::Decode(const ParameterReader& in) {
  counts = in.Vector1("counts", counts.size());
  means = in.Matrix2("means", means.rows(), means.cols());
  scatters = in.Matrices3("scatters", counts.size(), means.cols());
}

void GaussianTied::Statistics::Encode(ParameterWriter& out) const {
  out.Vector1("counts", counts);
  out.Matrix2("means", means);
  out.Matrix2("scatter", scatter);
}

void GaussianTied::Statistics::Decode(const ParameterReader& in) {
  counts = in.Vector1("counts", counts.size());
  means = in.Matrix2("means", means.rows(), means.cols());
  scatter = in.Matrix2("scatter", scatter.rows(), scatter.cols());
}

void GaussianGroupTied::Statistics::Encode(ParameterWriter& out) const {
  const Eigen::Index m = groups.front().counts.size();
  const Eigen::Index d = groups.front().means.cols();
  RowMatrix group_counts(static_cast<Eigen::Index>(groups.size()), m);
  RowMatrix means(group_counts.size(), d);
  std::vector<Eigen::MatrixXd> scatters;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto row = static_cast<Eigen::Index>(g);
    group_counts.row(row) = groups[g].counts.transpose();
    means.middleRows(row * m, m) = groups[g].means;
    scatters.push_back(groups[g].scatter);
  }
  // The groups' counts as well as the family's: both are used, and the
  // codec keeps every bit.
  out.Vector1("counts", counts);
  out.Matrix2("group_counts", group_counts);
  out.Matrix2("means", means);
  out.Matrices3("scatters", scatters);
}

void GaussianGroupTied::Statistics::Decode(const ParameterReader& in) {
  const auto g_count = static_cast<Eigen::Index>(groups.size());
  const Eigen::Index m = groups.front().counts.size();
  const Eigen::Index d = groups.front().means.cols();
  counts = in.Vector1("counts", counts.size());
  const RowMatrix group_counts = in.Matrix2("group_counts", g_count, m);
  const RowMatrix means = in.Matrix2("means", g_count * m, d);
  const std::vector<Eigen::MatrixXd> scatters = in.Matrices3("scatters", g_count, d);
  for (Eigen::Index g = 0; g < g_count; ++g) {
    GaussianTied::Statistics& group = groups[static_cast<std::size_t>(g)];
    group.counts = group_counts.row(g).transpose();
    group.means = means.middleRows(g * m, m);
    group.scatter = scatters[static_cast<std::size_t>(g)];
  }
}

// --- Gaussian-mixture emissions ---

template <class Gaussian>
void GaussianMixtureEmission<Gaussian>::EncodeParameters(ParameterWriter& out) const {
  out.Integer("n_mix", num_mixture_components());
  out.Matrix2("weights", weights_);
  components_.EncodeParameters(out);
}

template <class Gaussian>
GaussianMixtureEmission<Gaussian> GaussianMixtureEmission<Gaussian>::DecodeParameters(
    const ParameterReader& in, Eigen::Index k) {
  const Eigen::Index m = in.Extent("n_mix", "weights", 1);
  RowMatrix weights = in.Matrix2("weights", k, m);
  Gaussian components = [&] {
    if constexpr (requires { Gaussian::DecodeGroups(in, k, m); }) {
      return Gaussian::DecodeGroups(in, k, m);
    } else {
      return Gaussian::DecodeParameters(in, k * m);
    }
  }();
  return in.Checked([&] {
    return GaussianMixtureEmission(std::move(weights), std::move(components));
  });
}

// Only the codec's members: the classes are instantiated in
// gaussian_mixture_emission.cc.
#define EMKIT_INSTANTIATE_CODEC(G)                                                     \
  template void GaussianMixtureEmission<G>::EncodeParameters(ParameterWriter&) const; \
  template GaussianMixtureEmission<G> GaussianMixtureEmission<G>::DecodeParameters(   \
      const ParameterReader&, Eigen::Index);
EMKIT_INSTANTIATE_CODEC(GaussianFull)
EMKIT_INSTANTIATE_CODEC(GaussianDiag)
EMKIT_INSTANTIATE_CODEC(GaussianSpherical)
EMKIT_INSTANTIATE_CODEC(GaussianGroupTied)
#undef EMKIT_INSTANTIATE_CODEC

}  // namespace emkit
