// The kernel dispatcher: it runs the widest variant this processor
// supports, and every variant this processor runs agrees with the baseline
// one to rounding (FMA and vector widths change the order of operations, so
// not to the bit) and with itself exactly.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "emkit/random.h"
#include "kernel_table.h"

namespace emkit::internal {
namespace {

RowMatrix Random(Eigen::Index rows, Eigen::Index cols, double offset, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = offset + StandardNormal(rng);
  return m;
}

bool Built(const char* name) {
  for (const KernelVariant& v : KernelVariants()) {
    if (std::strcmp(v.table->name, name) == 0) return true;
  }
  return false;
}

TEST(KernelDispatchTest, RunsTheWidestVariantThisProcessorSupports) {
  const std::vector<KernelVariant> variants = KernelVariants();
  ASSERT_FALSE(variants.empty());
  EXPECT_TRUE(variants.front().supported) << variants.front().table->name;
  const KernelTable* widest = nullptr;
  for (const KernelVariant& v : variants) {
    if (v.supported) widest = v.table;
  }
  EXPECT_EQ(&Kernels(), widest);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // Independently of the dispatcher's own test: a processor with AVX-512
  // (F, BW, DQ, VL) runs the avx512 variant whenever it is built.
  __builtin_cpu_init();
  if (Built("avx512") && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl")) {
    EXPECT_STREQ(Kernels().name, "avx512");
  }
#endif
}

// Every supported variant against the baseline one, on the kernels of the
// float64 E-step and M-step.
TEST(KernelDispatchTest, VariantsAgreeWithTheBaseline) {
  const std::vector<KernelVariant> variants = KernelVariants();
  const KernelTable& base = *variants.front().table;
  const int n = 203;  // not a multiple of any vector width
  const int k_count = 5;
  for (int d : {3, 7, 16, 23}) {
    SCOPED_TRACE(testing::Message() << "d=" << d);
    const RowMatrix x = Random(n, d, 2.0, 11 + d);
    RowMatrix weights = Random(n, k_count, 0.0, 19 + d).cwiseAbs();
    weights.col(k_count - 1).setZero();
    const Vector counts = weights.colwise().sum().transpose();
    // Wider than any vector, so the tiled transposes run too.
    const RowMatrix log_values = Random(n, 19, -3.0, 29 + d);
    for (const KernelVariant& v : variants) {
      if (!v.supported) continue;
      SCOPED_TRACE(v.table->name);
      // Log-sum-exp.
      RowMatrix a = log_values;
      RowMatrix b = log_values;
      Vector out_a(n);
      Vector out_b(n);
      base.log_sum_exp_rows_d(a, out_a, true);
      v.table->log_sum_exp_rows_d(b, out_b, true);
      EXPECT_LT((out_a - out_b).cwiseAbs().maxCoeff(), 1e-13);
      EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-13);
      // And against the definition.
      for (Eigen::Index i = 0; i < n; ++i) {
        EXPECT_NEAR(out_b[i], std::log(log_values.row(i).array().exp().sum()), 1e-12);
      }
      // Moments by rank updates, and by the register kernel where built.
      Vector counts_a = Vector::Zero(k_count);
      Vector counts_b = Vector::Zero(k_count);
      RowMatrix means_a = RowMatrix::Zero(k_count, d);
      RowMatrix means_b = RowMatrix::Zero(k_count, d);
      std::vector<Eigen::MatrixXd> scatters_a(k_count, Eigen::MatrixXd::Zero(d, d));
      std::vector<Eigen::MatrixXd> scatters_b(k_count, Eigen::MatrixXd::Zero(d, d));
      const MatrixView view(x.data(), n, d);
      base.accumulate_full_by_rank_updates(view, weights, &counts_a, &means_a, &scatters_a,
                                           nullptr);
      v.table->accumulate_full_by_rank_updates(view, weights, &counts_b, &means_b,
                                               &scatters_b, nullptr);
      EXPECT_LT((means_a - means_b).cwiseAbs().maxCoeff(), 1e-13);
      for (int k = 0; k < k_count; ++k) {
        const Eigen::MatrixXd sa = scatters_a[k].triangularView<Eigen::Lower>();
        const Eigen::MatrixXd sb = scatters_b[k].triangularView<Eigen::Lower>();
        EXPECT_LT((sa - sb).cwiseAbs().maxCoeff(), 1e-11 * (1.0 + sa.cwiseAbs().maxCoeff()));
      }
      if (v.table->full_block_moments_supported(d) && base.full_block_moments_supported(d)) {
        RowMatrix bm_a;
        RowMatrix bm_b;
        std::vector<Eigen::MatrixXd> bs_a;
        std::vector<Eigen::MatrixXd> bs_b;
        base.full_block_moments(view, weights, counts, &bm_a, &bs_a);
        v.table->full_block_moments(view, weights, counts, &bm_b, &bs_b);
        EXPECT_LT((bm_a.topRows(k_count - 1) - bm_b.topRows(k_count - 1)).cwiseAbs().maxCoeff(),
                  1e-13);
        for (int k = 0; k + 1 < k_count; ++k) {
          EXPECT_LT((bs_a[k] - bs_b[k]).cwiseAbs().maxCoeff(),
                    1e-11 * (1.0 + bs_a[k].cwiseAbs().maxCoeff()));
        }
      }
    }
  }
}

// A variant gives bit-identical results on the same input, call after call.
TEST(KernelDispatchTest, EachVariantIsDeterministic) {
  const RowMatrix log_values = Random(101, 19, 0.0, 3);
  for (const KernelVariant& v : KernelVariants()) {
    if (!v.supported) continue;
    SCOPED_TRACE(v.table->name);
    RowMatrix a = log_values;
    RowMatrix b = log_values;
    Vector out_a(a.rows());
    Vector out_b(b.rows());
    v.table->log_sum_exp_rows_d(a, out_a, true);
    v.table->log_sum_exp_rows_d(b, out_b, true);
    EXPECT_EQ(std::memcmp(out_a.data(), out_b.data(), sizeof(double) * out_a.size()), 0);
    EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(double) * a.size()), 0);
  }
}

}  // namespace
}  // namespace emkit::internal
