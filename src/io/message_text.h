// Quoting pieces of input files in error messages.
#ifndef EMKIT_SRC_IO_MESSAGE_TEXT_H_
#define EMKIT_SRC_IO_MESSAGE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace emkit::io::internal {

// How many characters of a quoted piece of input a message shows; a cell of a
// binary file or a 10 MB line must not flood the terminal.
inline constexpr std::size_t kMaxQuotedChars = 40;

// Renders `text` in double quotes for a message: printable ASCII and valid
// UTF-8 as they are; quotes and backslashes escaped; NUL, control characters
// and bytes that are not UTF-8 as \xNN, so that the message itself stays
// valid text. Longer text is cut after kMaxQuotedChars characters and "..."
// is appended.
std::string QuoteForMessage(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Whether `text` ends with `suffix`, ignoring ASCII case (".CSV", ".Npy").
bool EndsWithIgnoringCase(std::string_view text, std::string_view suffix);

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_MESSAGE_TEXT_H_
