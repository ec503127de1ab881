//===- FileIO.cpp - How dc's tools read inputs and write outputs ----------===//

#include "dc/Support/FileIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace llvm;

namespace {

Error fail(StringRef path, const Twine &reason) {
  return createStringError(inconvertibleErrorCode(),
                           "cannot write '" + path + "': " + reason);
}

Error failErrno(StringRef path) { return fail(path, std::strerror(errno)); }

/// Replaces `p`, a symbolic link, by what it points at (relative targets
/// against its folder); false (errno set) when it is not a link.
bool followLink(std::string &p) {
  char target[4096];
  ssize_t n = ::readlink(p.c_str(), target, sizeof target - 1);
  if (n < 0)
    return false;
  target[n] = 0;
  if (sys::path::is_absolute(target)) {
    p = target;
  } else {
    SmallString<256> next(sys::path::parent_path(p));
    sys::path::append(next, target);
    p = std::string(next);
  }
  return true;
}

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
    if (!followLink(p))
      return failErrno(path);
  }
  return fail(path, "too many levels of symbolic links");
}

/// The descriptor a path spells: /dev/stdout, /dev/stderr, /dev/stdin,
/// /dev/fd/N, /proc/self/fd/N or /proc/<this process>/fd/N.
std::optional<int> spelledDescriptor(StringRef p) {
  if (p == "/dev/stdin")
    return 0;
  if (p == "/dev/stdout")
    return 1;
  if (p == "/dev/stderr")
    return 2;
  StringRef rest = p;
  if (!rest.consume_front("/dev/fd/") && !rest.consume_front("/proc/self/fd/")) {
    std::string own = "/proc/" + std::to_string(::getpid()) + "/fd/";
    if (!rest.consume_front(own))
      return std::nullopt;
  }
  unsigned n;
  if (rest.getAsInteger(10, n) || n > 1u << 20)
    return std::nullopt;
  return int(n);
}

} // namespace

std::optional<int> dc::namedDescriptor(StringRef path) {
  if (path == "-")
    return 1;
  // Follow symbolic links by hand: a link to /dev/stdout names stdout too
  // (the kernel's /proc/self/fd/N links would resolve to the file itself).
  std::string p = path.str();
  for (int hops = 0; hops < 40; ++hops) {
    if (std::optional<int> fd = spelledDescriptor(p))
      return fd;
    if (!followLink(p))
      return std::nullopt;
  }
  return std::nullopt;
}

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
  } else if (std::optional<int> fd = namedDescriptor(path)) {
    // The process's own descriptor: written as it is, never reopened.
    struct stat st;
    if (::fstat(*fd, &st) != 0)
      return fail(path, "descriptor " + Twine(*fd) + " is not open");
    if (S_ISDIR(st.st_mode))
      return fail(path, std::strerror(EISDIR));
    int flags = ::fcntl(*fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
      return fail(path, "descriptor " + Twine(*fd) + " is not open for writing");
    k = OutputFile::Kind::Descriptor;
    destination = path.str();
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
    } else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) ||
               S_ISSOCK(st.st_mode)) {
      k = OutputFile::Kind::Stream;
      destination = path.str();
    } else if (!S_ISREG(st.st_mode)) {
      return fail(path, "not a regular file, character device, FIFO or "
                        "socket");
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

namespace {

/// What a path names, for FileSet: the file's device and inode when it
/// exists, else the absolute path it will be created at.
struct Identity {
  bool exists = false, stream = false;
  int descriptor = -1; ///< the process's descriptor it is written through
  dev_t device = 0;
  ino_t inode = 0;
  std::string path;
};

Identity identify(StringRef path, bool output) {
  Identity id;
  struct stat st;
  bool found;
  if (path == "-") {
    id.descriptor = output ? 1 : 0;
    found = ::fstat(id.descriptor, &st) == 0;
  } else if (std::optional<int> fd = dc::namedDescriptor(path)) {
    id.descriptor = *fd;
    found = ::fstat(*fd, &st) == 0;
  } else {
    found = ::stat(path.str().c_str(), &st) == 0;
  }
  if (found) {
    id.exists = true;
    id.stream =
        S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
    id.device = st.st_dev;
    id.inode = st.st_ino;
    return id;
  }
  // Not there yet: where it will be, links followed, folder made absolute.
  Expected<std::string> absent = followToAbsent(path);
  std::string p = absent ? *absent : path.str();
  if (!absent)
    consumeError(absent.takeError());
  SmallString<256> dir(sys::path::parent_path(p));
  if (dir.empty())
    dir = ".";
  char real[PATH_MAX];
  if (::realpath(dir.c_str(), real)) {
    SmallString<256> full(real);
    sys::path::append(full, sys::path::filename(p));
    id.path = std::string(full);
  } else {
    SmallString<256> full(p);
    (void)sys::fs::make_absolute(full);
    sys::path::remove_dots(full, /*remove_dot_dot=*/true);
    id.path = std::string(full);
  }
  return id;
}

/// Whether two identities are one file: the same device and inode, or
/// both absent at the same path.
bool sameFile(const Identity &x, const Identity &y) {
  return x.exists && y.exists ? x.device == y.device && x.inode == y.inode
                              : !x.exists && !y.exists && x.path == y.path;
}

} // namespace

bool dc::sameOutput(StringRef a, StringRef b) {
  return sameFile(identify(a, /*output=*/true), identify(b, /*output=*/true));
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
  case Kind::Descriptor: {
    int fd = *namedDescriptor(path);
    if (fd == 1) {
      out.descriptor_ = &outs();
    } else if (fd == 2) {
      out.descriptor_ = &errs();
    } else {
      out.stream_ = std::make_unique<raw_fd_ostream>(fd, /*shouldClose=*/false);
      out.descriptor_ = out.stream_.get();
    }
    break;
  }
  case Kind::Stream: {
    struct stat st;
    int fd = -1;
    if (::stat(out.destination_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      // A Unix socket: connected to, as a stream.
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      if (out.destination_.size() >= sizeof address.sun_path)
        return fail(path, "the socket's path is too long");
      std::memcpy(address.sun_path, out.destination_.c_str(),
                  out.destination_.size() + 1);
      fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd >= 0 &&
          ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        fd = -1;
      }
    } else {
      fd = ::open(out.destination_.c_str(), O_WRONLY | O_CLOEXEC);
    }
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
      descriptor_(other.descriptor_), done_(other.done_) {
  other.temp_.reset();
  other.done_ = true;
}

dc::OutputFile::~OutputFile() {
  if (!done_)
    discard();
}

raw_ostream &dc::OutputFile::os() {
  return kind_ == Kind::Stdout ? outs()
         : descriptor_         ? *descriptor_
                               : *stream_;
}

Error dc::OutputFile::writeError() {
  raw_fd_ostream &s = kind_ == Kind::Stdout ? static_cast<raw_fd_ostream &>(outs())
                      : descriptor_         ? *descriptor_
                                            : *stream_;
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
  case Kind::Descriptor:
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
  if (descriptor_) {
    descriptor_->flush();
    descriptor_->clear_error();
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


void dc::FileSet::input(StringRef option, StringRef path) {
  if (!path.empty())
    entries_.push_back({option.str(), path.str(), false});
}

void dc::FileSet::output(StringRef option, StringRef path) {
  if (!path.empty())
    entries_.push_back({option.str(), path.str(), true});
}

void dc::FileSet::allow(StringRef a, StringRef b) {
  allowed_.push_back({a.str(), b.str()});
}

Error dc::FileSet::check() const {
  SmallVector<Identity> ids;
  for (const Entry &e : entries_)
    ids.push_back(identify(e.path, e.output));
  for (size_t i = 0; i < entries_.size(); ++i) {
    for (size_t j = i + 1; j < entries_.size(); ++j) {
      const Entry &a = entries_[i], &b = entries_[j];
      if (!a.output && !b.output)
        continue; // reading one file twice is fine
      if (llvm::any_of(allowed_, [&](const auto &p) {
            return (p.first == a.option && p.second == b.option) ||
                   (p.first == b.option && p.second == a.option);
          }))
        continue;
      const Identity &x = ids[i], &y = ids[j];
      // A stream is never replaced, and two outputs written through one
      // descriptor (`-` and /dev/stdout) share its offset: one after the
      // other, nothing is overwritten.
      if (x.stream || y.stream ||
          (a.output && b.output && x.descriptor >= 0 &&
           x.descriptor == y.descriptor))
        continue;
      if (!sameFile(x, y))
        continue;
      auto describe = [](const Entry &e) {
        return e.option + " '" + e.path + "'";
      };
      return createStringError(
          inconvertibleErrorCode(),
          describe(a) + " and " + describe(b) + " are the same file (" +
              (a.output && b.output ? "two outputs would overwrite each other"
                                    : "the output would overwrite an input") +
              "); nothing was written");
    }
  }
  return Error::success();
}

Error dc::FileSet::checkOutput(StringRef option, StringRef path) const {
  FileSet with = *this;
  with.output(option, path);
  return with.check();
}

dc::FileSet &dc::toolFiles() {
  static FileSet files;
  return files;
}

Expected<dc::OutputLock> dc::OutputLock::acquire(StringRef path) {
  OutputLock lock;
  Expected<std::string> destination = resolveOutputPath(path);
  if (!destination)
    return destination.takeError();
  if (*destination == "-" || namedDescriptor(path))
    return std::move(lock);
  SmallString<256> dir(sys::path::parent_path(*destination));
  if (dir.empty())
    dir = ".";
  lock.fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock.fd_ < 0)
    return failErrno(path);
  while (::flock(lock.fd_, LOCK_EX) != 0) {
    if (errno == EINTR)
      continue;
    return failErrno(path);
  }
  return std::move(lock);
}

dc::OutputLock::~OutputLock() {
  if (fd_ >= 0)
    ::close(fd_); // releases the lock
}
