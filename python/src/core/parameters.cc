#include "parameters.h"

#include <cmath>
#include <utility>
#include <variant>

#include <Eigen/Core>
#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit::python {
namespace {

std::size_t Product(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (std::size_t s : shape) n *= s;
  return n;
}

void CheckSize(const FlatArray& values, const std::vector<std::size_t>& shape,
               const char* name) {
  if (values.size() != Product(shape)) {
    throw InvalidDataError(fmt::format("{}: expected {} values (shape {}), found {}",
                                       name, Product(shape), fmt::join(shape, " x "),
                                       values.size()));
  }
}

// The d x d matrix at position `index` of a stack of matrices.
Eigen::MatrixXd MatrixAt(const FlatArray& values, int index, int d) {
  return Eigen::Map<const RowMatrix>(values.data() + static_cast<std::size_t>(index) * d * d,
                                     d, d);
}

std::vector<Eigen::MatrixXd> MatrixStack(const FlatArray& values, int count, int d) {
  std::vector<Eigen::MatrixXd> out;
  out.reserve(count);
  for (int k = 0; k < count; ++k) out.push_back(MatrixAt(values, k, d));
  return out;
}

void AppendMatrix(const Eigen::MatrixXd& m, FlatArray* out) {
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) out->push_back(m(i, j));
  }
}

// Variances (K x D) of an axis-aligned family from the arrays given.
RowMatrix AxisAlignedVariances(const ParameterArrays& p, bool spherical, int k, int d) {
  const bool from_precisions = p.covariances.empty();
  const FlatArray& given = from_precisions ? p.precisions : p.covariances;
  const char* name = from_precisions ? "precisions" : "covariances";
  RowMatrix variances(k, d);
  if (spherical) {
    CheckSize(given, {static_cast<std::size_t>(k)}, name);
    for (int c = 0; c < k; ++c) variances.row(c).setConstant(given[c]);
  } else {
    CheckSize(given, {static_cast<std::size_t>(k), static_cast<std::size_t>(d)}, name);
    variances = Eigen::Map<const RowMatrix>(given.data(), k, d);
  }
  if (from_precisions) variances = variances.cwiseInverse();
  return variances;
}

template <class Family>
GaussianMixtureModel Assemble(const ParameterArrays& p, Family family) {
  return Mixture<Family>(p.weights, std::move(family));
}

}  // namespace

std::vector<std::size_t> CovarianceShape(CovarianceType type, int n_components,
                                         int n_features) {
  const auto k = static_cast<std::size_t>(n_components);
  const auto d = static_cast<std::size_t>(n_features);
  switch (type) {
    case CovarianceType::kFull: return {k, d, d};
    case CovarianceType::kTied: return {d, d};
    case CovarianceType::kDiag: return {k, d};
    case CovarianceType::kSpherical: return {k};
  }
  return {};
}

GaussianMixtureModel BuildModel(const ParameterArrays& p) {
  const int k = static_cast<int>(p.means.rows());
  const int d = static_cast<int>(p.means.cols());
  if (p.covariances.empty() && p.precisions.empty()) {
    throw InvalidDataError("either covariances or precisions must be given");
  }
  const GaussianOptions options{p.reg_covar};
  options.Validate();
  const std::vector<std::size_t> shape = CovarianceShape(p.covariance_type, k, d);
  switch (p.covariance_type) {
    case CovarianceType::kFull: {
      if (!p.covariances.empty()) {
        CheckSize(p.covariances, shape, "covariances");
        if (!p.precisions_cholesky.empty()) {
          CheckSize(p.precisions_cholesky, shape, "precisions_cholesky");
          return Assemble(p, GaussianFull::FromStored(
                                 p.means, MatrixStack(p.covariances, k, d),
                                 MatrixStack(p.precisions_cholesky, k, d), options));
        }
        return Assemble(p, GaussianFull(p.means, MatrixStack(p.covariances, k, d), options));
      }
      CheckSize(p.precisions, shape, "precisions");
      return Assemble(p, GaussianFull::FromPrecisions(
                             p.means, MatrixStack(p.precisions, k, d), options));
    }
    case CovarianceType::kTied: {
      if (!p.covariances.empty()) {
        CheckSize(p.covariances, shape, "covariances");
        if (!p.precisions_cholesky.empty()) {
          CheckSize(p.precisions_cholesky, shape, "precisions_cholesky");
          return Assemble(p, GaussianTied::FromStored(p.means, MatrixAt(p.covariances, 0, d),
                                                      MatrixAt(p.precisions_cholesky, 0, d),
                                                      options));
        }
        return Assemble(p, GaussianTied(p.means, MatrixAt(p.covariances, 0, d), options));
      }
      CheckSize(p.precisions, shape, "precisions");
      return Assemble(p, GaussianTied::FromPrecision(p.means, MatrixAt(p.precisions, 0, d),
                                                     options));
    }
    case CovarianceType::kDiag:
      return Assemble(p, GaussianDiag(p.means, AxisAlignedVariances(p, false, k, d), options));
    case CovarianceType::kSpherical:
      return Assemble(p, GaussianSpherical(p.means, AxisAlignedVariances(p, true, k, d),
                                           options));
  }
  throw InvalidOptionError("unknown covariance type");
}

FlatArray Covariances(const GaussianMixtureModel& model) {
  FlatArray out;
  std::visit(
      [&out](const auto& m) {
        const auto& c = m.components();
        using Family = std::remove_cvref_t<decltype(c)>;
        if constexpr (std::is_same_v<Family, GaussianFull>) {
          for (const Eigen::MatrixXd& cov : c.covariances()) AppendMatrix(cov, &out);
        } else if constexpr (std::is_same_v<Family, GaussianTied>) {
          AppendMatrix(c.covariance(), &out);
        } else if constexpr (std::is_same_v<Family, GaussianSpherical>) {
          for (Eigen::Index k = 0; k < c.variances().rows(); ++k) {
            out.push_back(c.variances()(k, 0));
          }
        } else {
          out.assign(c.variances().data(), c.variances().data() + c.variances().size());
        }
      },
      model);
  return out;
}

FlatArray PrecisionsCholesky(const GaussianMixtureModel& model) {
  FlatArray out;
  std::visit(
      [&out](const auto& m) {
        const auto& c = m.components();
        using Family = std::remove_cvref_t<decltype(c)>;
        if constexpr (std::is_same_v<Family, GaussianFull>) {
          for (const Eigen::MatrixXd& w : c.precision_cholesky()) AppendMatrix(w, &out);
        } else if constexpr (std::is_same_v<Family, GaussianTied>) {
          AppendMatrix(c.precision_cholesky(), &out);
        }
      },
      model);
  if (out.empty()) {  // diag and spherical: 1 / sqrt(variance), as scikit-learn
    out = Covariances(model);
    for (double& v : out) v = 1.0 / std::sqrt(v);
  }
  return out;
}

FlatArray Precisions(const GaussianMixtureModel& model) {
  const CovarianceType type = CovarianceTypeOf(model);
  if (type == CovarianceType::kDiag || type == CovarianceType::kSpherical) {
    FlatArray out = Covariances(model);
    for (double& v : out) v = 1.0 / v;
    return out;
  }
  const int d = NumFeatures(model);
  const FlatArray w = PrecisionsCholesky(model);
  const int count = static_cast<int>(w.size() / (static_cast<std::size_t>(d) * d));
  FlatArray out;
  out.reserve(w.size());
  for (int k = 0; k < count; ++k) {
    const Eigen::MatrixXd factor = MatrixAt(w, k, d);
    AppendMatrix(factor * factor.transpose(), &out);
  }
  return out;
}

ParameterArrays ArraysOf(const GaussianMixtureModel& model) {
  ParameterArrays p;
  p.covariance_type = CovarianceTypeOf(model);
  p.weights = MixtureWeights(model);
  p.means = MixtureMeans(model);
  p.covariances = Covariances(model);
  if (p.covariance_type == CovarianceType::kFull ||
      p.covariance_type == CovarianceType::kTied) {
    p.precisions_cholesky = PrecisionsCholesky(model);
  }
  p.reg_covar = MixtureGaussianOptions(model).reg_covar;
  return p;
}

}  // namespace emkit::python
