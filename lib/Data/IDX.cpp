//===- IDX.cpp - Training data: IDX files (MNIST), gzip, normalisation ----===//

#include "dc/Data/IDX.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <zlib.h>

using namespace dc::data;

namespace {

Status fail(const std::string &name, const std::string &what) {
  return Status::error(name + ": " + what);
}

uint32_t readBE32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

} // namespace

StatusOr<std::vector<uint8_t>> dc::data::maybeInflate(ByteSpan data,
                                                      const std::string &name) {
  if (data.size < 2 || data.data[0] != 0x1f || data.data[1] != 0x8b)
    return std::vector<uint8_t>(data.data, data.data + data.size);
  z_stream z{};
  // 15 + 16: a gzip header and trailer (checked: CRC and length).
  if (inflateInit2(&z, 15 + 16) != Z_OK)
    return fail(name, "zlib cannot start inflating");
  std::vector<uint8_t> out;
  z.next_in = const_cast<Bytef *>(data.data);
  z.avail_in = uInt(data.size);
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() >= kMaxInflatedBytes) {
      inflateEnd(&z);
      return fail(name, "inflates to more than " +
                            std::to_string(kMaxInflatedBytes) + " bytes");
    }
    size_t at = out.size();
    out.resize(at + (size_t(1) << 20));
    z.next_out = out.data() + at;
    z.avail_out = uInt(out.size() - at);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
    if (rc == Z_STREAM_END)
      break;
    if (rc != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
      std::string why = z.msg ? z.msg : "truncated";
      inflateEnd(&z);
      return fail(name, "corrupt gzip data (" + why + ")");
    }
  }
  bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (trailing)
    return fail(name, "data after the end of the gzip stream");
  return out;
}

StatusOr<std::vector<uint8_t>> dc::data::readFile(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return fail(path, "cannot open: " + std::string(std::strerror(errno)));
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
    bytes.insert(bytes.end(), buffer, buffer + n);
  bool error = std::ferror(f);
  std::fclose(f);
  if (error)
    return fail(path, "read error");
  return maybeInflate(ByteSpan(bytes), path);
}

StatusOr<IdxArray> dc::data::parseIdx(ByteSpan bytes, const std::string &name) {
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
  if (bytes.size < 4 + 4 * size_t(rank))
    return fail(name, "truncated IDX header");
  IdxArray a;
  uint64_t total = 1;
  for (unsigned d = 0; d < rank; ++d) {
    uint32_t dim = readBE32(p + 4 + 4 * d);
    a.dims.push_back(dim);
    total *= dim;
    if (total > kMaxInflatedBytes)
      return fail(name, "IDX dimensions describe more than " +
                            std::to_string(kMaxInflatedBytes) + " bytes");
  }
  size_t header = 4 + 4 * size_t(rank);
  if (bytes.size - header != total)
    return fail(name, "has " + std::to_string(bytes.size - header) +
                          " data bytes, its header says " +
                          std::to_string(total) +
                          (bytes.size - header < total ? " (truncated)" : ""));
  a.data.assign(p + header, p + bytes.size);
  return a;
}

StatusOr<Dataset> dc::data::loadMnist(const std::string &dir,
                                      const std::string &split) {
  auto find = [&](const std::string &stem) -> std::string {
    for (const char *suffix : {"", ".gz"}) {
      std::string path = dir + "/" + stem + suffix;
      if (FILE *f = std::fopen(path.c_str(), "rb")) {
        std::fclose(f);
        return path;
      }
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
    StatusOr<std::vector<uint8_t>> bytes = readFile(path);
    if (!bytes.ok())
      return bytes.status();
    StatusOr<IdxArray> a = parseIdx(ByteSpan(*bytes), path);
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

static bool exists(const std::string &path) {
  if (FILE *f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return true;
  }
  return false;
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
