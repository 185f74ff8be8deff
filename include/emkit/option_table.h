// The option table: a family's options declared once, as named settings,
// from which the command's flags and their help text (defaults printed from
// the table), the settings a checkpoint keeps and the Python keywords are
// all derived.
//
// An options struct declares its table with a member template
//
//   template <class Table>
//   void Describe(Table& table) {
//     table.Number("min_rate", &min_rate, "lower bound on every rate");
//     table.Choice("categorical_layout", &layout, kLayoutChoices, "...");
//   }
//
// A table is any class with those two member templates (see the readers and
// writers below and cli/family_options.h); names are snake_case (a flag is
// "--" + the name with '-' for '_'). Options that are arrays (priors) or
// only meaningful to one caller are not in the table.
#ifndef EMKIT_OPTION_TABLE_H_
#define EMKIT_OPTION_TABLE_H_

#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {

// The names of an enumeration's values, in the order help text lists them.
template <class E>
using ChoiceNames = std::vector<std::pair<std::string_view, E>>;

// Accepts every declaration; for the concept below only.
struct OptionTableProbe {
  void Number(std::string_view, double*, std::string_view) {}
  template <class E>
  void Choice(std::string_view, E*, const ChoiceNames<E>&, std::string_view) {}
};

template <class Options>
concept HasOptionTable = requires(Options& options) {
  options.Describe(std::declval<OptionTableProbe&>());
};

// One declared option as text: its name, help, current value and, for a
// choice, the allowed values.
struct OptionEntry {
  std::string name;
  std::string help;
  std::string value;                 // "1e-10", "counts"
  std::vector<std::string> choices;  // empty for a number
  bool is_number() const { return choices.empty(); }
};

namespace internal {

// The shortest text that reads back as `value`, with the exponent's leading
// zeros dropped ("1e-6", not "1e-06").
inline std::string NumberText(double value) {
  std::string text = fmt::format("{}", value);
  for (const char* sign : {"e-0", "e+0"}) {
    const std::size_t at = text.find(sign);
    if (at != std::string::npos) text.erase(at + 2, 1);
  }
  return text;
}

struct OptionLister {
  std::vector<OptionEntry>* out;
  void Number(std::string_view name, double* value, std::string_view help) {
    out->push_back({std::string(name), std::string(help), NumberText(*value), {}});
  }
  template <class E>
  void Choice(std::string_view name, E* value, const ChoiceNames<E>& names,
              std::string_view help) {
    OptionEntry entry{std::string(name), std::string(help), "", {}};
    for (const auto& [text, e] : names) {
      entry.choices.emplace_back(text);
      if (e == *value) entry.value = text;
    }
    out->push_back(std::move(entry));
  }
};

struct OptionSetter {
  std::string_view name;
  std::string_view text;
  bool found = false;
  void Number(std::string_view option, double* value, std::string_view) {
    if (option != name) return;
    found = true;
    const std::string s(text);
    std::size_t used = 0;
    double parsed = 0.0;
    try {
      parsed = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty()) {
      throw InvalidOptionError(fmt::format("{} = \"{}\" is not a number", name, text));
    }
    *value = parsed;
  }
  template <class E>
  void Choice(std::string_view option, E* value, const ChoiceNames<E>& names,
              std::string_view) {
    if (option != name) return;
    found = true;
    std::string allowed;
    for (const auto& [choice, e] : names) {
      if (choice == text) {
        *value = e;
        return;
      }
      allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", choice);
    }
    throw InvalidOptionError(
        fmt::format("{} = \"{}\" is not one of {}", name, text, allowed));
  }
};

}  // namespace internal

// The table of `options` (with its current values), in declaration order.
template <HasOptionTable Options>
std::vector<OptionEntry> OptionEntries(Options options) {
  std::vector<OptionEntry> entries;
  internal::OptionLister lister{&entries};
  options.Describe(lister);
  return entries;
}

// Sets the option `name` of *options from its text (a number, or one of the
// choice names). Returns false when the table has no such option; a value
// that does not parse is an InvalidOptionError naming the option.
template <HasOptionTable Options>
bool SetOption(Options* options, std::string_view name, std::string_view text) {
  internal::OptionSetter setter{name, text};
  options->Describe(setter);
  return setter.found;
}

}  // namespace emkit

#endif  // EMKIT_OPTION_TABLE_H_
