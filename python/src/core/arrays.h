// Conversions between numpy arrays and emkit's Eigen types. Inputs are
// viewed in place (the module accepts only C-contiguous float64 and never
// converts); outputs are new numpy arrays that own their memory.
#ifndef EMKIT_PYTHON_ARRAYS_H_
#define EMKIT_PYTHON_ARRAYS_H_

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include "emkit/matrix.h"

namespace emkit::python {

namespace nb = nanobind;

// Any C-contiguous float64 array on the CPU, read-only access.
using InputArray = nb::ndarray<const double, nb::c_contig, nb::device::cpu>;
// Two-dimensional C-contiguous rows of either data scalar (emkit/matrix.h):
// samples as rows.
template <DataScalar Scalar>
using InputRows = nb::ndarray<const Scalar, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using InputMatrix = InputRows<double>;

// A view of the rows of x, without a copy.
template <DataScalar Scalar>
MatrixViewOf<Scalar> ViewOf(const InputRows<Scalar>& x) {
  return MatrixViewOf<Scalar>(x.data(), static_cast<Eigen::Index>(x.shape(0)),
                              static_cast<Eigen::Index>(x.shape(1)));
}

// A numpy array of `shape` that takes ownership of `values` (moved to the
// heap and freed by the array's capsule).
template <class Storage>
nb::object OwningArray(Storage&& values, const std::vector<std::size_t>& shape) {
  using Plain = std::remove_cvref_t<Storage>;
  using Scalar =
      std::remove_cv_t<std::remove_pointer_t<decltype(std::declval<Plain&>().data())>>;
  auto* owned = new Plain(std::forward<Storage>(values));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<Plain*>(p); });
  return nb::ndarray<nb::numpy, Scalar>(owned->data(), shape.size(), shape.data(), owner)
      .cast();
}

inline nb::object NumpyVector(Vector v) {
  const std::size_t n = static_cast<std::size_t>(v.size());
  return OwningArray(std::move(v), {n});
}

inline nb::object NumpyMatrix(RowMatrix m) {
  const std::size_t rows = static_cast<std::size_t>(m.rows());
  const std::size_t cols = static_cast<std::size_t>(m.cols());
  return OwningArray(std::move(m), {rows, cols});
}

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_ARRAYS_H_
