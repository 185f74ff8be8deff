// This variant's table of entry points (kernel_table.h).
#include "kernel_table.h"

#define EMKIT_KERNEL_STRING2(x) #x
#define EMKIT_KERNEL_STRING(x) EMKIT_KERNEL_STRING2(x)

namespace emkit::internal::EMKIT_KERNEL_ISA {

extern const KernelTable kKernels;
const KernelTable kKernels = {
    .name = EMKIT_KERNEL_STRING(EMKIT_KERNEL_ISA),
#define EMKIT_KERNEL_ENTRY(member, function) .member = &function,
    EMKIT_KERNEL_ENTRIES(EMKIT_KERNEL_ENTRY)
#undef EMKIT_KERNEL_ENTRY
    .log_sum_exp_rows_d = &LogSumExpRows,
    .log_sum_exp_rows_f = &LogSumExpRows,
    .log_sum_exp_columns_f = &LogSumExpColumns,
    .log_sum_exp_columns_with_offsets_f = &LogSumExpColumns,
};

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
