// Resolving TableReadOptions::columns against the columns of a file.
#ifndef EMKIT_SRC_IO_COLUMN_SELECTION_H_
#define EMKIT_SRC_IO_COLUMN_SELECTION_H_

#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

namespace emkit::io::internal {

// Turns column specifications (header names or 0-based indices, see
// TableReadOptions::columns) into 0-based column indices, in the order given.
// `names` is empty when the file has no names; `why_no_names` then completes
// the message of a spec that is not an index, e.g. "the file has no header".
// Throws FileFormatError "DISPLAY_NAME: ..." naming the spec and the
// available columns. `specs` must not be empty.
std::vector<Eigen::Index> ResolveColumns(
    const std::vector<std::string>& specs,
    const std::vector<std::string>& names, Eigen::Index num_columns,
    std::string_view display_name, std::string_view why_no_names);

// For each column of the file, the positions in the output that take it:
// output positions first_slot[c] .. first_slot[c + 1] - 1 of `slots`. A
// column may be selected more than once or not at all.
struct ColumnSlots {
  std::vector<Eigen::Index> first_slot;  // num_columns + 1 entries.
  std::vector<Eigen::Index> slots;
};
ColumnSlots MakeColumnSlots(const std::vector<Eigen::Index>& selected,
                            Eigen::Index num_columns);

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_COLUMN_SELECTION_H_
