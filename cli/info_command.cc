// emkit info: a human-readable summary of a model file. One loop for every
// model kind of the registry (emkit/model_registry.h): the latent
// structure's parameters (mixing weights, or start and transition
// probabilities), then the family's, as its parameter codec writes them
// (emkit/parameters.h): its settings, per component (or state) the slice of
// every array that leads with the component axis, and last the arrays that
// all components share (emkit/family.h).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common.h"
#include "emkit/family.h"
#include "emkit/io/model_file.h"
#include "emkit/model_registry.h"
#include "emkit/parameters.h"

namespace emkit::cli {
namespace {

struct InfoArgs {
  std::string model;
};

// What a family's codec writes: its settings as text and its arrays, in
// order.
class CodecCollector : public ParameterWriter {
 public:
  struct Setting {
    std::string key;
    std::string value;
  };
  struct Entry {
    std::string key;
    std::vector<Eigen::Index> shape;
    std::vector<double> values;
  };

  void Text(std::string_view key, std::string_view value) override {
    settings.push_back({std::string(key), std::string(value)});
  }
  void Integer(std::string_view key, std::int64_t value) override {
    settings.push_back({std::string(key), fmt::format("{}", value)});
  }
  void Number(std::string_view key, double value) override {
    settings.push_back({std::string(key), fmt::format("{}", value)});
  }
  void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
             const double* values) override {
    std::size_t size = 1;
    for (Eigen::Index extent : shape) size *= static_cast<std::size_t>(extent);
    arrays.push_back({std::string(key), shape, std::vector<double>(values, values + size)});
  }

  std::vector<Setting> settings;
  std::vector<Entry> arrays;
};

// `label` padded to `width`, and at least one space after it.
std::string Pad(const std::string& label, std::size_t width) {
  return fmt::format("{:<{}}", label, std::max(width, label.size() + 1));
}

std::string Row(const double* values, std::size_t count) {
  std::string out;
  for (std::size_t j = 0; j < count; ++j) {
    out += fmt::format("{}{:.6g}", j > 0 ? "  " : "", values[j]);
  }
  return out;
}

// `count` values as rows of `width`: on the label's line when they are one
// row, else one line each under the label, indented by `rows_indent`.
void AppendValues(const std::string& indent, const std::string& label, const double* values,
                  std::size_t count, std::size_t width, const std::string& rows_indent,
                  std::string* out) {
  if (count <= width) {
    *out += indent + Pad(label, 12) + Row(values, count) + "\n";
    return;
  }
  *out += indent + label + "\n";
  for (std::size_t at = 0; at < count; at += width) {
    *out += rows_indent + Row(values + at, width) + "\n";
  }
}

// Slice `index` of an array along its first axis, cut into `parts` slices.
void AppendSlice(const CodecCollector::Entry& a, std::size_t index, std::size_t parts,
                 const std::string& indent, std::string* out) {
  const std::size_t size = a.values.size() / parts;
  // A slice of rank 2 or more is shown as rows of its last axis.
  const std::size_t width = a.shape.size() > 1 ? static_cast<std::size_t>(a.shape.back()) : 1;
  AppendValues(indent, a.key + ":", a.values.data() + index * size, size, width,
               indent + "  ", out);
}

template <class M>
std::string Summary(const M& model, const std::vector<std::string>& feature_names) {
  using Family = std::decay_t<decltype(FamilyOf(model))>;
  constexpr bool kMixture = kIsMixture<M>;
  const Family& family = FamilyOf(model);
  CodecCollector codec;
  family.EncodeParameters(codec);
  const auto k_count = static_cast<std::size_t>(family.num_components());

  // The arrays with one slice per component, with M slices per component
  // (the first multiple of K found fixes M), and the shared ones.
  std::vector<const CodecCollector::Entry*> per_component, per_part, shared;
  std::size_t parts = 0;
  for (const CodecCollector::Entry& a : codec.arrays) {
    const auto lead = static_cast<std::size_t>(a.shape.front());
    if (IsSharedParameterArray<Family>(a.key)) {
      shared.push_back(&a);
    } else if (lead == k_count) {
      per_component.push_back(&a);
    } else if (lead > k_count && lead % k_count == 0 &&
               (parts == 0 || lead == parts * k_count)) {
      parts = lead / k_count;
      per_part.push_back(&a);
    } else {
      shared.push_back(&a);
    }
  }

  std::string out =
      fmt::format("model:            {}\n", kMixture ? "mixture" : "hidden Markov model");
  out += fmt::format("family:           {}\n", FamilyDescription(family));
  for (const CodecCollector::Setting& s : codec.settings) {
    out += Pad(s.key + ":", 18) + s.value + "\n";
  }
  out += fmt::format("{}{}\n", Pad(kMixture ? "components:" : "states:", 18), k_count);
  out += fmt::format("features:         {}\n", family.num_features());
  if (!feature_names.empty()) {
    out += fmt::format("feature names:    {}\n", fmt::join(feature_names, ", "));
  }
  out += fmt::format("free parameters:  {}\n", model.NumFreeParameters());
  if constexpr (!kMixture) {
    out += "start probabilities:\n    " +
           Row(model.start().data(), static_cast<std::size_t>(model.start().size())) + "\n";
    out += "transition matrix (row: from, column: to):\n";
    for (Eigen::Index i = 0; i < model.transitions().rows(); ++i) {
      const Eigen::RowVectorXd row = model.transitions().row(i);
      out += "    " + Row(row.data(), static_cast<std::size_t>(row.size())) + "\n";
    }
  }
  for (std::size_t k = 0; k < k_count; ++k) {
    out += fmt::format("{} {}:\n", kMixture ? "component" : "state", k);
    if constexpr (kMixture) {
      out += fmt::format("    weight:     {:.6g}\n", model.weights()[static_cast<Eigen::Index>(k)]);
    }
    for (const CodecCollector::Entry* a : per_component) AppendSlice(*a, k, k_count, "    ", &out);
    for (std::size_t j = 0; j < parts; ++j) {
      out += fmt::format("    component {}:\n", j);
      for (const CodecCollector::Entry* a : per_part) {
        AppendSlice(*a, k * parts + j, k_count * parts, "        ", &out);
      }
    }
  }
  for (const CodecCollector::Entry* a : shared) {
    const std::size_t width = a->shape.size() > 1 ? static_cast<std::size_t>(a->shape.back())
                                                  : a->values.size();
    AppendValues("", "shared " + a->key + ":", a->values.data(), a->values.size(), width,
                 "    ", &out);
  }
  return out;
}

int RunInfo(const InfoArgs& args) {
  std::vector<std::string> names;
  const AnyModel model = io::LoadAnyModel(args.model, &names);
  const std::string out = VisitModel(model, [&](const auto& m) { return Summary(m, names); });
  WriteOutput("-", [&out](std::ostream& stream) { stream << out; });
  return kExitSuccess;
}

}  // namespace

void AddInfoCommand(CLI::App* app, std::function<int()>* run) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* command = app->add_subcommand("info", "Summarise a model file");
  command->add_option("MODEL", args->model, "Model file written by emkit fit")->required();
  command->callback([run, args] { *run = [args] { return RunInfo(*args); }; });
}

}  // namespace emkit::cli
