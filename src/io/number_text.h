// Parsing one table cell as a double.
#ifndef EMKIT_SRC_IO_NUMBER_TEXT_H_
#define EMKIT_SRC_IO_NUMBER_TEXT_H_

#include <string_view>

namespace emkit::io::internal {

// Parses the whole of `text` (already stripped of surrounding spaces) as a
// double with fast_float, which rounds correctly (so text written with the
// shortest round-trip representation reads back bit-exactly). Accepts a
// leading '+' besides what fast_float accepts ("1.5", "-0", ".5", "1e-300",
// "nan", "inf", "infinity"). Text that overflows gives +-inf. Returns false
// when `text` is empty or is not entirely a number.
bool ParseDouble(std::string_view text, double* value);

// Whether `text`, which ParseDouble turned into a non-finite value, spells
// NaN or infinity, as opposed to a finite number too large for a double.
bool SpellsNonFinite(std::string_view text);

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_NUMBER_TEXT_H_
