//===- FileIO.h - How dc's tools read inputs and write outputs --*- C++ -*-===//
//
// MLIR-free (LLVM Support only). Every dc tool opens its inputs and writes
// its outputs through these, so all of them behave the same way
// (docs/Tools.md, "Inputs and outputs"):
//
//  output path                 what happens
//  -------------------------   --------------------------------------------
//  "-", /dev/stdout,           written to the descriptor the process already
//  /dev/stderr, /dev/fd/N,     has open (1, 2 or N), never reopened: an
//  /proc/self/fd/N             O_APPEND stdout (>> log) keeps appending; a
//                              descriptor that is not open is an error
//  absent, or a regular file   written to a unique temporary in the same
//  (anywhere, /dev/shm too)    directory (mkstemp-style), renamed over the
//                              path on commit(); removed on error or signal;
//                              an existing file keeps its permission bits
//  a symbolic link             the rules applied to what it points at (the
//                              link itself stays a link)
//  a character device, a FIFO  streamed into (e.g. /dev/null, a named pipe),
//  or a Unix socket            never renamed over
//  a directory, anything else  an error before anything is written
//
// Every tool also lists its inputs and outputs in a FileSet and refuses,
// before any work, an output that names another output or an input.
//
// Errors name the file and the system's reason.
//
//===----------------------------------------------------------------------===//

#ifndef DC_SUPPORT_FILEIO_H
#define DC_SUPPORT_FILEIO_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>

namespace dc {

/// Reads `path` ("-" = stdin) whole. Fails with "cannot open input file
/// 'PATH': REASON" (no such file, a directory, no permission, ...).
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(llvm::StringRef path);

/// An output that is either complete or absent (for streams: what was
/// streamed). Create it before the work that produces the output, write to
/// os(), then commit(); destroying an uncommitted OutputFile discards it.
class OutputFile {
public:
  enum class Kind {
    Stdout,     ///< "-"
    Descriptor, ///< /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N
    Stream,     ///< a character device, FIFO or socket, written in place
    Replace, ///< a regular or absent file, replaced by rename
  };

  /// Resolves `path` as the table above says and prepares the output (the
  /// temporary, or the open stream). `mode` is the permission of a new file
  /// before the umask (0666 for data, 0777 for a shared library).
  static llvm::Expected<OutputFile> create(llvm::StringRef path,
                                           unsigned mode = 0666);

  OutputFile(OutputFile &&other);
  OutputFile &operator=(OutputFile &&) = delete;
  ~OutputFile();

  llvm::raw_ostream &os();
  Kind kind() const { return kind_; }
  /// The path as given.
  llvm::StringRef path() const { return path_; }
  /// What is written: the path with every symbolic link resolved.
  llvm::StringRef destination() const { return destination_; }

  /// Flushes and reports any write error so far (nothing is committed).
  llvm::Error flush();
  /// Flushes, checks that every byte was written and, for Replace, renames
  /// the temporary over the destination. On failure the temporary is gone.
  llvm::Error commit();
  /// Removes the temporary (Replace); a stream cannot take back what it got.
  void discard();

private:
  OutputFile() = default;
  llvm::Error writeError();

  Kind kind_ = Kind::Stdout;
  std::string path_, destination_;
  std::optional<llvm::sys::fs::TempFile> temp_;
  std::unique_ptr<llvm::raw_fd_ostream> stream_;
  llvm::raw_fd_ostream *descriptor_ = nullptr;
  bool done_ = false;
};

/// The descriptor an output or input path names without being reopened:
/// 1 for "-" and /dev/stdout, 2 for /dev/stderr, N for /dev/fd/N and
/// /proc/self/fd/N (also reached through symbolic links); none otherwise.
std::optional<int> namedDescriptor(llvm::StringRef path);

/// The files one run of a tool reads and writes, each under the option that
/// names it. check() refuses, before any work, two outputs that are the same
/// file or an output that is an input: compared by identity (device and
/// inode of what exists, symbolic links followed; "-" is the process's
/// stdin for an input, stdout for an output; the absolute resolved path of
/// what does not exist yet), so `-o libm.so --header=./libm.so`, an
/// absolute spelling or a link to the same file are all caught. Streams
/// (character devices such as /dev/null or a terminal, FIFOs, sockets) may
/// be named any number of times, and so may one descriptor among outputs
/// (`-` and /dev/stdout): they are written, never replaced.
class FileSet {
public:
  /// Empty paths are ignored (an option not given).
  void input(llvm::StringRef option, llvm::StringRef path);
  void output(llvm::StringRef option, llvm::StringRef path);
  /// Lets the files of options `a` and `b` be the same (e.g. dc-train's
  /// --checkpoint naming its --resume file).
  void allow(llvm::StringRef a, llvm::StringRef b);
  /// "OPTION 'PATH' and OPTION 'PATH' are the same file (...)": the first
  /// collision found.
  llvm::Error check() const;
  /// check() with one more output (a file a pass writes).
  llvm::Error checkOutput(llvm::StringRef option, llvm::StringRef path) const;

private:
  struct Entry {
    std::string option, path;
    bool output;
  };
  llvm::SmallVector<Entry> entries_;
  llvm::SmallVector<std::pair<std::string, std::string>> allowed_;
};

/// Where `path` leads once symbolic links are followed ("-" stays "-").
/// Fails for a directory, a socket or block device, or a link loop, with
/// the same messages OutputFile::create gives.
llvm::Expected<std::string> resolveOutputPath(llvm::StringRef path,
                                              OutputFile::Kind *kind = nullptr);

/// The running tool's own files (its input and -o, registered by the tool's
/// main): passes that write files of their own (dc-compress's report=)
/// refuse, in their initialize(), to write over them. Empty when dc's
/// passes run in another tool (a plugin of mlir-opt).
FileSet &toolFiles();

/// Whether two output paths name the same file once resolved (by path, and
/// by device and inode when both exist).
bool sameOutput(llvm::StringRef a, llvm::StringRef b);

/// An exclusive advisory lock (flock) on the folder an output is renamed
/// into, held while the object lives: two processes committing outputs into
/// one folder (dc-compile's library and header) commit them one after the
/// other, never interleaved. Nothing is created; "-" and streams lock
/// nothing.
class OutputLock {
public:
  static llvm::Expected<OutputLock> acquire(llvm::StringRef path);
  OutputLock(OutputLock &&other) : fd_(other.fd_) { other.fd_ = -1; }
  OutputLock &operator=(OutputLock &&) = delete;
  ~OutputLock();

private:
  OutputLock() = default;
  int fd_ = -1;
};

} // namespace dc

#endif // DC_SUPPORT_FILEIO_H
