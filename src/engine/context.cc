#include "emkit/context.h"

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {
namespace {

// Checked before the pool starts, which reads a negative count as "all cores".
int CheckedThreadCount(int num_threads) {
  if (num_threads < 0) {
    throw InvalidOptionError(
        fmt::format("num_threads = {} must be >= 0 (0 = all cores)", num_threads));
  }
  return num_threads;
}

}  // namespace

Context::Context(int num_threads) : pool_(CheckedThreadCount(num_threads)) {}

}  // namespace emkit
