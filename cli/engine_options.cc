#include "engine_options.h"

#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "emkit/error.h"
#include "family_options.h"  // TypeName

namespace emkit::cli {

void EngineOptionFlags::Add(CLI::App* command) {
  for (OptionEntry& entry : OptionEntries(FitOptions{})) {
    flags_.push_back({std::move(entry), "", false, nullptr});
  }
  for (Flag& flag : flags_) {
    // The table's help is a phrase ("maximum EM iterations per restart");
    // the command's help lines are sentences.
    std::string help = fmt::format("{} (default {})", flag.entry.help, flag.entry.value);
    help[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(help[0])));
    flag.option = command->add_option("--" + flag.entry.flag, flag.value, help)
                      ->type_name(TypeName(flag.entry.kind));
    flag.option->each([&flag](const std::string&) { flag.has_value = true; });
  }
}

const EngineOptionFlags::Flag& EngineOptionFlags::FlagOf(std::string_view name) const {
  for (const Flag& flag : flags_) {
    if (flag.entry.name == name) return flag;
  }
  throw std::logic_error(fmt::format("FitOptions declares no option {}", name));
}

bool EngineOptionFlags::Given(std::string_view name) const {
  const Flag& flag = FlagOf(name);
  return flag.option != nullptr && flag.option->count() > 0;
}

std::vector<CLI::Option*> EngineOptionFlags::ShapingOptions() const {
  std::vector<CLI::Option*> options;
  for (const Flag& flag : flags_) {
    if (!flag.entry.per_run) options.push_back(flag.option);
  }
  return options;
}

FitOptions EngineOptionFlags::Apply(FitOptions options) const {
  for (const Flag& flag : flags_) {
    if (!flag.has_value) continue;
    try {
      SetOption(&options, flag.entry.name, flag.value);
    } catch (const InvalidOptionError& e) {
      throw InvalidOptionError(fmt::format("--{}: {}", flag.entry.flag, e.what()));
    }
  }
  return options;
}

void EngineOptionFlags::WriteSettings(CheckpointJson* settings) const {
  for (const Flag& flag : flags_) {
    if (flag.entry.per_run) continue;
    WriteOptionSetting(flag.entry, flag.has_value ? flag.value : flag.entry.value, settings);
  }
}

void EngineOptionFlags::ReadSettings(const CheckpointJson& settings) {
  for (Flag& flag : flags_) {
    if (flag.entry.per_run) continue;
    // A checkpoint of an earlier version does not name the options added
    // since; those fits ran with the defaults.
    if (!settings.contains(flag.entry.name)) continue;
    flag.value = OptionSettingText(flag.entry, settings.at(flag.entry.name));
    flag.has_value = true;
  }
}

}  // namespace emkit::cli
