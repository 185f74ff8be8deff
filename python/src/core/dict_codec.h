// The parameter codec (emkit/parameters.h) over Python dicts: a model's
// settings as Python numbers and strings, its arrays as numpy arrays in the
// codec's shapes. With the model registry this is all the binding code a
// family needs: its attributes, model files and fits are generic loops over
// these two classes and the two functions at the end.
#ifndef EMKIT_PYTHON_DICT_CODEC_H_
#define EMKIT_PYTHON_DICT_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nanobind/nanobind.h>

#include "emkit/model_registry.h"
#include "emkit/parameters.h"

namespace emkit::python {

class DictWriter : public ParameterWriter {
 public:
  void Text(std::string_view key, std::string_view value) override;
  void Integer(std::string_view key, std::int64_t value) override;
  void Number(std::string_view key, double value) override;
  void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
             const double* values) override;

  nanobind::dict& dict() { return dict_; }

 private:
  nanobind::dict dict_;
};

// Reads a dict built by DictWriter (or by hand); failures are
// InvalidDataError "SOURCE: what", SOURCE naming the caller's argument.
class DictReader : public ParameterReader {
 public:
  DictReader(nanobind::dict dict, std::string source);

  bool Has(std::string_view key) const override;
  [[noreturn]] void Fail(const std::string& what) const override;
  std::string Choice(std::string_view key, const std::vector<std::string_view>& allowed,
                     std::string_view fallback) const override;
  double Number(std::string_view key, double fallback) const override;
  std::int64_t NonNegativeInteger(std::string_view key, std::int64_t fallback) const override;
  Eigen::Index Extent(std::string_view size_key, std::string_view array_key,
                      int axis) const override;
  std::vector<double> Array(std::string_view key,
                            const std::vector<Eigen::Index>& shape) const override;

 private:
  nanobind::handle Get(std::string_view key) const;

  nanobind::dict dict_;
  std::string source_;
};

// A model as the dict of its codec (EncodeModel: "model", the structure's
// keys and the family's), and a model from such a dict (DecodeModel);
// `source` names the dict in errors ("model parameters").
nanobind::dict EncodeModelToDict(const AnyModel& model);
AnyModel DecodeModelFromDict(nanobind::dict params, std::string source);

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_DICT_CODEC_H_
