#include "bench_case.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace emkit_bench {
namespace {

// The value of `key` in a .npy header dict, e.g. "'<f8'" or "(200000, 16)".
std::string HeaderField(const std::string& header, const std::string& key,
                        const std::string& path) {
  const std::string quoted = "'" + key + "':";
  const std::size_t at = header.find(quoted);
  if (at == std::string::npos) {
    throw std::runtime_error(path + ": no '" + key + "' in the .npy header");
  }
  std::size_t begin = at + quoted.size();
  while (begin < header.size() && header[begin] == ' ') ++begin;
  const char close = header[begin] == '(' ? ')' : ',';
  const std::size_t end = header.find(close, begin + 1);
  return header.substr(begin, end - begin + (close == ')' ? 1 : 0));
}

std::vector<std::int64_t> ParseShape(const std::string& text) {
  std::vector<std::int64_t> shape;
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (!digits.empty()) {
      shape.push_back(std::stoll(digits));
      digits.clear();
    }
  }
  return shape;
}

}  // namespace

std::vector<double> ReadNpy(const std::string& path, std::vector<std::int64_t>* shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    throw std::runtime_error(path + ": not a .npy file");
  }
  std::uint32_t header_len = 0;
  if (magic[6] == 1) {
    unsigned char len[2];
    in.read(reinterpret_cast<char*>(len), 2);
    header_len = len[0] | (len[1] << 8);
  } else {
    unsigned char len[4];
    in.read(reinterpret_cast<char*>(len), 4);
    header_len = len[0] | (len[1] << 8) | (len[2] << 16) |
                 (static_cast<std::uint32_t>(len[3]) << 24);
  }
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (HeaderField(header, "descr", path) != "'<f8'") {
    throw std::runtime_error(path + ": expected little-endian float64 ('<f8')");
  }
  if (HeaderField(header, "fortran_order", path) != "False") {
    throw std::runtime_error(path + ": expected C order");
  }
  *shape = ParseShape(HeaderField(header, "shape", path));
  std::int64_t count = 1;
  for (std::int64_t s : *shape) count *= s;
  std::vector<double> values(count);
  in.read(reinterpret_cast<char*>(values.data()), count * sizeof(double));
  if (!in) throw std::runtime_error(path + ": truncated data");
  return values;
}

BenchCase LoadBenchCase(const std::string& dir) {
  std::ifstream meta_file(dir + "/meta.json");
  if (!meta_file) throw std::runtime_error(dir + "/meta.json: cannot open");
  const nlohmann::json meta = nlohmann::json::parse(meta_file);
  BenchCase c;
  c.name = meta.at("name").get<std::string>();
  c.covariance_type = meta.at("covariance_type").get<std::string>();
  std::vector<std::int64_t> shape;
  c.x = ReadNpy(dir + "/X.npy", &shape);
  if (shape.size() != 2) throw std::runtime_error(dir + "/X.npy: expected 2-d");
  c.num_rows = shape[0];
  c.num_features = static_cast<int>(shape[1]);
  c.weights = ReadNpy(dir + "/weights.npy", &shape);
  c.num_components = static_cast<int>(c.weights.size());
  c.means = ReadNpy(dir + "/means.npy", &shape);
  c.covariances = ReadNpy(dir + "/covariances.npy", &shape);
  const std::size_t k = c.num_components;
  const std::size_t d = c.num_features;
  std::size_t expected = 0;
  if (c.covariance_type == "full") expected = k * d * d;
  if (c.covariance_type == "diag") expected = k * d;
  if (c.covariance_type == "spherical") expected = k;
  if (c.covariance_type == "tied") expected = d * d;
  if (c.means.size() != k * d || expected == 0 || c.covariances.size() != expected) {
    throw std::runtime_error(dir + ": initial parameters do not match K=" +
                             std::to_string(k) + ", D=" + std::to_string(d) +
                             ", covariance " + c.covariance_type);
  }
  return c;
}

std::map<std::string, std::string> ParseFlags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) {
      throw std::runtime_error("expected --name value pairs, found '" + name + "'");
    }
    if (!flags.emplace(name.substr(2), argv[i + 1]).second) {
      throw std::runtime_error(name + " given twice");
    }
  }
  return flags;
}

std::string FlagOr(const std::map<std::string, std::string>& flags,
                   const std::string& name, const std::string& fallback) {
  const auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

std::int64_t PeakRssBytes() {
  // VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the
  // parent across fork and exec, so a driver holding the data in memory
  // would be counted; VmHWM belongs to this program's address space alone.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stoll(line.substr(6)) * 1024;  // the value is in kB
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux: KiB
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  if (values.size() % 2 == 1) return values[mid];
  const double upper = values[mid];
  return 0.5 * (upper + *std::max_element(values.begin(), values.begin() + mid));
}

std::uint64_t HashDoubles(const double* values, std::size_t count, std::uint64_t seed) {
  std::uint64_t h = seed ^ 0xcbf29ce484222325ULL;
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(values);
  for (std::size_t i = 0; i < count * sizeof(double); ++i) {
    h ^= bytes[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace emkit_bench
