//===- IDXTest.cpp - The training-data reader -----------------------------===//
//
// IDX parsing and its errors, gzip (made here with zlib) and its errors,
// MNIST directories, normalisation; files that are not regular files (a
// FIFO, a link to /dev/zero, a directory), multi-member gzip and a gzip
// bomb; and, where Debian's dataset-fashion-mnist is installed, the real
// Fashion-MNIST files.
//
//===----------------------------------------------------------------------===//

#include "dc/Data/IDX.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <filesystem>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace dc;
using namespace dc::data;

namespace {

std::vector<uint8_t> idx(std::vector<uint32_t> dims,
                         const std::vector<uint8_t> &data) {
  std::vector<uint8_t> out = {0, 0, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8)
      out.push_back(uint8_t(d >> s));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t> &in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::vector<uint8_t> out(deflateBound(&z, in.size()) + 64);
  z.next_in = const_cast<Bytef *>(in.data());
  z.avail_in = uInt(in.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

/// Raw deflate of `in` ending on a byte boundary with an empty stored
/// block (Z_FULL_FLUSH: no reference to anything before it), so that such
/// pieces concatenate; with `last`, a final block instead.
std::vector<uint8_t> deflatePiece(const std::vector<uint8_t> &in, bool last) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<uint8_t> out(deflateBound(&z, in.size()) + 64);
  z.next_in = const_cast<Bytef *>(in.data());
  z.avail_in = uInt(in.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&z, last ? Z_FINISH : Z_FULL_FLUSH),
            last ? Z_STREAM_END : Z_OK);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

/// A gzip member of `head` followed by `zeroMiB` MiB of zeros, built from
/// one compressed MiB repeated (about 1 KB each): a gzip bomb.
std::vector<uint8_t> gzipBomb(const std::vector<uint8_t> &head,
                              unsigned zeroMiB) {
  std::vector<uint8_t> out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
  std::vector<uint8_t> first = deflatePiece(head, false);
  out.insert(out.end(), first.begin(), first.end());
  std::vector<uint8_t> zeros(size_t(1) << 20);
  std::vector<uint8_t> block = deflatePiece(zeros, false);
  uLong crc = crc32(0, head.data(), uInt(head.size()));
  uLong zerosCrc = crc32(0, zeros.data(), uInt(zeros.size()));
  for (unsigned i = 0; i < zeroMiB; ++i) {
    out.insert(out.end(), block.begin(), block.end());
    crc = crc32_combine(crc, zerosCrc, z_off_t(zeros.size()));
  }
  std::vector<uint8_t> end = deflatePiece({}, true);
  out.insert(out.end(), end.begin(), end.end());
  uint32_t size = uint32_t(head.size() + (uint64_t(zeroMiB) << 20));
  for (uint32_t v : {uint32_t(crc), size})
    for (int s = 0; s < 32; s += 8)
      out.push_back(uint8_t(v >> s));
  return out;
}

std::string message(const std::string &what, ByteSpan bytes) {
  StatusOr<IdxArray> a = parseIdx(bytes, what);
  return a.ok() ? "ok" : a.message();
}

TEST(IDX, ParsesAndChecksEveryField) {
  std::vector<uint8_t> good = idx({2, 3}, {1, 2, 3, 4, 5, 6});
  StatusOr<IdxArray> a = parseIdx(ByteSpan(good), "a");
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ(a->dims, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(a->data[5], 6);

  EXPECT_EQ(message("f", ByteSpan(good.data(), 3)),
            "f: too short for an IDX header (3 bytes)");
  std::vector<uint8_t> bad = good;
  bad[0] = 1;
  EXPECT_EQ(message("f", ByteSpan(bad)),
            "f: not an IDX file (magic bytes 1 0, expected 0 0)");
  bad = good;
  bad[2] = 0x0d;
  EXPECT_EQ(message("f", ByteSpan(bad)),
            "f: IDX element type 13 is not unsigned bytes (8)");
  bad = good;
  bad[3] = 0;
  EXPECT_EQ(message("f", ByteSpan(bad)), "f: IDX rank 0 is not 1..4");
  EXPECT_EQ(message("f", ByteSpan(good.data(), 9)), "f: truncated IDX header");
  EXPECT_EQ(message("f", ByteSpan(good.data(), good.size() - 1)),
            "f: has 5 data bytes, its header says 6 (truncated)");
  bad = good;
  bad.push_back(0);
  EXPECT_EQ(message("f", ByteSpan(bad)),
            "f: has 7 data bytes, its header says 6");
  std::vector<uint8_t> huge = idx({65536, 65536}, {});
  EXPECT_NE(message("f", ByteSpan(huge)).find("more than"), std::string::npos);
}

TEST(IDX, InflatesGzipAndRejectsCorruptStreams) {
  std::vector<uint8_t> raw = idx({4}, {9, 8, 7, 6});
  std::vector<uint8_t> gz = gzip(raw);
  StatusOr<std::vector<uint8_t>> out = maybeInflate(ByteSpan(gz), "g");
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(*out, raw);
  // Plain data passes through.
  out = maybeInflate(ByteSpan(raw), "g");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, raw);
  // Truncated, corrupted (CRC), trailing bytes.
  std::vector<uint8_t> cut(gz.begin(), gz.end() - 6);
  EXPECT_FALSE(maybeInflate(ByteSpan(cut), "g").ok());
  std::vector<uint8_t> flipped = gz;
  flipped[flipped.size() - 6] ^= 0xff;
  EXPECT_FALSE(maybeInflate(ByteSpan(flipped), "g").ok());
  std::vector<uint8_t> trailing = gz;
  trailing.push_back(0);
  StatusOr<std::vector<uint8_t>> t = maybeInflate(ByteSpan(trailing), "g");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.message(), "g: data after the end of the gzip stream");
}

TEST(IDX, GzipMembersConcatenate) {
  // RFC 1952: a gzip file is a series of members (`cat a.gz b.gz`).
  std::vector<uint8_t> raw = idx({6}, {1, 2, 3, 4, 5, 6});
  std::vector<uint8_t> a(raw.begin(), raw.begin() + 5),
      b(raw.begin() + 5, raw.end());
  std::vector<uint8_t> two = gzip(a), second = gzip(b), empty = gzip({});
  two.insert(two.end(), empty.begin(), empty.end());
  two.insert(two.end(), second.begin(), second.end());
  StatusOr<std::vector<uint8_t>> out = maybeInflate(ByteSpan(two), "m");
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(*out, raw);
  StatusOr<IdxArray> read = readIdx(ByteSpan(two), "m");
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(read->data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));

  // What follows a member must be another one.
  std::vector<uint8_t> trailing = two;
  trailing.push_back(0x1f);
  EXPECT_EQ(maybeInflate(ByteSpan(trailing), "m").message(),
            "m: data after the end of the gzip stream");
  std::vector<uint8_t> bad = two;
  bad[bad.size() - 6] ^= 0xff; // the last member's CRC
  EXPECT_EQ(maybeInflate(ByteSpan(bad), "m").message(),
            "m: corrupt gzip data in member 3 (incorrect data check)");
  EXPECT_FALSE(readIdx(ByteSpan(bad), "m").ok());
}

TEST(IDX, ReadsOnlyWhatTheHeaderPromises) {
  // readIdx agrees with parseIdx on plain and gzip data...
  std::vector<uint8_t> good = idx({2, 3}, {1, 2, 3, 4, 5, 6});
  for (const std::vector<uint8_t> &bytes : {good, gzip(good)}) {
    StatusOr<IdxArray> a = readIdx(ByteSpan(bytes), "r");
    ASSERT_TRUE(a.ok()) << a.message();
    EXPECT_EQ(a->dims, (std::vector<uint32_t>{2, 3}));
    EXPECT_EQ(a->data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
  }
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  EXPECT_EQ(readIdx(ByteSpan(gzip(cut)), "r").message(),
            "r: has 5 data bytes, its header says 6 (truncated)");
  EXPECT_EQ(readIdx(ByteSpan(cut), "r").message(),
            "r: has 5 data bytes, its header says 6 (truncated)");
  EXPECT_EQ(readIdx(ByteSpan(good.data(), 9), "r").message(),
            "r: truncated IDX header");
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_EQ(readIdx(ByteSpan(longer), "r").message(),
            "r: has 7 data bytes, its header says 6");
  EXPECT_EQ(readIdx(ByteSpan(gzip(longer)), "r").message(),
            "r: inflates to more than the 6 data bytes its header says");

  // ...and stops a gzip bomb (3 labels, then 3 GiB of zeros in 3 MB) after
  // the header's 3 bytes, where inflating it whole would take 3 GiB.
  std::vector<uint8_t> bomb = gzipBomb(idx({3}, {1, 2, 3}), 3072);
  ASSERT_LT(bomb.size(), size_t(4) << 20);
  EXPECT_EQ(readIdx(ByteSpan(bomb), "b").message(),
            "b: inflates to more than the 3 data bytes its header says");
  // Without a header, the cap bounds it.
  EXPECT_EQ(maybeInflate(ByteSpan(bomb), "b", 1 << 20).message(),
            "b: inflates to more than 1048576 bytes");
  EXPECT_EQ(maybeInflate(ByteSpan(good), "p", 5).message(),
            "p: is larger than 5 bytes");
  // A small bomb inflates whole and is right.
  std::vector<uint8_t> small = gzipBomb(idx({3}, {1, 2, 3}), 2);
  StatusOr<std::vector<uint8_t>> inflated = maybeInflate(ByteSpan(small), "s");
  ASSERT_TRUE(inflated.ok()) << inflated.message();
  EXPECT_EQ(inflated->size(), 11u + (2u << 20));
}

class MnistDir : public ::testing::Test {
protected:
  void SetUp() override {
    dir = (std::filesystem::temp_directory_path() /
           ("dc-idx-" + std::to_string(::getpid())))
              .string();
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  void write(const std::string &name, const std::vector<uint8_t> &bytes) {
    FILE *f = std::fopen((dir + "/" + name).c_str(), "wb");
    ASSERT_TRUE(f);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  std::string dir;
};

TEST_F(MnistDir, LoadsPlainAndGzipAndChecksCounts) {
  std::vector<uint8_t> pixels(3 * 2 * 2);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = uint8_t(i * 20);
  write("train-images-idx3-ubyte", idx({3, 2, 2}, pixels));
  write("train-labels-idx1-ubyte.gz", gzip(idx({3}, {7, 0, 9})));
  StatusOr<Dataset> d = loadMnist(dir, "train");
  ASSERT_TRUE(d.ok()) << d.message();
  EXPECT_EQ(d->count, 3u);
  EXPECT_EQ(d->rows, 2u);
  EXPECT_EQ(d->labels[2], 9);
  std::vector<float> x(8);
  ASSERT_TRUE(normalize(*d, 1, 2, 0.5, 0.25, x.data()).ok());
  EXPECT_FLOAT_EQ(x[0], float((80 / 255.0 - 0.5) / 0.25));
  EXPECT_FALSE(normalize(*d, 0, 1, 0.5, 0.0, x.data()).ok());
  EXPECT_FALSE(normalize(*d, 2, 2, 0.5, 1.0, x.data()).ok());

  write("t10k-images-idx3-ubyte", idx({3, 2, 2}, pixels));
  write("t10k-labels-idx1-ubyte", idx({2}, {1, 2}));
  StatusOr<Dataset> bad = loadMnist(dir, "t10k");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("has 3 images but"), std::string::npos);
  StatusOr<Dataset> none = loadMnist(dir + "/missing", "train");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.message().find("no train-images-idx3-ubyte[.gz]"),
            std::string::npos);
}

TEST_F(MnistDir, MultiMemberGzipAndGzipBombs) {
  std::vector<uint8_t> images = idx({3, 1, 2}, {1, 2, 3, 4, 5, 6});
  std::vector<uint8_t> labels = idx({3}, {7, 8, 9});
  std::vector<uint8_t> two = gzip(std::vector<uint8_t>(images.begin(),
                                                       images.begin() + 7)),
                       rest = gzip(std::vector<uint8_t>(images.begin() + 7,
                                                        images.end()));
  two.insert(two.end(), rest.begin(), rest.end());
  write("train-images-idx3-ubyte.gz", two);
  write("train-labels-idx1-ubyte.gz", gzip(labels));
  StatusOr<Dataset> d = loadMnist(dir, "train");
  ASSERT_TRUE(d.ok()) << d.message();
  EXPECT_EQ(d->pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));

  // 3 labels, then 3 GiB of zeros: refused after the labels.
  write("train-labels-idx1-ubyte.gz", gzipBomb(labels, 3072));
  d = loadMnist(dir, "train");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.message(), dir + "/train-labels-idx1-ubyte.gz: inflates to "
                               "more than the 3 data bytes its header says");
}

TEST_F(MnistDir, RefusesFilesThatAreNotRegularFiles) {
  write("train-images-idx3-ubyte", idx({1, 1, 1}, {5}));
  std::string labels = dir + "/train-labels-idx1-ubyte";
  auto error = [&] {
    StatusOr<Dataset> d = loadMnist(dir, "train");
    return d.ok() ? std::string("ok") : d.message();
  };
  // A FIFO is never opened (that would wait for a writer, then read
  // whatever it sends, without end).
  ASSERT_EQ(::mkfifo(labels.c_str(), 0600), 0);
  EXPECT_EQ(error(), labels + ": is a FIFO (named pipe), not a regular file");
  std::filesystem::remove(labels);
  // A link to a device that never ends.
  std::filesystem::create_symlink("/dev/zero", labels);
  EXPECT_EQ(error(), labels + ": is a character device, not a regular file "
                              "(a link to /dev/zero)");
  std::filesystem::remove(labels);
  // A directory: said so, not "read error".
  std::filesystem::create_directory(labels);
  EXPECT_EQ(error(), labels + ": is a directory, not a regular file");
  std::filesystem::remove(labels);
  // A dangling link: named, with the reason.
  std::filesystem::create_symlink(dir + "/nowhere", labels);
  EXPECT_EQ(error(), labels + ": cannot open: No such file or directory");
  std::filesystem::remove(labels);

  // The raw arrays' reader too.
  write("t10k-images.u8", {1, 2});
  std::string raw = dir + "/t10k-labels.u8";
  ASSERT_EQ(::mkfifo(raw.c_str(), 0600), 0);
  StatusOr<Samples> s = loadSplit(dir, "t10k", 1, 0, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), raw + ": is a FIFO (named pipe), not a regular file");
  std::filesystem::remove(raw);
  std::filesystem::create_symlink("/dev/zero", raw);
  s = loadSplit(dir, "t10k", 1, 0, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), raw + ": is a character device, not a regular file "
                               "(a link to /dev/zero)");
}

TEST(Raw, ParsesU8AndF32AndChecksSizes) {
  std::vector<uint8_t> u8 = {0, 255, 51, 102, 204, 0};
  std::vector<uint8_t> labels = {3, 1, 2};
  StatusOr<Samples> s =
      parseRaw(ByteSpan(u8), RawType::U8, ByteSpan(labels), 2, 0.2, 0.5, "r");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(s->count, 3u);
  EXPECT_EQ(s->features, 2u);
  EXPECT_FLOAT_EQ(s->x[1], float((1.0 - 0.2) / 0.5));
  EXPECT_FLOAT_EQ(s->x[2], float((0.2 - 0.2) / 0.5));
  EXPECT_EQ(s->y[0], 3);
  Samples tail = s->slice(1, 2);
  EXPECT_EQ(tail.count, 2u);
  EXPECT_FLOAT_EQ(tail.x[0], s->x[2]);
  EXPECT_EQ(tail.y[1], 2);

  // f32 elements are taken as they are, then normalised.
  float values[4] = {0.5f, -1.0f, 2.0f, 0.0f};
  std::vector<uint8_t> f32(reinterpret_cast<uint8_t *>(values),
                           reinterpret_cast<uint8_t *>(values) + 16);
  std::vector<uint8_t> two = {0, 1};
  StatusOr<Samples> f =
      parseRaw(ByteSpan(f32), RawType::F32, ByteSpan(two), 2, 0.0, 2.0, "f");
  ASSERT_TRUE(f.ok()) << f.message();
  EXPECT_FLOAT_EQ(f->x[1], -0.5f);

  auto error = [](StatusOr<Samples> r) { return r.ok() ? "" : r.message(); };
  EXPECT_EQ(error(parseRaw(ByteSpan(u8), RawType::U8, ByteSpan(labels), 4, 0,
                           1, "r")),
            "r: 6 bytes are not a whole number of images of 4 elements");
  EXPECT_EQ(error(parseRaw(ByteSpan(u8), RawType::U8, ByteSpan(two), 2, 0, 1,
                           "r")),
            "r: 3 images but 2 labels");
  EXPECT_EQ(error(parseRaw(ByteSpan(u8), RawType::U8, ByteSpan(labels), 0, 0,
                           1, "r")),
            "r: raw images need a number of elements per image");
  EXPECT_NE(error(parseRaw(ByteSpan(u8), RawType::U8, ByteSpan(labels), 2, 0,
                           0, "r"))
                .find("std must be positive"),
            std::string::npos);
  values[1] = std::numeric_limits<float>::quiet_NaN();
  std::vector<uint8_t> nan(reinterpret_cast<uint8_t *>(values),
                           reinterpret_cast<uint8_t *>(values) + 16);
  EXPECT_EQ(error(parseRaw(ByteSpan(nan), RawType::F32, ByteSpan(two), 2, 0,
                           1, "f")),
            "f: element 1 is not finite");
  values[1] = 3e38f;
  std::vector<uint8_t> big(reinterpret_cast<uint8_t *>(values),
                           reinterpret_cast<uint8_t *>(values) + 16);
  EXPECT_EQ(error(parseRaw(ByteSpan(big), RawType::F32, ByteSpan(two), 2, 0,
                           0.01, "f")),
            "f: element 1 overflows float after normalisation");
}

TEST_F(MnistDir, LoadSplitPrefersIdxThenRawAndChecksTheImageSize) {
  write("train-images.u8", {10, 20, 30, 40, 50, 60});
  write("train-labels.u8", {0, 1, 2});
  StatusOr<Samples> raw = loadSplit(dir, "train", 2, 0, 1);
  ASSERT_TRUE(raw.ok()) << raw.message();
  EXPECT_EQ(raw->count, 3u);
  EXPECT_FLOAT_EQ(raw->x[5], float(60 / 255.0));
  StatusOr<Samples> noSize = loadSplit(dir, "train", 0, 0, 1);
  EXPECT_FALSE(noSize.ok());

  write("train-images-idx3-ubyte", idx({2, 1, 3}, {1, 2, 3, 4, 5, 6}));
  write("train-labels-idx1-ubyte", idx({2}, {4, 5}));
  StatusOr<Samples> fromIdx = loadSplit(dir, "train", 0, 0, 1);
  ASSERT_TRUE(fromIdx.ok()) << fromIdx.message();
  EXPECT_EQ(fromIdx->count, 2u);
  EXPECT_EQ(fromIdx->features, 3u);
  StatusOr<Samples> wrong = loadSplit(dir, "train", 2, 0, 1);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.message().find("train images have 1x3 = 3 pixels, the "
                                 "model's input has 2 elements per image"),
            std::string::npos);
  StatusOr<Samples> none = loadSplit(dir, "t10k", 2, 0, 1);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.message().find("no t10k-images-idx3-ubyte[.gz] (MNIST) or "
                                "t10k-images.u8/.f32"),
            std::string::npos);
}

TEST(FashionMnist, TheRealFilesLoad) {
  const char *dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(std::string(dir) + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  StatusOr<Dataset> test = loadMnist(dir, "t10k");
  ASSERT_TRUE(test.ok()) << test.message();
  EXPECT_EQ(test->count, 10000u);
  EXPECT_EQ(test->rows, 28u);
  EXPECT_EQ(test->cols, 28u);
  std::vector<size_t> perClass(10);
  for (uint8_t l : test->labels) {
    ASSERT_LT(l, 10);
    ++perClass[l];
  }
  // Fashion-MNIST's test set is balanced: 1,000 images per class.
  for (size_t c : perClass)
    EXPECT_EQ(c, 1000u);
}

} // namespace
