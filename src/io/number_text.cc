#include "number_text.h"

#include <system_error>

#include <fast_float/fast_float.h>

namespace emkit::io::internal {

bool ParseDouble(std::string_view text, double* value) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  // fast_float follows std::from_chars, which rejects a leading '+'; data
  // files written by other tools use it ("+1.5", "1e+05" is already fine).
  if (first != last && *first == '+') {
    ++first;
    if (first != last && (*first == '+' || *first == '-')) return false;
  }
  if (first == last) return false;
  const fast_float::from_chars_result result =
      fast_float::from_chars(first, last, *value);
  return result.ec == std::errc() && result.ptr == last;
}

bool SpellsNonFinite(std::string_view text) {
  // Digits, signs, '.', 'e' and 'E' make up every finite spelling; "nan",
  // "inf" and "infinity" all contain an 'n'.
  return text.find_first_of("nN") != std::string_view::npos;
}

}  // namespace emkit::io::internal
