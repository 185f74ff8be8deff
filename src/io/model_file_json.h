// The JSON plumbing that every kind of model file shares: number arrays at
// full precision, the pretty layout, and a reader whose every failure is a
// FileFormatError naming the file and the key. Internal to emkit::io.
#ifndef EMKIT_IO_MODEL_FILE_JSON_H_
#define EMKIT_IO_MODEL_FILE_JSON_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "emkit/error.h"
#include "emkit/matrix.h"

namespace emkit::io::internal {

// Keys keep the order they are written in, so files read top-down.
using Json = nlohmann::ordered_json;

inline constexpr const char* kFormatName = "emkit-model";

// ---------------------------------------------------------------------------
// Writing.

// `value`, or InvalidDataError naming `key`: JSON cannot hold NaN or inf.
double FiniteOrThrow(double value, const char* key);

// {"format": "emkit-model", "version": 1}: what every model file starts with.
Json ModelHeader();

// The document as text (ending in a line break): like dump(2), but an array
// of scalars stays on one line, so that a matrix reads as one row per line.
std::string PrettyText(const Json& j);

// ---------------------------------------------------------------------------
// Reading.

// The file's bytes; FileAccessError "PATH: cannot open: reason".
std::string ReadModelText(const std::string& path);

// A JSON value quoted in a message, cut to a readable length.
std::string DescribeValue(const Json& j);

// Reads one model document; every failure names the file.
class ModelJsonReader {
 public:
  explicit ModelJsonReader(std::string display_name) : name_(std::move(display_name)) {}

  // The document's root, after the checks that every model kind shares:
  // valid JSON, "format" and a supported "version".
  Json ParseRoot(const std::string& text) const;

  [[noreturn]] void Fail(const std::string& what) const {
    throw FileFormatError(name_ + ": " + what);
  }

  static const Json* Find(const Json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }

  const Json& Require(const Json& object, const char* key) const {
    const Json* found = Find(object, key);
    if (found == nullptr) Fail(fmt::format("missing key \"{}\"", key));
    return *found;
  }

  // A finite number, or a failure naming `where`.
  double Number(const Json& j, const std::string& where) const;
  // root[key] as Number, or `fallback` when the key is absent.
  double OptionalNumber(const Json& root, const char* key, double fallback) const;

  // The size stored under `key`, or else the length of `array`; the two
  // must agree when both are there.
  Eigen::Index Size(const Json& root, const char* key, const Json& array,
                    const char* array_name) const;

  // The nested array `j` of shape `dims` in row-major order, or a failure
  // naming the key, the expected shape and the first place that differs.
  // The values are collected as they are found, never allocated from the
  // declared sizes, so a file that declares 10^12 components holds no more
  // memory than its own numbers.
  std::vector<double> Flatten(const Json& j, const std::string& key,
                              const std::vector<Eigen::Index>& dims) const;

  // j[0] when j is a non-empty array, else null (for sizes taken from it).
  static Json FirstRow(const Json& j) { return j.is_array() && !j.empty() ? j[0] : Json(); }

  // root[key] as a K x D matrix, D from root[size_key] or the first row.
  RowMatrix Table(const Json& root, const char* key, Eigen::Index k,
                  const char* size_key) const;

  // Stores "feature_names" (D strings, optional) in *feature_names when it
  // is not null; an empty vector when the key is absent.
  void ReadFeatureNames(const Json& root, Eigen::Index d,
                        std::vector<std::string>* feature_names) const;

  // Runs `make`, turning the library's complaints about the parameters into
  // failures that name the file.
  template <class Make>
  std::invoke_result_t<Make> Checked(Make make) const {
    try {
      return make();
    } catch (const InvalidDataError& e) {
      Fail(e.what());
    } catch (const InvalidOptionError& e) {
      Fail(e.what());
    }
  }

 private:
  void CheckVersion(const Json& root) const;
  std::vector<std::string> FeatureNames(const Json& names, Eigen::Index d) const;
  void FlattenLevel(const Json& j, const std::string& key, const std::string& where,
                    const std::string& expected, const std::vector<Eigen::Index>& dims,
                    std::size_t level, std::vector<double>* out) const;

  std::string name_;
};

}  // namespace emkit::io::internal

#endif  // EMKIT_IO_MODEL_FILE_JSON_H_
