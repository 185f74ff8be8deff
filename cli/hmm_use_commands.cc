// emkit hmm decode, score and sample: using a fitted hidden Markov model.

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common.h"
#include "emkit/error.h"
#include "emkit/io/csv_writer.h"
#include "emkit/io/model_file.h"
#include "emkit/random.h"
#include "model_kinds.h"
#include "emkit/hmm/sequence_stream.h"
#include "sequences.h"
#include "stream_options.h"

namespace emkit::cli {
namespace {

// MODEL DATA and the options that read DATA's sequences.
struct HmmDataArgs {
  std::string model;
  std::string data;
  DataOptions data_options;
  SequenceOptions sequence_options;
  StreamFlags stream;
};

void AddHmmDataArgs(CLI::App* command, HmmDataArgs* args) {
  command->add_option("MODEL", args->model, "Model file written by emkit hmm fit")
      ->required();
  command->add_option("DATA", args->data, "Data file, or - for CSV on standard input")
      ->required();
  AddDataOptions(command, &args->data_options);
  AddSequenceOptions(command, &args->sequence_options);
  AddStreamOptions(command, &args->stream);
}

// Called with consecutive whole sequences of DATA: their rows and lengths.
using SequencesVisitor =
    std::function<void(const MatrixView& rows, std::span<const std::int64_t> lengths)>;
// Calls a SequencesVisitor for every block of DATA's sequences, in order.
using ForEachSequences = std::function<void(const SequencesVisitor&)>;

// Loads the model and reads DATA, checked against the emissions' rules,
// then calls use(hmm, num_rows, for_each) where for_each(visit) visits the
// sequences: all rows at once when DATA is read whole; when it is streamed
// (ChooseStreaming, stream_options.h), the blocks of whole sequences a fit
// reads, in order. Every sequence is computed alone, so the outputs are the
// same either way.
template <class Use>
int WithHmmAndData(const HmmDataArgs& args, Use use) {
  std::vector<std::string> names;
  const io::AnyModel model = io::LoadAnyModel(args.model, &names);
  // Checked before DATA is read: a mixture model is the likelier mistake.
  VisitHmm(model, args.model, [](const auto&) { return 0; });
  const StreamChoice choice =
      ChooseStreaming(args.stream, args.data, args.data_options, /*float32=*/false);
  if (choice.stream) {
    const StreamedSequences data =
        StreamSequences(args.data, args.data_options, args.sequence_options, choice.read_bytes,
                        names, io::NumFeaturesOf(model));
    const SequenceStream<double> sequences(data.rows, data.lengths);
    return VisitHmm(model, args.model, [&](const auto& hmm) {
      // A pass that checks every row first, so that bad data writes nothing.
      ForEachSequenceBlockInOrder(sequences, [&](const SequenceBlock<double>& block) {
        ValidateFamilyBlock(hmm.emissions(),
                            RowBlock<double>{block.rows, nullptr, block.first_row}, args.data);
      });
      return use(hmm, data.rows.num_rows(), [&](const SequencesVisitor& visit) {
        ForEachSequenceBlockInOrder(sequences, [&](const SequenceBlock<double>& block) {
          visit(block.rows, block.lengths);
        });
      });
    });
  }
  const SequenceData data = ReadSequences(args.data, args.data_options,
                                          args.sequence_options, names,
                                          io::NumFeaturesOf(model));
  const MatrixView x = ViewOf(data.table.values);
  return VisitHmm(model, args.model, [&](const auto& hmm) {
    ValidateFamilyData(hmm.emissions(), x, args.data);
    return use(hmm, x.rows(), [&](const SequencesVisitor& visit) {
      visit(x, std::span<const std::int64_t>(data.lengths));
    });
  });
}

struct DecodeArgs {
  HmmDataArgs data;
  std::string method = "viterbi";
  std::string output;
};

int RunDecode(const DecodeArgs& args) {
  if (args.method != "viterbi" && args.method != "posterior") {
    throw InvalidOptionError(fmt::format(
        "--method: unknown method \"{}\" (expected viterbi or posterior)", args.method));
  }
  CheckOutputPath(args.output, "-o");
  return WithHmmAndData(args.data, [&](const auto& hmm, std::int64_t,
                                       const ForEachSequences& for_each) {
    // Written block by block into a temporary file renamed to -o at the
    // end (WriteOutput): an error on the way leaves no output.
    WriteOutput(args.output, [&](std::ostream& out) {
      if (args.method == "posterior") {
        std::vector<std::string> header;
        for (int k = 0; k < hmm.num_states(); ++k) header.push_back("p" + std::to_string(k));
        io::WriteCsv(out, RowMatrix(0, hmm.num_states()), header);
        for_each([&](const MatrixView& x, std::span<const std::int64_t> lengths) {
          io::WriteCsv(out, hmm.PredictProba(x, lengths));
        });
      } else {
        io::WriteCsv(out, std::vector<int>{}, "state");
        for_each([&](const MatrixView& x, std::span<const std::int64_t> lengths) {
          io::WriteCsv(out, hmm.Viterbi(x, lengths), "");
        });
      }
    });
    return kExitSuccess;
  });
}

struct ScoreArgs {
  HmmDataArgs data;
  bool json = false;
};

nlohmann::ordered_json NumberOrNull(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

int RunScore(const ScoreArgs& args) {
  return WithHmmAndData(args.data, [&](const auto& hmm, std::int64_t num_rows,
                                       const ForEachSequences& for_each) {
    // Every sequence's log-likelihood, then their sum in one: the same sum
    // whichever blocks they were computed in.
    std::vector<double> scores;
    for_each([&](const MatrixView& x, std::span<const std::int64_t> lengths) {
      const Vector block = hmm.SequenceLogLikelihoods(x, lengths);
      scores.insert(scores.end(), block.data(), block.data() + block.size());
    });
    const Eigen::Map<const Vector> per_sequence(scores.data(),
                                                static_cast<Eigen::Index>(scores.size()));
    const double total = per_sequence.sum();
    const double n = static_cast<double>(num_rows);
    const double mean = total / n;
    const double p = static_cast<double>(hmm.NumFreeParameters());
    std::string text;
    if (args.json) {
      nlohmann::ordered_json j;
      j["mean_log_likelihood"] = NumberOrNull(mean);
      j["total_log_likelihood"] = NumberOrNull(total);
      j["n_samples"] = num_rows;
      j["n_sequences"] = per_sequence.size();
      j["bic"] = NumberOrNull(-2.0 * total + p * std::log(n));
      j["aic"] = NumberOrNull(-2.0 * total + 2.0 * p);
      nlohmann::ordered_json sequences = nlohmann::ordered_json::array();
      for (Eigen::Index s = 0; s < per_sequence.size(); ++s) {
        sequences.push_back(NumberOrNull(per_sequence[s]));
      }
      j["sequence_log_likelihoods"] = std::move(sequences);
      text = j.dump(2) + "\n";
    } else {
      text = fmt::format("{}\n", mean);
    }
    WriteOutput("-", [&text](std::ostream& out) { out << text; });
    return kExitSuccess;
  });
}

struct SampleArgs {
  std::string model;
  std::int64_t n = 0;
  std::int64_t sequences = 1;
  std::uint64_t seed = 0;
  bool states = false;
  std::string output;
};

int RunSample(const SampleArgs& args) {
  if (args.n < 1) throw InvalidOptionError(fmt::format("-n {} must be >= 1", args.n));
  if (args.sequences < 1) {
    throw InvalidOptionError(fmt::format("--sequences {} must be >= 1", args.sequences));
  }
  CheckOutputPath(args.output, "-o");
  std::vector<std::string> header;
  const io::AnyModel model = io::LoadAnyModel(args.model, &header);
  const int d = io::NumFeaturesOf(model);
  if (header.empty()) {
    for (int j = 0; j < d; ++j) header.push_back("x" + std::to_string(j));
  }
  // A "sequence" column, so that the output reads back with
  // --sequence-column sequence; small integers print exactly.
  header.push_back("sequence");
  if (args.states) header.push_back("state");
  Rng rng(args.seed);
  RowMatrix out(args.n * args.sequences, static_cast<Eigen::Index>(header.size()));
  VisitHmm(model, args.model, [&](const auto& hmm) {
    std::vector<int> states;
    for (std::int64_t s = 0; s < args.sequences; ++s) {
      const RowMatrix draws = hmm.Sample(args.n, rng, &states);
      auto rows = out.middleRows(s * args.n, args.n);
      rows.leftCols(d) = draws;
      rows.col(d).setConstant(static_cast<double>(s));
      if (args.states) {
        for (std::int64_t t = 0; t < args.n; ++t) rows(t, d + 1) = states[t];
      }
    }
    return 0;
  });
  WriteOutput(args.output, [&](std::ostream& stream) { io::WriteCsv(stream, out, header); });
  return kExitSuccess;
}

}  // namespace

void AddHmmCommands(CLI::App* app, std::function<int()>* run) {
  CLI::App* hmm = app->add_subcommand("hmm", "Fit and use hidden Markov models");
  hmm->require_subcommand(1);
  AddHmmFitCommand(hmm, run);

  auto decode = std::make_shared<DecodeArgs>();
  CLI::App* command = hmm->add_subcommand(
      "decode", "Write the hidden state of each row of DATA (or its probabilities)");
  AddHmmDataArgs(command, &decode->data);
  command->add_option("--method", decode->method,
                      "viterbi (the most probable path) or posterior (the "
                      "probabilities p0..pK-1 of each state) (default viterbi)");
  command->add_option("-o,--output", decode->output, "Output CSV (default: standard output)");
  command->callback([run, decode] { *run = [decode] { return RunDecode(*decode); }; });

  auto score = std::make_shared<ScoreArgs>();
  command = hmm->add_subcommand(
      "score", "Print the mean log-likelihood per row of the sequences in DATA");
  AddHmmDataArgs(command, &score->data);
  command->add_flag("--json", score->json,
                    "Print mean and total log-likelihood, per-sequence "
                    "log-likelihoods, BIC and AIC as JSON");
  command->callback([run, score] { *run = [score] { return RunScore(*score); }; });

  auto sample = std::make_shared<SampleArgs>();
  command = hmm->add_subcommand("sample", "Draw sequences from MODEL");
  command->add_option("MODEL", sample->model, "Model file written by emkit hmm fit")
      ->required();
  command->add_option("-n", sample->n, "Steps per sequence")->required();
  command->add_option("--sequences", sample->sequences, "Number of sequences (default 1)");
  command->add_option("--seed", sample->seed, "Random seed (default 0)");
  command->add_flag("--states", sample->states,
                    "Add a \"state\" column with the hidden state of each row");
  command->add_option("-o,--output", sample->output, "Output CSV (default: standard output)");
  command->callback([run, sample] { *run = [sample] { return RunSample(*sample); }; });
}

}  // namespace emkit::cli
