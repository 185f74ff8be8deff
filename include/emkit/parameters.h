// The parameter codec: a family's parameters as named settings and named,
// shaped arrays. A family writes itself to a ParameterWriter and is rebuilt
// from a ParameterReader; model files, checkpoints and `emkit info` are
// written in terms of these two interfaces, so that no other code knows the
// keys of a family.
//
// Arrays are row-major and named by the model-file keys ("means",
// "covariances", ...). Readers check shapes and report every problem through
// Fail(), which names the source (a file, a Python argument) and the key.
#ifndef EMKIT_PARAMETERS_H_
#define EMKIT_PARAMETERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "emkit/error.h"
#include "emkit/matrix.h"

namespace emkit {

class ParameterWriter {
 public:
  virtual ~ParameterWriter() = default;

  virtual void Text(std::string_view key, std::string_view value) = 0;
  virtual void Integer(std::string_view key, std::int64_t value) = 0;
  // A real setting (reg_covar, min_rate, ...). Non-finite values are an
  // InvalidDataError naming the key.
  virtual void Number(std::string_view key, double value) = 0;
  // shape.size() >= 1; values holds the product of shape, row-major.
  // Non-finite values are an InvalidDataError naming the key.
  virtual void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
                     const double* values) = 0;

  // Conveniences over Array.
  void Vector1(std::string_view key, const Vector& v);
  void Matrix2(std::string_view key, const RowMatrix& m);
  // A column-major Eigen matrix written row by row (covariances, triangular
  // precision factors).
  void Matrix2(std::string_view key, const Eigen::MatrixXd& m);
  // K matrices of one size as a [K][D][D] array.
  void Matrices3(std::string_view key, const std::vector<Eigen::MatrixXd>& matrices);
};

class ParameterReader {
 public:
  virtual ~ParameterReader() = default;

  virtual bool Has(std::string_view key) const = 0;

  // Fails with `what` prefixed by the source's name; never returns.
  [[noreturn]] virtual void Fail(const std::string& what) const = 0;

  // The text under `key`, one of `allowed`; `fallback` when the key is
  // absent (an empty fallback makes the key required). Anything else fails
  // with "unknown "key" VALUE (expected "a", "b" or "c")".
  virtual std::string Choice(std::string_view key, const std::vector<std::string_view>& allowed,
                             std::string_view fallback) const = 0;
  // A finite number, or `fallback` when absent.
  virtual double Number(std::string_view key, double fallback) const = 0;
  // A non-negative integer, or `fallback` when absent.
  virtual std::int64_t NonNegativeInteger(std::string_view key, std::int64_t fallback) const = 0;
  // A size: the positive integer under `size_key` when present, else the
  // length along `axis` (0 or 1) of the array under `array_key`.
  virtual Eigen::Index Extent(std::string_view size_key, std::string_view array_key,
                              int axis) const = 0;
  // The array under `key` with exactly `shape`, row-major. Fails when the
  // key is missing or the shape differs, naming the first difference.
  virtual std::vector<double> Array(std::string_view key,
                                    const std::vector<Eigen::Index>& shape) const = 0;

  // Conveniences over Array.
  Vector Vector1(std::string_view key, Eigen::Index n) const;
  RowMatrix Matrix2(std::string_view key, Eigen::Index rows, Eigen::Index cols) const;
  std::vector<Eigen::MatrixXd> Matrices3(std::string_view key, Eigen::Index k,
                                         Eigen::Index d) const;

  // Runs make(), turning the library's complaints about the parameters into
  // failures of this reader (so that they name the source).
  template <class Make>
  std::invoke_result_t<Make> Checked(Make make) const {
    try {
      return make();
    } catch (const InvalidDataError& e) {
      Fail(e.what());
      throw;  // not reached: Fail throws (a virtual call the compiler cannot see through)
    } catch (const InvalidOptionError& e) {
      Fail(e.what());
      throw;
    }
  }
};

}  // namespace emkit

#endif  // EMKIT_PARAMETERS_H_
