// emkit predict: the most probable component of each row, or all the
// component probabilities, as CSV.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "emkit/io/csv_writer.h"
#include "emkit/io/model_file.h"
#include "model_kinds.h"
#include "stream_options.h"

namespace emkit::cli {
namespace {

struct PredictArgs {
  std::string model;
  std::string data;
  DataOptions data_options;
  StreamFlags stream;
  bool proba = false;
  std::string output;
};

std::vector<std::string> ProbabilityHeader(int num_components) {
  std::vector<std::string> header;
  for (int k = 0; k < num_components; ++k) header.push_back("p" + std::to_string(k));
  return header;
}

// Rows too large for memory: a pass that checks every row against the
// family's rules first (so that nothing is written for bad data), then the
// rows' predictions written block by block.
template <class Mixture>
void PredictStreamed(const PredictArgs& args, const Mixture& m,
                     const io::RowStream<double>& rows) {
  ForEachBlockInOrder(rows, [&](const RowBlock<double>& block) {
    ValidateFamilyBlock(m.components(), block, args.data);
  });
  WriteOutput(args.output, [&](std::ostream& out) {
    if (args.proba) {
      io::WriteCsv(out, RowMatrix(0, m.num_components()), ProbabilityHeader(m.num_components()));
    } else {
      io::WriteCsv(out, std::vector<int>{}, "label");
    }
    ForEachBlockInOrder(rows, [&](const RowBlock<double>& block) {
      if (args.proba) {
        io::WriteCsv(out, m.PredictProba(block.rows));
      } else {
        io::WriteCsv(out, m.Predict(block.rows), "");
      }
    });
  });
}

int RunPredict(const PredictArgs& args) {
  CheckOutputPath(args.output, "-o");
  std::vector<std::string> feature_names;
  const io::AnyModel model = io::LoadAnyModel(args.model, &feature_names);
  const int num_features = io::NumFeaturesOf(model);
  if (const std::optional<io::RowStream<double>> streamed = StreamForModel(
          args.stream, args.data, args.data_options, feature_names, num_features)) {
    const io::RowStream<double>& rows = *streamed;
    return VisitMixture(model, args.model, [&](const auto& m) {
      PredictStreamed(args, m, rows);
      return kExitSuccess;
    });
  }
  const io::Table table =
      ReadDataForModel(args.data, args.data_options, feature_names, num_features);
  const MatrixView x = ViewOf(table.values);
  // Computed in full before the output is opened: nothing half-written.
  return VisitMixture(model, args.model, [&](const auto& m) {
    ValidateFamilyData(m.components(), x, args.data);
    if (args.proba) {
      const RowMatrix proba = m.PredictProba(x);
      const std::vector<std::string> header = ProbabilityHeader(m.num_components());
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
  AddStreamOptions(command, &args->stream);
  command->add_flag("--proba", args->proba,
                    "Write the probabilities p0..pK-1 of every component instead");
  command->add_option("-o,--output", args->output, "Output CSV (default: standard output)");
  command->callback([run, args] { *run = [args] { return RunPredict(*args); }; });
}

}  // namespace emkit::cli
