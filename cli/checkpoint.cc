#include "checkpoint.h"

#include <cstdint>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "common.h"
#include "emkit/error.h"
#include "interrupt.h"

namespace emkit::cli {

void WriteDataSettings(const DataOptions& options, CheckpointJson* settings) {
  CheckpointJson& j = *settings;
  j["header"] = options.header;
  j["no_header"] = options.no_header;
  j["delimiter"] = options.delimiter;
  j["columns"] = options.columns;
}

void ReadDataSettings(const CheckpointJson& j, DataOptions* options) {
  options->header = j.at("header").get<bool>();
  options->no_header = j.at("no_header").get<bool>();
  options->delimiter = j.at("delimiter").get<std::string>();
  options->columns = j.at("columns").get<std::string>();
}

void WriteOptionSetting(const OptionEntry& entry, const std::string& text,
                        CheckpointJson* settings) {
  CheckpointJson& value = (*settings)[entry.name];
  if (entry.kind == OptionKind::kNumber) {
    value = std::stod(text);
  } else if (entry.kind == OptionKind::kInteger) {
    if (text.starts_with('-')) {
      value = std::stoll(text);
    } else {
      value = std::stoull(text);
    }
  } else {
    value = text;
  }
}

std::string OptionSettingText(const OptionEntry& entry, const CheckpointJson& value) {
  if (entry.kind == OptionKind::kChoice) return value.get<std::string>();
  // A fraction where an integer belongs reads back as itself, so that
  // SetOption refuses it rather than the JSON library truncating it.
  if (entry.kind == OptionKind::kNumber || value.is_number_float()) {
    return internal::NumberText(value.get<double>());  // reads back as the same double
  }
  return value.is_number_unsigned() ? std::to_string(value.get<std::uint64_t>())
                                    : std::to_string(value.get<std::int64_t>());
}

CheckpointJson CheckpointSettings(const io::Checkpoint& checkpoint,
                                  const std::string& command) {
  const CheckpointJson settings = CheckpointJson::parse(checkpoint.settings);
  const auto it = settings.find("command");
  if (it == settings.end() || *it != command) {
    throw FileFormatError(fmt::format("{}: a checkpoint of another command", checkpoint.path));
  }
  return settings;
}

void RejectShapingOptions(const std::vector<CLI::Option*>& shaping_options,
                          const std::string& checkpoint_path) {
  for (const CLI::Option* option : shaping_options) {
    if (option->count() > 0) {
      throw InvalidOptionError(
          fmt::format("{} cannot be given with --resume: the checkpoint {} fixes it",
                      option->get_name(), checkpoint_path));
    }
  }
}

void CheckSameData(const io::DataFingerprint& saved, const io::DataFingerprint& data,
                   const std::string& data_path, const std::string& checkpoint_path) {
  if (data == saved) return;
  throw InvalidDataError(fmt::format(
      "{}: not the data that the checkpoint {} was made from ({} rows x {} columns, "
      "checksum {}; this data: {} x {}, checksum {})",
      DisplayPath(data_path), checkpoint_path, saved.rows, saved.columns,
      io::ChecksumText(saved.checksum), data.rows, data.columns,
      io::ChecksumText(data.checksum)));
}

int ReportInterrupted(int signal_number, const FitReport& report,
                      io::CheckpointWriter* writer, const std::string& checkpoint_path,
                      const std::string& resume_command) {
  const RestartRecord& last = report.restarts.back();
  std::string what;
  if (writer != nullptr && writer->Flush()) {
    what = fmt::format("the fit so far is saved in {}; continue it with: {}", checkpoint_path,
                       resume_command);
  } else if (writer != nullptr) {
    what = "no iteration had finished, so there was nothing to save";
  } else {
    what = "nothing was saved (--checkpoint FILE saves a fit's progress)";
  }
  std::fprintf(stderr, "emkit: interrupted by %s at restart %d, iteration %d; %s\n",
               SignalName(signal_number), last.restart + 1, last.n_iter, what.c_str());
  return 128 + signal_number;
}

}  // namespace emkit::cli
