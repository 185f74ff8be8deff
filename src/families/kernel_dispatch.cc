// The dispatcher: which kernel variant this process runs (decided once,
// from the processor; docs/design.md, "Kernels and dispatch"), and the
// entry points of the kernel headers (kernel_namespace.h), which forward to
// it.
#include <string_view>
#include <type_traits>
#include <vector>

#include "emkit/log_sum_exp.h"
#include "kernel_table.h"
#include "kernel_variants.h"  // generated: EMKIT_KERNEL_VARIANTS(X)

namespace emkit::internal {

#define EMKIT_DECLARE_VARIANT(isa)   \
  namespace isa {                    \
  extern const KernelTable kKernels; \
  }
EMKIT_KERNEL_VARIANTS(EMKIT_DECLARE_VARIANT)
#undef EMKIT_DECLARE_VARIANT

namespace {

// Whether this processor (and its operating system, which must save the
// wider registers) runs the variant built with that name's -march flags
// (cmake/EmkitKernels.cmake): x86-64-v3 for avx2, x86-64-v4 for avx512.
bool ProcessorRuns(const char* isa) {
  const std::string_view name(isa);
  if (name == "baseline" || name == "native") return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  // x86-64-v3 also has F16C, MOVBE and LZCNT, which Clang 14 cannot query
  // here; no processor has AVX2, FMA and BMI2 without them.
  const bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                  __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
                  __builtin_cpu_supports("avx");
  if (name == "avx2") return v3;
  if (name == "avx512") {
    return v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512cd");
  }
#endif
  return false;
}

// The last variant this processor runs (they are listed baseline first).
const KernelTable* Choose() {
  const KernelTable* chosen = nullptr;
  for (const KernelVariant& v : KernelVariants()) {
    if (v.supported) chosen = v.table;
  }
  return chosen;
}

template <class Scalar, class Double, class Float>
constexpr auto Pick(Double double_entry, Float float_entry) {
  if constexpr (std::is_same_v<Scalar, double>) {
    return double_entry;
  } else {
    return float_entry;
  }
}

}  // namespace

std::vector<KernelVariant> KernelVariants() {
  std::vector<KernelVariant> variants;
#define EMKIT_LIST_VARIANT(isa) variants.push_back({&isa::kKernels, ProcessorRuns(#isa)});
  EMKIT_KERNEL_VARIANTS(EMKIT_LIST_VARIANT)
#undef EMKIT_LIST_VARIANT
  return variants;
}

const KernelTable& Kernels() {
  static const KernelTable* const table = Choose();
  return *table;
}

inline namespace dispatched {

template <class Scalar>
Scalar WhitenedLogDensities(const Scalar* x, Eigen::Index n, int d, const Scalar* centre,
                            const WhiteningFactor<Scalar>* components, Eigen::Index k_count,
                            const Scalar* constants, Scalar* out, Eigen::Index out_stride,
                            bool transposed) {
  return (Kernels().*Pick<Scalar>(&KernelTable::whitened_log_densities_d,
                                  &KernelTable::whitened_log_densities_f))(
      x, n, d, centre, components, k_count, constants, out, out_stride, transposed);
}

bool FullBlockMomentsSupported(int d) { return Kernels().full_block_moments_supported(d); }

void FullBlockMoments(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                      const Vector& counts, RowMatrix* means,
                      std::vector<Eigen::MatrixXd>* scatters) {
  Kernels().full_block_moments(x, weights, counts, means, scatters);
}

const BlockMoments& ComputeBlockMoments(const MatrixView& x,
                                        const Eigen::Ref<const RowMatrix>& weights) {
  return Kernels().compute_block_moments(x, weights);
}

bool FullRawMomentsFSupported(int d) { return Kernels().full_raw_moments_f_supported(d); }

void FullRawMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t, const Vector& counts,
                     const RowMatrix& shifts, RowMatrix* first_moments,
                     std::vector<Eigen::MatrixXd>* second_moments) {
  Kernels().full_raw_moments_f(x, weights_t, counts, shifts, first_moments, second_moments);
}

void CentredWeightedSumsF(const MatrixViewF& x, const RowMatrixF& weights_t,
                          const Eigen::RowVectorXf& centre, RowMatrix* sums) {
  Kernels().centred_weighted_sums_f(x, weights_t, centre, sums);
}

float ExpandedDiagonalLogDensitiesF(const MatrixViewF& x, const Eigen::RowVectorXf& reference,
                                    const RowMatrixF& a, const RowMatrixF& b,
                                    const Eigen::RowVectorXf& constants,
                                    const Eigen::RowVectorXf& max_precisions,
                                    const Eigen::RowVectorXf& max_centred_means, float* out_t,
                                    Eigen::Index out_stride) {
  return Kernels().expanded_diagonal_log_densities_f(x, reference, a, b, constants, max_precisions,
                                                     max_centred_means, out_t, out_stride);
}

void FullMomentsF(const MatrixViewF& x, const Eigen::Ref<const Eigen::VectorXf>& w, double count,
                  const Eigen::RowVectorXd& shift, Eigen::RowVectorXd* mean,
                  Eigen::MatrixXd* scatter) {
  Kernels().full_moments_f(x, w, count, shift, mean, scatter);
}

void FullBlockMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t, const Vector& counts,
                       const RowMatrix& shifts, RowMatrix* means,
                       std::vector<Eigen::MatrixXd>* scatters) {
  Kernels().full_block_moments_f(x, weights_t, counts, shifts, means, scatters);
}

void DiagonalMomentsF(const RowMatrixF& x_t, const Eigen::Ref<const Eigen::VectorXf>& w,
                      double count, const Eigen::RowVectorXd& shift, Eigen::RowVectorXd* mean,
                      Eigen::RowVectorXd* squares) {
  Kernels().diagonal_moments_f(x_t, w, count, shift, mean, squares);
}

void BlockCountsAndMeans(const MatrixViewF& x, const RowMatrixF& weights_t,
                         const Eigen::RowVectorXf& reference, Vector* counts, RowMatrix* means) {
  Kernels().block_counts_and_means(x, weights_t, reference, counts, means);
}

void BlockCountsAndMeansTransposed(const RowMatrixF& x_t, const RowMatrixF& weights_t,
                                   Vector* counts, RowMatrix* means) {
  Kernels().block_counts_and_means_transposed(x_t, weights_t, counts, means);
}

void GroupedDiagonalMomentsF(const MatrixViewF& x, const RowMatrixF& weights_t,
                             const RowMatrix& shifts, Vector* counts, RowMatrix* means,
                             RowMatrix* squares, std::vector<char>* accepted) {
  Kernels().grouped_diagonal_moments_f(x, weights_t, shifts, counts, means, squares, accepted);
}

template <class Scalar>
void SmallDiagonalLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                               const RowMatrix& means, const RowMatrix& precisions,
                               const Eigen::VectorXd& constants,
                               Eigen::Ref<RowMatrixOf<Scalar>> out) {
  (Kernels().*Pick<Scalar>(&KernelTable::small_diagonal_log_densities_d,
                           &KernelTable::small_diagonal_log_densities_f))(x, means, precisions,
                                                                          constants, out);
}

template <class Scalar>
void DirectDiagonalLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                                const RowMatrix& means, const RowMatrix& precisions,
                                const Eigen::VectorXd& constants,
                                Eigen::Ref<RowMatrixOf<Scalar>> out) {
  (Kernels().*Pick<Scalar>(nullptr, &KernelTable::direct_diagonal_log_densities_f))(
      x, means, precisions, constants, out);
}

template <class Scalar>
void SmallWhitenedLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                               const RowMatrix& means,
                               const std::vector<const Eigen::MatrixXd*>& factors,
                               const Eigen::VectorXd& constants,
                               Eigen::Ref<RowMatrixOf<Scalar>> out) {
  (Kernels().*Pick<Scalar>(&KernelTable::small_whitened_log_densities_d,
                           &KernelTable::small_whitened_log_densities_f))(x, means, factors,
                                                                          constants, out);
}

void AxisAlignedLogDensities(const MatrixView& x, const AxisAlignedDensityTerms& terms,
                             Eigen::Ref<RowMatrix> out) {
  Kernels().axis_aligned_log_densities(x, terms, out);
}

void AccumulateAxisAligned(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                           const Eigen::RowVectorXd& reference, Vector* counts, RowMatrix* means,
                           RowMatrix* squares) {
  Kernels().accumulate_axis_aligned(x, weights, reference, counts, means, squares);
}

void AccumulateFullFewFeatures(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                               Vector* counts, RowMatrix* means,
                               std::vector<Eigen::MatrixXd>* scatters) {
  Kernels().accumulate_full_few_features(x, weights, counts, means, scatters);
}

void AccumulateFullByRankUpdates(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                                 Vector* counts, RowMatrix* means,
                                 std::vector<Eigen::MatrixXd>* scatters,
                                 Eigen::MatrixXd* shared_scatter) {
  Kernels().accumulate_full_by_rank_updates(x, weights, counts, means, scatters, shared_scatter);
}

template double WhitenedLogDensities<double>(const double*, Eigen::Index, int, const double*,
                                             const WhiteningFactor<double>*, Eigen::Index,
                                             const double*, double*, Eigen::Index, bool);
template float WhitenedLogDensities<float>(const float*, Eigen::Index, int, const float*,
                                           const WhiteningFactor<float>*, Eigen::Index,
                                           const float*, float*, Eigen::Index, bool);
template void SmallDiagonalLogDensities<double>(const Eigen::Map<const RowMatrixOf<double>>&,
                                                const RowMatrix&, const RowMatrix&,
                                                const Eigen::VectorXd&,
                                                Eigen::Ref<RowMatrixOf<double>>);
template void SmallDiagonalLogDensities<float>(const Eigen::Map<const RowMatrixOf<float>>&,
                                               const RowMatrix&, const RowMatrix&,
                                               const Eigen::VectorXd&,
                                               Eigen::Ref<RowMatrixOf<float>>);
template <class Scalar>
void SmallDiagonalLogDensitiesTransposed(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                                         const RowMatrix& means, const RowMatrix& precisions,
                                         const Eigen::VectorXd& constants,
                                         RowMatrixOf<Scalar>* out_t) {
  (Kernels().*Pick<Scalar>(nullptr, &KernelTable::small_diagonal_log_densities_transposed_f))(
      x, means, precisions, constants, out_t);
}
template void SmallDiagonalLogDensitiesTransposed<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, RowMatrixOf<float>*);
template void DirectDiagonalLogDensities<float>(const Eigen::Map<const RowMatrixOf<float>>&,
                                                const RowMatrix&, const RowMatrix&,
                                                const Eigen::VectorXd&,
                                                Eigen::Ref<RowMatrixOf<float>>);
template void SmallWhitenedLogDensities<double>(const Eigen::Map<const RowMatrixOf<double>>&,
                                                const RowMatrix&,
                                                const std::vector<const Eigen::MatrixXd*>&,
                                                const Eigen::VectorXd&,
                                                Eigen::Ref<RowMatrixOf<double>>);
template void SmallWhitenedLogDensities<float>(const Eigen::Map<const RowMatrixOf<float>>&,
                                               const RowMatrix&,
                                               const std::vector<const Eigen::MatrixXd*>&,
                                               const Eigen::VectorXd&,
                                               Eigen::Ref<RowMatrixOf<float>>);

}  // namespace dispatched
}  // namespace emkit::internal

namespace emkit {

void LogSumExpRows(Eigen::Ref<RowMatrix> log_values, Eigen::Ref<Vector> out, bool normalize) {
  internal::Kernels().log_sum_exp_rows_d(log_values, out, normalize);
}

void LogSumExpRows(Eigen::Ref<RowMatrixF> log_values, Eigen::Ref<Eigen::VectorXf> out,
                   bool normalize) {
  internal::Kernels().log_sum_exp_rows_f(log_values, out, normalize);
}

void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t, Eigen::Ref<Eigen::VectorXf> out,
                      bool normalize) {
  internal::Kernels().log_sum_exp_columns_f(log_values_t, out, normalize);
}

void LogSumExpColumns(Eigen::Ref<RowMatrixF> log_values_t,
                      const Eigen::Ref<const Eigen::VectorXf>& row_offsets,
                      Eigen::Ref<Eigen::VectorXf> out, bool normalize) {
  internal::Kernels().log_sum_exp_columns_with_offsets_f(log_values_t, row_offsets, out,
                                                         normalize);
}

}  // namespace emkit
