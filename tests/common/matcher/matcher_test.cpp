// Tests for match_model on synthetic captures: joining, NAT, ISN shift, duplicates, ambiguity.
#include "matcher/matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "synthetic.h"

namespace packetseq {
namespace {

using namespace packetseq::testing;

// The synthetic generator puts the true packet id in Observation::frame: a journey may only
// join sightings of one packet.
void expect_no_false_matches(const Model& model) {
  for (const Journey& j : model.journeys) {
    std::set<std::uint64_t> ids;
    std::set<std::size_t> points;
    for (const Sighting& s : j.sightings) {
      ids.insert(model.at(s.observation).frame);
      EXPECT_TRUE(points.insert(s.observation.point).second) << "two sightings at one point";
    }
    EXPECT_EQ(ids.size(), 1u) << "journey joins different packets";
  }
}

// Journey holding the sighting of packet `id` at `point`, or nullptr.
const Journey* journey_of(const Model& model, std::size_t point, int id) {
  for (const Journey& j : model.journeys)
    for (const Sighting& s : j.sightings)
      if (s.observation.point == point &&
          model.at(s.observation).frame == static_cast<std::uint64_t>(id))
        return &j;
  return nullptr;
}

// Client and server captures of one connection, 10 ms apart each way.
Model two_point_model(const Connection& c, std::int64_t server_clock_error) {
  Model model;
  const std::size_t client = add_point(model, "client");
  const std::size_t server = add_point(model, "server");
  View at_client;
  at_client.s2c_delay = 10 * kMs;
  at_client.ttl_s2c = 60;
  View at_server;
  at_server.c2s_delay = 10 * kMs;
  at_server.clock_error = server_clock_error;
  at_server.ttl_c2s = 60;
  add_view(model, client, c, at_client);
  add_view(model, server, c, at_server);
  NameTable names;
  names.set("10.0.0.1", "Client");
  names.set("10.0.9.9", "Server");
  names.set("2001:db8::1", "Client");
  names.set("2001:db8::9", "Server");
  finish(model, names);
  return model;
}

TEST(MatchModel, JoinsEveryPacketOfOneConnectionSeenAtTwoPoints) {
  const Connection c = make_connection(kT0, 5, 100, 7000);
  Model model = two_point_model(c, 0);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.observations, 2 * c.packets.size());
  EXPECT_EQ(report.counters.connection_pairs, 1u);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
  EXPECT_EQ(report.counters.single_point_journeys, 0u);
  EXPECT_EQ(report.counters.lost, 0u);
  EXPECT_EQ(report.counters.ambiguous_keys, 0u);
  for (const Journey& j : model.journeys) {
    ASSERT_EQ(j.sightings.size(), 2u);
    const Observation& first = model.at(j.sightings[0].observation);
    // Ordered along the path: client -> server packets are seen at the client first.
    EXPECT_EQ(j.sightings[0].observation.point, first.src == "10.0.0.1" ? 0u : 1u);
    EXPECT_EQ(j.sightings[1].time_ns - j.sightings[0].time_ns, 10 * kMs);
  }
}

TEST(MatchModel, FindsANineHourClockOffsetWithBoundsContainingTheTruth) {
  const Connection c = make_connection(kT0, 5, 100, 7000);
  Model model = two_point_model(c, 9 * kHour);  // server clock runs 9 h ahead
  match_model(model, MatchOptions{});
  const ClockOffset& clock = model.points[1].clock;
  EXPECT_EQ(clock.source, ClockOffset::Source::kEstimated);
  EXPECT_LE(clock.low_ns, -9 * kHour);
  EXPECT_GE(clock.high_ns, -9 * kHour);
  EXPECT_EQ(clock.offset_ns, -9 * kHour);             // symmetric transit: the midpoint is exact
  EXPECT_EQ(clock.high_ns - clock.low_ns, 20 * kMs);  // min transit both ways
  EXPECT_TRUE(model.match.offsets[1].low_bounded);
  EXPECT_TRUE(model.match.offsets[1].high_bounded);
  EXPECT_EQ(model.points[0].clock.source, ClockOffset::Source::kReference);
  EXPECT_EQ(model.points[0].clock.offset_ns, 0);
  expect_no_false_matches(model);
}

TEST(MatchModel, OffsetsOfAnHourAndAQuarterSecondAndMinusOneAndAHalfSecondWithinAMillisecond) {
  for (std::int64_t error : {-(3600 * kSec + 250 * kMs), 1500 * kMs}) {
    Connection c = make_connection(kT0, 20, 100, 7000);
    Model model;
    add_point(model, "a");
    add_point(model, "b");
    View a, b;
    a.s2c_delay = 3 * kMs;
    b.c2s_delay = 2 * kMs;  // asymmetric by 1 ms: midpoint off by 0.5 ms at most
    b.clock_error = error;
    add_view(model, 0, c, a);
    add_view(model, 1, c, b);
    finish(model);
    match_model(model, MatchOptions{});
    EXPECT_NEAR(static_cast<double>(model.points[1].clock.offset_ns), static_cast<double>(-error),
                1e6);
    EXPECT_LE(model.points[1].clock.low_ns, -error);
    EXPECT_GE(model.points[1].clock.high_ns, -error);
  }
}

TEST(MatchModel, SourceNatIsMatchedAndRecordedAsABinding) {
  const Connection c = make_connection(kT0, 3, 100, 7000);
  Model model;
  add_point(model, "inside");
  add_point(model, "outside");
  View in, out;
  in.s2c_delay = 4 * kMs;
  out.c2s_delay = 1 * kMs;
  out.s2c_delay = 3 * kMs;
  out.client_addr = "192.0.2.1";
  out.client_port = 61000;
  out.ttl_c2s = 63;
  out.ttl_s2c = 60;  // the server is routers away
  add_view(model, 0, c, in);
  add_view(model, 1, c, out);
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
  ASSERT_EQ(model.nat_bindings.size(), 1u);
  EXPECT_EQ(model.nat_bindings[0].inside_point, 0u);
  EXPECT_EQ(model.nat_bindings[0].outside_point, 1u);
  EXPECT_EQ(model.nat_bindings[0].inside, "10.0.0.1:40000");
  EXPECT_EQ(model.nat_bindings[0].outside, "192.0.2.1:61000");
  // The outside capture sits at the NAT box, which owns the translated address.
  EXPECT_EQ(model.points[1].node, "192.0.2.1");
  EXPECT_EQ(model.points[0].node, "10.0.0.1");
}

TEST(MatchModel, IsnShiftingFirewallStillJoinsEveryPacket) {
  const Connection c = make_connection(kT0, 4, 100, 7000);
  Model model;
  add_point(model, "client");
  add_point(model, "server");
  View a, b;
  a.s2c_delay = 2 * kMs;
  b.c2s_delay = 2 * kMs;
  b.client_seq_shift = 0x9E3779B9u;  // wraps the 32-bit space
  b.clock_error = -7 * kSec;
  add_view(model, 0, c, a);
  add_view(model, 1, c, b);
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
  EXPECT_EQ(model.points[1].clock.offset_ns, 7 * kSec);
}

TEST(MatchModel, Ipv6WithoutIpIdJoinsByTimestampsAndBySequenceNumbers) {
  for (bool tsopt : {true, false}) {
    Connection c = make_connection(kT0, 4, 100, 7000);
    c.ip_version = 6;
    c.client = "2001:db8::1";
    c.server = "2001:db8::9";
    c.tsopt = tsopt;
    Model model = two_point_model(c, 3 * kSec);
    const MatchReport report = match_model(model, MatchOptions{});
    expect_no_false_matches(model);
    EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size()) << "tsopt " << tsopt;
    EXPECT_EQ(model.points[1].clock.offset_ns, -3 * kSec);
  }
}

TEST(MatchModel, RetransmissionWithTheSamePayloadIsNotConfusedWithTheOriginal) {
  Connection c = make_connection(kT0, 3, 100, 7000);
  TruePacket retransmission = c.packets[3];  // the request
  ASSERT_EQ(retransmission.len, 120u);
  retransmission.send_ns += 300 * kMs;
  retransmission.ip_id = 555;
  retransmission.tsval += 300;
  retransmission.analysis = kRetransmission;
  retransmission.id = 100;
  c.packets.push_back(retransmission);
  Model model = two_point_model(c, 0);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
  EXPECT_EQ(report.counters.ambiguous_keys, 0u);
  for (int id : {4, 100}) {
    const Journey* j = journey_of(model, 0, id);
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(j->sightings.size(), 2u);
  }
}

TEST(MatchModel, IdenticalRetransmissionWithoutIpIdIsSettledOnlyByCorrectedTime) {
  Connection c = make_connection(kT0, 3, 100, 7000);
  c.ip_version = 6;
  c.client = "2001:db8::1";
  c.server = "2001:db8::9";
  c.tsopt = false;
  TruePacket retransmission = c.packets[3];
  retransmission.send_ns += 300 * kMs;  // an RTO later: only one candidate fits the transit
  retransmission.analysis = kRetransmission;
  retransmission.id = 100;
  c.packets.push_back(retransmission);
  Model model = two_point_model(c, 2 * kHour);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_GE(report.counters.ambiguous_keys, 1u);
  EXPECT_EQ(report.counters.tie_broken, 2u);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
}

TEST(MatchModel, AmbiguousKeysAreCountedAndNeverGuessed) {
  Connection c = make_connection(kT0, 3, 100, 7000);
  c.ip_version = 6;
  c.client = "2001:db8::1";
  c.server = "2001:db8::9";
  c.tsopt = false;
  // Three identical duplicate ACKs 1.2 ms apart; transit jitters by several ms.
  TruePacket dup = c.packets[2];
  for (int k = 0; k < 3; ++k) {
    dup.send_ns = c.packets.back().send_ns + 1200000;
    dup.id = 200 + k;
    dup.analysis = kDuplicateAck;
    c.packets.push_back(dup);
  }
  Model model;
  add_point(model, "client");
  add_point(model, "server");
  View a, b;
  a.s2c_delay = 10 * kMs;
  b.c2s_delay = 10 * kMs;
  add_view(model, 0, c, a);
  add_view(model, 1, c, b);
  // Transit jitters by up to 6 ms, more than the duplicates' spacing: time can't settle them.
  for (auto& o : model.points[1].observations)
    o.time_ns += static_cast<std::int64_t>(o.frame % 7) * kMs;
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_GE(report.counters.ambiguous_keys, 1u);
  for (int id : {200, 201, 202}) {
    const Journey* j = journey_of(model, 0, id);
    ASSERT_NE(j, nullptr);
    EXPECT_TRUE(j->ambiguous);
    EXPECT_EQ(j->sightings.size(), 1u);
  }
  EXPECT_EQ(report.counters.lost, 0u);  // an unsettled candidate is not a loss
}

TEST(MatchModel, SpanDuplicatesAreSetAsideNotMatched) {
  const Connection c = make_connection(kT0, 3, 100, 7000);
  Model model = two_point_model(c, 0);
  auto& obs = model.points[0].observations;
  const std::size_t n = obs.size();
  for (std::size_t i = 0; i < n; ++i) {
    Observation copy = obs[i];
    copy.time_ns += 20000;  // 20 us later: the span port's second copy
    obs.push_back(copy);
  }
  std::stable_sort(obs.begin(), obs.end(), [](const Observation& x, const Observation& y) {
    return x.time_ns < y.time_ns;
  });
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.duplicates, n);
  EXPECT_EQ(model.match.duplicates.size(), n);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
  EXPECT_EQ(report.counters.ambiguous_keys, 0u);
  for (const auto& d : model.match.duplicates)
    EXPECT_EQ(model.at(d.duplicate).frame, model.at(d.original).frame);
}

TEST(MatchModel, IpIdAndSequenceWrapAroundDoNotCauseFalseMatches) {
  Connection c = make_connection(kT0, 70000, 65500, 65000);  // both IP ID counters wrap
  for (auto& p : c.packets)
    if (!p.to_server) p.seq += 0xFFF00000u;  // and the server's sequence numbers wrap
  Model model = two_point_model(c, kSec);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
  EXPECT_EQ(report.counters.lost, 0u);
}

TEST(MatchModel, ZeroIpIdsCarryNoIdentityButOtherKeysStillJoin) {
  Connection c = make_connection(kT0, 5, 100, 0);
  for (auto& p : c.packets)
    if (!p.to_server) p.ip_id = 0;  // Linux DF packets with IP ID 0
  Model model = two_point_model(c, 0);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.multi_point_journeys, c.packets.size());
}

TEST(MatchModel, UnrelatedConnectionsAreNotJoined) {
  Model model;
  add_point(model, "a");
  add_point(model, "b");
  Connection c1 = make_connection(kT0, 3, 100, 7000);
  Connection c2 = make_connection(kT0 + kSec, 3, 900, 8000, 50);
  c2.client_port = 40001;
  renumber(c2, 777777, 888888);
  for (auto& p : c2.packets) {
    p.tsval += 100000;
    p.tsecr += 100000;
  }
  View v;
  add_view(model, 0, c1, v);
  add_view(model, 1, c2, v);
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.connection_pairs, 0u);
  EXPECT_EQ(report.counters.multi_point_journeys, 0u);
  EXPECT_EQ(model.points[1].clock.source, ClockOffset::Source::kNone);
  EXPECT_FALSE(report.warnings.empty());
}

TEST(MatchModel, SeedCsvLikeRowsJoinTheSameConnectionNotTheProxysSecondOne) {
  // Seed CSV exports: no IP ID, no timestamps, no payload digest, relative seq/ack only.
  auto csv_like = [](Connection c) {
    c.ip_id = c.tsopt = c.digest = false;
    renumber(c, 0, 0);
    return c;
  };
  const Connection front = csv_like(make_connection(kT0, 3, 100, 7000));
  Connection back = make_connection(kT0 + 5 * kMs, 3, 300, 9000, 50);
  back.client = "10.0.6.6";
  back.client_port = 45000;
  back = csv_like(back);
  Model model;
  add_point(model, "client.csv");
  add_point(model, "proxy.csv");
  View at_client, at_proxy, proxy_back;
  at_client.s2c_delay = 2 * kMs;
  at_proxy.c2s_delay = 2 * kMs;
  proxy_back.stream = 1;
  add_view(model, 0, front, at_client);
  add_view(model, 1, front, at_proxy);
  add_view(model, 1, back, proxy_back);
  finish(model);
  const MatchReport report = match_model(model, MatchOptions{});
  expect_no_false_matches(model);
  EXPECT_EQ(report.counters.connection_pairs, 1u);
  // Even the SYN (seq 0, ack 0: no vote) matches once the connections are paired.
  EXPECT_EQ(report.counters.multi_point_journeys, front.packets.size());
  for (const Journey& j : model.journeys) {
    for (const Sighting& s : j.sightings) {
      if (model.at(s.observation).src == "10.0.6.6") {
        EXPECT_EQ(j.sightings.size(), 1u);
      }
    }
  }
}

TEST(MatchModel, EmptyModelAndBadOptions) {
  Model empty;
  EXPECT_NO_THROW(match_model(empty, MatchOptions{}));
  const Connection c = make_connection(kT0, 1, 100, 7000);
  Model model = two_point_model(c, 0);
  MatchOptions bad_pin;
  bad_pin.offsets.push_back(OffsetOverride{"nowhere", 0});
  EXPECT_THROW(match_model(model, bad_pin), std::invalid_argument);
  MatchOptions bad_group;
  bad_group.same_clock.push_back({"client", "nowhere"});
  EXPECT_THROW(match_model(model, bad_group), std::invalid_argument);
  MatchOptions bad_reference;
  bad_reference.reference_point = 5;
  EXPECT_THROW(match_model(model, bad_reference), std::invalid_argument);
}

TEST(MatchModel, ExtremeTimestampsAndOffsetsDoNotOverflow) {
  // Untrusted captures: timestamps at the ends of the range, a user pin just as extreme.
  const Connection c = make_connection(kT0, 3, 100, 7000);
  Model model = two_point_model(c, 0);
  auto& a = model.points[0].observations;
  auto& b = model.points[1].observations;
  a.front().time_ns = std::numeric_limits<std::int64_t>::max() - 5;
  b.front().time_ns = std::numeric_limits<std::int64_t>::min() + 5;
  a.back().time_ns = std::numeric_limits<std::int64_t>::min();
  MatchOptions options;
  options.offsets.push_back(OffsetOverride{"server", std::numeric_limits<std::int64_t>::max()});
  EXPECT_NO_THROW(match_model(model, options));
  MatchOptions none;
  EXPECT_NO_THROW(match_model(model, none));
  expect_no_false_matches(model);
}

TEST(MatchModel, BuildsArrowsBetweenTheNodesOfConsecutiveSightings) {
  const Connection c = make_connection(kT0, 2, 100, 7000);
  Model model = two_point_model(c, 5 * kSec);
  match_model(model, MatchOptions{});
  ASSERT_EQ(model.arrows.size(), c.packets.size());
  ASSERT_EQ(model.nodes.size(), 2u);
  EXPECT_EQ(model.nodes[0].name, "Client");
  EXPECT_EQ(model.nodes[1].name, "Server");
  for (std::size_t i = 0; i < model.arrows.size(); ++i) {
    const Arrow& a = model.arrows[i];
    EXPECT_EQ(a.kind, ArrowKind::kPacket);
    EXPECT_EQ(a.to_ns - a.from_ns, 10 * kMs);
    const Observation& o = model.at(a.observation);
    EXPECT_EQ(a.from_node, o.src == "10.0.0.1" ? 0u : 1u);
    EXPECT_NE(a.from_node, a.to_node);
    if (i) {
      EXPECT_LE(model.arrows[i - 1].from_ns, a.from_ns);
    }
  }
}

}  // namespace
}  // namespace packetseq
