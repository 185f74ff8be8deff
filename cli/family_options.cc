#include "family_options.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "checkpoint.h"

namespace emkit::cli {
namespace {

// "bernoulli", "bernoulli or categorical", "a, b or c".
std::string JoinedWithOr(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

const char* TypeName(OptionKind kind) {
  switch (kind) {
    case OptionKind::kNumber: return "FLOAT";
    case OptionKind::kInteger: return "INT";
    case OptionKind::kChoice: return "TEXT";
  }
  return "TEXT";
}

void FamilyOptionFlags::AddTables(
    CLI::App* command, std::string selector,
    const std::vector<std::pair<std::string, std::vector<OptionEntry>>>& tables,
    const std::vector<std::string_view>& skip) {
  selector_ = std::move(selector);
  std::vector<std::string> order;
  for (const auto& [family, entries] : tables) {
    for (const OptionEntry& entry : entries) {
      if (std::find(skip.begin(), skip.end(), entry.name) != skip.end()) continue;
      auto [it, inserted] = flags_.try_emplace(entry.name);
      Flag& flag = it->second;
      if (inserted) {
        flag.flag_name = "--" + entry.flag;
        flag.entry = entry;
        order.push_back(entry.name);
      }
      if (std::find(flag.families.begin(), flag.families.end(), family) ==
          flag.families.end()) {
        flag.families.push_back(family);
      }
    }
  }
  // In the order the families declare them, for the help text.
  for (const std::string& name : order) {
    Flag& flag = flags_.find(name)->second;
    std::string families;
    for (const std::string& family : flag.families) {
      families += (families.empty() ? "" : ", ") + family;
    }
    const std::string values =
        flag.entry.kind == OptionKind::kChoice
            ? fmt::format("{}, ", fmt::join(flag.entry.choices, "|"))
            : "";
    const std::string help = fmt::format("{}: {} ({}default {})", families, flag.entry.help,
                                         values, flag.entry.value);
    flag.option = command->add_option(flag.flag_name, flag.value, help)
                      ->type_name(TypeName(flag.entry.kind));
    flag.option->each([&flag](const std::string&) { flag.has_value = true; });
  }
}

void FamilyOptionFlags::CheckApplies(std::string_view family) const {
  for (const auto& [name, flag] : flags_) {
    if (!Given(name)) continue;
    if (std::find(flag.families.begin(), flag.families.end(), family) ==
        flag.families.end()) {
      throw InvalidOptionError(fmt::format("{} applies to {} {} only, not to {}",
                                           flag.flag_name, selector_,
                                           JoinedWithOr(flag.families), family));
    }
  }
}

bool FamilyOptionFlags::Given(std::string_view name) const {
  const auto it = flags_.find(name);
  return it != flags_.end() && it->second.option != nullptr && it->second.option->count() > 0;
}

const std::string& FamilyOptionFlags::GivenText(std::string_view name) const {
  return flags_.find(name)->second.value;
}

std::string FamilyOptionFlags::AsGiven(std::string_view name) const {
  const Flag& flag = flags_.find(name)->second;
  return fmt::format("{} {}", flag.flag_name, flag.value);
}

std::vector<CLI::Option*> FamilyOptionFlags::Options() const {
  std::vector<CLI::Option*> options;
  for (const auto& [name, flag] : flags_) options.push_back(flag.option);
  return options;
}

void FamilyOptionFlags::WriteSettings(nlohmann::ordered_json* settings) const {
  for (const auto& [name, flag] : flags_) {
    WriteOptionSetting(flag.entry, flag.has_value ? flag.value : flag.entry.value, settings);
  }
}

void FamilyOptionFlags::ReadSettings(const nlohmann::ordered_json& settings) {
  for (auto& [name, flag] : flags_) {
    if (!settings.contains(name)) continue;
    flag.value = OptionSettingText(flag.entry, settings.at(name));
    flag.has_value = true;
  }
}

}  // namespace emkit::cli
