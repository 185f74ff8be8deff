// Seeding. Every random choice in emkit flows from one user seed through
// these functions, so a seed reproduces a result on any machine and for any
// number of threads.
#ifndef EMKIT_RANDOM_H_
#define EMKIT_RANDOM_H_

#include <cstdint>
#include <random>

namespace emkit {

// SplitMix64's finaliser: decorrelates consecutive integers.
inline std::uint64_t MixBits(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The seed of stream `stream` derived from `seed` (restart r uses stream r).
inline std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t stream) {
  return MixBits(MixBits(seed) ^ MixBits(stream + 0x632BE59BD9B4E019ull));
}

// The generator used everywhere. std::mt19937_64's output sequence is fixed
// by the C++ standard; emkit draws uniforms and normals from it with its own
// functions below because the standard library's distributions differ
// between implementations.
using Rng = std::mt19937_64;

// A uniform double in [0, 1) with 53 random bits.
inline double UniformDouble(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// A uniform integer in [0, n), n > 0, without modulo bias.
inline std::uint64_t UniformIndex(Rng& rng, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

// A standard normal draw (Marsaglia's polar method).
double StandardNormal(Rng& rng);

}  // namespace emkit

#endif  // EMKIT_RANDOM_H_
