#include "json_parameters.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace emkit::io::internal {
namespace {

// Nested arrays of `shape` from the row-major `values`, starting at *next.
Json NestedArray(const std::string& key, const std::vector<Eigen::Index>& shape,
                 std::size_t level, const double* values, std::size_t* next) {
  Json out = Json::array();
  for (Eigen::Index i = 0; i < shape[level]; ++i) {
    if (level + 1 == shape.size()) {
      out.push_back(FiniteOrThrow(values[(*next)++], key.c_str()));
    } else {
      out.push_back(NestedArray(key, shape, level + 1, values, next));
    }
  }
  return out;
}

// "a", "b" or "c".
std::string Alternatives(const std::vector<std::string_view>& allowed) {
  std::string out;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += i + 1 == allowed.size() ? " or " : ", ";
    out += fmt::format("\"{}\"", allowed[i]);
  }
  return out;
}

}  // namespace

void JsonParameterWriter::Text(std::string_view key, std::string_view value) {
  (*object_)[std::string(key)] = std::string(value);
}

void JsonParameterWriter::Integer(std::string_view key, std::int64_t value) {
  (*object_)[std::string(key)] = value;
}

void JsonParameterWriter::Number(std::string_view key, double value) {
  const std::string name(key);
  (*object_)[name] = FiniteOrThrow(value, name.c_str());
}

void JsonParameterWriter::Array(std::string_view key, const std::vector<Eigen::Index>& shape,
                                const double* values) {
  const std::string name(key);
  std::size_t next = 0;
  (*object_)[name] = NestedArray(name, shape, 0, values, &next);
}

bool JsonParameterReader::Has(std::string_view key) const {
  return ModelJsonReader::Find(object_, std::string(key).c_str()) != nullptr;
}

std::string JsonParameterReader::Choice(std::string_view key,
                                        const std::vector<std::string_view>& allowed,
                                        std::string_view fallback) const {
  const std::string name(key);
  const Json* value = ModelJsonReader::Find(object_, name.c_str());
  if (value == nullptr) {
    if (fallback.empty()) reader_.Require(object_, name.c_str());
    return std::string(fallback);
  }
  if (value->is_string()) {
    const std::string text = value->get<std::string>();
    if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return text;
  }
  reader_.Fail(fmt::format("unknown \"{}\" {} (expected {})", name, DescribeValue(*value),
                           Alternatives(allowed)));
}

double JsonParameterReader::Number(std::string_view key, double fallback) const {
  return reader_.OptionalNumber(object_, std::string(key).c_str(), fallback);
}

std::int64_t JsonParameterReader::NonNegativeInteger(std::string_view key,
                                                     std::int64_t fallback) const {
  const std::string name(key);
  const Json* value = ModelJsonReader::Find(object_, name.c_str());
  if (value == nullptr) return fallback;
  if (!value->is_number_integer() || value->get<std::int64_t>() < 0) {
    Fail(fmt::format("\"{}\" must be a non-negative integer, found {}", name,
                     DescribeValue(*value)));
  }
  return value->get<std::int64_t>();
}

Eigen::Index JsonParameterReader::Extent(std::string_view size_key, std::string_view array_key,
                                         int axis) const {
  const std::string array_name(array_key);
  const Json& array = reader_.Require(object_, array_name.c_str());
  if (axis == 0) {
    return reader_.Size(object_, std::string(size_key).c_str(), array, array_name.c_str());
  }
  const std::string first = array_name + "[0]";
  return reader_.Size(object_, std::string(size_key).c_str(), ModelJsonReader::FirstRow(array),
                      first.c_str());
}

std::vector<double> JsonParameterReader::Array(std::string_view key,
                                               const std::vector<Eigen::Index>& shape) const {
  const std::string name(key);
  return reader_.Flatten(reader_.Require(object_, name.c_str()), name, shape);
}

}  // namespace emkit::io::internal
