//===- FileIOTest.cpp - dc::OutputFile and dc::readInputFile --------------===//
//
// The output rules of include/dc/Support/FileIO.h on real files in a fresh
// temporary folder: regular, absent, symbolic link (also dangling and
// looping), FIFO, directory; commit, discard, flush errors; and the input
// errors with their reasons.
//
//===----------------------------------------------------------------------===//

#include "dc/Support/FileIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace llvm;

namespace {

class FileIOTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("dc-fileio", dir));
  }
  void TearDown() override { sys::fs::remove_directories(dir); }

  std::string path(StringRef name) {
    SmallString<256> p(dir);
    sys::path::append(p, name);
    return std::string(p);
  }
  static std::string read(const std::string &p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void write(const std::string &p, const std::string &text) {
    std::ofstream(p) << text;
  }
  /// The names in the folder, sorted.
  std::vector<std::string> entries() {
    std::vector<std::string> names;
    std::error_code ec;
    for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      names.push_back(sys::path::filename(it->path()).str());
    llvm::sort(names);
    return names;
  }
  static std::string message(Error e) { return toString(std::move(e)); }

  SmallString<256> dir;
};

TEST_F(FileIOTest, NewFileAppearsOnlyOnCommit) {
  std::string p = path("out.txt");
  Expected<dc::OutputFile> out = dc::OutputFile::create(p);
  ASSERT_TRUE(bool(out)) << message(out.takeError());
  EXPECT_EQ(out->kind(), dc::OutputFile::Kind::Replace);
  out->os() << "hello";
  ASSERT_FALSE(bool(out->flush()));
  EXPECT_FALSE(sys::fs::exists(p));
  ASSERT_EQ(entries().size(), 1u); // the temporary, in the same folder
  EXPECT_TRUE(StringRef(entries()[0]).starts_with(".out.txt.tmp-"));
  ASSERT_FALSE(bool(out->commit()));
  EXPECT_EQ(read(p), "hello");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.txt"});
}

TEST_F(FileIOTest, DiscardAndDestructionLeaveNothing) {
  std::string p = path("out.txt");
  {
    Expected<dc::OutputFile> out = dc::OutputFile::create(p);
    ASSERT_TRUE(bool(out));
    out->os() << "partial";
  }
  EXPECT_TRUE(entries().empty());
  write(p, "previous");
  {
    Expected<dc::OutputFile> out = dc::OutputFile::create(p);
    ASSERT_TRUE(bool(out));
    out->os() << "new";
    out->discard();
  }
  EXPECT_EQ(read(p), "previous");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.txt"});
}

TEST_F(FileIOTest, ReplacingKeepsPermissionBits) {
  std::string p = path("secret.txt");
  write(p, "old");
  ASSERT_EQ(::chmod(p.c_str(), 0600), 0);
  Expected<dc::OutputFile> out = dc::OutputFile::create(p, 0777);
  ASSERT_TRUE(bool(out));
  out->os() << "new";
  ASSERT_FALSE(bool(out->commit()));
  struct stat st;
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read(p), "new");
}

TEST_F(FileIOTest, SymlinksAreFollowed) {
  std::string target = path("target.txt"), link = path("link.txt");
  ASSERT_EQ(::symlink("target.txt", link.c_str()), 0); // dangling, relative
  for (const char *text : {"first", "second"}) {
    Expected<dc::OutputFile> out = dc::OutputFile::create(link);
    ASSERT_TRUE(bool(out)) << message(out.takeError());
    EXPECT_EQ(out->destination(), target);
    out->os() << text;
    ASSERT_FALSE(bool(out->commit()));
    struct stat st;
    ASSERT_EQ(::lstat(link.c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(read(target), text);
  }
  // A chain of links, and a loop.
  std::string chain = path("chain.txt");
  ASSERT_EQ(::symlink(link.c_str(), chain.c_str()), 0);
  EXPECT_TRUE(dc::sameOutput(chain, target));
  std::string a = path("a"), b = path("b");
  ASSERT_EQ(::symlink("b", a.c_str()), 0);
  ASSERT_EQ(::symlink("a", b.c_str()), 0);
  Expected<dc::OutputFile> loop = dc::OutputFile::create(a);
  ASSERT_FALSE(bool(loop));
  EXPECT_NE(message(loop.takeError()).find("symbolic links"),
            std::string::npos);
}

TEST_F(FileIOTest, DirectoriesAndMissingFoldersAreErrors) {
  Expected<dc::OutputFile> out = dc::OutputFile::create(std::string(dir));
  ASSERT_FALSE(bool(out));
  EXPECT_EQ(message(out.takeError()),
            "cannot write '" + std::string(dir) + "': Is a directory");
  std::string missing = path("no/such/file");
  out = dc::OutputFile::create(missing);
  ASSERT_FALSE(bool(out));
  EXPECT_EQ(message(out.takeError()),
            "cannot write '" + missing + "': No such file or directory");
  EXPECT_TRUE(entries().empty());
}

TEST_F(FileIOTest, FifosAreStreamedInto) {
  std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read(fifo); });
  {
    Expected<dc::OutputFile> out = dc::OutputFile::create(fifo);
    ASSERT_TRUE(bool(out)) << message(out.takeError());
    EXPECT_EQ(out->kind(), dc::OutputFile::Kind::Stream);
    out->os() << "through the pipe";
    ASSERT_FALSE(bool(out->commit()));
  }
  reader.join();
  EXPECT_EQ(got, "through the pipe");
  struct stat st;
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(entries(), std::vector<std::string>{"fifo"});
}

TEST_F(FileIOTest, CharacterDevicesAreStreamedInto) {
  Expected<dc::OutputFile> out = dc::OutputFile::create("/dev/full");
  ASSERT_TRUE(bool(out)) << message(out.takeError());
  EXPECT_EQ(out->kind(), dc::OutputFile::Kind::Stream);
  out->os() << std::string(1 << 16, 'x');
  Error e = out->commit();
  ASSERT_TRUE(bool(e));
  EXPECT_EQ(message(std::move(e)),
            "cannot write '/dev/full': No space left on device");
}

TEST_F(FileIOTest, UniqueTemporariesDoNotCollide) {
  std::string p = path("shared.txt");
  write(p + ".tmp", "someone else's");
  Expected<dc::OutputFile> a = dc::OutputFile::create(p);
  Expected<dc::OutputFile> b = dc::OutputFile::create(p);
  ASSERT_TRUE(a && b);
  a->os() << "a";
  b->os() << "b";
  ASSERT_FALSE(bool(b->commit()));
  ASSERT_FALSE(bool(a->commit()));
  EXPECT_EQ(read(p), "a");
  EXPECT_EQ(read(p + ".tmp"), "someone else's");
  EXPECT_EQ(entries(),
            (std::vector<std::string>{"shared.txt", "shared.txt.tmp"}));
}

TEST_F(FileIOTest, SameOutput) {
  std::string p = path("x.so"), q = path("y.h");
  EXPECT_TRUE(dc::sameOutput(p, p));
  EXPECT_FALSE(dc::sameOutput(p, q));
  SmallString<256> dotted(dir);
  sys::path::append(dotted, ".", "x.so");
  write(p, "");
  EXPECT_TRUE(dc::sameOutput(std::string(dotted), p));
  ASSERT_EQ(::link(p.c_str(), q.c_str()), 0); // a hard link
  EXPECT_TRUE(dc::sameOutput(p, q));
}

TEST_F(FileIOTest, InputErrorsGiveTheReason) {
  auto in = dc::readInputFile(path("missing.mlir"));
  ASSERT_FALSE(bool(in));
  EXPECT_EQ(message(in.takeError()), "cannot open input file '" +
                                         path("missing.mlir") +
                                         "': No such file or directory");
  in = dc::readInputFile(std::string(dir));
  ASSERT_FALSE(bool(in));
  EXPECT_EQ(message(in.takeError()), "cannot open input file '" +
                                         std::string(dir) +
                                         "': Is a directory");
  write(path("ok.mlir"), "module {}");
  in = dc::readInputFile(path("ok.mlir"));
  ASSERT_TRUE(bool(in));
  EXPECT_EQ((*in)->getBuffer(), "module {}");
}

} // namespace
