// The reader subprocess: success imports one point (a real child reads what this process
// reads), failures carry the child's message or name the capture (killed mid-stream, garbage),
// cancel() kills a running child, big outputs do not block, and no file is left in $TMPDIR.
#include "plugin/capture_subprocess.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "pipeline/record_stream.h"
#include "reader/epan_source.h"

namespace packetseq {
namespace plugin {
namespace {

std::vector<std::string> entries(const std::string& dir, const std::string& prefix = "") {
  std::vector<std::string> names;
  GDir* d = g_dir_open(dir.c_str(), 0, nullptr);
  while (const char* name = d ? g_dir_read_name(d) : nullptr)
    if (std::string(name).rfind(prefix, 0) == 0) names.push_back(name);
  if (d) g_dir_close(d);
  return names;
}

std::string make_dir(const std::string& pattern) {
  std::string path = "/tmp/" + pattern;
  return mkdtemp(path.data()) ? path : std::string();
}

// Every case runs with a private, empty $TMPDIR (children inherit it) that must still be empty
// afterwards. (/tmp itself is shared with other builds on the machine: not checked here.)
class ReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_dir("psq-reader-XXXXXX");
    tmpdir_ = make_dir("psq-tmpdir-XXXXXX");
    ASSERT_FALSE(dir_.empty());
    ASSERT_FALSE(tmpdir_.empty());
    const char* old = g_getenv("TMPDIR");
    old_tmpdir_ = old ? old : "";
    had_tmpdir_ = old != nullptr;
    g_setenv("TMPDIR", tmpdir_.c_str(), TRUE);
  }
  void TearDown() override {
    EXPECT_EQ(entries(tmpdir_), std::vector<std::string>{}) << "files left in TMPDIR";
    if (had_tmpdir_)
      g_setenv("TMPDIR", old_tmpdir_.c_str(), TRUE);
    else
      g_unsetenv("TMPDIR");
    for (const auto& d : {dir_, tmpdir_}) {
      for (const auto& name : entries(d)) g_unlink((d + "/" + name).c_str());
      g_rmdir(d.c_str());
    }
  }
  std::string dir_, tmpdir_, old_tmpdir_;
  bool had_tmpdir_ = false;
};

// A stand-in for `packetseq --observations-stream`: a shell script with a chosen behaviour.
class FakeReader : public ReaderTest {
 protected:
  std::string script(const std::string& body) {
    const std::string path = dir_ + "/fake-packetseq";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), 0755);
    return path;
  }
  // Writes `bytes` to a file in the script folder and returns its path.
  std::string data_file(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
};

CapturePoint one_point(std::size_t observations = 1) {
  CapturePoint p;
  p.path = "child-path.pcap";
  p.name = "child";
  p.format = "pcap";
  p.filter = "tcp";
  p.warnings = {"a note"};
  for (std::size_t i = 0; i < observations; ++i) {
    Observation o;
    o.frame = 7 + i;
    o.src = "10.0.0.1";
    o.dst = "10.0.0.2";
    o.info = "some info text " + std::to_string(i);
    p.observations.push_back(o);
  }
  return p;
}

std::string error_of(CaptureSubprocess& reader) {
  Model model;
  try {
    reader.append_to(model, "FW");
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(model.points.empty());
    return e.what();
  }
  return "no error";
}

TEST_F(FakeReader, ImportsThePointWithTheGivenNameAndIndex) {
  const std::string stream = data_file("stream", encode_record_stream(one_point()));
  const std::string program = script(
      "test \"$1\" = --observations-stream || exit 3\n"
      "test \"$4\" = 'tcp port 80' || exit 4\n"
      "test \"$6\" = /data/fw.pcap || exit 5\n"
      "cat '" +
      stream + "'");
  CaptureSubprocess reader(program, "/data/fw.pcap", "tcp port 80");
  Model model;
  model.points.resize(1);
  EXPECT_EQ(reader.append_to(model, "FW"), 1u);
  ASSERT_EQ(model.points.size(), 2u);
  EXPECT_EQ(model.points[1].name, "FW");
  EXPECT_EQ(model.points[1].path, "/data/fw.pcap");
  EXPECT_EQ(model.points[1].format, "pcap");
  EXPECT_EQ(model.points[1].clock.source, ClockOffset::Source::kNone);
  ASSERT_EQ(model.points[1].observations.size(), 1u);
  EXPECT_EQ(model.points[1].observations[0].frame, 7u);
  EXPECT_EQ(model.points[1].observations[0].point, 1u);
  EXPECT_EQ(model.points[1].warnings, std::vector<std::string>{"a note"});
}

TEST_F(FakeReader, ChildErrorMessageIsReported) {
  const std::string program =
      script("echo 'packetseq: /data/fw.pcap: not a capture file' >&2\nexit 1");
  CaptureSubprocess reader(program, "/data/fw.pcap", "tcp");
  Model model;
  try {
    reader.append_to(model, "FW");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "/data/fw.pcap: not a capture file");
  }
  EXPECT_TRUE(model.points.empty());
}

TEST_F(FakeReader, GarbageOutputIsAnErrorNamingTheFile) {
  CaptureSubprocess reader(script("echo '{not json'"), "/data/fw.pcap", "tcp");
  EXPECT_EQ(error_of(reader),
            "/data/fw.pcap: reader output is not a packetseq record stream (bad magic)");
}

TEST_F(FakeReader, EndlessGarbageStopsTheChild) {
  // `yes` never ends by itself: the reader must stop it after the first bad bytes.
  const auto start = std::chrono::steady_clock::now();
  CaptureSubprocess reader(script("exec yes garbage"), "/data/fw.pcap", "tcp");
  EXPECT_EQ(error_of(reader),
            "/data/fw.pcap: reader output is not a packetseq record stream (bad magic)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(FakeReader, CorruptStreamAfterAGoodStartIsAnErrorNamingTheFile) {
  std::string bytes = encode_record_stream(one_point(50));
  bytes[bytes.size() / 2] ^= 0x55;  // inside some observation
  const std::string stream = data_file("stream", bytes);
  CaptureSubprocess reader(script("cat '" + stream + "'"), "/data/fw.pcap", "tcp");
  const std::string message = error_of(reader);
  EXPECT_EQ(message.rfind("/data/fw.pcap: ", 0), 0u) << message;
}

TEST_F(FakeReader, ChildKilledMidStreamIsAnErrorNamingTheFile) {
  const std::string bytes = encode_record_stream(one_point(100));
  const std::string stream = data_file("stream", bytes);
  // Half the stream, then the child dies by SIGKILL (as if the OOM killer struck).
  CaptureSubprocess reader(
      script("head -c " + std::to_string(bytes.size() / 2) + " '" + stream + "'\nkill -9 $$"),
      "/data/fw.pcap", "tcp");
  const std::string message = error_of(reader);
  EXPECT_EQ(message.rfind("/data/fw.pcap: reader stream truncated after ", 0), 0u) << message;
  EXPECT_NE(message.find("observations (reader stopped by signal 9)"), std::string::npos)
      << message;
}

TEST_F(FakeReader, TruncatedStreamWithSuccessIsAnError) {
  const std::string bytes = encode_record_stream(one_point(3));
  const std::string stream = data_file("stream", bytes.substr(0, bytes.size() - 5));
  CaptureSubprocess reader(script("cat '" + stream + "'"), "/data/fw.pcap", "tcp");
  EXPECT_EQ(error_of(reader), "/data/fw.pcap: reader stream truncated after 3 observations");
}

TEST_F(FakeReader, FailureWithoutMessageNamesTheFile) {
  CaptureSubprocess reader(script("exit 3"), "/data/fw.pcap", "tcp");
  EXPECT_EQ(error_of(reader), "/data/fw.pcap: reader stream truncated after 0 observations");
}

TEST_F(FakeReader, LargeOutputOnBothPipesDoesNotBlock) {
  // 200,000 observations (about 20 MB) and 1 MB on stderr: far more than a pipe holds, so the
  // child only finishes if the parent reads while it writes.
  const CapturePoint big = one_point(200000);
  const std::string stream = data_file("stream", encode_record_stream(big));
  const std::string noise = data_file("noise", std::string(1 << 20, 'n'));
  CaptureSubprocess reader(script("cat '" + noise + "' >&2\ncat '" + stream + "'"), "/data/fw.pcap",
                           "tcp");
  for (int i = 0; i < 3000 && !reader.finished(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(reader.finished()) << "the child did not finish within 60 s";
  Model model;
  reader.append_to(model, "FW");
  ASSERT_EQ(model.points.at(0).observations.size(), big.observations.size());
  EXPECT_EQ(model.points[0].observations.back().info, big.observations.back().info);
}

TEST_F(FakeReader, GrandchildHoldingThePipesDoesNotDelayTheResult) {
  // A background process inherits both pipes and keeps them open after the child exits: the
  // result is there once the child has exited, not when the last writer closes.
  const std::string stream = data_file("stream", encode_record_stream(one_point(2)));
  const auto start = std::chrono::steady_clock::now();
  CaptureSubprocess reader(script("sleep 8 &\ncat '" + stream + "'"), "/data/fw.pcap", "tcp");
  Model model;
  reader.append_to(model, "FW");
  EXPECT_EQ(model.points.at(0).observations.size(), 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(FakeReader, LongErrorKeepsTheEndOfStderr) {
  const std::string noise = data_file("noise", std::string(1 << 20, 'n') + "\n");
  CaptureSubprocess reader(
      script("cat '" + noise + "' >&2\necho 'packetseq: /data/fw.pcap: the end' >&2\nexit 1"),
      "/data/fw.pcap", "tcp");
  const std::string message = error_of(reader);
  EXPECT_EQ(message, "/data/fw.pcap: the end") << message.size();
}

TEST_F(FakeReader, CancelStopsARunningChild) {
  CaptureSubprocess reader(script("exec sleep 30"), "/data/fw.pcap", "tcp");
  const pid_t pid = reader.pid();
  EXPECT_FALSE(reader.finished());
  reader.cancel();
  EXPECT_TRUE(reader.finished());
  EXPECT_NE(kill(pid, 0), 0) << "child still exists";
}

TEST_F(FakeReader, DestructorStopsTheChild) {
  pid_t pid;
  {
    CaptureSubprocess reader(script("exec sleep 30"), "/data/fw.pcap", "tcp");
    pid = reader.pid();
  }
  EXPECT_NE(kill(pid, 0), 0) << "child still exists";
}

TEST_F(FakeReader, MissingProgramFailsAtStart) {
  EXPECT_THROW(CaptureSubprocess(dir_ + "/nothing-here", "/data/fw.pcap", "tcp"),
               std::runtime_error);
  EXPECT_THROW(CaptureSubprocess("", "/data/fw.pcap", "tcp"), std::runtime_error);
}

// The real CLI as the child, on the bundled sample: the decoded point equals an in-process read.
class RealReader : public ReaderTest {};

void expect_child_equals_local(const std::string& path, std::size_t at_least);

TEST_F(RealReader, ChildReadEqualsInProcessRead) {
  expect_child_equals_local(std::string(PACKETSEQ_TEST_DATA) + "/sample/fw-outside.pcap", 50);
}

TEST_F(RealReader, LargeCaptureThroughThePipeEqualsInProcessRead) {
  // 3 MB of iperf traffic: a stream of about 580 KB, many times what a pipe holds.
  const std::string path = std::string(PACKETSEQ_SHARED_CAPTURES) +
                           "/multipoint/mininet-iperf-link/exp001_TC_tcpdump_h1-eth0.pcap";
  if (!g_file_test(path.c_str(), G_FILE_TEST_IS_REGULAR)) GTEST_SKIP() << path << " is missing";
  expect_child_equals_local(path, 2000);
}

void expect_child_equals_local(const std::string& path, std::size_t at_least) {
  CaptureSubprocess reader(PACKETSEQ_CLI, path, "tcp");
  CapturePoint child;
  child.path = path;
  reader.read_into(2, child);

  CapturePoint local;
  local.path = path;
  SourceRequest request;
  request.index = 2;
  request.filter = "tcp";
  EpanFileSource().read(request, local);

  EXPECT_EQ(child.format, local.format);
  EXPECT_EQ(child.filter, local.filter);
  EXPECT_EQ(child.warnings, local.warnings);
  ASSERT_GT(local.observations.size(), at_least);
  ASSERT_EQ(child.observations.size(), local.observations.size());
  // Byte-equal re-encoding compares every field at once.
  CapturePoint a = child, b = local;
  a.path = b.path = "x";
  EXPECT_TRUE(encode_record_stream(a) == encode_record_stream(b));
  for (const auto& o : child.observations) ASSERT_EQ(o.point, 2u);
}

TEST_F(RealReader, KilledChildIsAnErrorNamingTheFile) {
  const std::string path = std::string(PACKETSEQ_TEST_DATA) + "/sample/relay.pcap";
  CaptureSubprocess reader(PACKETSEQ_CLI, path, "tcp");
  kill(reader.pid(), SIGKILL);
  const std::string message = error_of(reader);
  EXPECT_EQ(message.rfind(path + ": reader stream truncated after 0 observations", 0), 0u)
      << message;
  EXPECT_NE(message.find("signal 9"), std::string::npos) << message;
}

TEST_F(RealReader, ChildErrorNamesTheFile) {
  const std::string path = dir_ + "/not-a-capture.pcap";
  std::ofstream(path) << "hello\n";
  CaptureSubprocess reader(PACKETSEQ_CLI, path, "tcp");
  const std::string message = error_of(reader);
  EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
}

TEST(FindProgram, EnvironmentVariableWins) {
  g_setenv("PACKETSEQ_BIN", "/opt/x/packetseq", TRUE);
  EXPECT_EQ(find_packetseq_program(), "/opt/x/packetseq");
  g_unsetenv("PACKETSEQ_BIN");
}

}  // namespace
}  // namespace plugin
}  // namespace packetseq
