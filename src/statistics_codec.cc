// The flat form of statistics (emkit/statistics_codec.h).
#include "emkit/statistics_codec.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "emkit/error.h"

namespace emkit {
namespace {

std::size_t NumValues(const std::vector<Eigen::Index>& shape) {
  std::size_t n = 1;
  for (const Eigen::Index extent : shape) n *= static_cast<std::size_t>(extent);
  return n;
}

std::string ShapeText(const std::vector<Eigen::Index>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

[[noreturn]] void ArraysOnly(std::string_view key) {
  throw std::logic_error(
      fmt::format("statistics are arrays only, but \"{}\" was written as a setting", key));
}

}  // namespace

std::size_t FlatLength(const StatisticsLayout& layout) {
  std::size_t n = 0;
  for (const StatisticsArray& a : layout) n += NumValues(a.shape);
  return n;
}

void FlatStatisticsWriter::Text(std::string_view key, std::string_view) { ArraysOnly(key); }
void FlatStatisticsWriter::Integer(std::string_view key, std::int64_t) { ArraysOnly(key); }
void FlatStatisticsWriter::Number(std::string_view key, double) { ArraysOnly(key); }

void FlatStatisticsWriter::Array(std::string_view key, const std::vector<Eigen::Index>& shape,
                                 const double* values) {
  for (const StatisticsArray& a : layout_) {
    if (a.key == key) {
      throw std::logic_error(fmt::format("statistics key \"{}\" written twice", key));
    }
  }
  layout_.push_back({std::string(key), shape});
  values_.insert(values_.end(), values, values + NumValues(shape));
}

FlatStatisticsReader::FlatStatisticsReader(StatisticsLayout layout,
                                           std::span<const double> values, std::string source)
    : layout_(std::move(layout)), values_(values), source_(std::move(source)) {
  std::size_t offset = 0;
  for (const StatisticsArray& a : layout_) {
    offsets_.push_back(offset);
    offset += NumValues(a.shape);
  }
  if (values_.size() != offset) {
    Fail(fmt::format("{} values, but the layout holds {}", values_.size(), offset));
  }
}

bool FlatStatisticsReader::Has(std::string_view key) const {
  for (const StatisticsArray& a : layout_) {
    if (a.key == key) return true;
  }
  return false;
}

void FlatStatisticsReader::Fail(const std::string& what) const {
  throw InvalidDataError(source_ + ": " + what);
}

std::size_t FlatStatisticsReader::Find(std::string_view key) const {
  for (std::size_t i = 0; i < layout_.size(); ++i) {
    if (layout_[i].key == key) return i;
  }
  Fail(fmt::format("missing \"{}\"", key));
}

void FlatStatisticsReader::NoSetting(std::string_view key) const {
  if (Has(key)) Fail(fmt::format("\"{}\" is an array, not a setting", key));
}

std::string FlatStatisticsReader::Choice(std::string_view key,
                                         const std::vector<std::string_view>&,
                                         std::string_view fallback) const {
  NoSetting(key);
  if (fallback.empty()) Fail(fmt::format("missing \"{}\"", key));
  return std::string(fallback);
}

double FlatStatisticsReader::Number(std::string_view key, double fallback) const {
  NoSetting(key);
  return fallback;
}

std::int64_t FlatStatisticsReader::NonNegativeInteger(std::string_view key,
                                                      std::int64_t fallback) const {
  NoSetting(key);
  return fallback;
}

Eigen::Index FlatStatisticsReader::Extent(std::string_view size_key, std::string_view array_key,
                                          int axis) const {
  NoSetting(size_key);
  const std::vector<Eigen::Index>& shape = layout_[Find(array_key)].shape;
  if (static_cast<std::size_t>(axis) >= shape.size()) {
    Fail(fmt::format("\"{}\" has shape {}, with no axis {}", array_key, ShapeText(shape), axis));
  }
  return shape[static_cast<std::size_t>(axis)];
}

std::vector<double> FlatStatisticsReader::Array(std::string_view key,
                                                const std::vector<Eigen::Index>& shape) const {
  const std::size_t i = Find(key);
  if (layout_[i].shape != shape) {
    Fail(fmt::format("\"{}\" has shape {}, expected {}", key, ShapeText(layout_[i].shape),
                     ShapeText(shape)));
  }
  const auto first = values_.begin() + static_cast<std::ptrdiff_t>(offsets_[i]);
  return std::vector<double>(first, first + static_cast<std::ptrdiff_t>(NumValues(shape)));
}

}  // namespace emkit
