//===- IDX.cpp - Training data: IDX files (MNIST), gzip, normalisation ----===//

#include "dc/Data/IDX.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace dc;
using namespace dc::data;

namespace {

Status fail(const std::string &name, const std::string &what) {
  return Status::error(name + ": " + what);
}

uint32_t readBE32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// Where bytes come from: memory or an open file.
class Source {
public:
  virtual ~Source() = default;
  /// Up to `n` bytes into `dst`; fewer only at the end of the data.
  virtual StatusOr<size_t> read(uint8_t *dst, size_t n) = 0;
};

class SpanSource : public Source {
public:
  explicit SpanSource(ByteSpan s) : span(s) {}
  StatusOr<size_t> read(uint8_t *dst, size_t n) override {
    n = std::min(n, span.size - at);
    if (n)
      std::memcpy(dst, span.data + at, n);
    at += n;
    return n;
  }

private:
  ByteSpan span;
  size_t at = 0;
};

/// A file descriptor, closed on destruction.
class FileSource : public Source {
public:
  FileSource(int fd, std::string name) : fd(fd), name(std::move(name)) {}
  ~FileSource() override { ::close(fd); }
  FileSource(const FileSource &) = delete;
  FileSource &operator=(const FileSource &) = delete;
  StatusOr<size_t> read(uint8_t *dst, size_t n) override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd, dst + got, std::min(n - got, size_t(1) << 30));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return fail(name, "read error: " + std::string(std::strerror(errno)));
      if (r == 0)
        break;
      got += size_t(r);
    }
    return got;
  }

private:
  int fd;
  std::string name;
};

/// The bytes of a source, inflated when they start with the gzip magic
/// (1f 8b). Members follow each other (RFC 1952, 2.2: a gzip file is a
/// series of members); anything else after a member is an error. Inflates
/// only as much as read() asks for (plus zlib's window): the caller bounds
/// the output, never the compressed size.
class Reader {
public:
  Reader(Source &raw, std::string name)
      : raw(raw), name(std::move(name)), in(size_t(1) << 16) {}
  ~Reader() {
    if (zStarted)
      inflateEnd(&z);
  }
  Reader(const Reader &) = delete;
  Reader &operator=(const Reader &) = delete;

  /// Detects gzip.
  Status start() {
    if (Status s = fill(2); !s.ok())
      return s;
    gzip = inEnd - inPos >= 2 && in[inPos] == 0x1f && in[inPos + 1] == 0x8b;
    if (gzip) {
      // 15 + 16: a gzip header and trailer (checked: CRC and length).
      if (inflateInit2(&z, 15 + 16) != Z_OK)
        return fail(name, "zlib cannot start inflating");
      zStarted = true;
    }
    return Status::success();
  }
  bool isGzip() const { return gzip; }

  /// Up to `n` bytes of the (inflated) data; fewer only at its end.
  StatusOr<size_t> read(uint8_t *dst, size_t n) {
    if (!gzip) {
      size_t got = std::min(n, inEnd - inPos);
      if (got)
        std::memcpy(dst, in.data() + inPos, got);
      inPos += got;
      if (got == n || rawEnded)
        return got;
      StatusOr<size_t> more = raw.read(dst + got, n - got);
      if (!more.ok())
        return more.status();
      return got + *more;
    }
    size_t got = 0;
    while (got < n && !ended) {
      if (inPos == inEnd) {
        if (Status s = fill(1); !s.ok())
          return s;
        if (inPos == inEnd)
          return corrupt("truncated");
      }
      z.next_in = in.data() + inPos;
      z.avail_in = uInt(inEnd - inPos);
      z.next_out = dst + got;
      z.avail_out = uInt(std::min(n - got, size_t(1) << 30));
      uInt before = z.avail_out;
      int rc = inflate(&z, Z_NO_FLUSH);
      got += before - z.avail_out;
      inPos = inEnd - z.avail_in;
      if (rc == Z_STREAM_END) {
        ++members;
        // Another member, or the end of the data.
        if (Status s = fill(2); !s.ok())
          return s;
        if (inPos == inEnd) {
          ended = true;
        } else if (inEnd - inPos < 2 || in[inPos] != 0x1f ||
                   in[inPos + 1] != 0x8b) {
          return fail(name, "data after the end of the gzip stream");
        } else if (inflateReset(&z) != Z_OK) {
          return corrupt("zlib cannot restart");
        }
        continue;
      }
      // Z_BUF_ERROR: no progress without more input (read above).
      if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_in == 0))
        return corrupt(z.msg ? z.msg : "zlib error " + std::to_string(rc));
    }
    return got;
  }

private:
  /// At least `k` bytes in the input buffer, unless the source ends first.
  Status fill(size_t k) {
    if (inEnd - inPos >= k || rawEnded)
      return Status::success();
    std::memmove(in.data(), in.data() + inPos, inEnd - inPos);
    inEnd -= inPos;
    inPos = 0;
    size_t want = in.size() - inEnd;
    StatusOr<size_t> got = raw.read(in.data() + inEnd, want);
    if (!got.ok())
      return got.status();
    inEnd += *got;
    rawEnded = *got < want;
    return Status::success();
  }
  Status corrupt(const std::string &why) {
    return fail(name, "corrupt gzip data" +
                          (members ? " in member " + std::to_string(members + 1)
                                   : std::string()) +
                          " (" + why + ")");
  }

  Source &raw;
  std::string name;
  std::vector<uint8_t> in;
  size_t inPos = 0, inEnd = 0;
  bool rawEnded = false, gzip = false, zStarted = false, ended = false;
  unsigned members = 0;
  z_stream z{};
};

/// Appends up to `limit` bytes of `r` to `out`, growing it as data arrives
/// (so a short stream allocates no more than it holds). Returns whether the
/// data ended within `limit` bytes; reads one byte more to tell, dropped.
StatusOr<bool> readUpTo(Reader &r, uint64_t limit, std::vector<uint8_t> &out) {
  size_t start = out.size();
  for (;;) {
    size_t have = out.size() - start;
    uint64_t left = limit - have;
    if (left == 0) {
      uint8_t probe;
      StatusOr<size_t> n = r.read(&probe, 1);
      if (!n.ok())
        return n.status();
      return *n == 0;
    }
    size_t step = size_t(
        std::min<uint64_t>(left, std::max<size_t>(have, size_t(1) << 16)));
    // Capacity within `limit` (vector's own growth could double past it).
    if (out.capacity() < start + have + step)
      out.reserve(start + have + step);
    out.resize(start + have + step);
    StatusOr<size_t> n = r.read(out.data() + start + have, step);
    if (!n.ok())
      return n.status();
    out.resize(start + have + *n);
    if (*n < step)
      return true;
  }
}

/// The file at `path` opened for reading if it is a regular file; else a
/// message saying what it is. A FIFO or device is never opened (opening a
/// FIFO blocks until a writer comes; a device may never end).
StatusOr<int> openRegular(const std::string &path, uint64_t &size) {
  auto notRegular = [&](mode_t mode) {
    const char *what = S_ISDIR(mode)    ? "a directory"
                       : S_ISFIFO(mode) ? "a FIFO (named pipe)"
                       : S_ISCHR(mode)  ? "a character device"
                       : S_ISBLK(mode)  ? "a block device"
                       : S_ISSOCK(mode) ? "a socket"
                                        : "not a regular file";
    std::string msg = std::string("is ") + what;
    if (std::strcmp(what, "not a regular file") != 0)
      msg += ", not a regular file";
    struct stat link;
    if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
      if (char *target = ::realpath(path.c_str(), nullptr)) {
        msg += " (a link to " + std::string(target) + ")";
        std::free(target);
      }
    }
    return fail(path, msg);
  };
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return fail(path, "cannot open: " + std::string(std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    return notRegular(st.st_mode);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return fail(path, "cannot open: " + std::string(std::strerror(errno)));
  // The file may have been replaced since stat.
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    mode_t mode = st.st_mode;
    ::close(fd);
    return notRegular(mode);
  }
  size = uint64_t(st.st_size);
  return fd;
}

StatusOr<std::vector<uint8_t>> readAll(Reader &r, uint64_t limit,
                                       const std::string &name) {
  if (Status s = r.start(); !s.ok())
    return s;
  std::vector<uint8_t> out;
  StatusOr<bool> ended = readUpTo(r, limit, out);
  if (!ended.ok())
    return ended.status();
  if (!*ended)
    return fail(name,
                (r.isGzip() ? "inflates to more than " : "is larger than ") +
                    std::to_string(limit) + " bytes");
  return out;
}

/// An IDX header's dimensions and data size: magic, element type and rank
/// from the first 4 bytes of `p`, then the rank's dimensions.
struct Header {
  std::vector<uint32_t> dims;
  size_t bytes = 0;   // of the header
  uint64_t total = 0; // data bytes it promises
};

StatusOr<Header> parseHeader(ByteSpan bytes, const std::string &name) {
  if (bytes.size < 4)
    return fail(name, "too short for an IDX header (" +
                          std::to_string(bytes.size) + " bytes)");
  const uint8_t *p = bytes.data;
  if (p[0] != 0 || p[1] != 0)
    return fail(name, "not an IDX file (magic bytes " + std::to_string(p[0]) +
                          " " + std::to_string(p[1]) + ", expected 0 0)");
  if (p[2] != 0x08)
    return fail(name, "IDX element type " + std::to_string(p[2]) +
                          " is not unsigned bytes (8)");
  unsigned rank = p[3];
  if (rank < 1 || rank > 4)
    return fail(name, "IDX rank " + std::to_string(rank) + " is not 1..4");
  Header h;
  h.bytes = 4 + 4 * size_t(rank);
  if (bytes.size < h.bytes)
    return fail(name, "truncated IDX header");
  h.total = 1;
  for (unsigned d = 0; d < rank; ++d) {
    uint32_t dim = readBE32(p + 4 + 4 * d);
    h.dims.push_back(dim);
    h.total *= dim;
    if (h.total > kMaxInflatedBytes)
      return fail(name, "IDX dimensions describe more than " +
                            std::to_string(kMaxInflatedBytes) + " bytes");
  }
  return h;
}

Status sizeMismatch(const std::string &name, uint64_t have, uint64_t total) {
  return fail(name,
              "has " + std::to_string(have) + " data bytes, its header says " +
                  std::to_string(total) + (have < total ? " (truncated)" : ""));
}

/// The header first, then exactly the data bytes it promises. `plainSize`
/// is the whole data's size when it is known and not gzip (then a wrong
/// size is refused before any data is read).
StatusOr<IdxArray> readIdxFrom(Reader &r, const std::string &name,
                               std::optional<uint64_t> plainSize) {
  if (Status s = r.start(); !s.ok())
    return s;
  uint8_t head[4 + 4 * 4];
  StatusOr<size_t> got = r.read(head, 4);
  if (!got.ok())
    return got.status();
  if (*got == 4 && head[3] >= 1 && head[3] <= 4) {
    StatusOr<size_t> dims = r.read(head + 4, 4 * size_t(head[3]));
    if (!dims.ok())
      return dims.status();
    *got += *dims;
  }
  StatusOr<Header> h = parseHeader(ByteSpan(head, *got), name);
  if (!h.ok())
    return h.status();
  if (r.isGzip())
    plainSize.reset();
  if (plainSize && *plainSize >= h->bytes && *plainSize - h->bytes != h->total)
    return sizeMismatch(name, *plainSize - h->bytes, h->total);
  IdxArray a;
  a.dims = h->dims;
  StatusOr<bool> ended = readUpTo(r, h->total, a.data);
  if (!ended.ok())
    return ended.status();
  if (a.data.size() < h->total)
    return sizeMismatch(name, a.data.size(), h->total);
  if (!*ended)
    return fail(
        name,
        (r.isGzip() ? "inflates to more than the " : "has more than the ") +
            std::to_string(h->total) + " data bytes its header says");
  return a;
}

} // namespace

StatusOr<std::vector<uint8_t>>
dc::data::maybeInflate(ByteSpan data, const std::string &name, uint64_t limit) {
  SpanSource source(data);
  Reader r(source, name);
  return readAll(r, limit, name);
}

StatusOr<std::vector<uint8_t>> dc::data::readFile(const std::string &path,
                                                  uint64_t limit) {
  uint64_t size;
  StatusOr<int> fd = openRegular(path, size);
  if (!fd.ok())
    return fd.status();
  FileSource source(*fd, path);
  Reader r(source, path);
  return readAll(r, limit, path);
}

StatusOr<IdxArray> dc::data::parseIdx(ByteSpan bytes, const std::string &name) {
  StatusOr<Header> h = parseHeader(bytes, name);
  if (!h.ok())
    return h.status();
  if (bytes.size - h->bytes != h->total)
    return sizeMismatch(name, bytes.size - h->bytes, h->total);
  IdxArray a;
  a.dims = h->dims;
  a.data.assign(bytes.data + h->bytes, bytes.data + bytes.size);
  return a;
}

StatusOr<IdxArray> dc::data::readIdx(ByteSpan bytes, const std::string &name) {
  SpanSource source(bytes);
  Reader r(source, name);
  return readIdxFrom(r, name, uint64_t(bytes.size));
}

StatusOr<IdxArray> dc::data::readIdxFile(const std::string &path) {
  uint64_t size;
  StatusOr<int> fd = openRegular(path, size);
  if (!fd.ok())
    return fd.status();
  FileSource source(*fd, path);
  Reader r(source, path);
  return readIdxFrom(r, path, size);
}

/// Whether something is at `path` (a dangling link too: reading it then
/// says why it fails). Never opens it: opening a FIFO blocks.
static bool exists(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

StatusOr<Dataset> dc::data::loadMnist(const std::string &dir,
                                      const std::string &split) {
  auto find = [&](const std::string &stem) -> std::string {
    for (const char *suffix : {"", ".gz"}) {
      std::string path = dir + "/" + stem + suffix;
      if (exists(path))
        return path;
    }
    return "";
  };
  std::string imagesPath = find(split + "-images-idx3-ubyte");
  std::string labelsPath = find(split + "-labels-idx1-ubyte");
  if (imagesPath.empty() || labelsPath.empty())
    return Status::error(dir + ": no " + split +
                         "-images-idx3-ubyte[.gz] and " + split +
                         "-labels-idx1-ubyte[.gz]");
  auto load = [](const std::string &path, size_t rank,
                 const char *what) -> StatusOr<IdxArray> {
    StatusOr<IdxArray> a = readIdxFile(path);
    if (a.ok() && a->dims.size() != rank)
      return fail(path, std::string(what) + " must be an IDX array of rank " +
                            std::to_string(rank));
    return a;
  };
  StatusOr<IdxArray> images = load(imagesPath, 3, "images");
  if (!images.ok())
    return images.status();
  StatusOr<IdxArray> labels = load(labelsPath, 1, "labels");
  if (!labels.ok())
    return labels.status();
  if (labels->dims[0] != images->dims[0])
    return Status::error(imagesPath + " has " +
                         std::to_string(images->dims[0]) + " images but " +
                         labelsPath + " has " +
                         std::to_string(labels->dims[0]) + " labels");
  Dataset d;
  d.count = images->dims[0];
  d.rows = images->dims[1];
  d.cols = images->dims[2];
  d.pixels = std::move(images->data);
  d.labels = std::move(labels->data);
  return d;
}

Status dc::data::normalize(const Dataset &data, uint32_t first, uint32_t count,
                           double mean, double std, float *out) {
  if (!(std > 0) || !std::isfinite(std) || !std::isfinite(mean))
    return Status::error("normalisation: std must be positive and finite and "
                         "mean finite (got mean " +
                         std::to_string(mean) + ", std " + std::to_string(std) +
                         ")");
  if (uint64_t(first) + count > data.count)
    return Status::error("normalisation: images " + std::to_string(first) +
                         ".." + std::to_string(uint64_t(first) + count) +
                         " of " + std::to_string(data.count));
  size_t size = size_t(data.rows) * data.cols;
  const uint8_t *p = data.pixels.data() + size_t(first) * size;
  for (size_t i = 0; i < size_t(count) * size; ++i)
    out[i] = float((p[i] / 255.0 - mean) / std);
  return Status::success();
}

Samples Samples::slice(uint32_t first, uint32_t n) const {
  Samples s;
  s.count = n;
  s.features = features;
  s.x.assign(x.begin() + size_t(first) * features,
             x.begin() + size_t(first + n) * features);
  s.y.assign(y.begin() + first, y.begin() + first + n);
  return s;
}

static Status checkNormalisation(double mean, double std) {
  if (!(std > 0) || !std::isfinite(std) || !std::isfinite(mean))
    return Status::error("normalisation: std must be positive and finite and "
                         "mean finite (got mean " +
                         std::to_string(mean) + ", std " + std::to_string(std) +
                         ")");
  return Status::success();
}

StatusOr<Samples> dc::data::parseRaw(ByteSpan images, RawType type,
                                     ByteSpan labels, size_t features,
                                     double mean, double std,
                                     const std::string &name) {
  if (Status s = checkNormalisation(mean, std); !s.ok())
    return s;
  if (features == 0)
    return fail(name, "raw images need a number of elements per image");
  size_t element = type == RawType::U8 ? 1 : 4;
  size_t image = features * element;
  if (images.size % image != 0)
    return fail(name, std::to_string(images.size) +
                          " bytes are not a whole number of images of " +
                          std::to_string(features) + " elements");
  uint64_t count = images.size / image;
  if (count > UINT32_MAX)
    return fail(name, "too many images");
  if (labels.size != count)
    return fail(name, std::to_string(count) + " images but " +
                          std::to_string(labels.size) + " labels");
  Samples s;
  s.count = uint32_t(count);
  s.features = features;
  s.x.resize(size_t(count) * features);
  for (size_t i = 0; i < s.x.size(); ++i) {
    double v;
    if (type == RawType::U8) {
      v = images.data[i] / 255.0;
    } else {
      float f;
      std::memcpy(&f, images.data + 4 * i, 4);
      if (!std::isfinite(f))
        return fail(name, "element " + std::to_string(i) + " is not finite");
      v = f;
    }
    s.x[i] = float((v - mean) / std);
    if (!std::isfinite(s.x[i]))
      return fail(name, "element " + std::to_string(i) +
                            " overflows float after normalisation");
  }
  s.y.assign(labels.data, labels.data + labels.size);
  return s;
}

StatusOr<Samples> dc::data::loadSplit(const std::string &dir,
                                      const std::string &split,
                                      size_t features, double mean,
                                      double std) {
  if (Status s = checkNormalisation(mean, std); !s.ok())
    return s;
  std::string stem = dir + "/" + split;
  bool idx = exists(stem + "-images-idx3-ubyte") ||
             exists(stem + "-images-idx3-ubyte.gz");
  if (idx) {
    StatusOr<Dataset> d = loadMnist(dir, split);
    if (!d.ok())
      return d.status();
    size_t size = size_t(d->rows) * d->cols;
    if (features != 0 && features != size)
      return Status::error(dir + ": " + split + " images have " +
                           std::to_string(d->rows) + "x" +
                           std::to_string(d->cols) + " = " +
                           std::to_string(size) +
                           " pixels, the model's input has " +
                           std::to_string(features) + " elements per image");
    Samples s;
    s.count = d->count;
    s.features = size;
    s.x.resize(size_t(d->count) * size);
    if (Status st = normalize(*d, 0, d->count, mean, std, s.x.data());
        !st.ok())
      return st;
    s.y = std::move(d->labels);
    return s;
  }
  for (auto [suffix, type] : {std::pair<const char *, RawType>{".u8", RawType::U8},
                              {".f32", RawType::F32}}) {
    std::string images = stem + "-images" + suffix;
    if (!exists(images))
      continue;
    std::string labelsPath = stem + "-labels.u8";
    StatusOr<std::vector<uint8_t>> x = readFile(images);
    if (!x.ok())
      return x.status();
    StatusOr<std::vector<uint8_t>> y = readFile(labelsPath);
    if (!y.ok())
      return y.status();
    return parseRaw(ByteSpan(*x), type, ByteSpan(*y), features, mean, std,
                    images);
  }
  return Status::error(dir + ": no " + split + "-images-idx3-ubyte[.gz] (MNIST) or " +
                       split + "-images.u8/.f32 with " + split +
                       "-labels.u8 (raw arrays)");
}
