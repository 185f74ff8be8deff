#include "small_dimension.h"

#include <vector>

#include "transposed_blocks.h"

namespace emkit::internal::EMKIT_KERNEL_ISA {
namespace {

// A component's mean split as centre + residual, both in Scalar: the
// centre is the mean rounded to Scalar, the residual what rounding lost
// (zero in double). x - centre is then exact up to one rounding of a
// small difference, and subtracting the residual keeps the float path as
// accurate relative to the result as the double one.
template <class Scalar>
void SplitMean(const Eigen::RowVectorXd& mean, Scalar* centre, Scalar* residual) {
  for (Eigen::Index j = 0; j < mean.size(); ++j) {
    centre[j] = static_cast<Scalar>(mean[j]);
    residual[j] = static_cast<Scalar>(mean[j] - static_cast<double>(centre[j]));
  }
}

// out[i] = c - sum_j h[j] (x_t[j][i] - centre[j] - residual[j])^2.
template <int D, class Scalar>
void DiagonalPass(const Scalar* x_t, Eigen::Index n, const Scalar* centre,
                  const Scalar* residual, const Scalar* h, Scalar c, Scalar* out) {
  for (Eigen::Index i = 0; i < n; ++i) {
    Scalar q = 0;
    for (int j = 0; j < D; ++j) {
      const Scalar d = (x_t[j * n + i] - centre[j]) - residual[j];
      q += h[j] * d * d;
    }
    out[i] = c - q;
  }
}

// The same with D known at run time.
template <class Scalar>
void DiagonalPassDynamic(const Scalar* x_t, Eigen::Index n, int d, const Scalar* centre,
                         const Scalar* residual, const Scalar* h, Scalar c, Scalar* out) {
  for (Eigen::Index i = 0; i < n; ++i) out[i] = 0;
  for (int j = 0; j < d; ++j) {
    const Scalar* xj = x_t + j * n;
    for (Eigen::Index i = 0; i < n; ++i) {
      const Scalar v = (xj[i] - centre[j]) - residual[j];
      out[i] += h[j] * v * v;
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) out[i] = c - out[i];
}

// out[i] = c - 1/2 ||d W||^2 with d = x_i - mean, W (D x D, column-major)
// with its zeros: adding an exact zero product changes nothing.
template <int D, class Scalar>
void WhitenedPass(const Scalar* x_t, Eigen::Index n, const Scalar* centre,
                  const Scalar* residual, const Scalar* w, Scalar c, Scalar* out) {
  for (Eigen::Index i = 0; i < n; ++i) {
    Scalar d[D];
    for (int j = 0; j < D; ++j) d[j] = (x_t[j * n + i] - centre[j]) - residual[j];
    Scalar q = 0;
    for (int j = 0; j < D; ++j) {
      Scalar y = 0;
      for (int l = 0; l < D; ++l) y += d[l] * w[j * D + l];
      q += y * y;
    }
    out[i] = c - Scalar(0.5) * q;
  }
}

// Runs `pass` for every component on the block transposed, writing
// *out_t (K x n: row k holds component k's values). The transposes are
// SIMD tiles (transposed_blocks.h), exact copies.
template <class Scalar, class Pass>
void ForEachComponentTransposed(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                                const RowMatrix& means, RowMatrixOf<Scalar>* out_t,
                                Pass&& pass) {
  const Eigen::Index n = x.rows();
  const Eigen::Index k_count = means.rows();
  thread_local RowMatrixOf<Scalar> x_t;
  x_t.resize(x.cols(), n);
  Transpose<Scalar>(x.data(), n, x.cols(), x.cols(), x_t.data(), n);
  out_t->resize(k_count, n);
  thread_local std::vector<Scalar> centre;
  thread_local std::vector<Scalar> residual;
  centre.resize(means.cols());
  residual.resize(means.cols());
  for (Eigen::Index k = 0; k < k_count; ++k) {
    SplitMean<Scalar>(means.row(k), centre.data(), residual.data());
    pass(static_cast<int>(k), x_t.data(), n, centre.data(), residual.data(),
         out_t->row(k).data());
  }
}

// The same written to out (n x K).
template <class Scalar, class Pass>
void ForEachComponent(const Eigen::Map<const RowMatrixOf<Scalar>>& x, const RowMatrix& means,
                      Eigen::Ref<RowMatrixOf<Scalar>> out, Pass&& pass) {
  thread_local RowMatrixOf<Scalar> out_t;
  ForEachComponentTransposed<Scalar>(x, means, &out_t, pass);
  Transpose<Scalar>(out_t.data(), out_t.rows(), out_t.cols(), out_t.cols(), out.data(),
                    out.outerStride());
}

// The diagonal pass of component k for D <= kMaxSmallDimension.
template <class Scalar>
auto SmallDiagonalPass(const RowMatrix& precisions, const Eigen::VectorXd& constants, int d) {
  return [&precisions, &constants, d](int k, const Scalar* x_t, Eigen::Index n,
                                      const Scalar* centre, const Scalar* residual,
                                      Scalar* row) {
    Scalar h[kMaxSmallDimension];
    for (int j = 0; j < d; ++j) h[j] = static_cast<Scalar>(0.5 * precisions(k, j));
    const Scalar c = static_cast<Scalar>(constants[k]);
    switch (d) {
      case 1: DiagonalPass<1>(x_t, n, centre, residual, h, c, row); break;
      case 2: DiagonalPass<2>(x_t, n, centre, residual, h, c, row); break;
      case 3: DiagonalPass<3>(x_t, n, centre, residual, h, c, row); break;
      default: DiagonalPass<4>(x_t, n, centre, residual, h, c, row); break;
    }
  };
}

}  // namespace

template <class Scalar>
void SmallDiagonalLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                               const RowMatrix& means, const RowMatrix& precisions,
                               const Eigen::VectorXd& constants,
                               Eigen::Ref<RowMatrixOf<Scalar>> out) {
  ForEachComponent<Scalar>(
      x, means, out, SmallDiagonalPass<Scalar>(precisions, constants, static_cast<int>(x.cols())));
}

template <class Scalar>
void SmallDiagonalLogDensitiesTransposed(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                                         const RowMatrix& means, const RowMatrix& precisions,
                                         const Eigen::VectorXd& constants,
                                         RowMatrixOf<Scalar>* out_t) {
  ForEachComponentTransposed<Scalar>(
      x, means, out_t,
      SmallDiagonalPass<Scalar>(precisions, constants, static_cast<int>(x.cols())));
}

template <class Scalar>
void DirectDiagonalLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                                const RowMatrix& means, const RowMatrix& precisions,
                                const Eigen::VectorXd& constants,
                                Eigen::Ref<RowMatrixOf<Scalar>> out) {
  const int d = static_cast<int>(x.cols());
  thread_local std::vector<Scalar> h;
  h.resize(d);
  ForEachComponent<Scalar>(x, means, out, [&](int k, const Scalar* x_t, Eigen::Index n,
                                              const Scalar* centre, const Scalar* residual,
                                              Scalar* row) {
    for (int j = 0; j < d; ++j) h[j] = static_cast<Scalar>(0.5 * precisions(k, j));
    DiagonalPassDynamic(x_t, n, d, centre, residual, h.data(),
                        static_cast<Scalar>(constants[k]), row);
  });
}

template <class Scalar>
void SmallWhitenedLogDensities(const Eigen::Map<const RowMatrixOf<Scalar>>& x,
                               const RowMatrix& means,
                               const std::vector<const Eigen::MatrixXd*>& factors,
                               const Eigen::VectorXd& constants,
                               Eigen::Ref<RowMatrixOf<Scalar>> out) {
  const int d = static_cast<int>(x.cols());
  ForEachComponent<Scalar>(x, means, out, [&](int k, const Scalar* x_t, Eigen::Index n,
                                              const Scalar* centre, const Scalar* residual,
                                              Scalar* row) {
    const Eigen::MatrixXd& w = *factors[factors.size() == 1 ? 0 : k];
    Scalar wf[kMaxSmallDimension * kMaxSmallDimension];
    for (int j = 0; j < d; ++j) {
      for (int l = 0; l < d; ++l) wf[j * d + l] = static_cast<Scalar>(w(l, j));
    }
    const Scalar c = static_cast<Scalar>(constants[k]);
    switch (d) {
      case 1: WhitenedPass<1>(x_t, n, centre, residual, wf, c, row); break;
      case 2: WhitenedPass<2>(x_t, n, centre, residual, wf, c, row); break;
      case 3: WhitenedPass<3>(x_t, n, centre, residual, wf, c, row); break;
      default: WhitenedPass<4>(x_t, n, centre, residual, wf, c, row); break;
    }
  });
}

template void SmallDiagonalLogDensities<double>(
    const Eigen::Map<const RowMatrixOf<double>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, Eigen::Ref<RowMatrixOf<double>>);
template void SmallDiagonalLogDensities<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, Eigen::Ref<RowMatrixOf<float>>);
template void SmallDiagonalLogDensitiesTransposed<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, RowMatrixOf<float>*);
template void DirectDiagonalLogDensities<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&, const RowMatrix&,
    const Eigen::VectorXd&, Eigen::Ref<RowMatrixOf<float>>);
template void SmallWhitenedLogDensities<double>(
    const Eigen::Map<const RowMatrixOf<double>>&, const RowMatrix&,
    const std::vector<const Eigen::MatrixXd*>&, const Eigen::VectorXd&,
    Eigen::Ref<RowMatrixOf<double>>);
template void SmallWhitenedLogDensities<float>(
    const Eigen::Map<const RowMatrixOf<float>>&, const RowMatrix&,
    const std::vector<const Eigen::MatrixXd*>&, const Eigen::VectorXd&,
    Eigen::Ref<RowMatrixOf<float>>);

}  // namespace emkit::internal::EMKIT_KERNEL_ISA
