// emkit hmm fit: fits a hidden Markov model to the sequences in DATA, from
// the library's initialisation or from a model file (--init-model).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "checkpoint.h"
#include "common.h"
#include "dtype.h"
#include "emkit/family_fit.h"
#include "emkit/model_registry.h"
#include "emkit/option_table.h"
#include "engine_options.h"
#include "family_options.h"
#include "emkit/error.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"
#include "emkit/hmm/stream_fit_hmm.h"
#include "emkit/io/checkpoint.h"
#include "emkit/io/model_file.h"
#include "fit_output.h"
#include "interrupt.h"
#include "model_kinds.h"
#include "sequences.h"
#include "stream_options.h"

namespace emkit::cli {
namespace {

// The command's name of an emission family: the registry's, except "gmm"
// for the Gaussian mixtures.
std::string EmissionDisplayName(std::string_view family) {
  if (family == GaussianMixtureEmissionFull::kFamilyName) return "gmm";
  return std::string(family);
}

std::vector<std::string> EmissionNames() {
  std::vector<std::string> names;
  for (std::string_view family : EmissionFamilyNames()) {
    names.push_back(EmissionDisplayName(family));
  }
  return names;
}

std::string ParseEmission(const std::string& name) {
  const std::vector<std::string> names = EmissionNames();
  if (std::find(names.begin(), names.end(), name) != names.end()) return name;
  throw InvalidOptionError(fmt::format("--emission: unknown emission \"{}\" (expected {})",
                                       name, fmt::join(names, ", ")));
}

// Calls f(std::type_identity<F>) for every emission family F named
// `emission` on the command line (the four Gaussians share one name).
template <class Fn>
void ForEmissionNamed(const std::string& emission, Fn&& f) {
  ForEachFamily(HmmEmissionFamilies{}, [&]<class F>(std::type_identity<F> type) {
    if (EmissionDisplayName(F::kFamilyName) == emission) f(type);
  });
}

struct HmmFitArgs {
  std::string data;
  DataOptions data_options;
  SequenceOptions sequence_options;
  int k = 0;
  std::string emission = "gaussian";
  std::string init_model;
  std::string covariance = CovarianceTypeName(GaussianHmmOptions{}.covariance_type);
  int n_mix = GmmHmmOptions{}.n_mix;
  std::string dtype = "float64";
  // The families' own options (reg_covar, pseudo_count, min_rate, ...).
  FamilyOptionFlags family_options;
  // The engine's options (--n-init, --max-iter, --tol, --seed, --threads,
  // --max-time).
  EngineOptionFlags engine_options;
  FitOutputOptions output;
  // --stream, --memory-limit, --read-size: per run, not kept by a checkpoint.
  StreamFlags stream;
  std::string checkpoint;
  double checkpoint_every = 10.0;
  std::string resume;
  // A model to start from, as its file's text: what a checkpoint keeps of
  // --init-model.
  std::string init_model_text;
  // The sequences a resumed fit's data must be cut into (from --resume).
  std::optional<io::DataFingerprint> resumed_sequences;

  // Every option that shapes the result; a checkpoint fixes them all.
  std::vector<CLI::Option*> shaping_options;

  // Which options were given: to reject those that do not apply, and to
  // check the model-shaping ones against --init-model.
  CLI::Option* k_option = nullptr;
  CLI::Option* emission_option = nullptr;
  CLI::Option* covariance_option = nullptr;
  CLI::Option* n_mix_option = nullptr;
};

// What an initial model fixes: its emission, number of states and family
// options.
struct InitModelShape {
  std::string emission;
  int n_states = 0;
  std::optional<CovarianceType> covariance;
  int n_mix = 0;  // Gaussians per state (GMM emissions)
  std::vector<OptionEntry> family_options;  // of the GMM's Gaussians for gmm
};

InitModelShape ShapeOf(const io::AnyModel& model, const std::string& path) {
  return VisitHmm(model, path, [](const auto& hmm) {
    using Family = std::decay_t<decltype(hmm.emissions())>;
    const Family& e = hmm.emissions();
    InitModelShape shape;
    shape.emission = EmissionDisplayName(Family::kFamilyName);
    shape.n_states = hmm.num_states();
    if constexpr (requires { e.num_mixture_components(); }) {
      shape.n_mix = e.num_mixture_components();
      shape.covariance =
          ParseCovarianceType(std::decay_t<decltype(e.components())>::kCovarianceName);
      shape.family_options = OptionEntries(e.components().options());
    } else {
      if constexpr (HasCovarianceType<Family>) {
        shape.covariance = ParseCovarianceType(Family::kCovarianceName);
      }
      shape.family_options = OptionEntries(e.options());
    }
    return shape;
  });
}

// A number given on the command line; InvalidOptionError when it is not one.
double ParseNumber(const std::string& text) {
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    throw InvalidOptionError(fmt::format("\"{}\" is not a number", text));
  }
  return value;
}

[[noreturn]] void Conflict(const std::string& given, const std::string& path,
                           const std::string& model_has) {
  throw InvalidOptionError(fmt::format(
      "{} conflicts with --init-model {}, which has {}; omit {} or make them "
      "agree", given, path, model_has, given.substr(0, given.find(' '))));
}

void CheckOptionsApply(const HmmFitArgs& args, const std::string& emission);

// The options that shape the model come from the initial model; given ones
// must agree with it.
void CheckAgainstInitModel(const HmmFitArgs& args, const FitOptions& fit_options,
                           const InitModelShape& shape) {
  const std::string& path = args.init_model;
  if (args.emission_option->count() > 0 && ParseEmission(args.emission) != shape.emission) {
    Conflict(fmt::format("--emission {}", args.emission), path,
             fmt::format("{} emissions", shape.emission));
  }
  CheckOptionsApply(args, shape.emission);
  if (args.k_option->count() > 0 && args.k != shape.n_states) {
    Conflict(fmt::format("-k {}", args.k), path, fmt::format("{} states", shape.n_states));
  }
  if (shape.covariance && args.covariance_option->count() > 0 &&
      ParseCovarianceType(args.covariance) != *shape.covariance) {
    Conflict(fmt::format("--covariance {}", args.covariance), path,
             fmt::format("covariance type {}", CovarianceTypeName(*shape.covariance)));
  }
  if (args.n_mix_option->count() > 0 && args.n_mix != shape.n_mix) {
    Conflict(fmt::format("--n-mix {}", args.n_mix), path,
             fmt::format("{} Gaussians per state", shape.n_mix));
  }
  for (const OptionEntry& entry : shape.family_options) {
    if (!args.family_options.Given(entry.name)) continue;
    const std::string& given = args.family_options.GivenText(entry.name);
    const bool same = entry.kind == OptionKind::kChoice
                          ? given == entry.value
                          : ParseNumber(given) == ParseNumber(entry.value);
    if (!same) {
      Conflict(args.family_options.AsGiven(entry.name), path,
               fmt::format("{} {}", entry.name, entry.value));
    }
  }
  if (args.engine_options.Given("n_init") && fit_options.n_init != 1) {
    throw InvalidOptionError(fmt::format(
        "--n-init {} does not apply with --init-model: one fit starts from the model",
        fit_options.n_init));
  }
}

// Each option applies to some emissions only; given for another, it is an
// error rather than silently ignored.
void CheckOptionsApply(const HmmFitArgs& args, const std::string& emission) {
  if (emission != "gaussian" && emission != "gmm" && args.covariance_option->count() > 0) {
    throw InvalidOptionError(fmt::format(
        "--covariance applies to --emission gaussian or gmm only, not to {}", emission));
  }
  if (emission != "gmm" && args.n_mix_option->count() > 0) {
    throw InvalidOptionError(
        fmt::format("--n-mix applies to --emission gmm only, not to {}", emission));
  }
  args.family_options.CheckApplies(emission);
}

template <class Model>
Fitted<io::AnyModel> Erase(Fitted<Model> fitted) {
  return {io::AnyModel(std::move(fitted.model)), std::move(fitted.report)};
}

template <class Model>
const Model* InitAs(const std::optional<io::AnyModel>& init) {
  return init ? &std::get<Model>(*init) : nullptr;
}

// The fit of DATA's rows `x`: in memory (MatrixViewOf<Scalar>) or streamed
// (io::RowStream<Scalar>).
template <class Rows>
Fitted<io::AnyModel> FitEmission(const FitOptions& fit_options, const HmmFitArgs& args,
                                 const std::string& emission, const HmmOptions& hmm,
                                 const std::optional<io::AnyModel>& init, const Rows& x,
                                 std::span<const std::int64_t> lengths) {
  constexpr bool kStreamed = requires { Rows::kReadsFromFile; };
  const FamilyOptionFlags& flags = args.family_options;
  // The families with initialisers of their own; every other family is
  // fitted by the generic path (emkit/family_fit.h).
  if (emission == "gaussian") {
    GaussianHmmOptions options;
    options.hmm = hmm;
    options.covariance_type = ParseCovarianceType(args.covariance);
    options.gaussian = flags.Apply(GaussianOptions{});
    return Erase(
        FitGaussianHmm(fit_options, options, x, lengths, InitAs<GaussianHmmModel>(init)));
  }
  if (emission == "gmm") {
    GmmHmmOptions options;
    options.hmm = hmm;
    options.n_mix = args.n_mix;
    options.covariance_type = ParseCovarianceType(args.covariance);
    options.gaussian = flags.Apply(GaussianOptions{});
    return Erase(FitGmmHmm(fit_options, options, x, lengths, InitAs<GmmHmmModel>(init)));
  }
  if (emission == "categorical") {
    const std::int64_t columns = [&] {
      if constexpr (kStreamed) {
        return x.num_columns();
      } else {
        return static_cast<std::int64_t>(x.cols());
      }
    }();
    if (columns != 1) {
      throw InvalidDataError(fmt::format(
          "categorical emissions read one symbol per row, but the data has {} "
          "columns; pick one with --columns", columns));
    }
    CategoricalOptions options = flags.Apply(CategoricalOptions{});
    options.layout = CategoricalLayout::kSymbols;
    return Erase(FitCategoricalHmm(fit_options, hmm, options, x, lengths, 0,
                                   InitAs<io::CategoricalHmm>(init)));
  }
  if (emission == "poisson") {
    return Erase(FitPoissonHmm(fit_options, hmm, flags.Apply(PoissonOptions{}), x, lengths,
                               InitAs<io::PoissonHmm>(init)));
  }
  if (emission == "bernoulli") {
    return Erase(FitBernoulliHmm(fit_options, hmm, flags.Apply(BernoulliOptions{}), x,
                                 lengths, InitAs<io::BernoulliHmm>(init)));
  }
  std::optional<Fitted<io::AnyModel>> fitted;
  ForEmissionNamed(emission, [&]<class F>(std::type_identity<F>) {
    if constexpr (FamilyFittableFromData<F>) {
      fitted.emplace(Erase(FitHmmOfFamily<F>(fit_options, hmm,
                                             flags.Apply(typename F::Options{}), x, lengths,
                                             InitAs<HiddenMarkovModel<F>>(init))));
    }
  });
  if (!fitted) throw InvalidOptionError(fmt::format("no fit for --emission {}", emission));
  return std::move(*fitted);
}

// The options a checkpoint keeps: all that shape the fit's result, and the
// sequences the rows are cut into (a lengths file is data, given again).
CheckpointJson SettingsOf(const HmmFitArgs& args, const io::DataFingerprint& sequences) {
  CheckpointJson j;
  j["command"] = "hmm fit";
  j["emission"] = args.emission;
  j["n_states"] = args.k;
  j["covariance"] = args.covariance;
  j["n_mix"] = args.n_mix;
  j["dtype"] = args.dtype;
  j["init_model"] = args.init_model_text.empty() ? CheckpointJson(nullptr)
                                                 : CheckpointJson::parse(args.init_model_text);
  args.engine_options.WriteSettings(&j);
  args.family_options.WriteSettings(&j);
  WriteDataSettings(args.data_options, &j);
  j["sequence_column"] = args.sequence_options.sequence_column;
  j["sequences"] = {{"count", sequences.rows},
                    {"checksum", io::ChecksumText(sequences.checksum)}};
  return j;
}

// Takes the settings from the checkpoint; given shaping options are an
// error, since the checkpoint fixes them.
void ApplyCheckpointSettings(const io::Checkpoint& checkpoint, HmmFitArgs* args) {
  const std::string& path = checkpoint.path;
  RejectShapingOptions(args->shaping_options, path);
  const CheckpointJson j = CheckpointSettings(checkpoint, "hmm fit");
  try {
    args->emission = j.at("emission").get<std::string>();
    args->k = j.at("n_states").get<int>();
    args->covariance = j.at("covariance").get<std::string>();
    args->n_mix = j.at("n_mix").get<int>();
    // Checkpoints of versions without --dtype hold float64 fits.
    args->dtype = j.value("dtype", std::string("float64"));
    const CheckpointJson& init_model = j.at("init_model");
    args->init_model_text = init_model.is_null() ? "" : init_model.dump();
    args->engine_options.ReadSettings(j);
    args->family_options.ReadSettings(j);
    ReadDataSettings(j, &args->data_options);
    args->sequence_options.sequence_column = j.at("sequence_column").get<std::string>();
    const CheckpointJson& sequences = j.at("sequences");
    io::DataFingerprint saved;
    saved.rows = sequences.at("count").get<std::int64_t>();
    saved.columns = 1;
    std::size_t used = 0;
    const std::string checksum = sequences.at("checksum").get<std::string>();
    saved.checksum = std::stoull(checksum, &used, 16);
    if (used != checksum.size()) throw std::invalid_argument("not hex digits");
    args->resumed_sequences = saved;
  } catch (const std::exception& e) {
    throw FileFormatError(fmt::format(
        "{}: \"settings\" is not complete or has a wrong type ({})", path, e.what()));
  }
}

// Throws InvalidDataError naming the lengths file (or DATA, whose
// --sequence-column or single sequence cuts it) unless the rows are cut
// into the sequences the checkpoint was made from.
void CheckSameSequences(const HmmFitArgs& args, const io::DataFingerprint& sequences) {
  const io::DataFingerprint& saved = *args.resumed_sequences;
  if (sequences == saved) return;
  const std::string& source = args.sequence_options.lengths_path.empty()
                                  ? args.data
                                  : args.sequence_options.lengths_path;
  const auto count = [](std::int64_t n) {
    return fmt::format("{} sequence{}", n, n == 1 ? "" : "s");
  };
  throw InvalidDataError(fmt::format(
      "{}: not the sequences that the checkpoint {} was made from ({}, checksum {}; "
      "these: {}, checksum {}){}",
      DisplayPath(source), args.resume, count(saved.rows), io::ChecksumText(saved.checksum),
      count(sequences.rows), io::ChecksumText(sequences.checksum),
      args.sequence_options.lengths_path.empty() && saved.rows > 1
          ? "; give the --lengths file it was made with"
          : ""));
}

// How to continue the fit saved in args.checkpoint.
std::string ResumeCommand(const HmmFitArgs& args) {
  std::string command = fmt::format("emkit hmm fit {}", args.data);
  if (!args.sequence_options.lengths_path.empty()) {
    command += fmt::format(" --lengths {}", args.sequence_options.lengths_path);
  }
  return command + fmt::format(" --resume {}", args.checkpoint);
}

int RunHmmFit(const HmmFitArgs& given) {
  // Everything the command can check is checked before the data is read,
  // so that a bad option costs no fit and touches no output.
  HmmFitArgs args = given;
  std::optional<io::Checkpoint> checkpoint;
  if (!args.resume.empty()) {
    checkpoint = io::ReadCheckpoint(args.resume);
    ApplyCheckpointSettings(*checkpoint, &args);
  }
  std::string emission = ParseEmission(args.emission);
  const bool float32 = IsFloat32(args.dtype);
  try {
    (void)ParseCovarianceType(args.covariance);
  } catch (const InvalidOptionError& e) {
    throw InvalidOptionError(fmt::format("--covariance: {}", e.what()));
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
  if (!args.checkpoint.empty()) CheckOutputPath(args.checkpoint, "--checkpoint");
  std::optional<io::AnyModel> init;
  std::vector<std::string> init_names;
  int n_states = args.k;
  if (!args.init_model.empty() || !args.init_model_text.empty()) {
    const std::string& source = args.init_model.empty() ? args.resume : args.init_model;
    if (!args.init_model.empty()) {
      init = io::LoadAnyModel(args.init_model, &init_names);
      args.init_model_text = io::AnyModelToJson(*init, init_names);
    } else {
      init = io::AnyModelFromJson(args.init_model_text, args.resume, &init_names);
    }
    const InitModelShape shape = ShapeOf(*init, source);
    CheckAgainstInitModel(args, fit_options, shape);
    emission = shape.emission;
    n_states = shape.n_states;
  } else {
    if (!checkpoint && args.k_option->count() == 0) {
      throw InvalidOptionError(
          "-k (the number of states) is required unless --init-model gives it");
    }
    CheckOptionsApply(args, emission);
  }
  args.output.Check();

  if (init) fit_options.n_init = 1;
  fit_options.Validate();
  HmmOptions hmm;
  hmm.n_states = n_states;
  hmm.Validate();
  ForEmissionNamed(emission, [&]<class F>(std::type_identity<F>) {
    args.family_options.Apply(typename F::Options{}).Validate();
  });
  if (emission == "gmm" && args.n_mix < 1) {
    throw InvalidOptionError(fmt::format("--n-mix {} must be >= 1", args.n_mix));
  }

  // A DATA too large for the memory limit (or with --stream) is read by
  // row ranges of whole sequences as the fit needs them; anything else whole.
  const StreamChoice streaming =
      ChooseStreaming(args.stream, args.data, args.data_options, float32);
  SequenceData data;
  std::optional<StreamedSequences> streamed;
  std::vector<std::string> feature_names;
  io::DataFingerprint fingerprint;
  std::optional<std::string> float32_error;
  std::int64_t num_rows = 0;
  if (streaming.stream) {
    streamed.emplace(init ? StreamSequences(args.data, args.data_options,
                                            args.sequence_options, streaming.read_bytes,
                                            init_names, io::NumFeaturesOf(*init))
                          : StreamSequences(args.data, args.data_options,
                                            args.sequence_options, streaming.read_bytes));
    feature_names =
        !streamed->rows.column_names().empty() ? streamed->rows.column_names() : init_names;
    if (checkpoint || !args.checkpoint.empty() || float32) {
      ScanStreamedRows(streamed->rows, float32, args.data, &fingerprint, &float32_error);
    }
    num_rows = streamed->rows.num_rows();
  } else {
    data = init ? ReadSequences(args.data, args.data_options, args.sequence_options,
                                init_names, io::NumFeaturesOf(*init))
                : ReadSequences(args.data, args.data_options, args.sequence_options);
    feature_names = !data.table.column_names.empty() ? data.table.column_names : init_names;
    fingerprint = io::FingerprintOf(ViewOf(data.table.values));
    num_rows = data.table.values.rows();
  }
  const std::vector<std::int64_t>& lengths = streamed ? streamed->lengths : data.lengths;
  const io::DataFingerprint sequences = io::FingerprintOfLengths(lengths, num_rows);
  if (checkpoint) {
    CheckSameData(checkpoint->data, fingerprint, args.data, args.resume);
    CheckSameSequences(args, sequences);
    fit_options.resume_from =
        float32 ? io::Float32Progress(*checkpoint) : std::move(checkpoint->progress);
  }
  if (float32_error) throw InvalidDataError(*float32_error);
  // float32 rows replace the float64 table, which is freed before the fit.
  std::optional<RowMatrixF> values32;
  if (float32 && !streamed) {
    values32 = ToFloat32(data.table.values, args.data);
    data.table.values = RowMatrix();
  }
  std::optional<io::CheckpointWriter> writer;
  if (!args.checkpoint.empty()) {
    writer.emplace(args.checkpoint,
                   checkpoint ? checkpoint->settings : SettingsOf(args, sequences).dump(),
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
      if (streamed && float32) {
        const io::RowStream<float> rows32(args.data, streamed->rows.options());
        fitted = FitEmission(fit_options, args, emission, hmm, init, rows32, lengths);
      } else if (streamed) {
        fitted = FitEmission(fit_options, args, emission, hmm, init, streamed->rows, lengths);
      } else if (float32) {
        fitted = FitEmission(fit_options, args, emission, hmm, init, ViewOf(*values32), lengths);
      } else {
        fitted = FitEmission(fit_options, args, emission, hmm, init, ViewOf(data.table.values),
                             lengths);
      }
    } catch (const InvalidDataError& e) {
      throw InvalidDataError(fmt::format("{}: {}", DisplayPath(args.data), e.what()));
    }
    interrupted_by = interrupt.Signal();
  }
  progress.Finish();
  if (interrupted_by != 0) {
    return ReportInterrupted(interrupted_by, fitted->report, writer ? &*writer : nullptr,
                             args.checkpoint, ResumeCommand(args));
  }
  WriteFitResults(args.output, fitted->report, fitted->model, feature_names);
  return kExitSuccess;
}

}  // namespace

void AddHmmFitCommand(CLI::App* hmm, std::function<int()>* run) {
  auto args = std::make_shared<HmmFitArgs>();
  CLI::App* command =
      hmm->add_subcommand("fit", "Fit a hidden Markov model to the sequences in DATA");
  command->add_option("DATA", args->data,
                      "Data file (.csv, .tsv, .txt, .npy), or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  AddSequenceOptions(command, &args->sequence_options);
  AddStreamOptions(command, &args->stream);
  args->k_option = command->add_option(
      "-k,--n-states", args->k,
      "Number of hidden states (required unless --init-model gives it)");
  args->emission_option = command->add_option(
      "--emission", args->emission,
      fmt::format("The emission family: {} (gmm: a mixture of --n-mix Gaussians per "
                  "state; categorical: one symbol 0..V-1 per row) (default gaussian)",
                  fmt::join(EmissionNames(), ", ")));
  args->shaping_options.push_back(
      command->add_option("--init-model", args->init_model,
                          "Start EM from this HMM model file instead of an initialisation"));
  args->covariance_option = command->add_option(
      "--covariance", args->covariance,
      "gaussian, gmm: full, diag, spherical or tied (default diag; for gmm, tied is "
      "one covariance per state)");
  args->n_mix_option = command->add_option(
      "--n-mix", args->n_mix, "gmm: Gaussians per state (default 1)");
  args->shaping_options.push_back(command->add_option("--dtype", args->dtype, kDtypeHelp));
  // Categorical emissions always read one symbol per row: no layout flag.
  args->family_options.Add(command, HmmEmissionFamilies{}, "--emission",
                           {"categorical_layout"}, &EmissionDisplayName);
  args->engine_options.Add(command);
  for (CLI::Option* option : {args->k_option, args->emission_option, args->covariance_option,
                              args->n_mix_option}) {
    args->shaping_options.push_back(option);
  }
  for (CLI::Option* option : args->engine_options.ShapingOptions()) {
    args->shaping_options.push_back(option);
  }
  for (CLI::Option* option : args->family_options.Options()) {
    args->shaping_options.push_back(option);
  }
  for (const char* name :
       {"--header", "--no-header", "--delimiter", "--columns", "--sequence-column"}) {
    args->shaping_options.push_back(command->get_option(name));
  }
  command->add_option("--checkpoint", args->checkpoint,
                      "Save the fit's progress to FILE (atomically) as it runs and when "
                      "interrupted (SIGINT, SIGTERM); continue it with --resume FILE");
  command->add_option("--checkpoint-every", args->checkpoint_every,
                      "Seconds between checkpoint writes; 0 writes after every iteration "
                      "(default 10)");
  command->add_option("--resume", args->resume,
                      "Continue the fit saved in this checkpoint file, with the same DATA "
                      "(and --lengths); the result is that of a fit never stopped");
  AddFitOutputOptions(command, &args->output);
  command->callback([run, args] { *run = [args] { return RunHmmFit(*args); }; });
}

}  // namespace emkit::cli
