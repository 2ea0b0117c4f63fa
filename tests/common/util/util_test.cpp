// Atomic output files, regular-input checks and time formatting.
#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <limits>

#include "util/atomic_output.h"
#include "util/input_file.h"
#include "util/time_format.h"

namespace packetseq {
namespace {

void put_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

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

// Both kinds of temporary: unnamed (O_TMPFILE, the default where supported) and named.
class AtomicOutputModes : public AtomicOutput, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    AtomicOutput::SetUp();
    AtomicOutputSet::set_unnamed_temps(GetParam());
  }
  void TearDown() override {
    AtomicOutputSet::set_unnamed_temps(true);
    AtomicOutput::TearDown();
  }
  static void put(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
};

TEST_P(AtomicOutputModes, TempsAreHiddenUntilCommitAndNamedOnesAreListed) {
  const std::size_t listed_before = registered_temp_count();
  {
    AtomicOutputSet set;
    set.add(dir_ + "/a.svg");
    set.add(dir_ + "/b.json");
    EXPECT_EQ(set.unnamed(0), GetParam());
    put(set.temp_path(0), "A");
    put(set.temp_path(1), "B");
    // Unnamed temps have no directory entry at all; named ones are listed for the handler.
    EXPECT_EQ(entries(), GetParam() ? 0 : 2);
    EXPECT_EQ(registered_temp_count(), listed_before + (GetParam() ? 0 : 2));
    set.commit();
  }
  EXPECT_EQ(slurp(dir_ + "/a.svg"), "A");
  EXPECT_EQ(slurp(dir_ + "/b.json"), "B");
  EXPECT_EQ(entries(), 2) << "no temporary left";
  EXPECT_EQ(registered_temp_count(), listed_before);
}

TEST_P(AtomicOutputModes, DirectoryTargetRefusedBeforeAnythingMoves) {
  put(dir_ + "/out.svg", "old svg");
  ASSERT_EQ(g_mkdir((dir_ + "/out.json").c_str(), 0755), 0);
  {
    AtomicOutputSet set;
    put(set.temp_path(set.add(dir_ + "/out.svg")), "new svg");
    put(set.temp_path(set.add(dir_ + "/out.json")), "new json");
    try {
      set.commit();
      FAIL() << "commit onto a directory succeeded";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), dir_ + "/out.json: is a directory");
    }
  }
  EXPECT_EQ(slurp(dir_ + "/out.svg"), "old svg");
  EXPECT_EQ(entries(), 2) << "only out.svg and the directory";
  g_rmdir((dir_ + "/out.json").c_str());
}

TEST_P(AtomicOutputModes, SpecialFileTargetRefused) {
  // rename() over a FIFO (or a device node) would replace the node itself.
  ASSERT_EQ(mkfifo((dir_ + "/out.svg").c_str(), 0644), 0);
  {
    AtomicOutputSet set;
    put(set.temp_path(set.add(dir_ + "/out.svg")), "new svg");
    try {
      set.commit();
      FAIL() << "commit onto a FIFO succeeded";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()),
                dir_ + "/out.svg: is not a regular file (device, FIFO or socket)");
    }
  }
  EXPECT_EQ(entries(), 1) << "only the FIFO";
}

TEST_F(AtomicOutput, FailedRenameRollsBackTheFilesAlreadyMoved) {
  // A rename that fails after others succeeded (here: the second temp vanished) must put the
  // first target's old content back and remove a target that did not exist before.
  AtomicOutputSet::set_unnamed_temps(false);
  put_file(dir_ + "/a.svg", "old a");
  {
    AtomicOutputSet set;
    put_file(set.temp_path(set.add(dir_ + "/a.svg")), "new a");
    put_file(set.temp_path(set.add(dir_ + "/new.png")), "new png");
    put_file(set.temp_path(set.add(dir_ + "/b.json")), "new b");
    ASSERT_EQ(g_unlink(set.temp_path(2).c_str()), 0);
    try {
      set.commit();
      FAIL() << "commit succeeded";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(dir_ + "/b.json: cannot write output file"),
                std::string::npos)
          << e.what();
    }
  }
  AtomicOutputSet::set_unnamed_temps(true);
  EXPECT_EQ(slurp(dir_ + "/a.svg"), "old a");
  EXPECT_FALSE(g_file_test((dir_ + "/new.png").c_str(), G_FILE_TEST_EXISTS));
  EXPECT_EQ(entries(), 1) << "no temporary or backup left";
}

TEST_P(AtomicOutputModes, ErrorMessagesNameTheUserPath) {
  AtomicOutputSet set;
  set.add(dir_ + "/p.png");
  set.add(dir_ + "/q.png");
  const std::string t0 = set.temp_path(0);
  const std::string t1 = set.temp_path(1);
  EXPECT_EQ(set.user_message(t1 + ": write failed: No space left on device"),
            dir_ + "/q.png: write failed: No space left on device");
  EXPECT_EQ(set.user_message("cannot open " + t0 + " or " + t1),
            "cannot open " + dir_ + "/p.png or " + dir_ + "/q.png");
  EXPECT_EQ(set.user_message("nothing to replace"), "nothing to replace");
}

TEST(AtomicOutputMessage, FdPathIsNotAPrefixMatch) {
  // Unnamed temps are "/proc/self/fd/N": fd 1's path must not replace the start of fd 12's.
  AtomicOutputSet set;
  EXPECT_EQ(set.user_message("/proc/self/fd/12: x"), "/proc/self/fd/12: x");
}

INSTANTIATE_TEST_SUITE_P(UnnamedAndNamed, AtomicOutputModes, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "Unnamed" : "Named");
                         });

TEST(CleanupList, RegisterUnregisterAndCapacity) {
  const std::size_t before = registered_temp_count();
  std::vector<int> slots;
  for (std::size_t i = before; i < kMaxCleanupTemps; ++i) {
    slots.push_back(register_temp_for_cleanup("/nonexistent/x" + std::to_string(i)));
    ASSERT_GE(slots.back(), 0);
  }
  EXPECT_EQ(registered_temp_count(), kMaxCleanupTemps);
  EXPECT_EQ(register_temp_for_cleanup("/nonexistent/overflow"), -1) << "table is full";
  for (int s : slots) unregister_temp_for_cleanup(s);
  unregister_temp_for_cleanup(-1);  // ignored
  EXPECT_EQ(registered_temp_count(), before);
}

// Runs `body` in a child process with the cleanup handler installed; returns its wait status.
template <typename Body>
int in_child(Body body) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

class SignalCleanup : public AtomicOutput, public ::testing::WithParamInterface<int> {};

TEST_P(SignalCleanup, SignalWhileWritingRemovesNamedTempsAndExits128PlusSigno) {
  const int signo = GetParam();
  write_file_atomically(dir_ + "/out-1.png", "old page");
  const int status = in_child([&] {
    AtomicOutputSet::set_unnamed_temps(false);  // the named case is the one that needs it
    install_output_signal_cleanup();
    AtomicOutputSet set;
    for (int page = 1; page <= 3; ++page) {
      const std::size_t i = set.add(dir_ + "/out-" + std::to_string(page) + ".png");
      std::ofstream(set.temp_path(i)) << "half-written page";
    }
    raise(signo);
    _exit(99);  // not reached: the handler exits
  });
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + signo);
  EXPECT_EQ(entries(), 1) << "every temporary removed";
  EXPECT_EQ(slurp(dir_ + "/out-1.png"), "old page");
}

TEST_P(SignalCleanup, SignalPendingAtCommitKeepsTheCommittedFiles) {
  const int signo = GetParam();
  const int status = in_child([&] {
    install_output_signal_cleanup();
    AtomicOutputSet set;
    for (const char* name : {"/a.svg", "/b.json"}) {
      const std::size_t i = set.add(dir_ + name);
      std::ofstream(set.temp_path(i)) << name;
    }
    // A signal that is pending while commit() runs is handled only afterwards; the handler
    // must then leave the committed files alone (they are no longer on the list).
    sigset_t set_of_one;
    sigemptyset(&set_of_one);
    sigaddset(&set_of_one, signo);
    sigprocmask(SIG_BLOCK, &set_of_one, nullptr);
    raise(signo);
    set.commit();
    sigprocmask(SIG_UNBLOCK, &set_of_one, nullptr);
    _exit(99);
  });
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + signo);
  EXPECT_EQ(slurp(dir_ + "/a.svg"), "/a.svg");
  EXPECT_EQ(slurp(dir_ + "/b.json"), "/b.json");
  EXPECT_EQ(entries(), 2);
}

INSTANTIATE_TEST_SUITE_P(IntTermHup, SignalCleanup, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT    ? "SIGINT"
                                              : info.param == SIGTERM ? "SIGTERM"
                                                                      : "SIGHUP");
                         });

TEST(CleanupSignals, AnIgnoredSignalStaysIgnored) {
  const int status = in_child([] {
    signal(SIGHUP, SIG_IGN);  // as under nohup
    install_output_signal_cleanup();
    raise(SIGHUP);
    _exit(7);
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
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

// Found by tests/fuzz/offset_fuzzer (regressions/offset): the extremes overflowed (UBSan).
TEST(TimeFormat, Int64ExtremesDoNotOverflow) {
  const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  const std::int64_t highest = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(format_date_time(lowest), "1677-09-21 00:12:43.145224");
  EXPECT_EQ(format_time_of_day(lowest), "00:12:43.145224");
  EXPECT_EQ(format_date_time(highest), "2262-04-11 23:47:16.854775");
  EXPECT_EQ(format_duration(lowest), "-2562047 h 47 min");
  EXPECT_EQ(format_duration(highest), "2562047 h 47 min");
  EXPECT_EQ(format_offset(lowest), "-2562047 h 47 min 16.854776 s");
  EXPECT_EQ(format_relative(lowest), "-9223372036.854775");
}

}  // namespace
}  // namespace packetseq
