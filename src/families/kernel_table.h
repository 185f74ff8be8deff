// The table of a kernel variant's entry points: one per instruction set
// built (baseline, avx2, avx512, or native alone), each defined by that
// variant's src/families/kernels/kernel_table.cc as
// emkit::internal::<isa>::kKernels, the only global symbol its objects keep
// (cmake/EmkitKernels.cmake). The dispatcher (kernel_dispatch.cc) picks
// one table for the process, once, by the processor it runs on.
//
// The entries have the signatures of the kernel headers' declarations
// (kernel_namespace.h); Eigen's objects cross between the variants and the
// rest of the library, which is safe because every translation unit and
// every user agrees on their layout and alignment (EIGEN_MAX_ALIGN_BYTES
// and EIGEN_MAX_STATIC_ALIGN_BYTES are pinned to 64 by the emkit target)
// and each variant keeps its own copy of every inline function.
#ifndef EMKIT_SRC_FAMILIES_KERNEL_TABLE_H_
#define EMKIT_SRC_FAMILIES_KERNEL_TABLE_H_

#include <vector>

#include "diagonal_log_densities.h"
#include "float32_moments.h"
#include "full_block_moments.h"
#include "gaussian_blocks.h"
#include "kernel_namespace.h"
#include "log_sum_exp_kernels.h"
#include "small_dimension.h"
#include "whitened_distances.h"

#if !defined(EIGEN_MAX_ALIGN_BYTES) || EIGEN_MAX_ALIGN_BYTES != 64 || \
    !defined(EIGEN_MAX_STATIC_ALIGN_BYTES) || EIGEN_MAX_STATIC_ALIGN_BYTES != 64
#error "emkit's kernels need EIGEN_MAX_ALIGN_BYTES=64 and EIGEN_MAX_STATIC_ALIGN_BYTES=64"
#endif

namespace emkit::internal {

// The entries that are not overloaded, as (member, function).
#define EMKIT_KERNEL_ENTRIES(X)                                             \
  X(whitened_log_densities_d, WhitenedLogDensities<double>)                 \
  X(whitened_log_densities_f, WhitenedLogDensities<float>)                  \
  X(full_block_moments_supported, FullBlockMomentsSupported)                \
  X(full_block_moments, FullBlockMoments)                                   \
  X(compute_block_moments, ComputeBlockMoments)                             \
  X(full_raw_moments_f_supported, FullRawMomentsFSupported)                 \
  X(full_raw_moments_f, FullRawMomentsF)                                    \
  X(centred_weighted_sums_f, CentredWeightedSumsF)                          \
  X(expanded_diagonal_log_densities_f, ExpandedDiagonalLogDensitiesF)       \
  X(full_moments_f, FullMomentsF)                                           \
  X(full_block_moments_f, FullBlockMomentsF)                                \
  X(diagonal_moments_f, DiagonalMomentsF)                                   \
  X(block_counts_and_means, BlockCountsAndMeans)                            \
  X(block_counts_and_means_transposed, BlockCountsAndMeansTransposed)       \
  X(grouped_diagonal_moments_f, GroupedDiagonalMomentsF)                    \
  X(small_diagonal_log_densities_d, SmallDiagonalLogDensities<double>)      \
  X(small_diagonal_log_densities_f, SmallDiagonalLogDensities<float>)       \
  X(small_diagonal_log_densities_transposed_f,                              \
    SmallDiagonalLogDensitiesTransposed<float>)                             \
  X(direct_diagonal_log_densities_f, DirectDiagonalLogDensities<float>)     \
  X(small_whitened_log_densities_d, SmallWhitenedLogDensities<double>)      \
  X(small_whitened_log_densities_f, SmallWhitenedLogDensities<float>)       \
  X(axis_aligned_log_densities, AxisAlignedLogDensities)                    \
  X(accumulate_axis_aligned, AccumulateAxisAligned)                         \
  X(accumulate_full_few_features, AccumulateFullFewFeatures)                \
  X(accumulate_full_by_rank_updates, AccumulateFullByRankUpdates)

struct KernelTable {
  // The variant's name: "baseline", "avx2", "avx512" or "native".
  const char* name;
#define EMKIT_KERNEL_MEMBER(member, function) decltype(&EMKIT_KERNEL_NS::function) member;
  EMKIT_KERNEL_ENTRIES(EMKIT_KERNEL_MEMBER)
#undef EMKIT_KERNEL_MEMBER
  void (*log_sum_exp_rows_d)(Eigen::Ref<RowMatrix>, Eigen::Ref<Vector>, bool);
  void (*log_sum_exp_rows_f)(Eigen::Ref<RowMatrixF>, Eigen::Ref<Eigen::VectorXf>, bool);
  void (*log_sum_exp_columns_f)(Eigen::Ref<RowMatrixF>, Eigen::Ref<Eigen::VectorXf>, bool);
  void (*log_sum_exp_columns_with_offsets_f)(Eigen::Ref<RowMatrixF>,
                                             const Eigen::Ref<const Eigen::VectorXf>&,
                                             Eigen::Ref<Eigen::VectorXf>, bool);
};

// The table chosen for this process (the first call decides; thread-safe).
const KernelTable& Kernels();

// Every variant built, in the dispatcher's order (baseline first), and
// whether this processor can run it: for tests that compare them.
struct KernelVariant {
  const KernelTable* table;
  bool supported;
};
std::vector<KernelVariant> KernelVariants();

}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_KERNEL_TABLE_H_
