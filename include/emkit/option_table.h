// The option table: options declared once, as named settings, from which
// the command's flags and their help text (defaults printed from the table),
// the settings a checkpoint keeps and the Python keywords are all derived.
// The families' options have one (GaussianOptions, PoissonOptions, ...), and
// so do the engine's (FitOptions, emkit/options.h).
//
// An options struct declares its table with a member template
//
//   template <class Table>
//   void Describe(Table& table) {
//     table.Number("min_rate", &min_rate, "lower bound on every rate");
//     table.Integer("max_iter", &max_iter, "maximum EM iterations per restart");
//     table.Choice("categorical_layout", &layout, kLayoutChoices, "...");
//   }
//
// Number takes a double, Integer any integral type but bool, Choice an
// enumeration and the names of its values; each takes OptionDetails last,
// where the option needs them. A table is any class with those three member
// templates (see the readers and writers below, cli/family_options.h and
// cli/engine_options.h); names are snake_case (a flag is "--" + the name
// with '-' for '_', unless OptionDetails::flag says otherwise). Options
// that are arrays (priors) or only meaningful to one caller are not in the
// table.
#ifndef EMKIT_OPTION_TABLE_H_
#define EMKIT_OPTION_TABLE_H_

#include <algorithm>
#include <charconv>
#include <concepts>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {

// The names of an enumeration's values, in the order help text lists them.
template <class E>
using ChoiceNames = std::vector<std::pair<std::string_view, E>>;

// What a declaration may add to the name, value and help.
struct OptionDetails {
  // The command's flag, without "--", where it is not the name with '-' for
  // '_': FitOptions::num_threads is --threads. Callers that use names (the
  // checkpoint settings, Python) keep the name.
  std::string_view flag = {};
  // A setting of one run rather than of the result: a checkpoint does not
  // keep it, and a resumed run may give it anew (the threads, which do not
  // change the result; the time budget, which belongs to each run).
  bool per_run = false;
};

// The integral types an Integer option may have.
template <class T>
concept OptionInteger = std::integral<T> && !std::same_as<T, bool>;

// Accepts every declaration; for the concept below only.
struct OptionTableProbe {
  void Number(std::string_view, double*, std::string_view, OptionDetails = {}) {}
  template <OptionInteger T>
  void Integer(std::string_view, T*, std::string_view, OptionDetails = {}) {}
  template <class E>
  void Choice(std::string_view, E*, const ChoiceNames<E>&, std::string_view,
              OptionDetails = {}) {}
};

template <class Options>
concept HasOptionTable = requires(Options& options) {
  options.Describe(std::declval<OptionTableProbe&>());
};

enum class OptionKind { kNumber, kInteger, kChoice };

// One declared option as text: its name, help, current value and, for a
// choice, the allowed values.
struct OptionEntry {
  std::string name;
  std::string help;
  std::string value;                 // "1e-10", "100", "counts"
  std::vector<std::string> choices;  // empty but for a choice
  OptionKind kind = OptionKind::kNumber;
  std::string flag;                  // "min-rate", "threads": without "--"
  bool per_run = false;              // OptionDetails::per_run
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

// An integer's decimal digits (char-sized types too, which fmt would print as
// characters).
template <OptionInteger T>
std::string IntegerText(T value) {
  using Wide = std::conditional_t<std::is_signed_v<T>, long long, unsigned long long>;
  return fmt::format("{}", static_cast<Wide>(value));
}

struct OptionLister {
  std::vector<OptionEntry>* out;
  void Number(std::string_view name, double* value, std::string_view help,
              OptionDetails details = {}) {
    Add(name, help, details, OptionKind::kNumber, NumberText(*value));
  }
  template <OptionInteger T>
  void Integer(std::string_view name, T* value, std::string_view help,
               OptionDetails details = {}) {
    Add(name, help, details, OptionKind::kInteger, IntegerText(*value));
  }
  template <class E>
  void Choice(std::string_view name, E* value, const ChoiceNames<E>& names,
              std::string_view help, OptionDetails details = {}) {
    OptionEntry& entry = Add(name, help, details, OptionKind::kChoice, "");
    for (const auto& [text, e] : names) {
      entry.choices.emplace_back(text);
      if (e == *value) entry.value = text;
    }
  }

 private:
  OptionEntry& Add(std::string_view name, std::string_view help, OptionDetails details,
                   OptionKind kind, std::string value) {
    std::string flag(details.flag.empty() ? name : details.flag);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return out->emplace_back(OptionEntry{std::string(name), std::string(help),
                                         std::move(value), {}, kind, std::move(flag),
                                         details.per_run});
  }
};

struct OptionSetter {
  std::string_view name;
  std::string_view text;
  bool found = false;
  void Number(std::string_view option, double* value, std::string_view,
              OptionDetails = {}) {
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
  // The whole text must be the integer, in T's range: "12x", "1.5", "1e3",
  // " 7" and, for an unsigned T, "-1" are errors, never truncated or wrapped.
  template <OptionInteger T>
  void Integer(std::string_view option, T* value, std::string_view, OptionDetails = {}) {
    if (option != name) return;
    found = true;
    const char* const end = text.data() + text.size();
    T parsed{};
    const auto [stop, error] = std::from_chars(text.data(), end, parsed);
    if (error == std::errc::result_out_of_range) {
      throw InvalidOptionError(fmt::format("{} = \"{}\" is outside the range {} to {}", name,
                                           text, IntegerText(std::numeric_limits<T>::min()),
                                           IntegerText(std::numeric_limits<T>::max())));
    }
    if (error != std::errc() || stop != end || text.empty()) {
      throw InvalidOptionError(fmt::format("{} = \"{}\" is not an integer{}", name, text,
                                           std::is_signed_v<T> ? "" : " >= 0"));
    }
    *value = parsed;
  }
  template <class E>
  void Choice(std::string_view option, E* value, const ChoiceNames<E>& names,
              std::string_view, OptionDetails = {}) {
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

// Sets the option `name` of *options from its text (a number, an integer, or
// one of the choice names). Returns false when the table has no such option; a value
// that does not parse is an InvalidOptionError naming the option.
template <HasOptionTable Options>
bool SetOption(Options* options, std::string_view name, std::string_view text) {
  internal::OptionSetter setter{name, text};
  options->Describe(setter);
  return setter.found;
}

}  // namespace emkit

#endif  // EMKIT_OPTION_TABLE_H_
