// Parsing the header of a .npy file: a Python dict literal such as
// "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }".
#ifndef EMKIT_SRC_IO_NPY_HEADER_H_
#define EMKIT_SRC_IO_NPY_HEADER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace emkit::io::internal {

struct NpyHeader {
  std::string descr;  // The dtype string, e.g. "<f8".
  bool fortran_order = false;
  std::vector<std::int64_t> shape;  // Each entry >= 0.
};

// Parses the header text (without the magic string, version and length).
// Throws FileFormatError "DISPLAY_NAME: ..." when the text is not a dict
// literal, lacks one of the three keys, or holds a value of the wrong kind
// (a structured dtype, a negative or huge dimension).
NpyHeader ParseNpyHeader(std::string_view text, std::string_view display_name);

// Formats a shape the way numpy prints it: "()", "(5,)", "(3, 2)".
std::string ShapeToString(const std::vector<std::int64_t>& shape);

}  // namespace emkit::io::internal

#endif  // EMKIT_SRC_IO_NPY_HEADER_H_
