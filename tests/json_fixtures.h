// Reading the JSON reference fixtures of tests/reference/fixtures (written
// by the scripts beside them) in the parity tests.
#ifndef EMKIT_TESTS_JSON_FIXTURES_H_
#define EMKIT_TESTS_JSON_FIXTURES_H_

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emkit/matrix.h"

namespace emkit::testing_fixtures {

inline const std::filesystem::path& FixtureDir() {
  static const std::filesystem::path dir =
      std::filesystem::path(EMKIT_SOURCE_DIR) / "tests/reference/fixtures";
  return dir;
}

// The fixture FixtureDir()/file_name; a missing file fails the test.
inline nlohmann::json LoadJsonFixture(const std::string& file_name) {
  const std::filesystem::path path = FixtureDir() / file_name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  return nlohmann::json::parse(in);
}

inline RowMatrix MatrixFrom(const nlohmann::json& rows) {
  RowMatrix m(rows.size(), rows.at(0).size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = 0; j < rows[i].size(); ++j) m(i, j) = rows[i][j].get<double>();
  }
  return m;
}

inline Vector VectorFrom(const nlohmann::json& values) {
  Vector v(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) v[i] = values[i].get<double>();
  return v;
}

}  // namespace emkit::testing_fixtures

#endif  // EMKIT_TESTS_JSON_FIXTURES_H_
