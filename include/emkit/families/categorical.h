// K components over V categories: component k picks category v with
// probability theta_kv. Usable as a mixture component (Mixture<Categorical>)
// and as an HMM emission. The data come in one of two layouts, fixed when
// the family is made:
//
//   kCounts   each row holds V non-negative integer counts: a multinomial
//             draw (bag-of-words: a row per document, a column per word).
//             A one-hot row is a single categorical observation.
//             log p(x | k) = log(n! / prod_v x_v!) + sum_v x_v log theta_kv,
//             n = sum_v x_v: the multinomial probability of the counts
//             given their total, coefficient included (in Q as well).
//   kSymbols  each row holds one integer symbol in [0, V): the layout of
//             HMM observation sequences (hmmlearn's CategoricalHMM takes
//             X of shape (n, 1) the same way). log p(x | k) = log theta_k,x.
//             A symbol outside [0, V) or not an integer has probability 0.
//
// Both layouts share the statistics (weighted category counts), so a model
// fitted on one-hot rows equals one fitted on the matching symbols. A
// mixture of categoricals over a single symbol per row is not identifiable
// (it is again one categorical distribution): the symbols layout is meant for
// HMM emissions, the counts layout for mixtures.
//
// theta_kv = 0 is allowed (pseudo_count = 0): 0 * log 0 = 0 keeps Q finite
// whenever the likelihood is; it is not counted as a repair.
#ifndef EMKIT_FAMILIES_CATEGORICAL_H_
#define EMKIT_FAMILIES_CATEGORICAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"
#include "emkit/option_table.h"

namespace emkit {

enum class CategoricalLayout { kCounts, kSymbols };

// "counts" or "symbols"; throws InvalidOptionError otherwise.
CategoricalLayout ParseCategoricalLayout(std::string_view name);
const char* CategoricalLayoutName(CategoricalLayout layout);

struct CategoricalOptions {
  CategoricalLayout layout = CategoricalLayout::kCounts;

  // Added to every category's weighted count in the M-step:
  // theta_kv = (c_kv + a) / (sum_v c_kv + V a). It keeps probabilities off
  // exactly 0, so a category unseen in a component in training still has a
  // finite log-probability there. The default leaves the M-step the
  // maximum-likelihood estimate to ~1e-10 (see BernoulliOptions for why a
  // large value can make the certificate complain). Must be finite and >= 0;
  // 0 turns smoothing off.
  double pseudo_count = 1e-10;

  // kCounts only: the total count n of each row that Sample draws (1 gives
  // one-hot rows). Must be >= 0.
  std::int64_t sample_total = 1;

  // Dirichlet concentrations of each component's probabilities (hmmlearn's
  // emissionprob_prior): empty, or K x V values, finite and >= 0. The
  // M-step becomes theta = (max(prior - 1 + c, 0) + a) / sum(...), the
  // posterior mode for a = 0. A fitting option, which the codec keeps
  // (under "dirichlet_prior") only when it is set.
  RowMatrix dirichlet_prior;

  // The option table (emkit/option_table.h).
  template <class Table>
  void Describe(Table& table) {
    table.Number("pseudo_count", &pseudo_count, "added to every count in the M-step");
    table.Choice("categorical_layout", &layout,
                 ChoiceNames<CategoricalLayout>{{"counts", CategoricalLayout::kCounts},
                                                {"symbols", CategoricalLayout::kSymbols}},
                 "a row holds category counts or one symbol");
  }

  void Validate() const;  // throws InvalidOptionError
};

class Categorical {
 public:
  static constexpr const char* kFamilyName = "categorical";
  using Options = CategoricalOptions;

  struct Statistics {
    Vector counts;            // K: sum of weights
    RowMatrix categories;     // K x V: sum w x_v (counts) or sum w [x = v] (symbols)
    Vector log_coefficients;  // K: sum w log(n! / prod x_v!)  (0 for symbols)

    // Merge adds every array: flat buffers reduce by addition.
    static constexpr bool kMergeIsSum = true;

    void Merge(const Statistics& other);
    void SetZero();
    // The statistics codec (emkit/model.h): "counts" [K], "categories" [K][V],
    // "log_coefficients" [K].
    void Encode(ParameterWriter& out) const;
    void Decode(const ParameterReader& in);
  };

  // probabilities (K x V): each row non-negative and summing to 1 within
  // 1e-8. Throws InvalidDataError naming the first invalid row or value.
  Categorical(RowMatrix probabilities, CategoricalOptions options);

  // Throws InvalidDataError naming the first element that breaks the
  // layout's rule, e.g. "X[3, 1] = -2: Categorical counts must be
  // non-negative integers" or "X[5, 0] = 7: Categorical symbols must be
  // integers in [0, 4)", or a wrong number of columns.
  static void ValidateData(const MatrixView& x, CategoricalLayout layout,
                           int num_categories);
  void ValidateData(const MatrixView& x) const {
    ValidateData(x, options_.layout, num_categories());
  }
  // K components shaped for x in options.layout, with placeholder
  // parameters, after checking x (emkit/family_fit.h). V is x's columns for
  // counts, the largest symbol + 1 for symbols.
  static Categorical ForData(int k, const MatrixView& x, const CategoricalOptions& options);
  // Whether ForData reads every row (for the symbols layout: the largest
  // symbol), so that the first rows do not shape it (emkit/family_fit.h).
  static bool ForDataReadsAllRows(const CategoricalOptions& options) {
    return options.layout == CategoricalLayout::kSymbols;
  }
  // ForData in two steps, for rows read block by block (emkit/family_fit.h,
  // ShapedByAllRows): what shapes the components, summarised per block and
  // merged (the largest symbol; exact in any order), then the components
  // of the merged summary. ForData(k, x, o) is
  // ForShapeSummary(k, SummarizeForShape(x, o), o), after which the rows
  // are checked with ValidateData.
  struct ShapeSummary {
    Eigen::Index columns = 0;
    bool any = false;  // a row was summarised
    double largest = 0.0;  // the largest first-column value
    void Merge(const ShapeSummary& other);
    void SetZero() { *this = ShapeSummary{}; }
  };
  static ShapeSummary SummarizeForShape(const MatrixView& x, const CategoricalOptions& options);
  static Categorical ForShapeSummary(int k, const ShapeSummary& summary,
                                     const CategoricalOptions& options);

  int num_components() const { return static_cast<int>(probabilities_.rows()); }
  int num_categories() const { return static_cast<int>(probabilities_.cols()); }
  // Columns of a data row: V for counts, 1 for symbols.
  int num_features() const {
    return options_.layout == CategoricalLayout::kSymbols ? 1 : num_categories();
  }
  CategoricalLayout layout() const { return options_.layout; }
  const RowMatrix& probabilities() const { return probabilities_; }
  const CategoricalOptions& options() const { return options_; }
  // The family in words, for summaries such as emkit info (emkit/family.h):
  // "categorical, 5 categories (counts layout)".
  std::string Description() const;

  Statistics NewStatistics() const;
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  // Adds statistics of rows x with weights (n x K). In the symbols layout a
  // row whose symbol is not in [0, V) adds nothing (its probability is 0).
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  // theta = (c + a) / (sum c + V a). A component whose category counts have
  // vanished keeps its probabilities (counted as a collapsed component). A
  // probability is exactly 0 only when its count is exactly 0.
  Categorical Maximize(const Statistics& stats, RepairCounts* repairs) const;
  double ExpectedLogLikelihood(const Statistics& stats) const;
  // K (V - 1).
  std::int64_t NumFreeParameters() const;
  // Writes num_features() values: a symbol, or V counts summing to
  // options().sample_total.
  void Sample(int component, Rng& rng, double* out) const;

  // The parameter codec (emkit/parameters.h): "categorical_layout",
  // "n_categories", "pseudo_count", "sample_total", "probabilities" [K][V].
  void EncodeParameters(ParameterWriter& out) const;
  static Categorical DecodeParameters(const ParameterReader& in, Eigen::Index num_components);

 private:
  int DrawCategory(int component, Rng& rng) const;

  RowMatrix probabilities_;
  RowMatrix log_probabilities_;  // -inf where a probability is 0
  bool all_positive_ = true;
  CategoricalOptions options_;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_CATEGORICAL_H_
