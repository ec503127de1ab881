//===- IDX.h - Training data: IDX files (MNIST), gzip, normalisation -*- C++
//-*-===//
//
// MLIR-free. The data reader of dc-train (docs/Training.md, "Data"): IDX
// files as MNIST and Fashion-MNIST ship them (big-endian header, u8
// elements), plain or gzip-compressed (detected by content, inflated with
// zlib; several gzip members are one stream, as RFC 1952 and gzip say),
// checked before use: magic, element type, dimensions, exact size,
// image/label counts. Files are read only when they are regular files (a
// FIFO, device or directory is refused by name), and never further than
// their header promises: an IDX file's data, plain or inflated, is read
// after its header and only as far as its dimensions say, so a file that
// never ends (a link to /dev/zero) or inflates without end (a gzip bomb)
// fails with a message instead of exhausting memory. Every failure is a
// Status naming the file and what is wrong; nothing is ever read past the
// data.
//
//===----------------------------------------------------------------------===//

#ifndef DC_DATA_IDX_H
#define DC_DATA_IDX_H

#include "dc/Base/ByteSpan.h"
#include "dc/Base/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dc::data {

/// Data (a file's bytes, or their inflation) larger than this is refused,
/// in bytes: the cap of every read, whatever a header says.
inline constexpr uint64_t kMaxInflatedBytes = uint64_t(1) << 31;

/// The bytes of `data`, inflated when they are gzip (magic 1f 8b; one or
/// more members, concatenated); `name` names the data in messages. More
/// than `limit` bytes (plain or inflated) are refused without inflating
/// further.
StatusOr<std::vector<uint8_t>> maybeInflate(ByteSpan data,
                                            const std::string &name,
                                            uint64_t limit = kMaxInflatedBytes);

/// Reads the regular file at `path` whole, inflating gzip, up to `limit`
/// bytes (plain or inflated; more is refused). A FIFO, device, socket or
/// directory is refused without reading it.
StatusOr<std::vector<uint8_t>> readFile(const std::string &path,
                                        uint64_t limit = kMaxInflatedBytes);

/// An IDX array of unsigned bytes (element type 0x08), row-major.
struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

/// Parses IDX bytes: magic 0x00 0x00 0x08 <rank 1..4>, big-endian u32
/// dimensions, then exactly their product of bytes.
StatusOr<IdxArray> parseIdx(ByteSpan bytes, const std::string &name);

/// As parseIdx on maybeInflate(bytes), but inflating the header first and
/// then only the data bytes it promises (and one more, to refuse a longer
/// stream): a gzip bomb fails after its header's size, not at
/// kMaxInflatedBytes.
StatusOr<IdxArray> readIdx(ByteSpan bytes, const std::string &name);

/// The IDX file at `path` (a regular file, plain or gzip) as readIdx reads
/// it: the header first, then exactly the data it promises.
StatusOr<IdxArray> readIdxFile(const std::string &path);

/// A labelled image set: `count` images of rows x cols u8 pixels.
struct Dataset {
  uint32_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels; ///< count * rows * cols
  std::vector<uint8_t> labels; ///< count
};

/// Loads `<dir>/<split>-images-idx3-ubyte[.gz]` and
/// `<dir>/<split>-labels-idx1-ubyte[.gz]` (split: "train" or "t10k"), as
/// MNIST names them; the counts must agree.
StatusOr<Dataset> loadMnist(const std::string &dir, const std::string &split);

/// Pixels scaled to [0, 1], then (x - mean) / std (std must be positive and
/// finite), for images [first, first + count).
Status normalize(const Dataset &data, uint32_t first, uint32_t count,
                 double mean, double std, float *out);

/// Normalised images and their labels, as dc-train feeds them.
struct Samples {
  uint32_t count = 0;
  size_t features = 0;    ///< elements per image
  std::vector<float> x;   ///< count * features
  std::vector<uint8_t> y; ///< count

  /// Images [first, first + n) as a new set.
  Samples slice(uint32_t first, uint32_t n) const;
};

/// Element types of raw (headerless) image arrays.
enum class RawType { U8, F32 };

/// Parses raw arrays: `images` holds little-endian elements (u8, scaled to
/// [0, 1], or f32 taken as they are), `features` per image, then
/// (x - mean) / std; `labels` one byte per image. Sizes must match exactly
/// and every value be finite (before and after normalisation).
StatusOr<Samples> parseRaw(ByteSpan images, RawType type, ByteSpan labels,
                           size_t features, double mean, double std,
                           const std::string &name);

/// A split of `dir` ("train" or "t10k"): the MNIST IDX files if present,
/// else raw arrays `<split>-images.u8` or `<split>-images.f32` with
/// `<split>-labels.u8` (`features` per image, required for raw data; for
/// IDX, 0 or rows * cols). Normalised with (x - mean) / std.
StatusOr<Samples> loadSplit(const std::string &dir, const std::string &split,
                            size_t features, double mean, double std);

} // namespace dc::data

#endif // DC_DATA_IDX_H
