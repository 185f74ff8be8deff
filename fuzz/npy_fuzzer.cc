// Fuzzes io::ReadNpy, the reader of numpy .npy files. ReadNpy takes a path,
// so each input is written to an in-memory file (memfd) and read through
// /proc/self/fd: no disk traffic and no change to the library. Every input
// is read twice: with the default options, and with non-finite values
// allowed and columns selected. A read must either succeed with a sound
// table or throw FileFormatError with a sound message.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "emkit/error.h"
#include "emkit/io/table.h"
#include "fuzz_checks.h"

namespace emkit::fuzz {
namespace {

class MemoryFile {
 public:
  MemoryFile() : fd_(memfd_create("emkit_npy_fuzz", 0)) {
    if (fd_ < 0) Die("memfd_create failed", "");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }

  // Replaces the file's content.
  void Write(const std::uint8_t* data, std::size_t size) {
    if (ftruncate(fd_, 0) != 0) Die("ftruncate failed", "");
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = pwrite(fd_, data + done, size - done,
                               static_cast<off_t>(done));
      if (n <= 0) Die("pwrite failed", "");
      done += static_cast<std::size_t>(n);
    }
  }

  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

void ReadOnce(const std::string& path, const io::TableReadOptions& options) {
  io::Table table;
  try {
    table = io::ReadNpy(path, options);
  } catch (const FileFormatError& error) {
    CheckMessage(error.what(), path);
    return;
  }
  CheckTable(table, options.allow_non_finite);
}

}  // namespace
}  // namespace emkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static emkit::fuzz::MemoryFile file;
  file.Write(data, size);
  emkit::fuzz::ReadOnce(file.path(), {});
  emkit::io::TableReadOptions options;
  options.allow_non_finite = true;
  options.columns = {"1", "0", "1"};
  emkit::fuzz::ReadOnce(file.path(), options);
  return 0;
}
