// emkit score: the mean log-likelihood of DATA under a model.

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common.h"
#include "emkit/io/model_file.h"
#include "model_kinds.h"

namespace emkit::cli {
namespace {

struct ScoreArgs {
  std::string model;
  std::string data;
  DataOptions data_options;
  bool json = false;
};

// JSON cannot hold NaN or infinity.
nlohmann::ordered_json NumberOrNull(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

int RunScore(const ScoreArgs& args) {
  std::vector<std::string> feature_names;
  const io::AnyModel model = io::LoadAnyModel(args.model, &feature_names);
  const io::Table table = ReadDataForModel(args.data, args.data_options,
                                           feature_names, io::NumFeaturesOf(model));
  const MatrixView x = ViewOf(table.values);
  std::int64_t num_parameters = 0;
  const Vector per_sample = VisitMixture(model, args.model, [&](const auto& m) {
    ValidateFamilyData(m.components(), x, args.data);
    num_parameters = m.NumFreeParameters();
    return Vector(m.ScoreSamples(x));
  });
  // The same expressions as Mixture::Score, Bic and Aic, computed once.
  const double total = per_sample.sum();
  const double mean = per_sample.mean();
  const double n = static_cast<double>(x.rows());
  const double p = static_cast<double>(num_parameters);
  const double bic = -2.0 * total + p * std::log(n);
  const double aic = -2.0 * total + 2.0 * p;
  std::string text;
  if (args.json) {
    nlohmann::ordered_json j;
    j["mean_log_likelihood"] = NumberOrNull(mean);
    j["total_log_likelihood"] = NumberOrNull(total);
    j["n_samples"] = x.rows();
    j["bic"] = NumberOrNull(bic);
    j["aic"] = NumberOrNull(aic);
    text = j.dump(2) + "\n";
  } else {
    text = fmt::format("{}\n", mean);
  }
  WriteOutput("-", [&text](std::ostream& out) { out << text; });
  return kExitSuccess;
}

}  // namespace

void AddScoreCommand(CLI::App* app, std::function<int()>* run) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* command = app->add_subcommand(
      "score", "Print the mean log-likelihood per row of DATA under MODEL");
  command->add_option("MODEL", args->model, "Model file written by emkit fit")->required();
  command->add_option("DATA", args->data, "Data file, or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  command->add_flag("--json", args->json,
                    "Print mean and total log-likelihood, n_samples, BIC and AIC as JSON");
  command->callback([run, args] { *run = [args] { return RunScore(*args); }; });
}

}  // namespace emkit::cli
