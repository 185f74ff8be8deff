// The command's flags for the families' own options (reg_covar, min_rate,
// max_concentration, ...), derived from their option tables
// (emkit/option_table.h): one flag per option name, its help text and
// default from the table, the check that a given flag applies to the chosen
// family, and the values a checkpoint keeps. A new family's options reach
// the command through its table alone.
#ifndef EMKIT_CLI_FAMILY_OPTIONS_H_
#define EMKIT_CLI_FAMILY_OPTIONS_H_

#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "emkit/error.h"
#include "emkit/model_registry.h"
#include "emkit/option_table.h"

namespace emkit::cli {

// CLI11's name for a value of that kind in the help text: FLOAT, INT, TEXT.
const char* TypeName(OptionKind kind);

class FamilyOptionFlags {
 public:
  // Adds a flag for every option that a family of `list` declares, except
  // those named in `skip`. `selector` is the flag that picks the family
  // ("--model", "--emission"), for the error messages; `display_name` maps
  // a family's name to the one the command uses for it.
  template <class... F>
  void Add(CLI::App* command, FamilyList<F...> list, std::string selector,
           const std::vector<std::string_view>& skip = {},
           std::string (*display_name)(std::string_view) = nullptr) {
    std::vector<std::pair<std::string, std::vector<OptionEntry>>> tables;
    ForEachFamily(list, [&]<class Family>(std::type_identity<Family>) {
      const std::string_view name = Family::kFamilyName;
      tables.emplace_back(display_name != nullptr ? display_name(name) : std::string(name),
                          OptionEntries(typename Family::Options{}));
    });
    AddTables(command, std::move(selector), tables, skip);
  }

  // Throws InvalidOptionError for a given flag that `family` does not
  // declare: "--min-rate applies to --model poisson only, not to vmf".
  void CheckApplies(std::string_view family) const;

  // `options` with every option of its table that was given (or restored
  // from a checkpoint) set; a value that does not parse is an
  // InvalidOptionError naming the flag.
  template <HasOptionTable Options>
  Options Apply(Options options) const {
    for (const auto& [name, flag] : flags_) {
      if (!flag.has_value) continue;
      try {
        SetOption(&options, name, flag.value);
      } catch (const InvalidOptionError& e) {
        throw InvalidOptionError(flag.flag_name + ": " + e.what());
      }
    }
    return options;
  }

  // Whether the flag of option `name` was given on the command line.
  bool Given(std::string_view name) const;
  // The text given for option `name` (valid when Given(name)).
  const std::string& GivenText(std::string_view name) const;
  // "--min-rate 0.5", the flag as given, for messages.
  std::string AsGiven(std::string_view name) const;
  // The CLI11 options, for the list of options a checkpoint fixes.
  std::vector<CLI::Option*> Options() const;

  // Writes every option's value (given or default) under its name; reads
  // back those present (older checkpoints may lack an option, which then
  // keeps its default).
  void WriteSettings(nlohmann::ordered_json* settings) const;
  void ReadSettings(const nlohmann::ordered_json& settings);

 private:
  struct Flag {
    std::string flag_name;                // "--min-rate"
    std::vector<std::string> families;    // that declare it
    OptionEntry entry;                    // help, default, choices
    std::string value;                    // bound to the CLI11 option
    bool has_value = false;               // given or restored
    CLI::Option* option = nullptr;
  };

  void AddTables(CLI::App* command, std::string selector,
                 const std::vector<std::pair<std::string, std::vector<OptionEntry>>>& tables,
                 const std::vector<std::string_view>& skip);

  std::string selector_;
  // A map: its nodes stay put, so CLI11 can hold references to the values.
  std::map<std::string, Flag, std::less<>> flags_;
};

}  // namespace emkit::cli

#endif  // EMKIT_CLI_FAMILY_OPTIONS_H_
