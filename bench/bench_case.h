// A benchmark case as the driver (run.py) writes it: data and initial
// parameters in .npy files plus meta.json, so that every implementation
// starts from exactly the same bytes.
#ifndef EMKIT_BENCH_BENCH_CASE_H_
#define EMKIT_BENCH_BENCH_CASE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace emkit_bench {

struct BenchCase {
  std::string name;
  std::string covariance_type;  // "full", "diag", "spherical" or "tied"
  std::int64_t num_rows = 0;
  int num_features = 0;
  int num_components = 0;
  std::vector<double> x;        // num_rows x num_features, row-major
  std::vector<double> weights;  // K
  std::vector<double> means;    // K x D, row-major
  // full: K x D x D; diag: K x D; spherical: K; tied: D x D (row-major).
  std::vector<double> covariances;
};

// Reads <dir>/meta.json, X.npy, weights.npy, means.npy, covariances.npy.
// Throws std::runtime_error naming the file and what is wrong.
BenchCase LoadBenchCase(const std::string& dir);

// Reads a little-endian float64 C-order .npy file; *shape gets its shape.
std::vector<double> ReadNpy(const std::string& path, std::vector<std::int64_t>* shape);

// --name value pairs; a flag given without a value, or twice, throws.
std::map<std::string, std::string> ParseFlags(int argc, char** argv);
// The flag's value, or `fallback` if it was not given.
std::string FlagOr(const std::map<std::string, std::string>& flags,
                   const std::string& name, const std::string& fallback);

// Peak resident set size of this program so far, in bytes.
std::int64_t PeakRssBytes();

// The median of values (which it reorders); 0 for none.
double Median(std::vector<double> values);

// FNV-1a over the bytes of doubles: a fingerprint that changes with any bit.
std::uint64_t HashDoubles(const double* values, std::size_t count, std::uint64_t seed);

}  // namespace emkit_bench

#endif  // EMKIT_BENCH_BENCH_CASE_H_
