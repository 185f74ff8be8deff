// Replacing files so that a crash or an error never leaves half a file.
#ifndef EMKIT_IO_ATOMIC_FILE_H_
#define EMKIT_IO_ATOMIC_FILE_H_

#include <functional>
#include <ostream>
#include <string>

namespace emkit::io {

// Writes the file `path` so that readers see either its old content (or no
// file) or the complete new one, never a partial file: `write` fills
// PATH.tmp.XXXXXX in the same directory, which is flushed and fsync'ed and
// then renamed over `path` with rename(2). A replaced file keeps its
// permission bits; a new one gets 0666 less the umask. A symbolic link at
// `path` is replaced by a regular file.
//
// When `write` throws, or an operating-system call fails, the temporary file
// is removed, `path` is left as it was and the error propagates; OS failures
// are FileAccessError "PATH: what failed: reason".
//
// `path` "-" writes to standard output directly (no atomicity there).
void WriteFileAtomically(const std::string& path,
                         const std::function<void(std::ostream&)>& write);

}  // namespace emkit::io

#endif  // EMKIT_IO_ATOMIC_FILE_H_
