// The parameter codecs of the discrete families (their model-file keys,
// written and read through emkit/parameters.h) and their statistics' codecs.
#include <utility>

#include "emkit/families/bernoulli.h"
#include "emkit/families/categorical.h"
#include "emkit/families/poisson.h"

namespace emkit {

void Bernoulli::EncodeParameters(ParameterWriter& out) const {
  out.Integer("n_features", num_features());
  out.Number("pseudo_count", options_.pseudo_count);
  out.Matrix2("probabilities", probabilities_);
}

Bernoulli Bernoulli::DecodeParameters(const ParameterReader& in, Eigen::Index k) {
  BernoulliOptions options;
  options.pseudo_count = in.Number("pseudo_count", options.pseudo_count);
  const Eigen::Index d = in.Extent("n_features", "probabilities", 1);
  RowMatrix p = in.Matrix2("probabilities", k, d);
  return in.Checked([&] {
    options.Validate();
    return Bernoulli(std::move(p), options);
  });
}

void Categorical::EncodeParameters(ParameterWriter& out) const {
  out.Text("categorical_layout", CategoricalLayoutName(layout()));
  out.Integer("n_categories", num_categories());
  out.Number("pseudo_count", options_.pseudo_count);
  out.Integer("sample_total", options_.sample_total);
  out.Matrix2("probabilities", probabilities_);
  // A fitting option, kept with the parameters it shapes when it is set, so
  // that a fit started from them keeps it.
  if (options_.dirichlet_prior.size() > 0) out.Matrix2("dirichlet_prior", options_.dirichlet_prior);
}

Categorical Categorical::DecodeParameters(const ParameterReader& in, Eigen::Index k) {
  CategoricalOptions options;
  options.layout = ParseCategoricalLayout(
      in.Choice("categorical_layout", {"counts", "symbols"}, "counts"));
  options.pseudo_count = in.Number("pseudo_count", options.pseudo_count);
  options.sample_total = in.NonNegativeInteger("sample_total", options.sample_total);
  const Eigen::Index v = in.Extent("n_categories", "probabilities", 1);
  RowMatrix p = in.Matrix2("probabilities", k, v);
  if (in.Has("dirichlet_prior")) options.dirichlet_prior = in.Matrix2("dirichlet_prior", k, v);
  return in.Checked([&] {
    options.Validate();
    return Categorical(std::move(p), options);
  });
}

void Poisson::EncodeParameters(ParameterWriter& out) const {
  out.Integer("n_features", num_features());
  out.Number("min_rate", options_.min_rate);
  out.Matrix2("rates", rates_);
  // Fitting options, kept with the rates when they are set (as the
  // categorical prior).
  if (options_.prior_sums.size() > 0) {
    out.Matrix2("prior_sums", options_.prior_sums);
    out.Matrix2("prior_weights", options_.prior_weights);
  }
}

Poisson Poisson::DecodeParameters(const ParameterReader& in, Eigen::Index k) {
  PoissonOptions options;
  options.min_rate = in.Number("min_rate", options.min_rate);
  const Eigen::Index d = in.Extent("n_features", "rates", 1);
  RowMatrix rates = in.Matrix2("rates", k, d);
  if (in.Has("prior_sums") || in.Has("prior_weights")) {
    options.prior_sums = in.Matrix2("prior_sums", k, d);
    options.prior_weights = in.Matrix2("prior_weights", k, d);
  }
  return in.Checked([&] {
    options.Validate();
    return Poisson(std::move(rates), options);
  });
}

// --- Statistics: every array a plain sum (kMergeIsSum) ---

void Bernoulli::Statistics::Encode(ParameterWriter& out) const {
  out.Vector1("counts", counts);
  out.Matrix2("ones", ones);
  out.Matrix2("zeros", zeros);
}

void Bernoulli::Statistics::Decode(const ParameterReader& in) {
  counts = in.Vector1("counts", counts.size());
  ones = in.Matrix2("ones", ones.rows(), ones.cols());
  zeros = in.Matrix2("zeros", zeros.rows(), zeros.cols());
}

void Categorical::Statistics::Encode(ParameterWriter& out) const {
  out.Vector1("counts", counts);
  out.Matrix2("categories", categories);
  out.Vector1("log_coefficients", log_coefficients);
}

void Categorical::Statistics::Decode(const ParameterReader& in) {
  counts = in.Vector1("counts", counts.size());
  categories = in.Matrix2("categories", categories.rows(), categories.cols());
  log_coefficients = in.Vector1("log_coefficients", log_coefficients.size());
}

void Poisson::Statistics::Encode(ParameterWriter& out) const {
  out.Vector1("counts", counts);
  out.Matrix2("sums", sums);
  out.Vector1("log_factorials", log_factorials);
}

void Poisson::Statistics::Decode(const ParameterReader& in) {
  counts = in.Vector1("counts", counts.size());
  sums = in.Matrix2("sums", sums.rows(), sums.cols());
  log_factorials = in.Vector1("log_factorials", log_factorials.size());
}

}  // namespace emkit
