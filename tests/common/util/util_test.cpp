// Atomic output files, regular-input checks and time formatting.
#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "util/atomic_output.h"
#include "util/input_file.h"
#include "util/time_format.h"

namespace packetseq {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class AtomicOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    gchar* dir = g_dir_make_tmp("psq-XXXXXX", nullptr);
    ASSERT_NE(dir, nullptr);
    dir_ = dir;
    g_free(dir);
  }
  void TearDown() override {
    GDir* d = g_dir_open(dir_.c_str(), 0, nullptr);
    while (const char* n = g_dir_read_name(d)) g_unlink((dir_ + "/" + n).c_str());
    g_dir_close(d);
    g_rmdir(dir_.c_str());
  }
  int entries() {
    int n = 0;
    GDir* d = g_dir_open(dir_.c_str(), 0, nullptr);
    while (g_dir_read_name(d)) ++n;
    g_dir_close(d);
    return n;
  }
  std::string dir_;
};

TEST_F(AtomicOutput, CommitReplacesAndAbandonLeavesOldFileIntact) {
  const std::string path = dir_ + "/out.svg";
  write_file_atomically(path, "old");
  {
    AtomicOutputSet set;
    set.add(path);
    std::ofstream(set.temp_path(0)) << "half-written";
    // no commit: simulated error
  }
  EXPECT_EQ(slurp(path), "old");
  EXPECT_EQ(entries(), 1) << "temporary removed";
  {
    AtomicOutputSet set;
    set.add(path);
    std::ofstream(set.temp_path(0)) << "new";
    set.commit();
  }
  EXPECT_EQ(slurp(path), "new");
  EXPECT_EQ(entries(), 1);
}

TEST_F(AtomicOutput, UnwritableDirectoryNamesThePath) {
  try {
    write_file_atomically("/nonexistent-dir/out.png", "x");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/out.png: cannot create output file"),
              std::string::npos);
  }
}

// The message check_regular_input throws for path, or "" if it accepts the file.
std::string refusal(const std::string& path, const std::string& what = "capture file") {
  try {
    util::check_regular_input(path, what);
    return "";
  } catch (const std::runtime_error& e) {
    return e.what();
  }
}

class InputFile : public ::testing::Test {
 protected:
  void SetUp() override {
    gchar* dir = g_dir_make_tmp("psq-XXXXXX", nullptr);
    ASSERT_NE(dir, nullptr);
    dir_ = dir;
    g_free(dir);
  }
  void TearDown() override {
    GDir* d = g_dir_open(dir_.c_str(), 0, nullptr);
    while (const char* n = g_dir_read_name(d)) g_remove((dir_ + "/" + n).c_str());
    g_dir_close(d);
    g_rmdir(dir_.c_str());
  }
  std::string make_file(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string dir_;
};

TEST_F(InputFile, RegularFilesAndSymlinksToThemAreAccepted) {
  const std::string path = make_file("hosts", "10.0.0.1 a\n");
  EXPECT_EQ(refusal(path), "");
  ASSERT_EQ(symlink(path.c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(refusal(dir_ + "/link"), "");
  EXPECT_EQ(util::read_regular_input(dir_ + "/link", "names file", 100), "10.0.0.1 a\n");
  EXPECT_EQ(util::read_regular_input(make_file("empty", ""), "names file", 100), "");
}

TEST_F(InputFile, MissingFiles) {
  EXPECT_EQ(refusal(dir_ + "/nothere"), dir_ + "/nothere: no such file");
  const std::string file = make_file("f", "x");
  EXPECT_EQ(refusal(file + "/below"), file + "/below: no such file");
  EXPECT_EQ(refusal(""), ": no such file");
}

TEST_F(InputFile, NonRegularFilesAreRefusedWithoutBlocking) {
  EXPECT_EQ(refusal(dir_), dir_ + ": is a directory, not a capture file");
  const std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Opening a FIFO for reading blocks until a writer appears: returning at all is the test.
  EXPECT_EQ(refusal(fifo, "names file"), fifo + ": is a FIFO, not a names file");
  EXPECT_THROW(util::read_regular_input(fifo, "names file", 100), std::runtime_error);
  ASSERT_EQ(symlink(fifo.c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(refusal(dir_ + "/link"), dir_ + "/link: is a FIFO, not a capture file");
  EXPECT_EQ(refusal("/dev/zero", "names file"), "/dev/zero: is a device, not a names file");
  EXPECT_EQ(refusal("/dev/null"), "/dev/null: is a device, not a capture file");

  const std::string sock = dir_ + "/sock";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(refusal(sock), sock + ": is a socket, not a capture file");
  close(fd);
}

TEST_F(InputFile, ReadIsCapped) {
  const std::string path = make_file("hosts", std::string(11, '#'));
  EXPECT_EQ(util::read_regular_input(path, "names file", 11).size(), 11u);
  try {
    util::read_regular_input(path, "names file", 10);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), (path + ": names file larger than 10 bytes (the limit)").c_str());
  }
  const std::string big = make_file("big", "");
  ASSERT_EQ(truncate(big.c_str(), 2 * 1024 * 1024 + 1), 0);  // sparse
  try {
    util::read_regular_input(big, "names file", 2 * 1024 * 1024);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), (big + ": names file larger than 2 MB (the limit)").c_str());
  }
}

TEST_F(InputFile, UnreadableFileNamesTheCause) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads files without read permission";
  const std::string path = make_file("secret", "x");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  EXPECT_EQ(refusal(path), path + ": cannot read: Permission denied");
}

TEST(TimeFormat, AbsoluteRelativeAndDurations) {
  const std::int64_t t = 1472296485493525000LL;
  EXPECT_EQ(format_date_time(t), "2016-08-27 11:14:45.493525");
  EXPECT_EQ(format_time_of_day(t), "11:14:45.493525");
  EXPECT_EQ(format_relative(2614000), "+0.002614");
  EXPECT_EQ(format_relative(-1500000000), "-1.500000");
  EXPECT_EQ(format_duration(850000), "850 us");
  EXPECT_EQ(format_duration(12345678), "12.3 ms");
  EXPECT_EQ(format_duration(4250000000), "4.250 s");
  EXPECT_EQ(format_duration(7380LL * 1000000000), "2 h 03 min");
  EXPECT_EQ(format_offset(32420931000000LL), "+9 h 00 min 20.931000 s");
  EXPECT_EQ(format_offset(-350000000), "-0.350000 s");
  EXPECT_EQ(format_date_time(-1000), "1969-12-31 23:59:59.999999");
}

}  // namespace
}  // namespace packetseq
