// The conveniences of the parameter codec, in terms of its Array calls.
#include "emkit/parameters.h"

#include <vector>

namespace emkit {

void ParameterWriter::Vector1(std::string_view key, const Vector& v) {
  Array(key, {v.size()}, v.data());
}

void ParameterWriter::Matrix2(std::string_view key, const RowMatrix& m) {
  Array(key, {m.rows(), m.cols()}, m.data());
}

void ParameterWriter::Matrix2(std::string_view key, const Eigen::MatrixXd& m) {
  const RowMatrix row_major = m;
  Matrix2(key, row_major);
}

void ParameterWriter::Matrices3(std::string_view key,
                                const std::vector<Eigen::MatrixXd>& matrices) {
  const Eigen::Index k = static_cast<Eigen::Index>(matrices.size());
  const Eigen::Index d = matrices.empty() ? 0 : matrices.front().rows();
  std::vector<double> flat;
  flat.reserve(static_cast<std::size_t>(k * d * d));
  for (const Eigen::MatrixXd& m : matrices) {
    for (Eigen::Index i = 0; i < d; ++i) {
      for (Eigen::Index j = 0; j < d; ++j) flat.push_back(m(i, j));
    }
  }
  Array(key, {k, d, d}, flat.data());
}

Vector ParameterReader::Vector1(std::string_view key, Eigen::Index n) const {
  return Eigen::Map<const Vector>(Array(key, {n}).data(), n);
}

RowMatrix ParameterReader::Matrix2(std::string_view key, Eigen::Index rows,
                                   Eigen::Index cols) const {
  return Eigen::Map<const RowMatrix>(Array(key, {rows, cols}).data(), rows, cols);
}

std::vector<Eigen::MatrixXd> ParameterReader::Matrices3(std::string_view key, Eigen::Index k,
                                                        Eigen::Index d) const {
  const std::vector<double> flat = Array(key, {k, d, d});
  std::vector<Eigen::MatrixXd> out;
  out.reserve(static_cast<std::size_t>(k));
  for (Eigen::Index c = 0; c < k; ++c) {
    out.push_back(Eigen::Map<const RowMatrix>(flat.data() + c * d * d, d, d));
  }
  return out;
}

}  // namespace emkit
