// Error types thrown by emkit. Every error that comes from the caller's input
// (options, data, files) derives from std::invalid_argument and is thrown
// before any work starts; its message names the parameter or element, the
// offending value and the rule it breaks.
#ifndef EMKIT_ERROR_H_
#define EMKIT_ERROR_H_

#include <stdexcept>
#include <string>

namespace emkit {

// An option or argument outside its domain, e.g. "tol = -1 must be >= 0".
class InvalidOptionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Data that cannot be fitted: NaN/Inf, too few rows, wrong number of
// columns, values outside a family's support. The message names the
// element, e.g. "X[17, 3] = nan: values must be finite".
class InvalidDataError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A file that cannot be read as what it claims to be. The message starts with
// "PATH:LINE:COLUMN: " (text files) or "PATH: " (binary files) so that
// editors and terminals can jump to the place.
class FileFormatError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An operating-system failure while reading or writing a file (missing file,
// permission denied, disk full). Not derived from invalid_argument: it is not
// the content that is wrong.
class FileAccessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace emkit

#endif  // EMKIT_ERROR_H_
