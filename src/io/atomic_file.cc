#include "emkit/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <random>
#include <streambuf>
#include <string>

#include "emkit/error.h"

namespace emkit::io {
namespace {

// Attempts at finding an unused temporary name before giving up; with 62^6
// names per path a collision means something else is wrong.
constexpr int kMaxNameAttempts = 100;

[[noreturn]] void FailWithErrno(const std::string& path,
                                const std::string& what, int error) {
  throw FileAccessError(path + ": " + what + ": " + std::strerror(error));
}

// An output stream buffer over a file descriptor that remembers the errno of
// a failed write, so that "No space left on device" reaches the user instead
// of a bare stream failure.
class FdStreamBuf : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  // The errno of the first failed write, or 0.
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!Drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

  int sync() override { return Drain() ? 0 : -1; }

 private:
  bool Drain() {
    if (error_ != 0) return false;
    const char* data = pbase();
    std::size_t size = static_cast<std::size_t>(pptr() - pbase());
    while (size > 0) {
      const ssize_t written = ::write(fd_, data, size);
      if (written < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      data += written;
      size -= static_cast<std::size_t>(written);
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return true;
  }

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buffer_;
};

// The temporary file: open until Commit(), removed unless Commit() succeeds.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& target) : target_(target) {
    static constexpr char kChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device seed;
    std::mt19937 generator(seed());
    std::uniform_int_distribution<std::size_t> pick(0, sizeof(kChars) - 2);
    for (int attempt = 0; attempt < kMaxNameAttempts; ++attempt) {
      path_ = target + ".tmp.";
      for (int i = 0; i < 6; ++i) path_ += kChars[pick(generator)];
      // O_EXCL so that an existing file (or a planted symlink) is never
      // written through; mode 0666 so that the umask applies as for any new
      // file.
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                   0666);
      if (fd_ >= 0) break;
      if (errno != EEXIST) {
        FailWithErrno(target, "cannot create the temporary file " + path_,
                      errno);
      }
    }
    if (fd_ < 0) {
      FailWithErrno(target, "cannot create a temporary file", EEXIST);
    }
    struct stat existing;
    if (::stat(target.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) {
      // Best effort: the content matters more than keeping the mode.
      (void)::fchmod(fd_, existing.st_mode & 07777);
    }
  }

  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  int fd() const { return fd_; }

  // Makes the content durable and moves it to the target.
  void Commit() {
    if (::fsync(fd_) != 0) FailWithErrno(target_, "cannot sync", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) FailWithErrno(target_, "cannot write", errno);
    if (::rename(path_.c_str(), target_.c_str()) != 0) {
      FailWithErrno(target_, "cannot replace the file", errno);
    }
    committed_ = true;
    SyncDirectory();
  }

 private:
  // Makes the rename itself durable. Best effort: some file systems refuse
  // fsync on directories, and the new content is in place either way.
  void SyncDirectory() const {
    const std::size_t slash = target_.rfind('/');
    const std::string directory =
        slash == std::string::npos ? "." : (slash == 0 ? "/" : target_.substr(0, slash));
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      (void)::fsync(fd);
      ::close(fd);
    }
  }

  std::string target_;
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void WriteFileAtomically(const std::string& path,
                         const std::function<void(std::ostream&)>& write) {
  if (path == "-") {
    write(std::cout);
    std::cout.flush();
    if (!std::cout) throw FileAccessError("<stdout>: write error");
    return;
  }
  TemporaryFile file(path);
  FdStreamBuf buffer(file.fd());
  std::ostream out(&buffer);
  write(out);
  out.flush();
  if (!out || buffer.error() != 0) {
    FailWithErrno(path, "cannot write",
                  buffer.error() != 0 ? buffer.error() : EIO);
  }
  file.Commit();
}

}  // namespace emkit::io
