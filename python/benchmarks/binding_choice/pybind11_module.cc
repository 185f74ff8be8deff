// The calls the estimator makes, bound with pybind11.
#include <Eigen/Core>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace py = pybind11;
using Matrix = py::array_t<double, py::array::c_style>;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

PYBIND11_MODULE(bench_pybind11, m) {
  m.def("noop", []() {});
  m.def("address", [](Matrix x) { return reinterpret_cast<std::uintptr_t>(x.data()); },
        py::arg("x").noconvert());
  m.def("row_sums", [](Matrix x) {
    Eigen::Map<const RowMatrix> v(x.data(), x.shape(0), x.shape(1));
    auto* out = new Eigen::VectorXd(v.rowwise().sum());
    py::capsule owner(out, [](void* p) { delete static_cast<Eigen::VectorXd*>(p); });
    return py::array_t<double>({out->size()}, {sizeof(double)}, out->data(), owner);
  }, py::arg("x").noconvert());
}
