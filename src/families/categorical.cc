#include "emkit/families/categorical.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "emkit/constants.h"
#include "emkit/error.h"
#include "emkit/families/poisson.h"  // LogFactorial

namespace emkit {
namespace {

// c * log_y with 0 * log 0 = 0.
double XLogY(double c, double log_y) { return c == 0.0 ? 0.0 : c * log_y; }

// The category index of a symbol, or -1 when it is not an integer in [0, v).
int SymbolIndex(double x, int v) {
  if (!(x >= 0.0) || !(x < v) || x != std::floor(x)) return -1;
  return static_cast<int>(x);
}

// log(n! / prod_v x_v!) per row of counts.
void RowLogCoefficients(const MatrixView& x, Vector* out) {
  out->resize(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double total = 0.0;
    double denominator = 0.0;
    for (Eigen::Index v = 0; v < x.cols(); ++v) {
      total += x(i, v);
      denominator += LogFactorial(x(i, v));
    }
    (*out)[i] = LogFactorial(total) - denominator;
  }
}

}  // namespace

CategoricalLayout ParseCategoricalLayout(std::string_view name) {
  if (name == "counts") return CategoricalLayout::kCounts;
  if (name == "symbols") return CategoricalLayout::kSymbols;
  throw InvalidOptionError(
      fmt::format("categorical layout \"{}\" is not one of counts, symbols", name));
}

const char* CategoricalLayoutName(CategoricalLayout layout) {
  switch (layout) {
    case CategoricalLayout::kCounts: return "counts";
    case CategoricalLayout::kSymbols: return "symbols";
  }
  return "unknown";
}

std::string Categorical::Description() const {
  return fmt::format("categorical, {} categories ({} layout)", num_categories(),
                     CategoricalLayoutName(layout()));
}

void CategoricalOptions::Validate() const {
  if (layout != CategoricalLayout::kCounts && layout != CategoricalLayout::kSymbols) {
    throw InvalidOptionError("categorical layout must be counts or symbols");
  }
  if (!(pseudo_count >= 0.0) || !std::isfinite(pseudo_count)) {
    throw InvalidOptionError(fmt::format(
        "Categorical pseudo_count = {} must be a finite number >= 0", pseudo_count));
  }
  if (sample_total < 0) {
    throw InvalidOptionError(
        fmt::format("Categorical sample_total = {} must be >= 0", sample_total));
  }
  for (Eigen::Index i = 0; i < dirichlet_prior.size(); ++i) {
    const double v = dirichlet_prior.data()[i];
    if (!(v >= 0.0) || !std::isfinite(v)) {
      throw InvalidOptionError(fmt::format(
          "Categorical dirichlet_prior value {} must be finite and >= 0", v));
    }
  }
}

void Categorical::Statistics::Merge(const Statistics& other) {
  counts += other.counts;
  categories += other.categories;
  log_coefficients += other.log_coefficients;
}

void Categorical::Statistics::SetZero() {
  counts.setZero();
  categories.setZero();
  log_coefficients.setZero();
}

Categorical::Categorical(RowMatrix probabilities, CategoricalOptions options)
    : probabilities_(std::move(probabilities)), options_(options) {
  options_.Validate();
  if (probabilities_.rows() < 1 || probabilities_.cols() < 1) {
    throw InvalidDataError(fmt::format(
        "Categorical probabilities must be K x V with K, V >= 1, found {} x {}",
        probabilities_.rows(), probabilities_.cols()));
  }
  for (Eigen::Index k = 0; k < probabilities_.rows(); ++k) {
    for (Eigen::Index v = 0; v < probabilities_.cols(); ++v) {
      const double p = probabilities_(k, v);
      if (!(p >= 0.0 && p <= 1.0)) {
        throw InvalidDataError(fmt::format(
            "Categorical probabilities[{}, {}] = {} must be in [0, 1]", k, v, p));
      }
    }
    const double sum = probabilities_.row(k).sum();
    if (std::abs(sum - 1.0) > 1e-8) {
      throw InvalidDataError(fmt::format(
          "Categorical probabilities of component {} must sum to 1, found sum {}", k,
          sum));
    }
  }
  if (options_.dirichlet_prior.size() != 0 &&
      (options_.dirichlet_prior.rows() != probabilities_.rows() ||
       options_.dirichlet_prior.cols() != probabilities_.cols())) {
    throw InvalidOptionError(fmt::format(
        "Categorical dirichlet_prior is {} x {}, but the probabilities are {} x {}",
        options_.dirichlet_prior.rows(), options_.dirichlet_prior.cols(),
        probabilities_.rows(), probabilities_.cols()));
  }
  log_probabilities_ = probabilities_.array().log();
  all_positive_ = log_probabilities_.allFinite();
}

void Categorical::ShapeSummary::Merge(const ShapeSummary& other) {
  columns = std::max(columns, other.columns);
  if (other.any) {
    largest = any ? std::max(largest, other.largest) : other.largest;
    any = true;
  }
}

Categorical::ShapeSummary Categorical::SummarizeForShape(const MatrixView& x,
                                                         const CategoricalOptions& options) {
  ShapeSummary summary;
  summary.columns = x.cols();
  if (options.layout == CategoricalLayout::kSymbols && x.rows() > 0 && x.cols() > 0) {
    summary.any = true;
    summary.largest = x.col(0).maxCoeff();
  }
  return summary;
}

namespace {

// V of the shape: the columns for counts, the largest valid symbol + 1 for
// symbols (an invalid one is reported by the checks of the rows).
int NumCategoriesOf(const Categorical::ShapeSummary& summary) {
  if (!summary.any) return static_cast<int>(summary.columns);
  const double largest = summary.largest;
  return largest >= 0.0 && largest < 1e9 ? static_cast<int>(std::floor(largest)) + 1 : 1;
}

}  // namespace

Categorical Categorical::ForShapeSummary(int k, const ShapeSummary& summary,
                                         const CategoricalOptions& options) {
  const int num_categories = NumCategoriesOf(summary);
  return Categorical(RowMatrix::Constant(k, num_categories, 1.0 / num_categories), options);
}

Categorical Categorical::ForData(int k, const MatrixView& x,
                                 const CategoricalOptions& options) {
  const int num_categories = NumCategoriesOf(SummarizeForShape(x, options));
  ValidateData(x, options.layout, num_categories);
  return Categorical(RowMatrix::Constant(k, num_categories, 1.0 / num_categories), options);
}

void Categorical::ValidateData(const MatrixView& x, CategoricalLayout layout,
                               int num_categories) {
  if (layout == CategoricalLayout::kSymbols) {
    if (x.cols() != 1) {
      throw InvalidDataError(fmt::format(
          "X has {} columns: Categorical symbols take one column of integer "
          "symbols (use the counts layout for count vectors)", x.cols()));
    }
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (SymbolIndex(x(i, 0), num_categories) < 0) {
        throw InvalidDataError(fmt::format(
            "X[{}, 0] = {}: Categorical symbols must be integers in [0, {})", i,
            x(i, 0), num_categories));
      }
    }
    return;
  }
  if (x.cols() != num_categories) {
    throw InvalidDataError(fmt::format(
        "X has {} columns, but the Categorical counts layout has {} categories",
        x.cols(), num_categories));
  }
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const double v = x(i, j);
      if (!(v >= 0.0) || !std::isfinite(v) || v != std::floor(v)) {
        throw InvalidDataError(fmt::format(
            "X[{}, {}] = {}: Categorical counts must be non-negative integers", i, j,
            v));
      }
    }
  }
}

Categorical::Statistics Categorical::NewStatistics() const {
  Statistics s;
  s.counts = Vector::Zero(num_components());
  s.categories = RowMatrix::Zero(num_components(), num_categories());
  s.log_coefficients = Vector::Zero(num_components());
  return s;
}

void Categorical::LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const {
  const int v_count = num_categories();
  if (options_.layout == CategoricalLayout::kSymbols) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const int v = SymbolIndex(x(i, 0), v_count);
      if (v < 0) {
        out.row(i).setConstant(-std::numeric_limits<double>::infinity());
      } else {
        out.row(i) = log_probabilities_.col(v).transpose();
      }
    }
    return;
  }
  thread_local Vector log_coefficients;
  RowLogCoefficients(x, &log_coefficients);
  if (all_positive_) {
    out.noalias() = x * log_probabilities_.transpose();
  } else {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      for (int k = 0; k < num_components(); ++k) {
        double sum = 0.0;
        for (int v = 0; v < v_count; ++v) sum += XLogY(x(i, v), log_probabilities_(k, v));
        out(i, k) = sum;
      }
    }
  }
  out.colwise() += log_coefficients;
}

void Categorical::Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                             Statistics* stats) const {
  stats->counts += weights.colwise().sum().transpose();
  if (options_.layout == CategoricalLayout::kSymbols) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const int v = SymbolIndex(x(i, 0), num_categories());
      if (v >= 0) stats->categories.col(v) += weights.row(i).transpose();
    }
    return;
  }
  thread_local Vector log_coefficients;
  RowLogCoefficients(x, &log_coefficients);
  stats->categories.noalias() += weights.transpose() * x;
  stats->log_coefficients.noalias() += weights.transpose() * log_coefficients;
}

Categorical Categorical::Maximize(const Statistics& stats, RepairCounts* repairs) const {
  Categorical next = *this;
  const double a = options_.pseudo_count;
  const int v_count = num_categories();
  const Vector totals = stats.categories.rowwise().sum();
  const double total = totals.sum();
  const bool prior = options_.dirichlet_prior.size() != 0;
  RowMatrix counts;
  if (prior) {
    counts = (options_.dirichlet_prior.array() - 1.0 + stats.categories.array()).max(0.0);
  }
  for (int k = 0; k < num_components(); ++k) {
    // Rows with no counts (an empty document) say nothing about theta: the
    // test is on the category counts, not on the component's weight.
    if (!(totals[k] > kCollapsedFraction * total)) {
      if (repairs != nullptr) ++repairs->collapsed_components;
      continue;
    }
    const double row_total = prior ? counts.row(k).sum() : totals[k];
    if (!(row_total > 0.0)) continue;  // a prior that cancels every count
    const double denominator = row_total + v_count * a;
    for (int v = 0; v < v_count; ++v) {
      const double c = (prior ? counts(k, v) : stats.categories(k, v)) + a;
      double p = c / denominator;
      if (p == 0.0 && c > 0.0) p = std::numeric_limits<double>::denorm_min();
      next.probabilities_(k, v) = p;
    }
  }
  next.log_probabilities_ = next.probabilities_.array().log();
  next.all_positive_ = next.log_probabilities_.allFinite();
  return next;
}

double Categorical::ExpectedLogLikelihood(const Statistics& stats) const {
  double q = stats.log_coefficients.sum();
  for (int k = 0; k < num_components(); ++k) {
    for (int v = 0; v < num_categories(); ++v) {
      q += XLogY(stats.categories(k, v), log_probabilities_(k, v));
    }
  }
  return q;
}

std::int64_t Categorical::NumFreeParameters() const {
  return static_cast<std::int64_t>(num_components()) * (num_categories() - 1);
}

int Categorical::DrawCategory(int component, Rng& rng) const {
  double u = UniformDouble(rng);
  int last_possible = 0;
  for (int v = 0; v < num_categories(); ++v) {
    const double p = probabilities_(component, v);
    if (p == 0.0) continue;
    if (u < p) return v;
    u -= p;
    last_possible = v;
  }
  return last_possible;  // u left over from rounding
}

void Categorical::Sample(int component, Rng& rng, double* out) const {
  if (options_.layout == CategoricalLayout::kSymbols) {
    out[0] = DrawCategory(component, rng);
    return;
  }
  for (int v = 0; v < num_categories(); ++v) out[v] = 0.0;
  for (std::int64_t t = 0; t < options_.sample_total; ++t) {
    out[DrawCategory(component, rng)] += 1.0;
  }
}

}  // namespace emkit
