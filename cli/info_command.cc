// emkit info: a human-readable summary of a model file.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "common.h"
#include "emkit/io/model_file.h"
#include "emkit/model_registry.h"
#include "emkit/option_table.h"
#include "emkit/parameters.h"

namespace emkit::cli {
namespace {

struct InfoArgs {
  std::string model;
};

std::string Row(const Eigen::Ref<const Eigen::RowVectorXd>& values) {
  std::string out;
  for (Eigen::Index j = 0; j < values.size(); ++j) {
    out += fmt::format("{}{:.6g}", j > 0 ? "  " : "", values[j]);
  }
  return out;
}

void AppendMatrix(const Eigen::MatrixXd& m, const std::string& indent, std::string* out) {
  for (Eigen::Index i = 0; i < m.rows(); ++i) *out += indent + Row(m.row(i)) + "\n";
}

// One component's (or state's) parameters, per family.
void AppendComponent(const GaussianFull& f, int k, std::string* out) {
  *out += "    mean:       " + Row(f.means().row(k)) + "\n";
  *out += "    covariance:\n";
  AppendMatrix(f.covariances()[k], "      ", out);
}
void AppendComponent(const GaussianDiag& f, int k, std::string* out) {
  *out += "    mean:       " + Row(f.means().row(k)) + "\n";
  *out += "    variances:  " + Row(f.variances().row(k)) + "\n";
}
void AppendComponent(const GaussianSpherical& f, int k, std::string* out) {
  *out += "    mean:       " + Row(f.means().row(k)) + "\n";
  *out += fmt::format("    variance:   {:.6g}\n", f.variances()(k, 0));
}
void AppendComponent(const GaussianTied& f, int k, std::string* out) {
  *out += "    mean:       " + Row(f.means().row(k)) + "\n";
}
void AppendComponent(const GaussianGroupTied& f, int k, std::string* out) {
  *out += "    mean:       " + Row(f.means().row(k)) + "\n";
}
// A GMM-HMM state: its mixture components, and the covariance they share
// when it is tied.
template <class Gaussian>
void AppendComponent(const GaussianMixtureEmission<Gaussian>& f, int k, std::string* out) {
  const int m = f.num_mixture_components();
  for (int j = 0; j < m; ++j) {
    *out += fmt::format("  mixture component {}:\n", j);
    *out += fmt::format("    weight:     {:.6g}\n", f.weights()(k, j));
    AppendComponent(f.components(), k * m + j, out);
  }
  if constexpr (std::is_same_v<Gaussian, GaussianGroupTied>) {
    *out += "  shared covariance:\n";
    AppendMatrix(f.components().groups()[k].covariance(), "    ", out);
  }
}
void AppendComponent(const Bernoulli& f, int k, std::string* out) {
  *out += "    p(x = 1):   " + Row(f.probabilities().row(k)) + "\n";
}
void AppendComponent(const Categorical& f, int k, std::string* out) {
  *out += "    p(category): " + Row(f.probabilities().row(k)) + "\n";
}
void AppendComponent(const Poisson& f, int k, std::string* out) {
  *out += "    rates:      " + Row(f.rates().row(k)) + "\n";
}

// The arrays a family's codec writes (emkit/parameters.h), kept by key.
class ArrayCollector : public ParameterWriter {
 public:
  struct Entry {
    std::string key;
    std::vector<Eigen::Index> shape;
    std::vector<double> values;
  };
  void Text(std::string_view, std::string_view) override {}
  void Integer(std::string_view, std::int64_t) override {}
  void Number(std::string_view, double) override {}
  void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
             const double* values) override {
    std::size_t size = 1;
    for (Eigen::Index extent : shape) size *= static_cast<std::size_t>(extent);
    arrays.push_back({std::string(key), shape, std::vector<double>(values, values + size)});
  }
  std::vector<Entry> arrays;
};

// Any other family: component k's slice of every array of its codec whose
// first axis is the components.
template <class Family>
void AppendComponent(const Family& f, int k, std::string* out) {
  ArrayCollector collector;
  f.EncodeParameters(collector);
  for (const ArrayCollector::Entry& a : collector.arrays) {
    if (a.shape.empty() || a.shape[0] != f.num_components()) continue;
    const std::size_t per_component = a.values.size() / static_cast<std::size_t>(a.shape[0]);
    const Eigen::Map<const Eigen::RowVectorXd> slice(
        a.values.data() + static_cast<std::size_t>(k) * per_component,
        static_cast<Eigen::Index>(per_component));
    *out += fmt::format("    {:<12}{}\n", a.key + ":", Row(slice));
  }
}

// The family's name and options, one line each.
template <class Family>
void AppendFamily(const Family& f, std::string* out) {
  if constexpr (std::is_same_v<Family, Bernoulli>) {
    *out += "family:           Bernoulli\n";
    *out += fmt::format("pseudo_count:     {}\n", f.options().pseudo_count);
  } else if constexpr (std::is_same_v<Family, Categorical>) {
    *out += fmt::format("family:           categorical, {} categories ({} layout)\n",
                        f.num_categories(), CategoricalLayoutName(f.layout()));
    *out += fmt::format("pseudo_count:     {}\n", f.options().pseudo_count);
  } else if constexpr (std::is_same_v<Family, Poisson>) {
    *out += "family:           Poisson\n";
    *out += fmt::format("min_rate:         {}\n", f.options().min_rate);
  } else if constexpr (requires { f.num_mixture_components(); }) {
    *out += fmt::format("family:           Gaussian mixture, {} components per state, {} "
                        "covariance\n", f.num_mixture_components(),
                        std::decay_t<decltype(f.components())>::kCovarianceName);
    *out += fmt::format("reg_covar:        {}\n", f.components().options().reg_covar);
  } else if constexpr (HasCovarianceType<Family>) {
    *out += fmt::format("family:           Gaussian, {} covariance\n",
                        Family::kCovarianceName);
    *out += fmt::format("reg_covar:        {}\n", f.options().reg_covar);
  } else {
    // Any other family: its name and its option table.
    *out += fmt::format("family:           {}\n", Family::kFamilyName);
    for (const OptionEntry& entry : OptionEntries(f.options())) {
      *out += fmt::format("{:<18}{}\n", entry.name + ":", entry.value);
    }
  }
}

template <class Family>
void AppendShared(const Family& f, std::string* out) {
  if constexpr (std::is_same_v<Family, GaussianTied>) {
    *out += "shared covariance:\n";
    AppendMatrix(f.covariance(), "    ", out);
  }
}

template <class Family>
std::string MixtureInfo(const Mixture<Family>& m) {
  std::string out = "model:            mixture\n";
  AppendFamily(m.components(), &out);
  out += fmt::format("components:       {}\n", m.num_components());
  out += fmt::format("features:         {}\n", m.num_features());
  out += fmt::format("free parameters:  {}\n", m.NumFreeParameters());
  for (int k = 0; k < m.num_components(); ++k) {
    out += fmt::format("component {}:\n", k);
    out += fmt::format("    weight:     {:.6g}\n", m.weights()[k]);
    AppendComponent(m.components(), k, &out);
  }
  AppendShared(m.components(), &out);
  return out;
}

template <class Family>
std::string HmmInfo(const HiddenMarkovModel<Family>& m) {
  std::string out = "model:            hidden Markov model\n";
  AppendFamily(m.emissions(), &out);
  out += fmt::format("states:           {}\n", m.num_states());
  out += fmt::format("features:         {}\n", m.emissions().num_features());
  out += fmt::format("free parameters:  {}\n", m.NumFreeParameters());
  out += "start probabilities:\n    " + Row(m.start().transpose()) + "\n";
  out += "transition matrix (row: from, column: to):\n";
  AppendMatrix(m.transitions(), "    ", &out);
  for (int k = 0; k < m.num_states(); ++k) {
    out += fmt::format("state {}:\n", k);
    AppendComponent(m.emissions(), k, &out);
  }
  AppendShared(m.emissions(), &out);
  return out;
}

// Gaussian mixtures keep the summary they have always had.
std::string GaussianMixtureInfo(const GaussianMixtureModel& model) {
  const int k_count = NumComponents(model);
  std::string out;
  out += fmt::format("model:            Gaussian mixture, {} covariance\n",
                     CovarianceTypeName(CovarianceTypeOf(model)));
  out += fmt::format("components:       {}\n", k_count);
  out += fmt::format("features:         {}\n", NumFeatures(model));
  out += fmt::format("free parameters:  {}\n", NumFreeParameters(model));
  out += fmt::format("reg_covar:        {}\n", MixtureGaussianOptions(model).reg_covar);
  for (int k = 0; k < k_count; ++k) {
    out += fmt::format("component {}:\n", k);
    out += fmt::format("    weight:     {:.6g}\n", MixtureWeights(model)[k]);
    std::visit([&](const auto& m) { AppendComponent(m.components(), k, &out); }, model);
  }
  std::visit([&](const auto& m) { AppendShared(m.components(), &out); }, model);
  return out;
}

std::string Info(const GaussianMixtureModel& m) { return GaussianMixtureInfo(m); }
std::string Info(const GaussianHmmModel& m) {
  return std::visit([](const auto& hmm) { return HmmInfo(hmm); }, m);
}
std::string Info(const GmmHmmModel& m) {
  return std::visit([](const auto& hmm) { return HmmInfo(hmm); }, m);
}
template <class Family>
std::string Info(const Mixture<Family>& m) { return MixtureInfo(m); }
template <class Family>
std::string Info(const HiddenMarkovModel<Family>& m) { return HmmInfo(m); }

int RunInfo(const InfoArgs& args) {
  std::vector<std::string> names;
  const io::AnyModel model = io::LoadAnyModel(args.model, &names);
  std::string out = std::visit([](const auto& m) { return Info(m); }, model);
  if (!names.empty()) {
    // After the "features:" line, as before.
    const std::size_t features = out.find("features:");
    const std::size_t line_end = out.find('\n', features) + 1;
    out.insert(line_end, fmt::format("feature names:    {}\n", fmt::join(names, ", ")));
  }
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
