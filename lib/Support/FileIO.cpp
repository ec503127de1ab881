//===- FileIO.cpp - How dc's tools read inputs and write outputs ----------===//

#include "dc/Support/FileIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace {

Error fail(StringRef path, const Twine &reason) {
  return createStringError(inconvertibleErrorCode(),
                           "cannot write '" + path + "': " + reason);
}

Error failErrno(StringRef path) { return fail(path, std::strerror(errno)); }

/// Follows symbolic links by hand from `path` to a name that does not exist
/// (an absent output, or a dangling link's target).
Expected<std::string> followToAbsent(StringRef path) {
  std::string p = path.str();
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno != ENOENT)
        return failErrno(path);
      // The name is free; its directory must exist.
      SmallString<256> dir(sys::path::parent_path(p));
      if (dir.empty())
        dir = ".";
      struct stat ds;
      if (::stat(dir.c_str(), &ds) != 0)
        return failErrno(path);
      if (!S_ISDIR(ds.st_mode))
        return fail(path, "'" + dir + "' is not a directory");
      return p;
    }
    if (!S_ISLNK(st.st_mode))
      return fail(path, "it changed while being resolved");
    char target[4096];
    ssize_t n = ::readlink(p.c_str(), target, sizeof target - 1);
    if (n < 0)
      return failErrno(path);
    target[n] = 0;
    if (sys::path::is_absolute(target)) {
      p = target;
    } else {
      SmallString<256> next(sys::path::parent_path(p));
      sys::path::append(next, target);
      p = std::string(next);
    }
  }
  return fail(path, "too many levels of symbolic links");
}

} // namespace

Expected<std::unique_ptr<MemoryBuffer>> dc::readInputFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/true);
  if (std::error_code ec = buffer.getError())
    return createStringError(ec, "cannot open input file '" + path +
                                     "': " + ec.message());
  return std::move(*buffer);
}

Expected<std::string> dc::resolveOutputPath(StringRef path,
                                            OutputFile::Kind *kind) {
  OutputFile::Kind k = OutputFile::Kind::Replace;
  std::string destination;
  if (path == "-") {
    k = OutputFile::Kind::Stdout;
    destination = "-";
  } else if (path.empty()) {
    return createStringError(inconvertibleErrorCode(),
                             "cannot write '': empty output path");
  } else {
    struct stat st;
    if (::stat(path.str().c_str(), &st) != 0) {
      if (errno != ENOENT)
        return failErrno(path);
      Expected<std::string> absent = followToAbsent(path);
      if (!absent)
        return absent.takeError();
      destination = std::move(*absent);
    } else if (S_ISDIR(st.st_mode)) {
      return fail(path, std::strerror(EISDIR));
    } else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
      k = OutputFile::Kind::Stream;
      destination = path.str();
    } else if (!S_ISREG(st.st_mode)) {
      return fail(path, "not a regular file, character device or FIFO");
    } else if (path.starts_with("/dev/") || path.starts_with("/proc/")) {
      // /dev/stdout, /proc/self/fd/N: an open file descriptor's file. The
      // descriptor keeps the inode: write into it, never replace it.
      k = OutputFile::Kind::Stream;
      destination = path.str();
    } else {
      char real[PATH_MAX];
      if (!::realpath(path.str().c_str(), real))
        return failErrno(path);
      destination = real;
    }
  }
  if (kind)
    *kind = k;
  return destination;
}

bool dc::sameOutput(StringRef a, StringRef b) {
  Expected<std::string> ra = resolveOutputPath(a), rb = resolveOutputPath(b);
  if (!ra || !rb) {
    consumeError(ra.takeError());
    consumeError(rb.takeError());
    return a == b;
  }
  if (*ra == *rb)
    return true;
  auto identity = [](const std::string &p, struct stat &st) {
    return p == "-" ? ::fstat(1, &st) == 0 : ::stat(p.c_str(), &st) == 0;
  };
  struct stat sa, sb;
  return identity(*ra, sa) && identity(*rb, sb) && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

Expected<dc::OutputFile> dc::OutputFile::create(StringRef path, unsigned mode) {
  OutputFile out;
  out.path_ = path.str();
  Expected<std::string> destination = resolveOutputPath(path, &out.kind_);
  if (!destination)
    return destination.takeError();
  out.destination_ = std::move(*destination);
  switch (out.kind_) {
  case Kind::Stdout:
    break;
  case Kind::Stream: {
    int fd = ::open(out.destination_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      return failErrno(path);
    out.stream_ = std::make_unique<raw_fd_ostream>(fd, /*shouldClose=*/true);
    break;
  }
  case Kind::Replace: {
    SmallString<256> model(sys::path::parent_path(out.destination_));
    sys::path::append(model, "." + sys::path::filename(out.destination_) +
                                 ".tmp-%%%%%%%%");
    Expected<sys::fs::TempFile> temp = sys::fs::TempFile::create(model, mode);
    if (!temp)
      return fail(path, toString(temp.takeError()));
    // Replacing a file keeps its permission bits.
    struct stat st;
    if (::stat(out.destination_.c_str(), &st) == 0)
      (void)::fchmod(temp->FD, st.st_mode & 07777);
    out.temp_.emplace(std::move(*temp));
    out.stream_ =
        std::make_unique<raw_fd_ostream>(out.temp_->FD, /*shouldClose=*/false);
    break;
  }
  }
  return std::move(out);
}

dc::OutputFile::OutputFile(OutputFile &&other)
    : kind_(other.kind_), path_(std::move(other.path_)),
      destination_(std::move(other.destination_)),
      temp_(std::move(other.temp_)), stream_(std::move(other.stream_)),
      done_(other.done_) {
  other.temp_.reset();
  other.done_ = true;
}

dc::OutputFile::~OutputFile() {
  if (!done_)
    discard();
}

raw_ostream &dc::OutputFile::os() {
  return kind_ == Kind::Stdout ? outs() : *stream_;
}

Error dc::OutputFile::writeError() {
  raw_fd_ostream &s =
      kind_ == Kind::Stdout ? static_cast<raw_fd_ostream &>(outs()) : *stream_;
  if (!s.has_error())
    return Error::success();
  std::error_code ec = s.error();
  s.clear_error();
  return fail(path_, ec.message());
}

Error dc::OutputFile::flush() {
  os().flush();
  return writeError();
}

Error dc::OutputFile::commit() {
  if (done_)
    return Error::success();
  if (Error e = flush()) {
    discard();
    return e;
  }
  done_ = true;
  switch (kind_) {
  case Kind::Stdout:
    return Error::success();
  case Kind::Stream:
    stream_->close();
    return writeError();
  case Kind::Replace:
    stream_.reset();
    if (Error e = temp_->keep(destination_)) {
      std::string message = toString(std::move(e));
      consumeError(temp_->discard());
      temp_.reset();
      return fail(path_, message);
    }
    temp_.reset();
    return Error::success();
  }
  return Error::success();
}

void dc::OutputFile::discard() {
  done_ = true;
  if (stream_) {
    stream_->flush();
    stream_->clear_error();
  }
  if (kind_ == Kind::Stdout) {
    outs().flush();
    outs().clear_error();
  }
  if (kind_ == Kind::Replace) {
    stream_.reset();
    if (temp_)
      consumeError(temp_->discard());
    temp_.reset();
  }
}
