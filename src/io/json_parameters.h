// The parameter codec (emkit/parameters.h) over a model file's JSON
// document. Internal to emkit::io.
#ifndef EMKIT_IO_JSON_PARAMETERS_H_
#define EMKIT_IO_JSON_PARAMETERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emkit/parameters.h"
#include "model_file_json.h"

namespace emkit::io::internal {

// Adds each key to a JSON object in the order written.
class JsonParameterWriter final : public ParameterWriter {
 public:
  explicit JsonParameterWriter(Json* object) : object_(object) {}

  void Text(std::string_view key, std::string_view value) override;
  void Integer(std::string_view key, std::int64_t value) override;
  void Number(std::string_view key, double value) override;
  void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
             const double* values) override;

 private:
  Json* object_;
};

// Reads keys of one JSON object; every failure is the FileFormatError of
// `reader`, which names the file.
class JsonParameterReader final : public ParameterReader {
 public:
  JsonParameterReader(const ModelJsonReader& reader, const Json& object)
      : reader_(reader), object_(object) {}

  bool Has(std::string_view key) const override;
  [[noreturn]] void Fail(const std::string& what) const override { reader_.Fail(what); }
  std::string Choice(std::string_view key, const std::vector<std::string_view>& allowed,
                     std::string_view fallback) const override;
  double Number(std::string_view key, double fallback) const override;
  std::int64_t NonNegativeInteger(std::string_view key, std::int64_t fallback) const override;
  Eigen::Index Extent(std::string_view size_key, std::string_view array_key,
                      int axis) const override;
  std::vector<double> Array(std::string_view key,
                            const std::vector<Eigen::Index>& shape) const override;

 private:
  const ModelJsonReader& reader_;
  const Json& object_;
};

}  // namespace emkit::io::internal

#endif  // EMKIT_IO_JSON_PARAMETERS_H_
