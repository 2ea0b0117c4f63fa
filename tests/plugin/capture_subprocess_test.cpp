// The reader subprocess: success imports one point, failures carry the child's message,
// cancel() kills a running child, and nothing is left behind.
#include "plugin/capture_subprocess.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "export/json_model.h"

namespace packetseq {
namespace plugin {
namespace {

// A stand-in for `packetseq --observations-json`: a shell script with a chosen behaviour.
class FakeReader : public ::testing::Test {
 protected:
  void SetUp() override {
    gchar* dir = g_dir_make_tmp("psq-reader-XXXXXX", nullptr);
    ASSERT_NE(dir, nullptr);
    dir_ = dir;
    g_free(dir);
  }
  void TearDown() override {
    GDir* d = g_dir_open(dir_.c_str(), 0, nullptr);
    while (const char* name = d ? g_dir_read_name(d) : nullptr)
      g_unlink((dir_ + "/" + name).c_str());
    if (d) g_dir_close(d);
    g_rmdir(dir_.c_str());
  }
  std::string script(const std::string& body) {
    const std::string path = dir_ + "/fake-packetseq";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), 0755);
    return path;
  }
  std::string dir_;
};

std::string one_point_json() {
  Model m;
  CapturePoint p;
  p.path = "child-path.pcap";
  p.name = "child";
  p.format = "pcap";
  p.filter = "tcp";
  Observation o;
  o.frame = 7;
  o.src = "10.0.0.1";
  o.dst = "10.0.0.2";
  p.observations = {o};
  m.points = {p};
  return model_to_json(m);
}

TEST_F(FakeReader, ImportsThePointWithTheGivenNameAndIndex) {
  std::ofstream(dir_ + "/doc.json") << one_point_json();
  const std::string program = script(
      "test \"$1\" = --observations-json || exit 3\n"
      "test \"$4\" = 'tcp port 80' || exit 4\n"
      "test \"$6\" = /data/fw.pcap || exit 5\n"
      "cat '" +
      dir_ + "/doc.json'");
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
  Model model;
  try {
    reader.append_to(model, "FW");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/data/fw.pcap"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
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

TEST(FindProgram, EnvironmentVariableWins) {
  g_setenv("PACKETSEQ_BIN", "/opt/x/packetseq", TRUE);
  EXPECT_EQ(find_packetseq_program(), "/opt/x/packetseq");
  g_unsetenv("PACKETSEQ_BIN");
}

}  // namespace
}  // namespace plugin
}  // namespace packetseq
