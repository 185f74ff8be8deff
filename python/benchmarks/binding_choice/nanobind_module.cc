// The calls the estimator makes, bound with nanobind.
#include <Eigen/Core>
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

namespace nb = nanobind;
using Matrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

NB_MODULE(bench_nanobind, m) {
  m.def("noop", []() {});
  m.def("address", [](Matrix x) { return reinterpret_cast<std::uintptr_t>(x.data()); },
        nb::arg("x").noconvert());
  m.def("row_sums", [](Matrix x) {
    Eigen::Map<const RowMatrix> v(x.data(), x.shape(0), x.shape(1));
    auto* out = new Eigen::VectorXd(v.rowwise().sum());
    nb::capsule owner(out, [](void* p) noexcept { delete static_cast<Eigen::VectorXd*>(p); });
    return nb::ndarray<nb::numpy, double, nb::ndim<1>>(out->data(), {static_cast<size_t>(out->size())}, owner);
  }, nb::arg("x").noconvert());
}
