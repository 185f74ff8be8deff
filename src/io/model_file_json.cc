#include "model_file_json.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "emkit/io/model_file.h"
#include "message_text.h"

namespace emkit::io::internal {
namespace {

// How much of an offending JSON value a message quotes.
constexpr std::size_t kMaxQuotedValue = 40;

std::string DumpScalar(const Json& j) {
  // Feature names come from data headers in any encoding; replacing bad
  // UTF-8 keeps the file valid JSON instead of failing the save.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool IsFlatArray(const Json& j) {
  for (const Json& element : j) {
    if (element.is_array() || element.is_object()) return false;
  }
  return true;
}

// Like dump(2), but an array of scalars stays on one line, so that a
// matrix reads as one row per line.
void WritePretty(const Json& j, int depth, std::string* out) {
  const std::string indent(2 * (depth + 1), ' ');
  if (j.is_object()) {
    *out += "{\n";
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      if (!first) *out += ",\n";
      first = false;
      *out += indent;
      *out += DumpScalar(Json(key));
      *out += ": ";
      WritePretty(value, depth + 1, out);
    }
    *out += '\n';
    out->append(2 * depth, ' ');
    *out += '}';
  } else if (j.is_array() && !IsFlatArray(j)) {
    *out += "[\n";
    bool first = true;
    for (const Json& element : j) {
      if (!first) *out += ",\n";
      first = false;
      *out += indent;
      WritePretty(element, depth + 1, out);
    }
    *out += '\n';
    out->append(2 * depth, ' ');
    *out += ']';
  } else if (j.is_array()) {
    *out += "[";
    bool first = true;
    for (const Json& element : j) {
      if (!first) *out += ", ";
      first = false;
      *out += DumpScalar(element);
    }
    *out += "]";
  } else {
    *out += DumpScalar(j);
  }
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag,
// and with the input it quotes ("last read: '...'", "parsing '...'")
// escaped and cut like every other piece of input in a message: it may be
// megabytes long or not UTF-8.
std::string JsonErrorText(const char* what) {
  std::string text = what;
  if (const std::size_t tag_end = text.find("] "); tag_end != std::string::npos) {
    text.erase(0, tag_end + 2);
  }
  for (const std::string_view marker : {"last read: '", "parsing '"}) {
    const std::size_t begin = text.find(marker);
    if (begin == std::string::npos) continue;
    const std::size_t token = begin + marker.size();
    // The quoted input ends before "; expected ..." or at the end.
    std::size_t end = text.rfind("'; expected ");
    if (end == std::string::npos || end < token) end = text.size() - 1;
    if (end < token || text[end] != '\'') break;
    std::string quoted = text.substr(0, begin) +
                         std::string(marker.substr(0, marker.size() - 1)) +
                         internal::QuoteForMessage(
                             std::string_view(text).substr(token, end - token)) +
                         text.substr(end + 1);
    if (internal::IsValidUtf8(quoted)) return quoted;
    break;
  }
  // Not in the expected form: keep only what comes before the input.
  const std::size_t input = std::min(text.find("; last read"), text.find(" parsing '"));
  text = text.substr(0, input);
  return internal::IsValidUtf8(text) ? text : "the parser's message is not UTF-8";
}

}  // namespace

double FiniteOrThrow(double value, const char* key) {
  if (!std::isfinite(value)) {
    throw InvalidDataError(fmt::format(
        "{} holds {}: a model with non-finite parameters cannot be saved", key,
        value));
  }
  return value;
}

Json ModelHeader() {
  Json j;
  j["format"] = kFormatName;
  j["version"] = kModelFileVersion;
  return j;
}

std::string PrettyText(const Json& j) {
  std::string text;
  WritePretty(j, 0, &text);
  text += "\n";
  return text;
}

std::string ReadModelText(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw FileAccessError(path + ": cannot open: " + std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileAccessError(path + ": cannot open: " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw FileAccessError(path + ": read error");
  return text;
}

std::string DescribeValue(const Json& j) {
  std::string text = DumpScalar(j);
  if (text.size() > kMaxQuotedValue) {
    // Cut between characters, never inside a multi-byte one: the message
    // must stay valid UTF-8 (JSON text is).
    std::size_t cut = kMaxQuotedValue;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "...";
  }
  return text;
}

// The document's root, after the checks that every model kind shares.
Json ModelJsonReader::ParseRoot(const std::string& text) const {
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::parse_error& e) {
    Fail(fmt::format("not valid JSON (byte {}): {}", e.byte, JsonErrorText(e.what())));
  } catch (const Json::exception& e) {
    // E.g. a number too large for a double.
    Fail("not valid JSON: " + JsonErrorText(e.what()));
  }
  if (!root.is_object() || !root.contains("format") ||
      root["format"] != kFormatName) {
    Fail("not an emkit model file (no \"format\": \"emkit-model\")");
  }
  CheckVersion(root);
  return root;
}

void ModelJsonReader::CheckVersion(const Json& root) const {
  const Json& version = Require(root, "version");
  if (!version.is_number_integer()) {
    Fail(fmt::format("\"version\" must be an integer, found {}",
                     DescribeValue(version)));
  }
  const auto v = version.get<std::int64_t>();
  if (v > kModelFileVersion) {
    Fail(fmt::format(
        "model file version {} is newer than this emkit supports ({}); "
        "upgrade emkit", v, kModelFileVersion));
  }
  if (v < 1) Fail(fmt::format("\"version\" = {} must be >= 1", v));
}

double ModelJsonReader::Number(const Json& j, const std::string& where) const {
  if (!j.is_number()) {
    Fail(fmt::format("{} must be a number, found {}", where, DescribeValue(j)));
  }
  const double value = j.get<double>();
  if (!std::isfinite(value)) {
    Fail(fmt::format("{} = {} must be finite", where, DescribeValue(j)));
  }
  return value;
}

double ModelJsonReader::OptionalNumber(const Json& root, const char* key, double fallback) const {
  const Json* j = Find(root, key);
  return j == nullptr ? fallback : Number(*j, key);
}

// The size stored under `key`, or else the length of `array`; the two
// must agree when both are there.
Eigen::Index ModelJsonReader::Size(const Json& root, const char* key, const Json& array,
                  const char* array_name) const {
  if (const Json* stored = Find(root, key); stored != nullptr) {
    if (!stored->is_number_integer() || stored->get<std::int64_t>() < 1) {
      Fail(fmt::format("\"{}\" must be a positive integer, found {}", key,
                       DescribeValue(*stored)));
    }
    return static_cast<Eigen::Index>(stored->get<std::int64_t>());
  }
  if (!array.is_array() || array.empty()) {
    Fail(fmt::format("\"{}\" is missing and {} is not a non-empty array to "
                     "take it from", key, array_name));
  }
  return static_cast<Eigen::Index>(array.size());
}

// The nested array `j` of shape `dims` in row-major order, or a failure
// naming the key, the expected shape and the first place that differs.
// The values are collected as they are found, never allocated from the
// declared sizes, so a file that declares 10^12 components holds no more
// memory than its own numbers.
std::vector<double> ModelJsonReader::Flatten(const Json& j, const std::string& key,
                            const std::vector<Eigen::Index>& dims) const {
  std::string expected = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) expected += ", ";
    expected += std::to_string(dims[i]);
  }
  expected += "]";
  std::vector<double> out;
  FlattenLevel(j, key, key, expected, dims, 0, &out);
  return out;
}

void ModelJsonReader::FlattenLevel(const Json& j, const std::string& key, const std::string& where,
                  const std::string& expected, const std::vector<Eigen::Index>& dims,
                  std::size_t level, std::vector<double>* out) const {
  if (level == dims.size()) {
    out->push_back(Number(j, where));
    return;
  }
  if (!j.is_array()) {
    Fail(fmt::format("\"{}\" must have shape {}, but {} is {}, not an array",
                     key, expected, where, DescribeValue(j)));
  }
  if (static_cast<Eigen::Index>(j.size()) != dims[level]) {
    Fail(fmt::format("\"{}\" must have shape {}, but {} has {} entries", key,
                     expected, where, j.size()));
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    FlattenLevel(j[i], key, fmt::format("{}[{}]", where, i), expected, dims,
                 level + 1, out);
  }
}

RowMatrix ModelJsonReader::Table(const Json& root, const char* key, Eigen::Index k, const char* size_key) const {
  const Json& j = Require(root, key);
  const std::string first = std::string(key) + "[0]";
  const Eigen::Index d = Size(root, size_key, FirstRow(j), first.c_str());
  return Eigen::Map<const RowMatrix>(Flatten(j, key, {k, d}).data(), k, d);
}

void ModelJsonReader::ReadFeatureNames(const Json& root, Eigen::Index d,
                      std::vector<std::string>* feature_names) const {
  if (feature_names != nullptr) feature_names->clear();
  if (const Json* names = Find(root, "feature_names"); names != nullptr) {
    std::vector<std::string> parsed = FeatureNames(*names, d);
    if (feature_names != nullptr) *feature_names = std::move(parsed);
  }
}

std::vector<std::string> ModelJsonReader::FeatureNames(const Json& names, Eigen::Index d) const {
  if (!names.is_array() || static_cast<Eigen::Index>(names.size()) != d) {
    Fail(fmt::format("\"feature_names\" must be an array of {} strings "
                     "(one per feature)", d));
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!names[i].is_string()) {
      Fail(fmt::format("feature_names[{}] must be a string, found {}", i,
                       DescribeValue(names[i])));
    }
    out.push_back(names[i].get<std::string>());
  }
  return out;
}

}  // namespace emkit::io::internal
