// Data errors found in a part of the data (a streamed block, an online
// batch), told about the whole data.
#ifndef EMKIT_INTERNAL_ROW_OFFSET_MESSAGE_H_
#define EMKIT_INTERNAL_ROW_OFFSET_MESSAGE_H_

#include <cstdint>
#include <string>

namespace emkit::internal {

// A data error's message about a part whose first row is `first_row`, made
// about the whole data: the row of a leading "X[ROW" moved by first_row;
// any other message as it is.
std::string MessageWithRowOffset(const std::string& message, std::int64_t first_row);

}  // namespace emkit::internal

#endif  // EMKIT_INTERNAL_ROW_OFFSET_MESSAGE_H_
