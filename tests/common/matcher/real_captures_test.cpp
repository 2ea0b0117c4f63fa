// Matcher on real multi-point captures, read through tshark (skipped when tshark or data lack).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "matcher/matcher.h"
#include "model/names.h"
#include "tshark_loader.h"

namespace packetseq {
namespace {

using namespace packetseq::testing;

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Loads the files as capture points; false (after GTEST_SKIP) when they can't be read.
bool load(Model& model, const std::string& dir, const std::vector<std::string>& files) {
  if (!tshark_available()) return false;
  for (const auto& f : files) {
    const std::string path = dir + "/" + f;
    if (!exists(path) || !load_with_tshark(model, path, f)) return false;
  }
  build_nodes(model, NameTable{});
  return true;
}

const std::string kMultipoint = std::string(PACKETSEQ_SHARED_CAPTURES) + "/multipoint";

#define LOAD_OR_SKIP(model, dir, ...)                                              \
  do {                                                                             \
    if (!load(model, dir, {__VA_ARGS__}))                                          \
      GTEST_SKIP() << "needs tshark and " << dir << " (shared captures not here)"; \
  } while (0)

TEST(RealCaptures, KuroseNatJoinsEveryIspSidePacketAndRecordsTheBindings) {
  Model model;
  LOAD_OR_SKIP(model, kMultipoint + "/kurose-nat", "NAT_home_side.pcap", "NAT_ISP_side.pcap");
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.connection_pairs, 6u);
  EXPECT_EQ(report.counters.multi_point_journeys, 117u);  // every TCP packet of the ISP side
  EXPECT_EQ(report.counters.lost, 0u);
  ASSERT_EQ(model.nat_bindings.size(), 6u);
  for (const NatBinding& b : model.nat_bindings) {
    EXPECT_EQ(b.inside.rfind("192.168.1.100:43", 0), 0u) << b.inside;
    EXPECT_EQ(b.outside.rfind("71.192.34.104:43", 0), 0u) << b.outside;
    EXPECT_EQ(b.inside.substr(b.inside.find(':')), b.outside.substr(b.outside.find(':')));
  }
  // The SYN is stamped 0.4217 s later on the ISP side; the router adds well under a millisecond.
  const ClockOffset& isp = model.points[1].clock;
  EXPECT_NEAR(static_cast<double>(isp.offset_ns), -0.4212e9, 1e6);
  EXPECT_LT(isp.high_ns - isp.low_ns, 1000000);
  EXPECT_EQ(model.points[0].node, "192.168.1.100");
  EXPECT_EQ(model.points[1].node, "71.192.34.104");  // the NAT router's outside address
}

TEST(RealCaptures, GreerSlowfileFindsTheServerClockAndTheThreeLostSegments) {
  Model model;
  LOAD_OR_SKIP(model, kMultipoint + "/greer-slowfile", "slowfile-clientside.pcapng",
               "slowfile-serverside.pcapng");
  const MatchReport report = match_model(model, MatchOptions{});
  const ClockOffset& server = model.points[1].clock;
  EXPECT_LE(server.low_ns, static_cast<std::int64_t>(410.25e9));
  EXPECT_GE(server.high_ns, static_cast<std::int64_t>(410.25e9));
  EXPECT_NEAR(static_cast<double>(server.offset_ns), 410.25e9, 0.1e9);
  EXPECT_EQ(report.counters.multi_point_journeys, 129u);
  EXPECT_EQ(report.counters.lost, 3u);  // 84 server frames, 81 reach the client
  for (const Journey& j : model.journeys)
    if (j.lost) {
      EXPECT_EQ(j.sightings.back().observation.point, 1u);
      EXPECT_EQ(j.lost_at_point, 0u);
    }
}

// Shifting one capture's clock must shift its estimated offset by exactly as much.
void expect_shift_recovered(const std::string& dir, const std::string& a, const std::string& b) {
  Model base;
  if (!load(base, dir, {a, b})) GTEST_SKIP() << "needs tshark and " << dir;
  Model shifted = base;
  match_model(base, MatchOptions{});
  for (std::int64_t shift : {std::int64_t{3600250000000}, std::int64_t{-1500000000}}) {
    Model m = shifted;
    for (auto& o : m.points[1].observations) o.time_ns += shift;
    match_model(m, MatchOptions{});
    EXPECT_NEAR(static_cast<double>(m.points[1].clock.offset_ns),
                static_cast<double>(base.points[1].clock.offset_ns - shift), 1e6)
        << dir << " shifted by " << shift;
    EXPECT_EQ(m.journeys.size(), base.journeys.size());
  }
}

TEST(RealCaptures, RecoversAnHourAndAQuarterSecondAndMinusOneAndAHalfSecond) {
  expect_shift_recovered(kMultipoint + "/mininet-iperf-link", "exp001_TC_tcpdump_h1-eth0.pcap",
                         "exp001_TC_tcpdump_sv_mp1-eth0.pcap");
  expect_shift_recovered(kMultipoint + "/lan-tcp-8964", "tcp_client.pcapng",
                         "tcp_server_filter.pcapng");
}

TEST(RealCaptures, ProbeTrainMatchesEveryProbeByItsOwnIpId) {
  Model model;
  LOAD_OR_SKIP(model, kMultipoint + "/probe-train", "sender.pcap", "receiver.pcap");
  const MatchReport report = match_model(model, MatchOptions{});
  std::size_t probes = 0;
  for (const Journey& j : model.journeys) {
    if (j.sightings.size() < 2) continue;
    const Observation& x = model.at(j.sightings[0].observation);
    const Observation& y = model.at(j.sightings[1].observation);
    EXPECT_EQ(x.ip_id, y.ip_id);
    EXPECT_EQ(x.ack_raw, y.ack_raw);
    EXPECT_EQ(x.seq_raw, y.seq_raw);
    probes += x.ip_id != 0;
  }
  EXPECT_EQ(probes, 4800u);
  EXPECT_EQ(report.counters.multi_point_journeys + report.counters.single_point_journeys,
            report.counters.journeys);
}

TEST(RealCaptures, SmbTsoSuperFramesDoNotCountAsLossWhenTheirBytesArrive) {
  Model model;
  LOAD_OR_SKIP(model, kMultipoint + "/smb-slowfiledownload", "udemy-client-slowfiledownload.pcapng",
               "udemy-server-slowfiledownload.pcapng");
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.connection_pairs, 1u);
  EXPECT_GT(report.counters.multi_point_journeys, 2500u);
  // Hundreds of TSO frames at the server; a loss is only one whose bytes never came through.
  EXPECT_LE(report.counters.lost, 10u);
}

TEST(RealCaptures, SampleChainRelayDwellNatAndPathOrder) {
  const char* override_dir = std::getenv("PACKETSEQ_SAMPLE_DIR");  // e.g. a fresh make-sample
  const std::string dir =
      override_dir ? override_dir : std::string(PACKETSEQ_TEST_DATA) + "/sample";
  Model model;
  LOAD_OR_SKIP(model, dir, "client.pcapng", "fw-inside.pcap", "fw-outside.pcap", "relay.pcap",
               "server.pcapng");
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.single_point_journeys, 0u);
  EXPECT_EQ(report.counters.lost, 0u);
  EXPECT_EQ(model.nat_bindings.size(), 3u);
  ASSERT_EQ(model.match.dwell.size(), 1u);
  EXPECT_GE(model.match.dwell[0].min_ns, 40000000);  // the relay holds every chunk 40 ms
  EXPECT_LT(model.match.dwell[0].median_ns, 45000000);
  EXPECT_GE(model.relay_links.size(), 10u);
  for (const auto& p : model.points)  // one host, one clock: offsets within microseconds of 0
    EXPECT_LT(std::abs(p.clock.offset_ns), 100000) << p.name;
  ASSERT_EQ(model.nodes.size(), 4u);  // client, fw, relay (front + back), server
  EXPECT_EQ(model.nodes[0].addresses[0], "10.10.1.2");
  EXPECT_EQ(model.nodes[1].addresses[0], "10.10.2.1");
  EXPECT_EQ(model.nodes[3].addresses[0], "10.10.3.2");
  EXPECT_EQ(model.points[1].node, model.points[2].node);  // both fw interfaces
}

// Follow mode on the bundled sample: client connection N (tcp.stream N in client.pcapng) is
// found at every point, through the SNAT (new address and port: the ports below are read off the
// captures with `tshark -z conv,tcp`) and through the relay (its own connection to the server),
// and nothing else is kept. tcp.stream numbers differ at the relay, so they can't be the key.
TEST(RealCaptures, SampleFollowKeepsEachClientConnectionEndToEndAndNothingElse) {
  const char* override_dir = std::getenv("PACKETSEQ_SAMPLE_DIR");
  const std::string dir =
      override_dir ? override_dir : std::string(PACKETSEQ_TEST_DATA) + "/sample";
  Model loaded;
  LOAD_OR_SKIP(loaded, dir, "client.pcapng", "fw-inside.pcap", "fw-outside.pcap", "relay.pcap",
               "server.pcapng");
  Model plain = loaded;
  match_model(plain, MatchOptions{});
  struct Ports {
    std::uint16_t client, nat, back;  // client's port inside, after SNAT, relay -> server
  };
  const Ports connections[] = {{41001, 22429, 37304}, {41002, 22166, 37316}, {41003, 26691, 37320}};
  for (std::uint32_t stream = 0; stream < 3; ++stream) {
    SCOPED_TRACE("client tcp.stream " + std::to_string(stream));
    const Ports& ports = connections[stream];
    // The ephemeral port that identifies the connection(s) at each point.
    auto belongs = [&](std::size_t point, const Observation& o) {
      auto uses = [&](std::uint16_t port) { return o.src_port == port || o.dst_port == port; };
      switch (point) {
        case 0:
        case 1:
          return uses(ports.client);
        case 2:
          return uses(ports.nat);
        case 3:
          return uses(ports.nat) || uses(ports.back);
        default:
          return uses(ports.back);
      }
    };
    Model model = loaded;
    for (Observation& o : model.points[0].observations) o.followed = o.stream == stream;
    MatchOptions options;
    options.follow = true;
    const MatchReport report = match_model(model, options);
    EXPECT_EQ(report.counters.followed_connections, 1u);
    EXPECT_EQ(report.counters.kept_connections, 6u);  // 5 of the client's, 1 relay -> server
    for (std::size_t p = 0; p < model.points.size(); ++p) {
      std::vector<std::uint64_t> expected, kept;
      for (const Observation& o : loaded.points[p].observations)
        if (belongs(p, o)) expected.push_back(o.frame);
      for (const Observation& o : model.points[p].observations) kept.push_back(o.frame);
      EXPECT_FALSE(expected.empty()) << model.points[p].name;
      EXPECT_EQ(kept, expected) << model.points[p].name;
    }
    // Journeys and relay links: the plain match's, restricted to this connection.
    std::size_t journeys = 0, multi = 0, links = 0;
    for (const Journey& j : plain.journeys) {
      const ObservationRef& first = j.sightings.front().observation;
      if (!belongs(first.point, plain.at(first))) continue;
      ++journeys;
      multi += j.sightings.size() > 1;
    }
    for (const RelayLink& l : plain.relay_links) links += belongs(l.out.point, plain.at(l.out));
    EXPECT_EQ(report.counters.journeys, journeys);
    EXPECT_EQ(report.counters.multi_point_journeys, multi);
    EXPECT_EQ(model.journeys.size(), journeys);
    EXPECT_GT(links, 0u);
    EXPECT_EQ(model.relay_links.size(), links);
    ASSERT_EQ(model.nat_bindings.size(), 1u);
    EXPECT_EQ(model.nat_bindings[0].inside, "10.10.1.2:" + std::to_string(ports.client));
    EXPECT_EQ(model.nat_bindings[0].outside, "10.10.2.1:" + std::to_string(ports.nat));
    for (std::size_t p = 0; p < model.points.size(); ++p)  // offsets: from all the data
      EXPECT_EQ(model.points[p].clock.offset_ns, plain.points[p].clock.offset_ns);
    EXPECT_EQ(model.nodes.size(), 4u);
  }
}

}  // namespace
}  // namespace packetseq
