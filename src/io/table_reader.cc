// ReadTable: choosing the reader for a path.

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include "emkit/error.h"
#include "emkit/io/table.h"
#include "delimited_parser.h"
#include "message_text.h"

namespace emkit::io {
namespace {

constexpr std::string_view kNpyMagic = "\x93NUMPY";
constexpr std::string_view kGzipMagic = "\x1F\x8B";
constexpr std::string_view kZipMagic = "PK\x03\x04";

}  // namespace

namespace internal {

void RejectArchive(const std::string& path, std::string_view head) {
  if (head.starts_with(kGzipMagic)) {
    throw FileFormatError(path +
                          ": the file is gzip-compressed; decompress it first");
  }
  if (head.starts_with(kZipMagic)) {
    throw FileFormatError(
        path + ": the file is a zip archive (.npz or .xlsx?); save a single "
               "array with numpy.save or the table as CSV");
  }
}

}  // namespace internal

Table ReadTable(const std::string& path, const TableReadOptions& options) {
  if (path == "-") return ReadDelimited(std::cin, "<stdin>", options);
  if (internal::EndsWithIgnoringCase(path, ".npy")) {
    return ReadNpy(path, options);
  }

  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw FileAccessError(path + ": cannot open: " + std::strerror(EISDIR));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw FileAccessError(path + ": cannot open: " + std::strerror(errno));
  }
  // Look at the first bytes, so that a .npy file under another name is read
  // as what it is and archives get a useful message instead of a parse error
  // about binary garbage.
  std::array<char, 6> start{};
  in.read(start.data(), start.size());
  const std::string_view head(start.data(), static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw FileAccessError(path + ": read error");
  if (head == kNpyMagic) {
    in.close();
    return ReadNpy(path, options);
  }
  internal::RejectArchive(path, head);
  in.clear();
  in.seekg(0, std::ios::beg);
  return ReadDelimited(in, path, options);
}

bool IsNpyPath(const std::string& path) {
  if (path == "-") return false;
  if (internal::EndsWithIgnoringCase(path, ".npy")) return true;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return false;
  std::ifstream in(path, std::ios::binary);
  std::array<char, 6> start{};
  in.read(start.data(), start.size());
  return std::string_view(start.data(), static_cast<std::size_t>(in.gcount())) == kNpyMagic;
}

}  // namespace emkit::io
