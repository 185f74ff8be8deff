// emkit fit: fits a mixture of any registered family (emkit/model_registry.h)
// to DATA and writes the model.

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "checkpoint.h"
#include "common.h"
#include "dtype.h"
#include "engine_options.h"
#include "family_options.h"
#include "emkit/engine/prefetching_executor.h"
#include "emkit/error.h"
#include "emkit/io/checkpoint.h"
#include "emkit/io/model_file.h"
#include "emkit/io/row_ranges.h"
#include "emkit/io/row_stream.h"
#include "emkit/kmeans.h"
#include "emkit/thread_pool.h"
#include "fit_output.h"
#include "interrupt.h"
#include "model_kinds.h"
#include "online_options.h"
#include "stream_options.h"

namespace emkit::cli {
namespace {

struct FitArgs {
  std::string data;
  DataOptions data_options;
  std::string model = "gaussian";
  int k = 0;
  std::string covariance = CovarianceTypeName(GaussianMixtureOptions{}.covariance_type);
  std::string init = InitMethodName(GaussianMixtureOptions{}.init);
  std::string init_model;
  // The engine's options (--n-init, --max-iter, --tol, --seed, --threads,
  // --max-time).
  EngineOptionFlags engine_options;
  // The families' own options (reg_covar, pseudo_count, min_rate, ...).
  FamilyOptionFlags family_options;
  FitOutputOptions output;
  std::string checkpoint;
  double checkpoint_every = 10.0;
  std::string resume;
  std::string dtype = "float64";
  // --stream, --memory-limit, --read-size: per run, not kept by a checkpoint.
  StreamFlags stream;
  // --online and its settings: stepwise EM instead of batch EM.
  OnlineFlags online;
  // A model to start from, as its file's text: what a checkpoint keeps of
  // --init-model.
  std::string init_model_text;

  // Every option that shapes the result; a checkpoint fixes them all.
  std::vector<CLI::Option*> shaping_options;

  // Which of the model-shaping options were given, to check them against
  // --init-model.
  CLI::Option* k_option = nullptr;
  CLI::Option* covariance_option = nullptr;
  CLI::Option* init_option = nullptr;
};

// Runs `parse` on an option's value, naming the option in its error.
template <class Parse>
auto ParseOption(Parse parse, const std::string& value, const char* option) {
  try {
    return parse(value);
  } catch (const InvalidOptionError& e) {
    throw InvalidOptionError(fmt::format("{}: {}", option, e.what()));
  }
}

[[noreturn]] void Conflict(const std::string& given, const std::string& path,
                           const std::string& model_has) {
  throw InvalidOptionError(fmt::format(
      "{} conflicts with --init-model {}, which has {}; omit {} or make them "
      "agree", given, path, model_has, given.substr(0, given.find(' '))));
}

// The options that shape the model come from the initial model; given ones
// must agree with it.
void CheckAgainstInitModel(const FitArgs& args, const FitOptions& fit_options,
                           const GaussianMixtureModel& model, CovarianceType type) {
  const std::string& path = args.init_model;
  if (args.k_option->count() > 0 && args.k != NumComponents(model)) {
    Conflict(fmt::format("-k {}", args.k), path,
             fmt::format("{} components", NumComponents(model)));
  }
  if (args.covariance_option->count() > 0 && type != CovarianceTypeOf(model)) {
    Conflict(fmt::format("--covariance {}", args.covariance), path,
             fmt::format("covariance type {}",
                         CovarianceTypeName(CovarianceTypeOf(model))));
  }
  const double model_reg_covar = MixtureGaussianOptions(model).reg_covar;
  if (args.family_options.Given("reg_covar") &&
      args.family_options.Apply(GaussianOptions{}).reg_covar != model_reg_covar) {
    Conflict(args.family_options.AsGiven("reg_covar"), path,
             fmt::format("reg_covar {}", model_reg_covar));
  }
  if (args.init_option->count() > 0) {
    throw InvalidOptionError(
        "--init does not apply with --init-model: the fit starts from the model");
  }
  if (args.engine_options.Given("n_init") && fit_options.n_init != 1) {
    throw InvalidOptionError(fmt::format(
        "--n-init {} does not apply with --init-model: one fit starts from the "
        "model", fit_options.n_init));
  }
}

// Each option applies to some model kinds only; given for another, it is an
// error rather than silently ignored.
void CheckOptionsApply(const FitArgs& args, const std::string& family) {
  if (!HasCovarianceStructures(family)) {
    if (args.covariance_option->count() > 0) {
      throw InvalidOptionError(fmt::format(
          "--covariance applies to --model gaussian only, not to {}", family));
    }
    if (!args.init_model.empty()) {
      throw InvalidOptionError(fmt::format(
          "--init-model applies to --model gaussian only, not to {}", family));
    }
  }
  args.family_options.CheckApplies(family);
}

// The options a checkpoint keeps: all that shape the fit's result.
CheckpointJson SettingsOf(const FitArgs& args) {
  CheckpointJson j;
  j["command"] = "fit";
  j["model"] = args.model;
  j["n_components"] = args.k;
  j["covariance"] = args.covariance;
  j["init"] = args.init;
  j["init_model"] =
      args.init_model_text.empty() ? CheckpointJson(nullptr) : CheckpointJson::parse(args.init_model_text);
  args.engine_options.WriteSettings(&j);
  args.family_options.WriteSettings(&j);
  j["dtype"] = args.dtype;
  WriteDataSettings(args.data_options, &j);
  return j;
}

// Takes the settings from the checkpoint; given shaping options are an
// error, since the checkpoint fixes them.
void ApplyCheckpointSettings(const io::Checkpoint& checkpoint, FitArgs* args) {
  const std::string& path = checkpoint.path;
  RejectShapingOptions(args->shaping_options, path);
  const CheckpointJson j = CheckpointSettings(checkpoint, "fit");
  try {
    args->model = j.at("model").get<std::string>();
    args->k = j.at("n_components").get<int>();
    args->covariance = j.at("covariance").get<std::string>();
    args->init = j.at("init").get<std::string>();
    const CheckpointJson& init_model = j.at("init_model");
    args->init_model_text = init_model.is_null() ? "" : init_model.dump();
    args->engine_options.ReadSettings(j);
    args->family_options.ReadSettings(j);
    args->dtype = j.at("dtype").get<std::string>();
    ReadDataSettings(j, &args->data_options);
  } catch (const CheckpointJson::exception& e) {
    throw FileFormatError(fmt::format("{}: \"settings\" is not complete or has a wrong type ({})",
                                      path, e.what()));
  }
}

// The online fit of DATA: in memory (the float64 table, or its float32
// copy) or streamed (rows, read again as float32 for a float32 fit).
Fitted<io::AnyModel> FitOnline(const FitArgs& args, const FitOptions& fit_options,
                               const MixtureFitSpec& spec, const io::RowStream<double>* rows,
                               const io::Table& table, const RowMatrixF* values32) {
  const OnlineFitOptions& online = args.online.options;
  if (rows != nullptr && IsFloat32(args.dtype)) {
    const io::RowStream<float> rows32(args.data, rows->options());
    return FitMixtureOnline<float>(fit_options, spec, online, rows32.num_rows(),
                                   rows32.num_columns(), io::RowRangesOf(rows32));
  }
  if (rows != nullptr) {
    return FitMixtureOnline<double>(fit_options, spec, online, rows->num_rows(),
                                    rows->num_columns(), io::RowRangesOf(*rows));
  }
  if (values32 != nullptr) {
    return FitMixtureOnline<float>(fit_options, spec, online, values32->rows(),
                                   values32->cols(), RowRangesOf(ViewOf(*values32)));
  }
  return FitMixtureOnline<double>(fit_options, spec, online, table.values.rows(),
                                  table.values.cols(), RowRangesOf(ViewOf(table.values)));
}

int RunFit(const FitArgs& given) {
  // Everything the command can check is checked before the fit, so that a
  // bad option does not cost a fit and no output is touched.
  FitArgs args = given;
  std::optional<io::Checkpoint> checkpoint;
  if (!args.resume.empty()) {
    checkpoint = io::ReadCheckpoint(args.resume);
    ApplyCheckpointSettings(*checkpoint, &args);
  }
  FitOptions fit_options = args.engine_options.Apply();
  if (!(fit_options.max_seconds >= 0.0) || !std::isfinite(fit_options.max_seconds)) {
    throw InvalidOptionError(fmt::format("--max-time {}: must be a number of seconds >= 0",
                                         fit_options.max_seconds));
  }
  if (!(args.checkpoint_every >= 0.0)) {
    throw InvalidOptionError(fmt::format(
        "--checkpoint-every {}: must be a number of seconds >= 0", args.checkpoint_every));
  }
  CheckOnlineOptions(args.online, args.engine_options,
                     !args.checkpoint.empty() || !args.resume.empty());
  if (!args.checkpoint.empty()) CheckOutputPath(args.checkpoint, "--checkpoint");
  const bool float32 = IsFloat32(args.dtype);
  const CovarianceType type =
      ParseOption(ParseCovarianceType, args.covariance, "--covariance");
  const InitMethod init = ParseOption(ParseInitMethod, args.init, "--init");
  const std::string family = ParseOption(ParseMixtureFamily, args.model, "--model");
  CheckOptionsApply(args, family);
  args.output.Check();

  std::optional<GaussianMixtureModel> init_model;
  std::vector<std::string> init_names;
  if (!args.init_model.empty()) {
    init_model = io::LoadModel(args.init_model, &init_names);
    CheckAgainstInitModel(args, fit_options, *init_model, type);
    args.init_model_text = io::ModelToJson(*init_model, init_names);
  } else if (!args.init_model_text.empty()) {
    init_model = io::ModelFromJson(args.init_model_text, args.resume, &init_names);
  } else if (!checkpoint && args.k_option->count() == 0) {
    throw InvalidOptionError(
        "-k (the number of components) is required unless --init-model gives it");
  }

  if (init_model) fit_options.n_init = 1;
  MixtureFitSpec spec;
  spec.family = family;
  GaussianMixtureOptions& options = spec.gaussian;
  options.n_components = init_model ? NumComponents(*init_model) : args.k;
  options.covariance_type = init_model ? CovarianceTypeOf(*init_model) : type;
  options.init = init;
  options.gaussian = init_model ? MixtureGaussianOptions(*init_model)
                                : args.family_options.Apply(GaussianOptions{});
  spec.init_model = init_model ? &*init_model : nullptr;
  spec.mixture.n_components = args.k;
  spec.mixture.init = init;
  spec.family_options = &args.family_options;
  fit_options.Validate();
  ValidateFamilyOptions(spec);

  // A DATA too large for the memory limit (or with --stream) is read by
  // row ranges as the fit needs them; anything else whole.
  const StreamChoice streaming =
      ChooseStreaming(args.stream, args.data, args.data_options, float32);
  io::Table table;
  std::optional<io::RowStream<double>> rows;
  std::vector<std::string> feature_names;
  io::DataFingerprint fingerprint;
  std::optional<std::string> float32_error;
  if (streaming.stream) {
    rows.emplace(OpenDataStream(args.data, args.data_options, streaming.read_bytes));
    if (init_model) {
      MatchStreamedColumns(args.data, args.data_options, init_names, NumFeatures(*init_model),
                           &*rows);
    }
    feature_names = !rows->column_names().empty() ? rows->column_names() : init_names;
    if (checkpoint || !args.checkpoint.empty() || float32) {
      ScanStreamedRows(*rows, float32, args.data, &fingerprint, &float32_error);
    }
  } else {
    if (init_model) {
      table = ReadDataForModel(args.data, args.data_options, init_names,
                               NumFeatures(*init_model));
    } else {
      table = io::ReadTable(args.data, ToReadOptions(args.data_options));
    }
    feature_names = !table.column_names.empty() ? table.column_names : init_names;
    fingerprint = io::FingerprintOf(ViewOf(table.values));
  }
  if (checkpoint) {
    CheckSameData(checkpoint->data, fingerprint, args.data, args.resume);
    fit_options.resume_from =
        float32 ? io::Float32Progress(*checkpoint) : std::move(checkpoint->progress);
  }
  if (float32_error) throw InvalidDataError(*float32_error);
  // float32 rows replace the float64 table, which is freed before the fit.
  std::optional<RowMatrixF> values32;
  if (float32 && !rows) {
    values32 = ToFloat32(table.values, args.data);
    table.values = RowMatrix();
  }
  std::optional<io::CheckpointWriter> writer;
  if (!args.checkpoint.empty()) {
    writer.emplace(args.checkpoint, checkpoint ? checkpoint->settings : SettingsOf(args).dump(),
                   fingerprint, feature_names, args.checkpoint_every);
    writer->Attach(&fit_options);
  }

  ProgressLine progress;
  progress.Attach(args.output, &fit_options);
  std::optional<Fitted<io::AnyModel>> fitted;
  int interrupted_by = 0;
  {
    InterruptGuard interrupt;
    fit_options.callbacks.push_back(interrupt.StopCallback());
    try {
      if (args.online.online) {
        fitted = FitOnline(args, fit_options, spec, rows ? &*rows : nullptr, table,
                           values32 ? &*values32 : nullptr);
      } else if (rows && float32) {
        const io::RowStream<float> rows32(args.data, rows->options());
        fitted = FitMixtureOfFamily(fit_options, spec, rows32);
      } else if (rows) {
        fitted = FitMixtureOfFamily(fit_options, spec, *rows);
      } else {
        fitted = float32 ? FitMixtureOfFamily(fit_options, spec, ViewOf(*values32))
                         : FitMixtureOfFamily(fit_options, spec, ViewOf(table.values));
      }
    } catch (const InvalidDataError& e) {
      throw InvalidDataError(fmt::format("{}: {}", DisplayPath(args.data), e.what()));
    }
    interrupted_by = interrupt.Signal();
  }
  progress.Finish();
  if (interrupted_by != 0) {
    return ReportInterrupted(
        interrupted_by, fitted->report, writer ? &*writer : nullptr, args.checkpoint,
        fmt::format("emkit fit {} --resume {}", args.data, args.checkpoint));
  }
  WriteFitResults(args.output, fitted->report, fitted->model, feature_names);
  return kExitSuccess;
}

}  // namespace

void AddFitCommand(CLI::App* app, std::function<int()>* run) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* command = app->add_subcommand("fit", "Fit a mixture model to DATA");
  command->add_option("DATA", args->data,
                      "Data file (.csv, .tsv, .txt, .npy), or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  args->shaping_options.push_back(command->add_option(
      "--model", args->model,
      fmt::format("The component family: {} (default gaussian)",
                  fmt::join(MixtureFamilyNames(), ", "))));
  args->k_option = command->add_option("-k,--n-components", args->k,
                                       "Number of components (required unless "
                                       "--init-model gives it)");
  args->covariance_option = command->add_option(
      "--covariance", args->covariance, "full, diag, spherical or tied (default full)");
  args->init_option = command->add_option(
      "--init", args->init, "kmeans++, random or random_from_data (default kmeans++)");
  args->shaping_options.push_back(
      command->add_option("--init-model", args->init_model,
                          "Start EM from this model file instead of an initialisation"));
  args->engine_options.Add(command);
  args->family_options.Add(command, MixtureFamilies{}, "--model");
  for (CLI::Option* option : {args->k_option, args->covariance_option, args->init_option}) {
    args->shaping_options.push_back(option);
  }
  for (CLI::Option* option : args->engine_options.ShapingOptions()) {
    args->shaping_options.push_back(option);
  }
  for (CLI::Option* option : args->family_options.Options()) {
    args->shaping_options.push_back(option);
  }
  for (const char* name : {"--header", "--no-header", "--delimiter", "--columns"}) {
    args->shaping_options.push_back(command->get_option(name));
  }
  args->shaping_options.push_back(command->add_option("--dtype", args->dtype, kDtypeHelp));
  command->add_option("--checkpoint", args->checkpoint,
                      "Save the fit's progress to FILE (atomically) as it runs and when "
                      "interrupted (SIGINT, SIGTERM); continue it with --resume FILE");
  command->add_option("--checkpoint-every", args->checkpoint_every,
                      "Seconds between checkpoint writes; 0 writes after every iteration "
                      "(default 10)");
  command->add_option("--resume", args->resume,
                      "Continue the fit saved in this checkpoint file, with the same DATA; "
                      "the result is that of a fit never stopped");
  AddStreamOptions(command, &args->stream);
  AddOnlineOptions(command, &args->online);
  AddFitOutputOptions(command, &args->output);
  command->callback([run, args] { *run = [args] { return RunFit(*args); }; });
}

}  // namespace emkit::cli
