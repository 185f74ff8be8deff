// emkit score: the mean log-likelihood of DATA under a model.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common.h"
#include "emkit/io/model_file.h"
#include "emkit/row_blocks.h"
#include "model_kinds.h"
#include "stream_options.h"

namespace emkit::cli {
namespace {

struct ScoreArgs {
  std::string model;
  std::string data;
  DataOptions data_options;
  StreamFlags stream;
  bool json = false;
};

// JSON cannot hold NaN or infinity.
nlohmann::ordered_json NumberOrNull(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

// The total log-likelihood of rows added up as the blocks RowBlocks cuts
// them into (DefaultBlockRows of the columns), each block's sum added in
// order: the same bits whether the rows are in memory or streamed.
class BlockwiseTotal {
 public:
  explicit BlockwiseTotal(std::int64_t num_columns)
      : block_rows_(DefaultBlockRows(num_columns)) {}
  // Adds the per-row values of consecutive rows starting at a block's first row.
  void Add(const Vector& per_sample) {
    for (Eigen::Index first = 0; first < per_sample.size(); first += block_rows_) {
      total_ += per_sample.segment(first, std::min<Eigen::Index>(block_rows_,
                                                                 per_sample.size() - first))
                    .sum();
    }
    n_ += per_sample.size();
  }
  double total() const { return total_; }
  std::int64_t n() const { return n_; }

 private:
  Eigen::Index block_rows_;
  double total_ = 0.0;
  std::int64_t n_ = 0;
};

int RunScore(const ScoreArgs& args) {
  std::vector<std::string> feature_names;
  const io::AnyModel model = io::LoadAnyModel(args.model, &feature_names);
  const int num_features = io::NumFeaturesOf(model);
  BlockwiseTotal sum(num_features);
  std::int64_t num_parameters = 0;
  if (const std::optional<io::RowStream<double>> streamed = StreamForModel(
          args.stream, args.data, args.data_options, feature_names, num_features)) {
    const io::RowStream<double>& rows = *streamed;
    VisitMixture(model, args.model, [&](const auto& m) {
      num_parameters = m.NumFreeParameters();
      ForEachBlockInOrder(rows, [&](const RowBlock<double>& block) {
        ValidateFamilyBlock(m.components(), block, args.data);
        sum.Add(Vector(m.ScoreSamples(block.rows)));
      });
      return 0;
    });
  } else {
    const io::Table table =
        ReadDataForModel(args.data, args.data_options, feature_names, num_features);
    const MatrixView x = ViewOf(table.values);
    VisitMixture(model, args.model, [&](const auto& m) {
      ValidateFamilyData(m.components(), x, args.data);
      num_parameters = m.NumFreeParameters();
      sum.Add(Vector(m.ScoreSamples(x)));
      return 0;
    });
  }
  // The expressions of Mixture::Score, Bic and Aic.
  const double total = sum.total();
  const double n = static_cast<double>(sum.n());
  const double mean = total / n;
  const double p = static_cast<double>(num_parameters);
  const double bic = -2.0 * total + p * std::log(n);
  const double aic = -2.0 * total + 2.0 * p;
  std::string text;
  if (args.json) {
    nlohmann::ordered_json j;
    j["mean_log_likelihood"] = NumberOrNull(mean);
    j["total_log_likelihood"] = NumberOrNull(total);
    j["n_samples"] = sum.n();
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
  AddStreamOptions(command, &args->stream);
  command->add_flag("--json", args->json,
                    "Print mean and total log-likelihood, n_samples, BIC and AIC as JSON");
  command->callback([run, args] { *run = [args] { return RunScore(*args); }; });
}

}  // namespace emkit::cli
