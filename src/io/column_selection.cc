#include "column_selection.h"

#include <charconv>
#include <cstdint>
#include <system_error>

#include <fmt/format.h>

#include "emkit/error.h"
#include "message_text.h"

namespace emkit::io::internal {
namespace {

// How many names an "unknown column" message lists before "...": enough for
// any hand-made file, short for a file with thousands of columns.
constexpr std::size_t kMaxListedNames = 20;

std::string ListNames(const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t i = 0; i < names.size() && i < kMaxListedNames; ++i) {
    if (i > 0) list += ", ";
    list += QuoteForMessage(names[i]);
  }
  if (names.size() > kMaxListedNames) {
    list += fmt::format(", ... ({} columns in all)", names.size());
  }
  return list;
}

// Parses `spec` as a 0-based column index: digits only, no sign.
bool ParseIndex(const std::string& spec, std::int64_t* index) {
  if (spec.empty() || spec.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const std::from_chars_result result =
      std::from_chars(spec.data(), spec.data() + spec.size(), *index);
  // Digits too many for int64 still name an index: out of range below.
  if (result.ec == std::errc::result_out_of_range) {
    *index = INT64_MAX;
    return true;
  }
  return result.ec == std::errc();
}

}  // namespace

std::vector<Eigen::Index> ResolveColumns(
    const std::vector<std::string>& specs,
    const std::vector<std::string>& names, Eigen::Index num_columns,
    std::string_view display_name, std::string_view why_no_names) {
  std::vector<Eigen::Index> selected;
  selected.reserve(specs.size());
  for (const std::string& spec : specs) {
    Eigen::Index match = -1;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] != spec) continue;
      if (match >= 0) {
        throw FileFormatError(fmt::format(
            "{}: column name {} is ambiguous: columns {} and {} both have it",
            display_name, QuoteForMessage(spec), match, i));
      }
      match = static_cast<Eigen::Index>(i);
    }
    if (match >= 0) {
      selected.push_back(match);
      continue;
    }
    std::int64_t index = 0;
    if (ParseIndex(spec, &index)) {
      if (index >= num_columns) {
        throw FileFormatError(fmt::format(
            "{}: column index {} is out of range: the file has {} column{} "
            "(0-based indices 0 to {})",
            display_name, spec, num_columns, num_columns == 1 ? "" : "s",
            num_columns - 1));
      }
      selected.push_back(static_cast<Eigen::Index>(index));
      continue;
    }
    if (names.empty()) {
      throw FileFormatError(fmt::format(
          "{}: unknown column {}: {}, so columns are selected by 0-based "
          "index (0 to {})",
          display_name, QuoteForMessage(spec), why_no_names, num_columns - 1));
    }
    throw FileFormatError(fmt::format(
        "{}: unknown column {}; the columns are {} (or use a 0-based index "
        "0 to {})",
        display_name, QuoteForMessage(spec), ListNames(names),
        num_columns - 1));
  }
  return selected;
}

ColumnSlots MakeColumnSlots(const std::vector<Eigen::Index>& selected,
                            Eigen::Index num_columns) {
  ColumnSlots result;
  result.first_slot.assign(num_columns + 1, 0);
  for (const Eigen::Index column : selected) ++result.first_slot[column + 1];
  for (Eigen::Index c = 0; c < num_columns; ++c) {
    result.first_slot[c + 1] += result.first_slot[c];
  }
  result.slots.resize(selected.size());
  std::vector<Eigen::Index> next(result.first_slot.begin(),
                                 result.first_slot.end() - 1);
  for (std::size_t k = 0; k < selected.size(); ++k) {
    result.slots[next[selected[k]]++] = static_cast<Eigen::Index>(k);
  }
  return result;
}

}  // namespace emkit::io::internal
