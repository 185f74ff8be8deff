#include "dict_codec.h"

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include "arrays.h"
#include "emkit/error.h"

namespace emkit::python {
namespace {

// A float64 array of any shape, converted (copied) when it is not one.
using AnyArray = nb::ndarray<const double, nb::c_contig, nb::device::cpu>;

std::string KeyText(std::string_view key) { return std::string(key); }

}  // namespace

void DictWriter::Text(std::string_view key, std::string_view value) {
  dict_[KeyText(key).c_str()] = nb::str(value.data(), value.size());
}

void DictWriter::Integer(std::string_view key, std::int64_t value) {
  dict_[KeyText(key).c_str()] = nb::int_(value);
}

void DictWriter::Number(std::string_view key, double value) {
  if (!std::isfinite(value)) {
    throw InvalidDataError(fmt::format("{} = {} is not finite", key, value));
  }
  dict_[KeyText(key).c_str()] = nb::float_(value);
}

void DictWriter::Array(std::string_view key, const std::vector<Eigen::Index>& shape,
                       const double* values) {
  std::size_t size = 1;
  std::vector<std::size_t> dims;
  for (Eigen::Index extent : shape) {
    dims.push_back(static_cast<std::size_t>(extent));
    size *= static_cast<std::size_t>(extent);
  }
  for (std::size_t i = 0; i < size; ++i) {
    if (!std::isfinite(values[i])) {
      throw InvalidDataError(fmt::format("{}[{}] = {} is not finite", key, i, values[i]));
    }
  }
  dict_[KeyText(key).c_str()] = OwningArray(std::vector<double>(values, values + size), dims);
}

DictReader::DictReader(nb::dict dict, std::string source)
    : dict_(std::move(dict)), source_(std::move(source)) {}

nb::handle DictReader::Get(std::string_view key) const {
  const std::string k = KeyText(key);
  if (!dict_.contains(k.c_str())) Fail(fmt::format("\"{}\" is missing", key));
  return dict_[k.c_str()];
}

bool DictReader::Has(std::string_view key) const {
  const std::string k = KeyText(key);
  return dict_.contains(k.c_str()) && !dict_[k.c_str()].is_none();
}

void DictReader::Fail(const std::string& what) const {
  // A failure of this reader that ParameterReader::Checked hands back
  // names the source already.
  const std::string prefix = source_ + ": ";
  if (what.starts_with(prefix)) throw InvalidDataError(what);
  throw InvalidDataError(prefix + what);
}

std::string DictReader::Choice(std::string_view key, const std::vector<std::string_view>& allowed,
                               std::string_view fallback) const {
  std::string value;
  if (!Has(key)) {
    if (fallback.empty()) Fail(fmt::format("\"{}\" is missing", key));
    value = std::string(fallback);
  } else if (!nb::try_cast(Get(key), value)) {
    Fail(fmt::format("\"{}\" must be a string", key));
  }
  for (std::string_view a : allowed) {
    if (a == value) return value;
  }
  // Qualified: a virtual call's [[noreturn]] is not seen (-Wreturn-type).
  DictReader::Fail(
      fmt::format("unknown \"{}\" {} (expected {})", key, value, fmt::join(allowed, ", ")));
}

double DictReader::Number(std::string_view key, double fallback) const {
  if (!Has(key)) return fallback;
  double value = 0.0;
  if (!nb::try_cast(Get(key), value) || !std::isfinite(value)) {
    Fail(fmt::format("\"{}\" must be a finite number", key));
  }
  return value;
}

std::int64_t DictReader::NonNegativeInteger(std::string_view key, std::int64_t fallback) const {
  if (!Has(key)) return fallback;
  std::int64_t value = 0;
  if (!nb::try_cast(Get(key), value) || value < 0) {
    Fail(fmt::format("\"{}\" must be a non-negative integer", key));
  }
  return value;
}

Eigen::Index DictReader::Extent(std::string_view size_key, std::string_view array_key,
                                int axis) const {
  if (Has(size_key)) {
    const std::int64_t n = NonNegativeInteger(size_key, 0);
    if (n < 1) Fail(fmt::format("\"{}\" must be >= 1", size_key));
    return static_cast<Eigen::Index>(n);
  }
  AnyArray a;
  if (!nb::try_cast(Get(array_key), a, /*convert=*/true) ||
      a.ndim() <= static_cast<std::size_t>(axis)) {
    Fail(fmt::format("\"{}\" must be an array of at least {} dimension(s)", array_key,
                     axis + 1));
  }
  return static_cast<Eigen::Index>(a.shape(static_cast<std::size_t>(axis)));
}

std::vector<double> DictReader::Array(std::string_view key,
                                      const std::vector<Eigen::Index>& shape) const {
  AnyArray a;
  if (!nb::try_cast(Get(key), a, /*convert=*/true)) {
    Fail(fmt::format("\"{}\" must be an array of numbers", key));
  }
  if (a.ndim() != shape.size()) {
    Fail(fmt::format("\"{}\" has {} dimension(s), expected {} (shape ({}))", key, a.ndim(),
                     shape.size(), fmt::join(shape, ", ")));
  }
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    if (static_cast<Eigen::Index>(a.shape(axis)) != shape[axis]) {
      Fail(fmt::format("\"{}\" has {} entries along axis {}, expected {} (shape ({}))", key,
                       a.shape(axis), axis, shape[axis], fmt::join(shape, ", ")));
    }
  }
  return std::vector<double>(a.data(), a.data() + a.size());
}

nb::dict EncodeModelToDict(const AnyModel& model) {
  DictWriter writer;
  EncodeModel(model, writer);
  return writer.dict();
}

AnyModel DecodeModelFromDict(nb::dict params, std::string source) {
  return DecodeModel(DictReader(std::move(params), std::move(source)));
}

}  // namespace emkit::python
