#include <cmath>
#include <string>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/options.h"

namespace emkit {

void FitOptions::Validate() const {
  auto fail = [](const std::string& message) {
    throw InvalidOptionError(message);
  };
  if (max_iter < 0) fail(fmt::format("max_iter = {} must be >= 0", max_iter));
  if (!(tol >= 0.0) || !std::isfinite(tol)) {
    fail(fmt::format("tol = {} must be a finite number >= 0", tol));
  }
  if (n_init < 1) fail(fmt::format("n_init = {} must be >= 1", n_init));
  if (num_threads < 0) {
    fail(fmt::format("num_threads = {} must be >= 0 (0 = all cores)",
                     num_threads));
  }
  if (block_rows < 0) {
    fail(fmt::format("block_rows = {} must be >= 0 (0 = automatic)",
                     block_rows));
  }
  if (!(certificate_tolerance > 0.0) || !std::isfinite(certificate_tolerance)) {
    fail(fmt::format("certificate_tolerance = {} must be a finite number > 0",
                     certificate_tolerance));
  }
  if (!(max_seconds >= 0.0) || std::isnan(max_seconds)) {
    fail(fmt::format("max_seconds = {} must be >= 0 (0 = no limit)", max_seconds));
  }
  for (const IterationCallback& callback : callbacks) {
    if (!callback) fail("callbacks must not hold an empty function");
  }
}

}  // namespace emkit
