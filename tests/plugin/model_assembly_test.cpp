// Model assembly as the CLI does it: names, point nodes, matching or plain arrows, outputs.
#include "plugin/model_assembly.h"

#include <gtest/gtest.h>

#include "model/flags.h"

namespace packetseq {
namespace plugin {
namespace {

Observation packet(std::uint64_t frame, std::int64_t t, const char* src, const char* dst,
                   std::uint16_t flags) {
  Observation o;
  o.frame = frame;
  o.time_ns = t;
  o.src = src;
  o.dst = dst;
  o.src_port = src[7] == '1' ? 40000 : 80;
  o.dst_port = src[7] == '1' ? 80 : 40000;
  o.flags = flags;
  o.info = "x";
  return o;
}

Model handshake_without_syn() {
  Model m;
  CapturePoint p;
  p.path = "a.pcap";
  p.name = "A";
  p.observations = {packet(1, 100, "10.0.0.1", "10.0.0.2", kAck),
                    packet(2, 200, "10.0.0.2", "10.0.0.1", kAck)};
  m.points = {p};
  return m;
}

TEST(ModelAssembly, WarnsAboutMissingSynAndNamesNodes) {
  Model m = handshake_without_syn();
  AssemblyOptions options;
  options.names.set("10.0.0.1", "Client");
  options.no_match = true;
  const auto warnings = assemble_model(m, options);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("a.pcap: no SYN seen"), std::string::npos);
  ASSERT_EQ(m.points[0].warnings.size(), 1u);
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].name, "Client");
  EXPECT_EQ(m.arrows.size(), 2u);
  EXPECT_TRUE(m.journeys.empty());
}

TEST(ModelAssembly, NamedPointSitsAtTheNodeOfThatName) {
  Model m = handshake_without_syn();
  m.points[0].name = "Client";
  AssemblyOptions options;
  options.names.set("10.0.0.1", "Client");
  options.named = {true};
  options.no_match = true;
  assemble_model(m, options);
  EXPECT_EQ(m.points[0].node, "Client");
}

TEST(ModelAssembly, MatchingFillsJourneys) {
  Model m = handshake_without_syn();
  AssemblyOptions options;
  assemble_model(m, options);
  EXPECT_FALSE(m.journeys.empty());
  EXPECT_FALSE(m.arrows.empty());
}

TEST(ModelAssembly, MatchOptionsFromTexts) {
  const MatchOptions match = make_match_options({"server=+9h", "fw=-0.5s"}, {{"a", "b"}});
  ASSERT_EQ(match.offsets.size(), 2u);
  EXPECT_EQ(match.offsets[0].point, "server");
  EXPECT_EQ(match.offsets[0].offset_ns, 9LL * 3600 * 1000000000);
  EXPECT_EQ(match.offsets[1].offset_ns, -500000000);
  EXPECT_EQ(match.same_clock.size(), 1u);
  EXPECT_THROW(make_match_options({"server"}, {}), std::invalid_argument);
  EXPECT_THROW(make_match_options({"server=soon"}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace plugin
}  // namespace packetseq
