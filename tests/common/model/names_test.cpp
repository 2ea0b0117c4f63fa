// Names: -n assignments, Wireshark hosts files, endpoint detection and node building.
#include "model/names.h"

#include <gtest/gtest.h>

#include "model/flags.h"

namespace packetseq {
namespace {

TEST(NameTable, Assignment) {
  NameTable t;
  t.add_assignment("192.168.1.3=Client");
  t.add_assignment("2001:DB8::0001=Server6");
  EXPECT_EQ(t.lookup("192.168.1.3").value(), "Client");
  EXPECT_EQ(t.lookup("2001:db8::1").value(), "Server6");
  EXPECT_FALSE(t.lookup("10.0.0.1").has_value());
  EXPECT_THROW(t.add_assignment("192.168.1.3"), std::invalid_argument);
  EXPECT_THROW(t.add_assignment("=x"), std::invalid_argument);
  EXPECT_THROW(t.add_assignment("client=x"), std::invalid_argument);
}

TEST(NameTable, HostsFileSyntax) {
  NameTable t;
  t.load_hosts_text(
      "# Wireshark hosts file\n"
      "\n"
      "192.168.1.3   client  client.example   # trailing comment\n"
      "192.168.1.62\tproxy\n"
      "fd00::2 server6\n"
      "192.168.1.3 second-entry-ignored\n",
      "hosts");
  EXPECT_EQ(t.lookup("192.168.1.3").value(), "client");
  EXPECT_EQ(t.lookup("192.168.1.62").value(), "proxy");
  EXPECT_EQ(t.lookup("fd00:0:0::2").value(), "server6");
}

TEST(NameTable, CommandLineWinsOverHostsFile) {
  NameTable t;
  t.add_assignment("10.0.0.1=FromCli");
  t.load_hosts_text("10.0.0.1 FromFile\n", "hosts");
  EXPECT_EQ(t.lookup("10.0.0.1").value(), "FromCli");
}

TEST(NameTable, MalformedHostsLinesNameFileAndLine) {
  NameTable t;
  try {
    t.load_hosts_text("10.0.0.1 a\nnot-an-address b\n", "my.hosts");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "my.hosts:2: 'not-an-address' is not an IPv4 or IPv6 address");
  }
  EXPECT_THROW(t.load_hosts_text("10.0.0.2\n", "h"), std::runtime_error);
  EXPECT_THROW(t.load_hosts_file("/nonexistent/hosts"), std::runtime_error);
}

TEST(NameTable, NonRegularNamesFilesAndHugeFieldsAreRefusedBriefly) {
  NameTable t;
  try {
    t.load_hosts_file("/dev/zero");  // would read until memory runs out
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "/dev/zero: is a device, not a names file");
  }
  try {
    t.load_hosts_file("/");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "/: is a directory, not a names file");
  }
  // A 1 MB word is quoted as a 200-byte excerpt, not echoed whole.
  const std::string huge(1 << 20, 'x');
  try {
    t.load_hosts_text(huge + " name\n", "h");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_LT(std::string(e.what()).size(), 300u);
    EXPECT_NE(std::string(e.what()).find("more bytes"), std::string::npos);
  }
  try {
    t.add_assignment(huge + "=name");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_LT(std::string(e.what()).size(), 600u);
  }
  // Invalid UTF-8 in a name is repaired before it can reach any output.
  t.load_hosts_text("10.0.0.9 bad\xffname\n", "h");
  EXPECT_EQ(t.lookup("10.0.0.9").value(), "bad\xEF\xBF\xBDname");
}

Observation packet(const char* src, const char* dst, std::uint16_t flags) {
  Observation o;
  o.src = src;
  o.dst = dst;
  o.flags = flags;
  return o;
}

TEST(Endpoints, FromTheFirstSyn) {
  CapturePoint p;
  p.observations = {packet("10.0.0.9", "10.0.0.8", kAck), packet("10.0.0.1", "10.0.0.2", kSyn),
                    packet("10.0.0.2", "10.0.0.1", kSyn | kAck)};
  bool from_syn = false;
  auto e = detect_endpoints(p, &from_syn);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->first, "10.0.0.1");
  EXPECT_EQ(e->second, "10.0.0.2");
  EXPECT_TRUE(from_syn);
}

TEST(Endpoints, FallBackToFirstPacketWithWarning) {
  CapturePoint p;
  p.observations = {packet("10.0.0.9", "10.0.0.8", kAck | kPsh)};
  bool from_syn = true;
  auto e = detect_endpoints(p, &from_syn);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->first, "10.0.0.9");
  EXPECT_FALSE(from_syn);
}

TEST(Nodes, NameAppliesInEveryCaptureAndSharedNamesMerge) {
  Model m;
  m.points.resize(2);
  m.points[0].observations = {packet("10.1.0.2", "10.1.0.1", kSyn)};
  m.points[1].observations = {packet("10.2.0.1", "10.3.0.2", kSyn),
                              packet("10.1.0.2", "10.3.0.2", kAck)};
  NameTable names;
  names.set("10.1.0.2", "Client");
  names.set("10.1.0.1", "FW");
  names.set("10.2.0.1", "FW");  // the firewall's outside address: same node
  build_nodes(m, names);
  ASSERT_EQ(m.nodes.size(), 3u);
  EXPECT_EQ(m.nodes[0].name, "Client");
  EXPECT_EQ(m.nodes[1].name, "FW");
  EXPECT_EQ(m.nodes[1].addresses, (std::vector<std::string>{"10.1.0.1", "10.2.0.1"}));
  EXPECT_EQ(m.nodes[2].name, "10.3.0.2");  // unnamed: the address itself
  EXPECT_EQ(find_node(m, "10.2.0.1"), 1);
  EXPECT_EQ(find_node(m, "10.9.9.9"), -1);
}

}  // namespace
}  // namespace packetseq
