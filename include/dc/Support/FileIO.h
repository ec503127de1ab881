//===- FileIO.h - How dc's tools read inputs and write outputs --*- C++ -*-===//
//
// MLIR-free (LLVM Support only). Every dc tool opens its inputs and writes
// its outputs through these, so all of them behave the same way
// (docs/Tools.md, "Inputs and outputs"):
//
//  output path                 what happens
//  -------------------------   --------------------------------------------
//  "-"                         written to stdout
//  absent, or a regular file   written to a unique temporary in the same
//                              directory (mkstemp-style), renamed over the
//                              path on commit(); removed on error or signal;
//                              an existing file keeps its permission bits
//  a symbolic link             the rules applied to what it points at (the
//                              link itself stays a link)
//  a character device, a FIFO  streamed into (e.g. /dev/null, /dev/stdout),
//                              never renamed over
//  a directory, anything else  an error before anything is written
//
// Errors name the file and the system's reason.
//
//===----------------------------------------------------------------------===//

#ifndef DC_SUPPORT_FILEIO_H
#define DC_SUPPORT_FILEIO_H

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
    Stdout,  ///< "-"
    Stream,  ///< a character device or FIFO, written in place
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
  bool done_ = false;
};

/// Where `path` leads once symbolic links are followed ("-" stays "-").
/// Fails for a directory, a socket or block device, or a link loop, with
/// the same messages OutputFile::create gives.
llvm::Expected<std::string> resolveOutputPath(llvm::StringRef path,
                                              OutputFile::Kind *kind = nullptr);

/// Whether two output paths name the same file once resolved (by path, and
/// by device and inode when both exist).
bool sameOutput(llvm::StringRef a, llvm::StringRef b);

} // namespace dc

#endif // DC_SUPPORT_FILEIO_H
