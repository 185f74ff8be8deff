// Malformed and awkward input, from the file on disk to the fit: every class
// of bad input listed in docs/bad-input.md, with the exact message the user
// sees. The unit tests beside each reader cover the readers' details; these
// go through the public entry points (ReadTable, LoadModel,
// FitGaussianMixture) as the command does, and check that the table in the
// documentation says what the code does.

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emkit/error.h"
#include "emkit/discrete_mixture.h"
#include "emkit/gaussian_mixture.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/io/csv_writer.h"
#include "emkit/io/model_file.h"
#include "emkit/io/table.h"
#include "../under_sanitizer.h"

namespace emkit {
namespace {

using ::testing::HasSubstr;

// A fresh directory for the test's files, removed afterwards. Messages name
// files by path; Relative() cuts the directory so that they can be compared
// with the documentation.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "emkit_bad_input_XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    path_ = pattern + "/";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  std::string Write(const std::string& name, const std::string& bytes) const {
    const std::string file = path_ + name;
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + file);
    return file;
  }

  std::string Relative(std::string message) const {
    for (std::size_t at; (at = message.find(path_)) != std::string::npos;) {
      message.erase(at, path_.size());
    }
    return message;
  }

 private:
  std::string path_;
};

// A .npy file (format 1.0) with the given header dict and data bytes.
std::string NpyFile(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size() & 0xFF);
  file += static_cast<char>(header.size() >> 8);
  return file + header + data;
}

std::string NpyDict(const std::string& descr, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " +
         shape + ", }";
}

std::string Doubles(const std::vector<double>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()),
                     values.size() * sizeof(double));
}

// What reading the file gives: the message of the error it throws, or a
// short description of the table.
std::string ReadOutcome(const std::string& name, const std::string& bytes,
                        const io::TableReadOptions& options = {}) {
  const TempDir dir;
  try {
    const io::Table table = io::ReadTable(dir.Write(name, bytes), options);
    std::string names;
    for (const std::string& column : table.column_names) {
      names += (names.empty() ? "" : ", ") + column;
    }
    return "read " + std::to_string(table.values.rows()) + " x " +
           std::to_string(table.values.cols()) +
           (names.empty() ? ", no names" : ", names " + names);
  } catch (const FileFormatError& error) {
    return dir.Relative(error.what());
  }
}

std::string LoadOutcome(const std::string& name, const std::string& text) {
  const TempDir dir;
  try {
    const GaussianMixtureModel model = io::LoadModel(dir.Write(name, text));
    return "loaded " + std::string(CovarianceTypeName(CovarianceTypeOf(model))) +
           ", K = " + std::to_string(NumComponents(model));
  } catch (const FileFormatError& error) {
    return dir.Relative(error.what());
  }
}

// Reads the file and fits a K-component mixture to it: the reader's error,
// the fit's InvalidDataError, or "fitted".
std::string ReadAndFitOutcome(const std::string& name, const std::string& bytes,
                              int n_components,
                              const io::TableReadOptions& options = {},
                              const GaussianMixtureModel* init = nullptr) {
  const TempDir dir;
  try {
    const io::Table table = io::ReadTable(dir.Write(name, bytes), options);
    GaussianMixtureOptions mixture;
    mixture.n_components = n_components;
    FitOptions fit;
    fit.max_iter = 5;
    const Fitted<GaussianMixtureModel> fitted = FitGaussianMixture(
        fit, mixture, ViewOf(table.values), nullptr, init);
    return fitted.report.IsUsable() ? "fitted" : "fit not usable";
  } catch (const FileFormatError& error) {
    return dir.Relative(error.what());
  } catch (const InvalidDataError& error) {
    return error.what();
  }
}

const char kSpherical2[] =
    R"({"format": "emkit-model", "version": 1, "covariance_type": "spherical",
        "weights": [0.5, 0.5], "means": [[0, 0], [5, 5]], "covariances": [1, 1]})";

std::string HandWrittenModel(const std::string& type,
                             const std::string& parameters) {
  return R"({"format": "emkit-model", "version": 1, "covariance_type": ")" +
         type + R"(", "weights": [0.25, 0.75], "means": [[0, 1], [2, 3]], )" +
         parameters + "}";
}

// Columns "0,0,...,0" of a line with `columns` fields.
std::string ZerosLine(std::int64_t columns) {
  std::string line;
  line.reserve(2 * columns);
  for (std::int64_t j = 0; j < columns; ++j) line += j == 0 ? "0" : ",0";
  return line + "\n";
}

constexpr std::int64_t kTenMillion = 10'000'000;

// Runs a fit (or any call) on data given as rows: "fitted", or the message
// of the error it throws.
std::string FitOutcome(const std::function<void()>& fit) {
  try {
    fit();
    return "fitted";
  } catch (const InvalidDataError& error) {
    return error.what();
  } catch (const InvalidOptionError& error) {
    return error.what();
  }
}

RowMatrix Rows(std::initializer_list<std::initializer_list<double>> rows) {
  RowMatrix x(static_cast<Eigen::Index>(rows.size()),
              static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& row : rows) {
    Eigen::Index j = 0;
    for (double v : row) x(i, j++) = v;
    ++i;
  }
  return x;
}

template <class FitFn>
std::string DiscreteFitOutcome(const RowMatrix& x, FitFn fit_fn) {
  return FitOutcome([&] {
    FitOptions fit;
    fit.max_iter = 3;
    DiscreteMixtureOptions options;
    options.n_components = 1;
    (void)fit_fn(fit, options, ViewOf(x));
  });
}

// Loads a model file of any kind: "loaded KIND", or the error message.
std::string AnyLoadOutcome(const std::string& name, const std::string& text) {
  const TempDir dir;
  try {
    return "loaded " + std::string(io::ModelKindName(io::LoadAnyModel(dir.Write(name, text))));
  } catch (const FileFormatError& error) {
    return dir.Relative(error.what());
  }
}

// One documented class of input: how it is produced, and the outcome the
// documentation promises for it.
struct Case {
  const char* input_class;
  const char* input;  // As the documentation describes it.
  std::function<std::string()> outcome;
  std::string expected;
};

std::vector<Case> Cases() {
  const std::string kNotFinite =
      " is not a finite number (missing values are not supported)";
  return {
      {"Truncated .npy header", "`x.npy`: the first 40 bytes of a 2 x 3 file",
       [] {
         return ReadOutcome("x.npy",
                            NpyFile(NpyDict("<f8", "(2, 3)"), "").substr(0, 40));
       },
       "x.npy: truncated .npy header: it should be 118 bytes long but the "
       "file ends after 30"},
      {"Truncated .npy prefix", "`x.npy`: the 7 bytes `\\x93NUMPY\\x01`",
       [] { return ReadOutcome("x.npy", "\x93NUMPY\x01"); },
       "x.npy: truncated .npy file: it ends inside the magic string or "
       "version"},
      {"Wrong dtype", "`x.npy` of dtype `<c16` (complex)",
       [] {
         return ReadOutcome(
             "x.npy", NpyFile(NpyDict("<c16", "(1, 1)"), std::string(16, '\0')));
       },
       "x.npy: dtype \"<c16\" is not supported (supported: float64, float32 "
       "and integer dtypes, either byte order)"},
      {"Wrong dtype", "`x.npy` holding records with named fields",
       [] {
         return ReadOutcome(
             "x.npy", NpyFile("{'descr': [('x', '<f8'), ('y', '<f8')], "
                              "'fortran_order': False, 'shape': (3,), }",
                              std::string(48, '\0')));
       },
       "x.npy: structured dtypes (records with named fields) are not "
       "supported; save a plain 2-D float array"},
      {"3-D array", "`x.npy` of shape (2, 2, 2)",
       [] {
         return ReadOutcome("x.npy", NpyFile(NpyDict("<f8", "(2, 2, 2)"),
                                             Doubles(std::vector<double>(8))));
       },
       "x.npy: expected a 2-D array, found shape (2, 2, 2)"},
      {"Huge declared shape", "`x.npy` of 1 KB claiming 10^12 rows",
       [] {
         return ReadOutcome("x.npy",
                            NpyFile(NpyDict("<f8", "(1000000000000, 2)"),
                                    std::string(1024, '\0')));
       },
       "x.npy: the header declares shape (1000000000000, 2) of float64, which "
       "is 16000000000000 bytes of data, but the file has 1024 bytes after "
       "the header"},
      {"Huge declared shape", "`x.npy` whose shape overflows 64 bits",
       [] {
         return ReadOutcome(
             "x.npy",
             NpyFile(NpyDict("<f8", "(4611686018427387904, 4611686018427387904)"),
                     ""));
       },
       "x.npy: the shape (4611686018427387904, 4611686018427387904) is too "
       "large"},
      {"NaN/Inf cells", "`x.npy` holding a NaN",
       [] {
         return ReadOutcome("x.npy", NpyFile(NpyDict("<f8", "(2, 2)"),
                                             Doubles({1, 2, std::nan(""), 4})));
       },
       "x.npy: X[1, 0] = nan is not finite (missing values are not "
       "supported)"},
      {"Empty file", "`x.npy` of 0 bytes", [] { return ReadOutcome("x.npy", ""); },
       "x.npy: not a .npy file (it does not start with \"\\x93NUMPY\")"},
      {"Empty file", "`x.npy` of shape (0, 2)",
       [] { return ReadOutcome("x.npy", NpyFile(NpyDict("<f8", "(0, 2)"), "")); },
       "x.npy: the array is empty (shape (0, 2))"},
      {"Empty file", "`data.csv` of 0 bytes",
       [] { return ReadOutcome("data.csv", ""); }, "data.csv: the file is empty"},
      {"Empty file", "`data.csv` of blank lines only",
       [] { return ReadOutcome("data.csv", "\n  \n\r\n"); },
       "data.csv: the file is empty"},
      {"BOM", "`data.csv` starting with a UTF-8 byte order mark",
       [] { return ReadOutcome("data.csv", "\xEF\xBB\xBFx,y\n1,2\n3,4\n"); },
       "read 2 x 2, names x, y"},
      {"CRLF", "`data.csv` with CRLF line ends and no final line end",
       [] { return ReadOutcome("data.csv", "x,y\r\n1,2\r\n3,4"); },
       "read 2 x 2, names x, y"},
      {"Quoted fields", "`data.csv`: `\"a,b\",\"say \"\"hi\"\"\"` then `\"1.5\",\" 2 \"`",
       [] {
         return ReadOutcome("data.csv",
                            "\"a,b\",\"say \"\"hi\"\"\"\n\"1.5\",\" 2 \"\n");
       },
       "read 1 x 2, names a,b, say \"hi\""},
      {"Quoted fields", "`data.csv`: a quote inside an unquoted field",
       [] { return ReadOutcome("data.csv", "a,b\n1,2\"3\n"); },
       "data.csv:2:2: unexpected '\"' in the unquoted field \"2\\\"3\" (quote "
       "the whole field and write a quote inside it as \"\")"},
      {"Quoted fields", "`data.csv`: a quote that is never closed",
       [] { return ReadOutcome("data.csv", "a,b\n1,2\n3,\"4\n5,6\n"); },
       "data.csv:3:2: a quoted field is not closed before the end of the "
       "file"},
      {"Empty lines", "`data.csv` with blank lines between rows",
       [] { return ReadOutcome("data.csv", "\n\nx,y\n\n1,2\n   \n\t\n3,4\n\n"); },
       "read 2 x 2, names x, y"},
      {"Empty lines", "`data.csv`: a bad cell after blank lines (line numbers "
                      "count them)",
       [] { return ReadOutcome("data.csv", "\nx,y\n\n1,2\n\r\n3,abc\n"); },
       "data.csv:6:2: cannot parse \"abc\" as a number"},
      {"Lone header", "`data.csv` holding only `a,b`",
       [] { return ReadOutcome("data.csv", "a,b\n"); },
       "data.csv: no data rows after the header"},
      {"Non-UTF-8 byte", "`data.csv`: a cell holding the byte 0xFF",
       [] { return ReadOutcome("data.csv", "a,b\n1,\xFF\n"); },
       "data.csv:2:2: cannot parse \"\\xff\" as a number (it is not valid "
       "UTF-8 text)"},
      {"Non-UTF-8 byte", "`data.csv`: a header name holding 0xC0 0xAF",
       [] { return ReadOutcome("data.csv", "a,b\xC0\xAF\n1,2\n"); },
       "data.csv:1:2: the header field \"b\\xc0\\xaf\" is not valid UTF-8 "
       "text"},
      {"Non-UTF-8 byte", "`data.csv`: a NUL byte in a cell",
       [] { return ReadOutcome("data.csv", std::string("a,b\n1,2\0" "3\n", 10)); },
       "data.csv:2:2: cannot parse \"2\\x003\" as a number (it contains a NUL "
       "byte; is this a binary file?)"},
      {"10^7-column line", "`data.csv`: two rows of 10^7 zeros",
       [] {
         return ReadOutcome("data.csv",
                            ZerosLine(kTenMillion) + ZerosLine(kTenMillion));
       },
       "read 2 x 10000000, no names"},
      {"10^7-column line", "`data.csv`: 10^7 fields, then a row of 2",
       [] { return ReadOutcome("data.csv", ZerosLine(kTenMillion) + "1,2\n"); },
       "data.csv:2: expected 10000000 fields, found 2"},
      {"NaN/Inf cells", "`data.csv`: a `nan` cell",
       [] { return ReadOutcome("data.csv", "a,b\n1,2\nnan,5\n"); },
       "data.csv:3:1: \"nan\"" + kNotFinite},
      {"NaN/Inf cells", "`data.csv`: a `-Inf` cell",
       [] { return ReadOutcome("data.csv", "1,-Inf\n"); },
       "data.csv:1:2: \"-Inf\"" + kNotFinite},
      {"NaN/Inf cells", "`data.csv`: `1e999`, too large for a double",
       [] { return ReadOutcome("data.csv", "1\n1e999\n"); },
       "data.csv:2:1: \"1e999\" is too large for a double"},
      {"NaN/Inf cells", "`data.csv` with a `nan` cell read with non-finite "
                        "values allowed, then fitted",
       [] {
         io::TableReadOptions options;
         options.allow_non_finite = true;
         return ReadAndFitOutcome("data.csv", "a,b\n1,2\nnan,5\n3,4\n", 1,
                                  options);
       },
       "X[1, 0] = nan: values must be finite (missing values are not "
       "supported)"},
      {"Ragged row", "`data.csv`: a row with 3 fields under a 2-field header",
       [] { return ReadOutcome("data.csv", "a,b\n1,2\n3,4,5\n"); },
       "data.csv:3: expected 2 fields, found 3"},
      {"Ragged row", "`data.csv`: a row with 1 field",
       [] { return ReadOutcome("data.csv", "1,2\n3\n"); },
       "data.csv:2: expected 2 fields, found 1"},
      {"Empty cell", "`data.csv`: `1,` (a missing value)",
       [] { return ReadOutcome("data.csv", "a,b\n1,\n"); },
       "data.csv:2:2: empty field (missing values are not supported)"},
      {"Fewer rows than components", "`data.csv` of 2 rows fitted with K = 3",
       [] { return ReadAndFitOutcome("data.csv", "x,y\n1,2\n3,4\n", 3); },
       "X has 2 rows, fewer than n_components = 3: each component needs at "
       "least one row"},
      {"Non-numeric cell", "`data.csv`: `abc` in a data row",
       [] { return ReadOutcome("data.csv", "a,b\n3.6,79\n2.2,abc\n"); },
       "data.csv:3:2: cannot parse \"abc\" as a number"},
      {"Unknown column name", "`data.csv` with columns `eruptions,waiting`, "
                              "selecting `wait`",
       [] {
         io::TableReadOptions options;
         options.columns = {"wait"};
         return ReadOutcome("data.csv", "eruptions,waiting\n1,2\n", options);
       },
       "data.csv: unknown column \"wait\"; the columns are \"eruptions\", "
       "\"waiting\" (or use a 0-based index 0 to 1)"},
      {"Unknown column name", "`data.csv` without a header, selecting `waiting`",
       [] {
         io::TableReadOptions options;
         options.columns = {"waiting"};
         return ReadOutcome("data.csv", "1,2\n", options);
       },
       "data.csv: unknown column \"waiting\": the file has no header, so "
       "columns are selected by 0-based index (0 to 1)"},
      {"Unknown column name", "`data.csv`: column index 2 of a 2-column file",
       [] {
         io::TableReadOptions options;
         options.columns = {"2"};
         return ReadOutcome("data.csv", "a,b\n1,2\n", options);
       },
       "data.csv: column index 2 is out of range: the file has 2 columns "
       "(0-based indices 0 to 1)"},
      {"Unknown column name", "`x.npy`, selecting `waiting`",
       [] {
         io::TableReadOptions options;
         options.columns = {"waiting"};
         return ReadOutcome("x.npy",
                            NpyFile(NpyDict("<f8", "(1, 2)"), Doubles({1, 2})),
                            options);
       },
       "x.npy: unknown column \"waiting\": .npy files have no column names, "
       "so columns are selected by 0-based index (0 to 1)"},
      {"gzip/zip", "`data.csv.gz` (gzip)",
       [] { return ReadOutcome("data.csv.gz", "\x1F\x8B\x08\x00rest"); },
       "data.csv.gz: the file is gzip-compressed; decompress it first"},
      {"gzip/zip", "`data.npz` (zip)",
       [] { return ReadOutcome("data.npz", "PK\x03\x04rest"); },
       "data.npz: the file is a zip archive (.npz or .xlsx?); save a single "
       "array with numpy.save or the table as CSV"},
      {"UTF-16", "`data.csv` in UTF-16 LE with a byte order mark",
       [] { return ReadOutcome("data.csv", std::string("\xFF\xFE" "a\0,\0b\0\n\0", 10)); },
       "data.csv: the file is UTF-16 text; save it as UTF-8"},
      {"UTF-16", "`data.csv` in UTF-16 BE with a byte order mark",
       [] { return ReadOutcome("data.csv", std::string("\xFE\xFF\0a\0,\0b\0\n", 10)); },
       "data.csv: the file is UTF-16 text; save it as UTF-8"},
      {"UTF-16", "`data.csv` in UTF-16 LE without a byte order mark",
       [] { return ReadOutcome("data.csv", std::string("a\0,\0b\0\n\0", 8)); },
       "data.csv:1:1: the header field \"a\\x00\" contains a NUL byte (is this "
       "a binary file?)"},
      {"Model from a future version", "`m.json` with `\"version\": 2`",
       [] { return LoadOutcome("m.json", R"({"format": "emkit-model", "version": 2})"); },
       "m.json: model file version 2 is newer than this emkit supports (1); "
       "upgrade emkit"},
      {"Model that is not JSON", "`m.json` holding CSV text",
       [] { return LoadOutcome("m.json", "eruptions,waiting\n1,2\n"); },
       "m.json: not valid JSON (byte 1): parse error at line 1, column 1: "
       "syntax error while parsing value - invalid literal; last read: \"e\""},
      {"Model that is not JSON", "`m.json` cut short",
       [] { return LoadOutcome("m.json", R"({"format": )"); },
       "m.json: not valid JSON (byte 12): parse error at line 1, column 12: "
       "syntax error while parsing value - unexpected end of input; expected "
       "'[', '{', or a literal"},
      {"JSON that is not an emkit model", "`m.json` holding `[1, 2]`",
       [] { return LoadOutcome("m.json", "[1, 2]"); },
       "m.json: not an emkit model file (no \"format\": \"emkit-model\")"},
      {"JSON that is not an emkit model", "`m.json` with `\"format\": \"other\"`",
       [] { return LoadOutcome("m.json", R"({"format": "other", "version": 1})"); },
       "m.json: not an emkit model file (no \"format\": \"emkit-model\")"},
      {"Model with wrong shapes", "`m.json`: diag covariances `[[1, 1], [1]]`",
       [] {
         return LoadOutcome("m.json",
                            HandWrittenModel("diag", R"("covariances": [[1, 1], [1]])"));
       },
       "m.json: \"covariances\" must have shape [2, 2], but covariances[1] has "
       "1 entries"},
      {"Model with wrong shapes", "`m.json`: 3 components declared, 2 weights",
       [] {
         return LoadOutcome("m.json", R"({"format": "emkit-model", "version": 1,
             "covariance_type": "spherical", "n_components": 3,
             "weights": [0.5, 0.5], "means": [[0], [1]], "covariances": [1, 1]})");
       },
       "m.json: \"weights\" must have shape [3], but weights has 2 entries"},
      {"Model with wrong shapes", "a 2-feature model as the initial model for "
                                  "3-column data",
       [] {
         const GaussianMixtureModel init = io::ModelFromJson(kSpherical2, "m.json");
         return ReadAndFitOutcome("data.csv", "1,2,3\n4,5,6\n7,8,9\n", 1, {}, &init);
       },
       "the initial model has 2 features, but X has 3 columns"},
      {"Non-positive-definite covariance", "`m.json`: full covariance "
                                           "`[[1, 2], [2, 1]]`",
       [] {
         return LoadOutcome(
             "m.json", HandWrittenModel(
                           "full", R"("covariances": [[[1, 2], [2, 1]], [[1, 0], [0, 1]]])"));
       },
       "m.json: covariances[0] is not a symmetric positive definite matrix"},
      {"Non-positive-definite covariance", "`m.json`: diag variance -1",
       [] {
         return LoadOutcome("m.json",
                            HandWrittenModel("diag", R"("covariances": [[1, -1], [1, 1]])"));
       },
       "m.json: variance of component 0 feature 1 = -1 must be positive and "
       "finite"},
      {"Non-positive-definite covariance", "`m.json`: tied precisions_cholesky "
                                           "with a negative diagonal",
       [] {
         return LoadOutcome("m.json", HandWrittenModel("tied", R"("covariances": [[1, 0], [0, 1]],
             "precisions_cholesky": [[1, 0], [0, -1]])"));
       },
       "m.json: precisions_cholesky must be triangular with a positive "
       "diagonal"},
      {"NaN/Inf cells", "`m.json`: a covariance of `1e999`",
       [] {
         return LoadOutcome("m.json",
                            HandWrittenModel("spherical", R"("covariances": [1, 1e999])"));
       },
       "m.json: not valid JSON: number overflow parsing \"1e999\""},
      {"Bernoulli value other than 0 or 1", "rows `[1, 0]`, `[3, 1]` fitted with --model bernoulli",
       [] {
         return DiscreteFitOutcome(Rows({{1, 0}, {3, 1}}), [](auto& f, auto& o, const auto& x) {
           return FitBernoulliMixture(f, o, BernoulliOptions{}, x, nullptr);
         });
       },
       "X[1, 0] = 3: Bernoulli features must be 0 or 1"},
      {"Negative count", "rows `[1, 2]`, `[-1, 0]` fitted with --model poisson",
       [] {
         return DiscreteFitOutcome(Rows({{1, 2}, {-1, 0}}), [](auto& f, auto& o, const auto& x) {
           return FitPoissonMixture(f, o, PoissonOptions{}, x, nullptr);
         });
       },
       "X[1, 0] = -1: Poisson features must be non-negative integers (counts)"},
      {"Non-integer count", "rows `[1, 2.5]`, `[0, 1]` fitted with --model categorical",
       [] {
         return DiscreteFitOutcome(Rows({{1, 2.5}, {0, 1}}), [](auto& f, auto& o, const auto& x) {
           return FitCategoricalMixture(f, o, CategoricalOptions{}, x, nullptr);
         });
       },
       "X[0, 1] = 2.5: Categorical counts must be non-negative integers"},
      {"Negative symbol", "symbols `0`, `-1`, `2` fitted with --model categorical "
                          "--categorical-layout symbols",
       [] {
         return DiscreteFitOutcome(Rows({{0}, {-1}, {2}}), [](auto& f, auto& o, const auto& x) {
           CategoricalOptions symbols;
           symbols.layout = CategoricalLayout::kSymbols;
           return FitCategoricalMixture(f, o, symbols, x, nullptr);
         });
       },
       "X[1, 0] = -1: Categorical symbols must be integers in [0, 3)"},
      {"HMM lengths that do not add up", "5 rows with lengths `2, 2`",
       [] {
         return FitOutcome([] {
           const RowMatrix x = Rows({{0}, {1}, {2}, {3}, {4}});
           const std::vector<std::int64_t> lengths = {2, 2};
           GaussianHmmOptions options;
           options.hmm.n_states = 1;
           (void)FitGaussianHmm(FitOptions{}, options, ViewOf(x), lengths);
         });
       },
       "lengths sum to 4, but X has 5 rows: they must be equal"},
      {"HMM sequence of length 0", "5 rows with lengths `5, 0`",
       [] {
         return FitOutcome([] {
           const RowMatrix x = Rows({{0}, {1}, {2}, {3}, {4}});
           const std::vector<std::int64_t> lengths = {5, 0};
           GaussianHmmOptions options;
           options.hmm.n_states = 1;
           (void)FitGaussianHmm(FitOptions{}, options, ViewOf(x), lengths);
         });
       },
       "lengths[1] = 0 must be >= 1"},
      {"Model with an unknown kind", "`m.json` with `\"model\": \"tree\"`",
       [] {
         return AnyLoadOutcome("m.json", R"({"format": "emkit-model", "version": 1,
             "model": "tree"})");
       },
       "m.json: unknown \"model\" \"tree\" (expected \"gaussian_mixture\", \"bernoulli_mixture\", \"categorical_mixture\", \"poisson_mixture\", \"vmf_mixture\" or \"hmm\")"},
      {"Model with probabilities out of range", "`m.json`: a Bernoulli probability of 1.5",
       [] {
         return AnyLoadOutcome("m.json", R"({"format": "emkit-model", "version": 1,
             "model": "bernoulli_mixture", "weights": [1], "probabilities": [[0.5, 1.5]]})");
       },
       "m.json: Bernoulli probabilities[0, 1] = 1.5 must be in [0, 1]"},
      {"Model with probabilities out of range", "`m.json`: an HMM transition row summing to 0.9",
       [] {
         return AnyLoadOutcome("m.json", R"({"format": "emkit-model", "version": 1,
             "model": "hmm", "emission": "poisson", "startprob": [0.5, 0.5],
             "transmat": [[0.5, 0.4], [0.5, 0.5]], "rates": [[1], [2]]})");
       },
       "m.json: transitions row 0 must sum to 1, found sum 0.9"},
  };
}

// Names the case when a test fails, instead of gtest's byte dump.
void PrintTo(const Case& c, std::ostream* out) {
  *out << c.input_class << ": " << c.input;
}

class BadInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(BadInputTest, GivesTheDocumentedOutcome) {
  EXPECT_EQ(GetParam().outcome(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Documented, BadInputTest, ::testing::ValuesIn(Cases()),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name;
      for (const char* c = info.param.input_class; *c != '\0'; ++c) {
        if (std::isalnum(static_cast<unsigned char>(*c))) name += *c;
      }
      return name + "_" + std::to_string(info.index);
    });

// The table row of docs/bad-input.md for a case. A '|' in a cell, even in
// code, must be escaped in a Markdown table.
std::string DocRow(const Case& c) {
  std::string message;
  for (const char ch : c.expected) {
    if (ch == '|') message += '\\';
    message += ch;
  }
  return std::string("| ") + c.input_class + " | " + c.input + " | `" +
         message + "` |";
}

TEST(BadInputDocTest, TableListsEveryCaseWithItsOutcome) {
  const std::string path =
      std::string(EMKIT_SOURCE_DIR) + "/docs/bad-input.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  const std::string doc((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  std::string missing;
  for (const Case& c : Cases()) {
    if (doc.find(DocRow(c) + "\n") == std::string::npos) {
      missing += DocRow(c) + "\n";
    }
  }
  // The rows to paste, in the order of Cases(), when the table is stale.
  EXPECT_EQ(missing, "") << "docs/bad-input.md lacks these rows:\n" << missing;
}

// The .npy reader compares the declared size with the file before it
// allocates: under a limit on the address space, a 1 KB file that claims
// 10^12 rows still gets its message instead of an allocation failure.
// Sanitizers reserve terabytes of address space up front, so this runs only
// in builds without them (where their own allocator checks the same).
#ifndef EMKIT_UNDER_SANITIZER
// Reads `file` as x.npy with the address space limited to 256 MB more than
// the process uses now; exits 0 when the reader's message came through.
[[noreturn]] void ReadUnderAddressSpaceLimit(const std::string& file) {
  long pages = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld", &pages) != 1) pages = 0;
    std::fclose(statm);
  }
  const rlim_t limit =
      static_cast<rlim_t>(pages) * sysconf(_SC_PAGESIZE) + (256u << 20);
  const rlimit address_space{limit, limit};
  if (pages == 0 || setrlimit(RLIMIT_AS, &address_space) != 0) _exit(3);
  const std::string message = ReadOutcome("x.npy", file);
  _exit(message.find("16000000000000 bytes of data") != std::string::npos ? 0
                                                                          : 1);
}
#endif

TEST(BadInputDeathTest, HugeDeclaredShapeAllocatesNothing) {
#ifdef EMKIT_UNDER_SANITIZER
  GTEST_SKIP() << "address-space limits do not work under sanitizers";
#else
  const std::string file =
      NpyFile(NpyDict("<f8", "(1000000000000, 2)"), std::string(1024, '\0'));
  EXPECT_EXIT(ReadUnderAddressSpaceLimit(file), ::testing::ExitedWithCode(0),
              "");
#endif
}

// Inputs that fuzzing found mishandled, kept as regression tests (the
// inputs are also in fuzz/corpus/).

// Declared sizes must be checked against the arrays before anything is
// allocated (this once asked for 800 GB instead of naming the mismatch).
TEST(BadInputFoundByFuzzingTest,
     ModelWithHugeDeclaredSizesIsAFormatError) {
  EXPECT_EQ(LoadOutcome("m.json", R"({"format": "emkit-model", "version": 1,
      "covariance_type": "spherical", "n_components": 100000000000,
      "n_features": 1, "weights": [0.5, 0.5], "means": [[0], [1]],
      "covariances": [1, 1]})"),
            "m.json: \"weights\" must have shape [100000000000], but weights "
            "has 2 entries");
  // One mean of 20000 features asks for a 20000 x 20000 covariance (3.2 GB)
  // before the covariances are looked at.
  std::string means = "[[0";
  for (int j = 1; j < 20000; ++j) means += ",0";
  EXPECT_EQ(LoadOutcome("m.json", R"({"format": "emkit-model", "version": 1,
      "covariance_type": "full", "weights": [1], "means": )" + means +
                                      R"(]], "covariances": [[[1]]]})"),
            "m.json: \"covariances\" must have shape [1, 20000, 20000], but "
            "covariances[0] has 1 entries");
}

// Messages quote the input; they must stay short, valid UTF-8 text however
// long or binary the input is.
bool IsShortUtf8(const std::string& text) {
  if (text.size() > 2048) return false;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int length = lead < 0x80 ? 1
                       : (lead >= 0xC2 && lead <= 0xDF) ? 2
                       : (lead >= 0xE0 && lead <= 0xEF) ? 3
                       : (lead >= 0xF0 && lead <= 0xF4) ? 4
                                                        : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (int k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

TEST(BadInputFoundByFuzzingTest, MessagesAreShortUtf8) {
  const std::string dtype = ReadOutcome(
      "x.npy", NpyFile(NpyDict("<f\xFF\xFF" + std::string(5000, 'x'), "(1, 1)"),
                       std::string(8, '\0')));
  EXPECT_THAT(dtype, ::testing::StartsWith("x.npy: dtype "));
  EXPECT_TRUE(IsShortUtf8(dtype)) << dtype.substr(0, 200);

  const std::string not_utf8 = LoadOutcome("m.json", "{\"fo\x87\x87rmat\": 1}");
  EXPECT_THAT(not_utf8, ::testing::StartsWith("m.json: not valid JSON"));
  EXPECT_TRUE(IsShortUtf8(not_utf8)) << not_utf8;

  const std::string long_token =
      LoadOutcome("m.json", "{\"format\": \"" + std::string(100000, 'x'));
  EXPECT_THAT(long_token, ::testing::StartsWith("m.json: not valid JSON"));
  EXPECT_TRUE(IsShortUtf8(long_token)) << long_token.substr(0, 200);

  // A quoted value is cut to a readable length between characters, not in
  // the middle of a two-byte one (U+0678 straddling the cut).
  for (int pad = 30; pad < 42; ++pad) {
    const std::string kind = AnyLoadOutcome(
        "m.json", R"({"format": "emkit-model", "version": 1, "model": ")" +
                      std::string(pad, 'p') + R"(\u0678\u0678\u0678\u0678"})");
    EXPECT_THAT(kind, ::testing::StartsWith("m.json: unknown \"model\""));
    EXPECT_TRUE(IsShortUtf8(kind)) << kind;
  }
}

// WriteCsv promises text that ReadDelimited reads back exactly; a first
// column name that starts with U+FEFF is read back as a byte order mark
// unless it is quoted.
TEST(BadInputFoundByFuzzingTest, LeadingByteOrderMarkNameRoundTrips) {
  const TempDir dir;
  std::ostringstream out;
  io::WriteCsv(out, RowMatrix::Constant(1, 1, 5.0), {"\xEF\xBB\xBF"});
  io::TableReadOptions options;
  options.header = io::HeaderMode::kPresent;
  const io::Table table =
      io::ReadTable(dir.Write("written.csv", out.str()), options);
  EXPECT_EQ(table.column_names, std::vector<std::string>{"\xEF\xBB\xBF"});
  EXPECT_EQ(table.values.rows(), 1);
}

// A wide file read without trouble must not make the fit ask for
// D x D covariances it cannot hold: the default covariance type (full) on
// 10^7 columns needs 800 TB: an invalid_argument before any work, not
// std::bad_alloc.
TEST(BadInputFoundByFuzzingTest, FullCovarianceOnTenMillionColumns) {
  const RowMatrix x = RowMatrix::Zero(2, kTenMillion);
  GaussianMixtureOptions options;
  options.covariance_type = CovarianceType::kFull;
  EXPECT_THROW((void)FitGaussianMixture(FitOptions{}, options, ViewOf(x), nullptr),
               std::invalid_argument);
}

}  // namespace
}  // namespace emkit
