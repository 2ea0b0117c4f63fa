// Tests for clock chaining, pins, same-clock groups, loss per hop, relay links and path order.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "matcher/matcher.h"
#include "synthetic.h"

namespace packetseq {
namespace {

using namespace packetseq::testing;

std::size_t node_index(const Model& model, const std::string& name) {
  for (std::size_t i = 0; i < model.nodes.size(); ++i)
    if (model.nodes[i].name == name) return i;
  return model.nodes.size();
}

const HopStats* hop(const Model& model, std::size_t from, std::size_t to) {
  for (const HopStats& h : model.match.hops)
    if (h.from_point == from && h.to_point == to) return &h;
  return nullptr;
}

// a -- b -- c: connection 1 is seen at a and b, connection 2 at b and c.
Model chain_model(std::int64_t error_b, std::int64_t error_c) {
  Model model;
  add_point(model, "a");
  add_point(model, "b");
  add_point(model, "c");
  const Connection c1 = make_connection(kT0, 3, 100, 7000);
  Connection c2 = make_connection(kT0 + 2 * kSec, 3, 3000, 9000, 50);
  c2.client = "10.0.1.1";
  renumber(c2, 424242, 5151515);
  View a, b1, b2, c;
  a.s2c_delay = 4 * kMs;
  b1.c2s_delay = 4 * kMs;
  b1.clock_error = error_b;
  b2.s2c_delay = 6 * kMs;
  b2.clock_error = error_b;
  c.c2s_delay = 6 * kMs;
  c.clock_error = error_c;
  add_view(model, 0, c1, a);
  add_view(model, 1, c1, b1);
  add_view(model, 1, c2, b2);
  add_view(model, 2, c2, c);
  finish(model);
  return model;
}

TEST(ClockOffsets, ChainsAcrossThreePointsAndTheIntervalsAdd) {
  Model model = chain_model(kHour, -30 * kSec);
  match_model(model, MatchOptions{});
  const ClockOffset& b = model.points[1].clock;
  const ClockOffset& c = model.points[2].clock;
  EXPECT_EQ(b.offset_ns, -kHour);
  EXPECT_EQ(c.offset_ns, 30 * kSec);
  EXPECT_EQ(b.high_ns - b.low_ns, 8 * kMs);
  EXPECT_EQ(c.high_ns - c.low_ns, 8 * kMs + 12 * kMs);  // b's interval plus the b-c edge
  EXPECT_LE(c.low_ns, 30 * kSec);
  EXPECT_GE(c.high_ns, 30 * kSec);
  EXPECT_EQ(model.match.offsets[2].via_point, 1u);
  EXPECT_EQ(c.source, ClockOffset::Source::kEstimated);
}

TEST(ClockOffsets, UserPinWinsAndChainsOnward) {
  Model model = chain_model(kHour, -30 * kSec);
  MatchOptions options;
  options.offsets.push_back(OffsetOverride{"b", 5 * kSec});  // deliberately not the truth
  match_model(model, options);
  EXPECT_EQ(model.points[1].clock.source, ClockOffset::Source::kUser);
  EXPECT_EQ(model.points[1].clock.offset_ns, 5 * kSec);
  EXPECT_EQ(model.points[1].clock.low_ns, 5 * kSec);
  EXPECT_EQ(model.points[1].clock.high_ns, 5 * kSec);
  // c hangs off b: the truth relative to b's pinned clock, +-6 ms.
  EXPECT_EQ(model.points[2].clock.offset_ns, 5 * kSec + kHour + 30 * kSec);
  EXPECT_EQ(model.points[2].clock.high_ns - model.points[2].clock.low_ns, 12 * kMs);
  EXPECT_EQ(model.points[0].clock.offset_ns, 0);
}

TEST(ClockOffsets, SameClockGroupShareOneOffset) {
  Model model = chain_model(kHour, 0);
  // Only a-b and b-c journeys; a and c run on one clock: c takes the reference clock too.
  MatchOptions options;
  options.same_clock.push_back({"a", "c"});
  match_model(model, options);
  EXPECT_EQ(model.points[2].clock.source, ClockOffset::Source::kSameClock);
  EXPECT_EQ(model.points[2].clock.offset_ns, 0);
  // b is bounded by both edges (a-b and c-b): the intersection, at most a-b's 8 ms.
  EXPECT_EQ(model.points[1].clock.offset_ns, -kHour);
  EXPECT_EQ(model.points[1].clock.high_ns - model.points[1].clock.low_ns, 8 * kMs);
  EXPECT_TRUE(model.match.warnings.empty());
}

TEST(ClockOffsets, SameClockGroupContradictedByThePacketsIsReported) {
  Model model = chain_model(kHour, 0);
  MatchOptions options;
  options.same_clock.push_back({"a", "b"});  // b is an hour off a
  match_model(model, options);
  EXPECT_EQ(model.points[1].clock.offset_ns, 0);
  const auto& w = model.match.warnings;
  EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](const std::string& text) {
    return text.find("declared the same clock") != std::string::npos;
  }));
}

TEST(ClockOffsets, OneWayTrafficGivesABoundAndTheZeroTransitEstimate) {
  const Connection c = make_connection(kT0, 3, 100, 7000);
  Model model;
  add_point(model, "a");
  add_point(model, "b");
  View a, b;
  a.s2c_delay = 5 * kMs;
  b.c2s_delay = 5 * kMs;
  b.ttl_c2s = 62;  // TTL tells the direction
  b.clock_error = 2 * kSec;
  b.drop = [](const TruePacket& p) { return !p.to_server; };
  add_view(model, 0, c, a);
  add_view(model, 1, c, b);
  finish(model);
  match_model(model, MatchOptions{});
  const ClockOffset& clock = model.points[1].clock;
  EXPECT_TRUE(model.match.offsets[1].low_bounded);
  EXPECT_FALSE(model.match.offsets[1].high_bounded);
  EXPECT_EQ(clock.offset_ns, -2 * kSec - 5 * kMs);  // assumes the fastest packet took no time
  EXPECT_LE(clock.low_ns, -2 * kSec);
}

TEST(Loss, CountedAtTheHopWhereThePacketWentMissing) {
  const Connection c = make_connection(kT0, 6, 100, 7000);
  Model model;
  add_point(model, "client");
  add_point(model, "fw");
  add_point(model, "server");
  View vc, vf, vs;
  vc.s2c_delay = 6 * kMs;
  vf.c2s_delay = 2 * kMs;
  vf.s2c_delay = 4 * kMs;
  vf.ttl_c2s = 63;
  vf.ttl_s2c = 63;
  vs.c2s_delay = 6 * kMs;
  vs.ttl_c2s = 62;
  vf.drop = [](const TruePacket& p) { return p.id == 6; };  // fw's capture missed it: no loss
  vs.drop = [](const TruePacket& p) { return p.id == 4; };  // the request died after the fw
  add_view(model, 0, c, vc);
  add_view(model, 1, c, vf);
  add_view(model, 2, c, vs);
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.lost, 1u);
  int lost = 0;
  for (const Journey& j : model.journeys) {
    if (!j.lost) continue;
    ++lost;
    EXPECT_EQ(model.at(j.sightings.back().observation).frame, 4u);
    EXPECT_EQ(j.lost_after, 1u);
    EXPECT_EQ(j.lost_at_point, 2u);
  }
  EXPECT_EQ(lost, 1);
  const HopStats* fw_server = hop(model, 1, 2);
  ASSERT_NE(fw_server, nullptr);
  EXPECT_EQ(fw_server->lost, 1u);
  EXPECT_EQ(fw_server->transit_min_ns, 4 * kMs);
  const HopStats* client_fw = hop(model, 0, 1);
  ASSERT_NE(client_fw, nullptr);
  EXPECT_EQ(client_fw->lost, 0u);
  EXPECT_EQ(client_fw->transit_median_ns, 2 * kMs);
  const HopStats* server_fw = hop(model, 2, 1);
  ASSERT_NE(server_fw, nullptr);
  EXPECT_EQ(server_fw->transit_p95_ns, 4 * kMs);
  const auto lost_arrows = std::count_if(model.arrows.begin(), model.arrows.end(),
                                         [](const Arrow& a) { return a.kind == ArrowKind::kLost; });
  EXPECT_EQ(lost_arrows, 1);
}

TEST(Loss, NotCountedWhenTheDownstreamCaptureHadStopped) {
  const Connection c = make_connection(kT0, 6, 100, 7000);
  Model model;
  add_point(model, "client");
  add_point(model, "server");
  View vc, vs;
  vc.s2c_delay = 3 * kMs;
  vs.c2s_delay = 3 * kMs;
  const std::int64_t stop = c.packets[8].send_ns;
  vs.drop = [stop](const TruePacket& p) { return p.send_ns >= stop; };  // capture ended
  add_view(model, 0, c, vc);
  add_view(model, 1, c, vs);
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.lost, 0u);
}

TEST(Loss, ResegmentedBytesAreNotALoss) {
  const Connection c = make_connection(kT0, 4, 100, 7000);
  Model model;
  add_point(model, "server");
  add_point(model, "client");
  View vs, vc;
  vc.s2c_delay = 3 * kMs;
  vs.c2s_delay = 3 * kMs;
  add_view(model, 0, c, vs);
  add_view(model, 1, c, vc);
  // The server's capture shows segments 5 and 6 as one TSO super-segment.
  auto& server_obs = model.points[0].observations;
  auto first = std::find_if(server_obs.begin(), server_obs.end(),
                            [](const Observation& o) { return o.frame == 5; });
  auto second = std::find_if(server_obs.begin(), server_obs.end(),
                             [](const Observation& o) { return o.frame == 6; });
  ASSERT_TRUE(first != server_obs.end() && second != server_obs.end());
  first->payload_len += second->payload_len;
  first->digest_len = first->payload_len;
  first->payload_digest = 0x5050;
  server_obs.erase(second);
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.lost, 0u);
}

// client -> fw (inside, outside with SNAT) -> relay (own capture, both connections) -> server.
struct Chain {
  Model model;
  std::size_t client, fw_in, fw_out, relay, server;
  int requests = 0, responses = 0;
};

Chain sample_chain(std::int64_t hold, bool resegment = false) {
  Chain ch;
  Model& model = ch.model;
  ch.client = add_point(model, "client.pcap");
  ch.fw_in = add_point(model, "fw-inside.pcap");
  ch.fw_out = add_point(model, "fw-outside.pcap");
  ch.relay = add_point(model, "relay.pcap");
  ch.server = add_point(model, "server.pcap");
  const int segments = 4;
  Connection front = make_connection(kT0, segments, 100, 7000);
  front.server = "10.10.2.2";
  front.server_port = 8080;
  Connection back = make_connection(kT0, segments, 300, 9000, 100);
  back.client = "10.10.3.1";
  back.client_port = 45000;
  back.server = "10.10.3.2";
  renumber(back, 777, 99999);
  // Delays from the client: fw inside +0.1 ms, fw outside +0.2 ms, relay +1 ms; relay->server 1 ms.
  const std::int64_t to_relay = 1 * kMs, to_server = 1 * kMs;
  // The relay opens its connection once the client's request is in, and forwards each chunk
  // `hold` after it arrived, in both directions.
  const std::int64_t request_in = front.packets[3].send_ns + to_relay;
  const std::int64_t shift_back = request_in + hold - back.packets[3].send_ns;
  for (auto& p : back.packets) p.send_ns += shift_back;
  back.packets[3].digest = front.packets[3].digest;  // the request, forwarded as is
  ++ch.requests;
  for (int i = 0; i < segments; ++i) {
    TruePacket& in = back.packets[4 + i];
    TruePacket& out = front.packets[4 + i];
    out.digest = in.digest;
    out.send_ns = in.send_ns + to_server + hold;
    ++ch.responses;
  }
  if (resegment) {
    // The relay writes the last three 1400-byte chunks as two of 2100: only the first response
    // segment is identical on both connections; the rest must be aligned by stream offset.
    TruePacket& a = front.packets[5];
    TruePacket& b = front.packets[6];
    a.len = b.len = 2100;
    a.digest = 0x7777;
    b.digest = 0x8888;
    b.seq = a.seq + 2100;
    // Each leaves `hold` after the inbound segment carrying its last byte arrived.
    a.send_ns = back.packets[6].send_ns + to_server + hold;
    b.send_ns = back.packets[7].send_ns + to_server + hold;
    front.packets.erase(front.packets.begin() + 7);
    ch.responses = 3;
  }
  View client, fw_in, fw_out, relay_front, relay_back, server;
  client.s2c_delay = to_relay;
  fw_in.c2s_delay = 100000;
  fw_in.s2c_delay = to_relay - 100000;
  fw_in.ttl_s2c = 63;
  fw_out.c2s_delay = 200000;
  fw_out.s2c_delay = to_relay - 200000;
  fw_out.client_addr = "10.10.2.1";
  fw_out.client_port = 20001;
  fw_out.ttl_c2s = 63;
  relay_front = fw_out;
  relay_front.c2s_delay = to_relay;
  relay_front.s2c_delay = 0;
  relay_front.ttl_s2c = 64;
  relay_back.s2c_delay = to_server;
  relay_back.stream = 1;
  server.c2s_delay = to_server;
  const std::int64_t errors[] = {0, 3 * kSec, 3 * kSec, -9 * kHour, 250 * kMs};
  client.clock_error = errors[0];
  fw_in.clock_error = errors[1];
  fw_out.clock_error = errors[2];
  relay_front.clock_error = relay_back.clock_error = errors[3];
  server.clock_error = errors[4];
  add_view(model, ch.client, front, client);
  add_view(model, ch.fw_in, front, fw_in);
  add_view(model, ch.fw_out, front, fw_out);
  add_view(model, ch.relay, front, relay_front);
  add_view(model, ch.relay, back, relay_back);
  add_view(model, ch.server, back, server);
  NameTable names;
  names.set("10.0.0.1", "client");
  names.set("10.10.2.1", "fw");
  names.set("10.10.2.2", "relay");
  names.set("10.10.3.1", "relay");
  names.set("10.10.3.2", "server");
  finish(model, names);
  return ch;
}

TEST(Relay, LinksForwardedSegmentsAndRecoversTheDwell) {
  Chain ch = sample_chain(40 * kMs);
  const MatchReport report = match_model(ch.model, MatchOptions{});
  const Model& model = ch.model;
  ASSERT_EQ(model.relay_links.size(), static_cast<std::size_t>(ch.requests + ch.responses));
  EXPECT_EQ(report.counters.relay_links, model.relay_links.size());
  for (const RelayLink& link : model.relay_links) {
    EXPECT_EQ(link.node, "relay");
    EXPECT_EQ(link.dwell_ns, 40 * kMs);
    EXPECT_EQ(link.in.point, ch.relay);  // both ends on the relay's own clock
    EXPECT_EQ(link.out.point, ch.relay);
    EXPECT_EQ(model.at(link.in).payload_digest, model.at(link.out).payload_digest);
  }
  ASSERT_EQ(model.match.dwell.size(), 1u);
  EXPECT_EQ(model.match.dwell[0].node, "relay");
  EXPECT_EQ(model.match.dwell[0].median_ns, 40 * kMs);
  EXPECT_EQ(model.match.dwell[0].p95_ns, 40 * kMs);
  const auto relay_arrows = std::count_if(
      model.arrows.begin(), model.arrows.end(),
      [](const Arrow& a) { return a.kind == ArrowKind::kRelay && a.note == "dwell 40.0 ms"; });
  EXPECT_EQ(relay_arrows, ch.requests + ch.responses);
}

TEST(Relay, AlignsTheByteStreamWhenSegmentationDiffers) {
  Chain ch = sample_chain(25 * kMs, true);
  match_model(ch.model, MatchOptions{});
  const Model& model = ch.model;
  ASSERT_EQ(model.relay_links.size(), static_cast<std::size_t>(ch.requests + ch.responses));
  for (const RelayLink& link : model.relay_links) EXPECT_EQ(link.dwell_ns, 25 * kMs);
  // The 2100-byte segments link to the inbound segments that completed their bytes.
  const auto linked = [&](std::uint64_t out_frame) -> std::uint64_t {
    for (const RelayLink& link : model.relay_links)
      if (model.at(link.out).frame == out_frame) return model.at(link.in).frame;
    return 0;
  };
  EXPECT_EQ(linked(6), 107u);
  EXPECT_EQ(linked(7), 108u);
}

TEST(Relay, ConnectionsOfARelayAreNeverJoinedAsOnePacket) {
  Chain ch = sample_chain(40 * kMs);
  match_model(ch.model, MatchOptions{});
  for (const Journey& j : ch.model.journeys) {
    std::set<std::uint64_t> ids;
    for (const Sighting& s : j.sightings) ids.insert(ch.model.at(s.observation).frame);
    EXPECT_EQ(ids.size(), 1u);
  }
}

TEST(PathOrder, NodesFollowThePathAndMiddleboxPointsFindTheirNode) {
  Chain ch = sample_chain(40 * kMs);
  match_model(ch.model, MatchOptions{});
  const Model& model = ch.model;
  EXPECT_EQ(model.points[ch.client].node, "client");
  EXPECT_EQ(model.points[ch.fw_in].node, "fw");  // just inside the NAT box (TTL one higher)
  EXPECT_EQ(model.points[ch.fw_out].node, "fw");
  EXPECT_EQ(model.points[ch.relay].node, "relay");
  EXPECT_EQ(model.points[ch.server].node, "server");
  ASSERT_EQ(model.nodes.size(), 4u);
  EXPECT_LT(node_index(model, "client"), node_index(model, "fw"));
  EXPECT_LT(node_index(model, "fw"), node_index(model, "relay"));
  EXPECT_LT(node_index(model, "relay"), node_index(model, "server"));
  // Clocks: every point found from journeys, the relay's -9 h and the server's +250 ms too.
  EXPECT_NEAR(static_cast<double>(model.points[ch.relay].clock.offset_ns), 9.0 * kHour, 1e6);
  EXPECT_EQ(model.points[ch.fw_in].clock.offset_ns, -3 * kSec);
  EXPECT_NEAR(static_cast<double>(model.points[ch.server].clock.offset_ns), -250.0 * kMs, 1e6);
  // Hops along the first connection, both directions.
  EXPECT_NE(hop(model, ch.client, ch.fw_in), nullptr);
  EXPECT_NE(hop(model, ch.fw_in, ch.fw_out), nullptr);
  EXPECT_NE(hop(model, ch.fw_out, ch.relay), nullptr);
  EXPECT_NE(hop(model, ch.relay, ch.fw_out), nullptr);
  EXPECT_NE(hop(model, ch.relay, ch.server), nullptr);
  ASSERT_EQ(model.nat_bindings.size(), 1u);
  EXPECT_EQ(model.nat_bindings[0].inside, "10.0.0.1:40000");
  EXPECT_EQ(model.nat_bindings[0].outside, "10.10.2.1:20001");
  EXPECT_EQ(model.nat_bindings[0].inside_point, ch.fw_in);
  EXPECT_EQ(model.nat_bindings[0].outside_point, ch.fw_out);
}

TEST(PathOrder, MiddleboxCaptureOwningNoAddressGetsALifelineOfItsOwn) {
  const Connection c = make_connection(kT0, 3, 100, 7000);
  Model model;
  add_point(model, "client");
  add_point(model, "tap");
  add_point(model, "server");
  View vc, vt, vs;
  vc.s2c_delay = 4 * kMs;
  vt.c2s_delay = 2 * kMs;
  vt.s2c_delay = 2 * kMs;
  vt.ttl_c2s = 63;
  vt.ttl_s2c = 63;
  vs.c2s_delay = 4 * kMs;
  vs.ttl_c2s = 62;
  vc.ttl_s2c = 62;
  add_view(model, 0, c, vc);
  add_view(model, 1, c, vt);
  add_view(model, 2, c, vs);
  finish(model);
  match_model(model, MatchOptions{});
  EXPECT_EQ(model.points[1].node, "tap");
  ASSERT_EQ(model.nodes.size(), 3u);
  EXPECT_EQ(model.nodes[0].name, "10.0.0.1");
  EXPECT_EQ(model.nodes[1].name, "tap");
  EXPECT_EQ(model.nodes[2].name, "10.0.9.9");
  // Each journey: client -> tap -> server (or back), two arrows.
  std::size_t packet_arrows = 0;
  for (const Arrow& a : model.arrows) packet_arrows += a.kind == ArrowKind::kPacket;
  EXPECT_EQ(packet_arrows, 2 * c.packets.size());
}

TEST(PathOrder, UserPlacedPointKeepsItsNode) {
  const Connection c = make_connection(kT0, 1, 100, 7000);
  Model model;
  add_point(model, "client");
  add_point(model, "server");
  model.points[1].node = "backend";
  View vc, vs;
  vc.s2c_delay = kMs;
  vs.c2s_delay = kMs;
  add_view(model, 0, c, vc);
  add_view(model, 1, c, vs);
  finish(model);
  match_model(model, MatchOptions{});
  EXPECT_EQ(model.points[1].node, "backend");
  EXPECT_LT(node_index(model, "backend"), model.nodes.size());
}

}  // namespace
}  // namespace packetseq
