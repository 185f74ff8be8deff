// emkit sample: draws rows from a model, as CSV.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common.h"
#include "emkit/error.h"
#include "emkit/io/csv_writer.h"
#include "emkit/io/model_file.h"
#include "emkit/random.h"
#include "model_kinds.h"

namespace emkit::cli {
namespace {

struct SampleArgs {
  std::string model;
  std::int64_t n = 0;
  std::uint64_t seed = 0;
  std::string output;
  bool labels = false;
};

int RunSample(const SampleArgs& args) {
  if (args.n < 1) {
    throw InvalidOptionError(fmt::format("-n {} must be >= 1", args.n));
  }
  CheckOutputPath(args.output, "-o");
  std::vector<std::string> header;
  const io::AnyModel model = io::LoadAnyModel(args.model, &header);
  const int d = io::NumFeaturesOf(model);
  if (header.empty()) {
    for (int j = 0; j < d; ++j) header.push_back("x" + std::to_string(j));
  }
  Rng rng(args.seed);
  std::vector<int> components;
  RowMatrix draws = VisitMixture(model, args.model, [&](const auto& m) {
    return RowMatrix(m.Sample(args.n, rng, &components));
  });
  if (args.labels) {
    // Small integers print exactly, so the column reads back as labels.
    draws.conservativeResize(Eigen::NoChange, d + 1);
    for (std::int64_t i = 0; i < args.n; ++i) draws(i, d) = components[i];
    header.push_back("component");
  }
  WriteOutput(args.output, [&](std::ostream& out) { io::WriteCsv(out, draws, header); });
  return kExitSuccess;
}

}  // namespace

void AddSampleCommand(CLI::App* app, std::function<int()>* run) {
  auto args = std::make_shared<SampleArgs>();
  CLI::App* command = app->add_subcommand("sample", "Draw rows from MODEL");
  command->add_option("MODEL", args->model, "Model file written by emkit fit")->required();
  command->add_option("-n", args->n, "Number of rows to draw")->required();
  command->add_option("--seed", args->seed, "Random seed (default 0)");
  command->add_option("-o,--output", args->output, "Output CSV (default: standard output)");
  command->add_flag("--labels", args->labels,
                    "Add a \"component\" column with the component of each row");
  command->callback([run, args] { *run = [args] { return RunSample(*args); }; });
}

}  // namespace emkit::cli
