#include "emkit/random.h"

#include <cmath>

namespace emkit {

double StandardNormal(Rng& rng) {
  for (;;) {
    const double u = 2.0 * UniformDouble(rng) - 1.0;
    const double v = 2.0 * UniformDouble(rng) - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

}  // namespace emkit
