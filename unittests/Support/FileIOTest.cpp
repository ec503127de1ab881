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
#include <sys/file.h>
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

TEST_F(FileIOTest, FileSetRefusesCollisionsByIdentity) {
  write(path("in.mlir"), "module {}");
  ASSERT_EQ(::symlink(path("in.mlir").c_str(), path("alias.mlir").c_str()), 0);
  ASSERT_EQ(::link(path("in.mlir").c_str(), path("hard.mlir").c_str()), 0);
  // An output over the input, by every spelling.
  for (std::string spelling : {path("in.mlir"), path("alias.mlir"),
                               path("hard.mlir"), std::string(dir) + "/./in.mlir"}) {
    dc::FileSet files;
    files.input("the input", path("in.mlir"));
    files.output("-o", spelling);
    Error e = files.check();
    ASSERT_TRUE(bool(e)) << spelling;
    EXPECT_NE(message(std::move(e)).find("are the same file (the output "
                                         "would overwrite an input)"),
              std::string::npos);
  }
  // Two outputs that do not exist yet, spelled differently.
  {
    dc::FileSet files;
    files.output("-o", path("new.so"));
    files.output("--header", std::string(dir) + "/sub/../new.so");
    ASSERT_EQ(::mkdir(path("sub").c_str(), 0755), 0);
    Error e = files.check();
    ASSERT_TRUE(bool(e));
    EXPECT_EQ(message(std::move(e)),
              "-o '" + path("new.so") + "' and --header '" + std::string(dir) +
                  "/sub/../new.so' are the same file (two outputs would "
                  "overwrite each other); nothing was written");
  }
  // Different files, an allowed pair, inputs read twice, empty options,
  // character devices: all fine.
  {
    dc::FileSet files;
    files.input("the input", path("in.mlir"));
    files.input("--teacher", path("alias.mlir"));
    files.output("-o", path("out.mlir"));
    files.output("--log", "");
    files.output("--predictions", "/dev/null");
    files.output("--report", "/dev/null");
    files.output("--checkpoint", path("run.ckpt"));
    files.input("--resume", path("run.ckpt"));
    files.allow("--checkpoint", "--resume");
    EXPECT_FALSE(bool(files.check()));
    EXPECT_TRUE(bool(files.checkOutput("report=", path("out.mlir"))));
    consumeError(files.checkOutput("report=", path("out.mlir")));
    EXPECT_FALSE(bool(files.checkOutput("report=", path("report.txt"))));
  }
}

TEST_F(FileIOTest, DescriptorsAreNamedNotReopened) {
  EXPECT_EQ(dc::namedDescriptor("-"), 1);
  EXPECT_EQ(dc::namedDescriptor("/dev/stdout"), 1);
  EXPECT_EQ(dc::namedDescriptor("/dev/stderr"), 2);
  EXPECT_EQ(dc::namedDescriptor("/dev/fd/7"), 7);
  EXPECT_EQ(dc::namedDescriptor("/proc/self/fd/12"), 12);
  EXPECT_EQ(dc::namedDescriptor("/proc/" + std::to_string(::getpid()) +
                                "/fd/3"),
            3);
  EXPECT_EQ(dc::namedDescriptor("/dev/fd/x"), std::nullopt);
  EXPECT_EQ(dc::namedDescriptor("/dev/shm/model.mlir"), std::nullopt);
  EXPECT_EQ(dc::namedDescriptor(path("plain")), std::nullopt);
  ASSERT_EQ(::symlink("/dev/stderr", path("err").c_str()), 0);
  EXPECT_EQ(dc::namedDescriptor(path("err")), 2);

  // Written through the descriptor: appended to an O_APPEND file.
  write(path("log"), "first\n");
  int fd = ::open(path("log").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  {
    auto out = dc::OutputFile::create("/dev/fd/" + std::to_string(fd));
    ASSERT_TRUE(bool(out)) << message(out.takeError());
    EXPECT_EQ(out->kind(), dc::OutputFile::Kind::Descriptor);
    out->os() << "second\n";
    ASSERT_FALSE(bool(out->commit()));
  }
  ::close(fd);
  EXPECT_EQ(read(path("log")), "first\nsecond\n");
  // A closed descriptor is an error.
  auto closed = dc::OutputFile::create("/dev/fd/" + std::to_string(fd));
  ASSERT_FALSE(bool(closed));
  EXPECT_NE(message(closed.takeError()).find("is not open"), std::string::npos);
}

TEST_F(FileIOTest, OutputLockSerialisesCommits) {
  auto first = dc::OutputLock::acquire(path("libm.so"));
  ASSERT_TRUE(bool(first));
  // Another descriptor of the folder cannot take the lock meanwhile.
  int fd = ::open(std::string(dir).c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0);
  { dc::OutputLock released = std::move(*first); }
  EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
  EXPECT_TRUE(bool(dc::OutputLock::acquire("-")));
}

} // namespace
