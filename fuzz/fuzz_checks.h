// Checks shared by the fuzz targets. A failed check prints what went wrong
// and aborts, which libFuzzer records as a crash with the input that
// caused it.
#ifndef EMKIT_FUZZ_FUZZ_CHECKS_H_
#define EMKIT_FUZZ_FUZZ_CHECKS_H_

#include <string>
#include <string_view>

#include "emkit/io/table.h"

namespace emkit::fuzz {

// Longest error message accepted. Messages quote pieces of the input cut to
// 40 characters (up to 4 bytes each once escaped), at most 20 of them in a
// list of column names, so a megabyte of input must never come back as a
// megabyte of message.
inline constexpr std::size_t kMaxMessageBytes = 4096;

[[noreturn]] void Die(std::string_view what, std::string_view detail);

// A message from a reader or loader must start with "DISPLAY_NAME:", stay
// short, and be valid UTF-8 (it is printed on terminals and stored in JSON
// reports); the last check is skipped under Allowed("non_utf8_message").
void CheckMessage(std::string_view message, std::string_view display_name);

// Whether the environment variable EMKIT_FUZZ_ALLOW, a comma-separated list,
// names `finding`. A campaign uses it to look past a known, reported finding
// to the ones behind it; the default is to stop at every one.
bool Allowed(std::string_view finding);

// A table a reader returned: at least one row and one column, one name per
// column or none, and only finite values unless they were allowed.
void CheckTable(const io::Table& table, bool allow_non_finite);

// Whether `text` is well-formed UTF-8; written independently of the
// library's own check so that the two can disagree.
bool IsUtf8(std::string_view text);

}  // namespace emkit::fuzz

#endif  // EMKIT_FUZZ_FUZZ_CHECKS_H_
