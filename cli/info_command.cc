// emkit info: a human-readable summary of a model file.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "common.h"
#include "emkit/io/model_file.h"

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

void AppendCovariances(const GaussianMixtureFull& m, int k, std::string* out) {
  *out += "    covariance:\n";
  AppendMatrix(m.components().covariances()[k], "      ", out);
}
void AppendCovariances(const GaussianMixtureDiag& m, int k, std::string* out) {
  *out += "    variances:  " + Row(m.components().variances().row(k)) + "\n";
}
void AppendCovariances(const GaussianMixtureSpherical& m, int k, std::string* out) {
  *out += fmt::format("    variance:   {:.6g}\n", m.components().variances()(k, 0));
}
void AppendCovariances(const GaussianMixtureTied&, int, std::string*) {}

int RunInfo(const InfoArgs& args) {
  std::vector<std::string> names;
  const GaussianMixtureModel model = io::LoadModel(args.model, &names);
  const int k_count = NumComponents(model);
  std::string out;
  out += fmt::format("model:            Gaussian mixture, {} covariance\n",
                     CovarianceTypeName(CovarianceTypeOf(model)));
  out += fmt::format("components:       {}\n", k_count);
  out += fmt::format("features:         {}\n", NumFeatures(model));
  if (!names.empty()) out += fmt::format("feature names:    {}\n", fmt::join(names, ", "));
  out += fmt::format("free parameters:  {}\n", NumFreeParameters(model));
  out += fmt::format("reg_covar:        {}\n", MixtureGaussianOptions(model).reg_covar);
  for (int k = 0; k < k_count; ++k) {
    out += fmt::format("component {}:\n", k);
    out += fmt::format("    weight:     {:.6g}\n", MixtureWeights(model)[k]);
    out += "    mean:       " + Row(MixtureMeans(model).row(k)) + "\n";
    std::visit([&](const auto& m) { AppendCovariances(m, k, &out); }, model);
  }
  if (const auto* tied = std::get_if<GaussianMixtureTied>(&model)) {
    out += "shared covariance:\n";
    AppendMatrix(tied->components().covariance(), "    ", &out);
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
