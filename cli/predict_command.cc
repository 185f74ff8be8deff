// emkit predict: the most probable component of each row, or all the
// component probabilities, as CSV.

#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "emkit/io/csv_writer.h"
#include "emkit/io/model_file.h"
#include "model_kinds.h"

namespace emkit::cli {
namespace {

struct PredictArgs {
  std::string model;
  std::string data;
  DataOptions data_options;
  bool proba = false;
  std::string output;
};

int RunPredict(const PredictArgs& args) {
  CheckOutputPath(args.output, "-o");
  std::vector<std::string> feature_names;
  const io::AnyModel model = io::LoadAnyModel(args.model, &feature_names);
  const io::Table table = ReadDataForModel(args.data, args.data_options,
                                           feature_names, io::NumFeaturesOf(model));
  const MatrixView x = ViewOf(table.values);
  // Computed in full before the output is opened: nothing half-written.
  return VisitMixture(model, args.model, [&](const auto& m) {
    ValidateFamilyData(m.components(), x, args.data);
    if (args.proba) {
      const RowMatrix proba = m.PredictProba(x);
      std::vector<std::string> header;
      for (int k = 0; k < m.num_components(); ++k) header.push_back("p" + std::to_string(k));
      WriteOutput(args.output, [&](std::ostream& out) { io::WriteCsv(out, proba, header); });
    } else {
      const std::vector<int> labels = m.Predict(x);
      WriteOutput(args.output, [&](std::ostream& out) { io::WriteCsv(out, labels, "label"); });
    }
    return kExitSuccess;
  });
}

}  // namespace

void AddPredictCommand(CLI::App* app, std::function<int()>* run) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* command = app->add_subcommand(
      "predict", "Write the most probable component of each row of DATA");
  command->add_option("MODEL", args->model, "Model file written by emkit fit")->required();
  command->add_option("DATA", args->data, "Data file, or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  command->add_flag("--proba", args->proba,
                    "Write the probabilities p0..pK-1 of every component instead");
  command->add_option("-o,--output", args->output, "Output CSV (default: standard output)");
  command->callback([run, args] { *run = [args] { return RunPredict(*args); }; });
}

}  // namespace emkit::cli
