// Tests for follow mode: the anchor's followed connections, found again at every point.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "matcher/matcher.h"
#include "synthetic.h"

namespace packetseq {
namespace {

using namespace packetseq::testing;

MatchOptions follow_options(std::size_t anchor = 0) {
  MatchOptions options;
  options.follow = true;
  options.reference_point = anchor;
  return options;
}

// Marks the anchor's observations of tcp.stream `stream` as followed (what the reader does for
// --follow "tcp.stream==N"); `only_frame` > 0 marks that one packet alone.
void follow_stream(Model& model, std::size_t anchor, std::uint32_t stream, int only_frame = 0) {
  for (Observation& o : model.points[anchor].observations)
    if (o.stream == stream &&
        (only_frame == 0 || o.frame == static_cast<std::uint64_t>(only_frame)))
      o.followed = true;
}

// Every reference in the model points at a kept observation with the sighting's time.
void expect_consistent_refs(const Model& model) {
  std::size_t sightings = 0;
  for (const Journey& j : model.journeys)
    for (const Sighting& s : j.sightings) {
      ++sightings;
      ASSERT_LT(s.observation.point, model.points.size());
      ASSERT_LT(s.observation.index, model.points[s.observation.point].observations.size());
      EXPECT_EQ(model.corrected_ns(s.observation), s.time_ns);
    }
  std::size_t observations = 0;
  for (const auto& p : model.points) observations += p.observations.size();
  EXPECT_EQ(sightings + model.match.duplicates.size(), observations);  // each in one journey
  for (const RelayLink& l : model.relay_links) {
    ASSERT_LT(l.in.index, model.points[l.in.point].observations.size());
    ASSERT_LT(l.out.index, model.points[l.out.point].observations.size());
    EXPECT_EQ(model.at(l.in).payload_digest, model.at(l.out).payload_digest);
  }
  for (const Arrow& a : model.arrows) {
    ASSERT_LT(a.from_node, model.nodes.size());
    ASSERT_LT(a.to_node, model.nodes.size());
  }
}

bool has_warning(const Model& model, const std::string& part) {
  for (const auto& w : model.match.warnings)
    if (w.find(part) != std::string::npos) return true;
  return false;
}

// Two connections of one client through a source NAT that also shifts the client's ISN, seen
// inside, outside and at the server.
// Outside, the NAT gave the first connection the second one's inside port (and vice versa), and
// tcp.stream numbers differ per capture: neither the port nor the stream number can follow it.
struct NatModel {
  Model model;
  Connection first, second;
};

NatModel nat_model(bool with_second = true) {
  NatModel m;
  Model& model = m.model;
  add_point(model, "inside");
  add_point(model, "outside");
  add_point(model, "server");
  m.first = make_connection(kT0, 4, 100, 7000);
  m.second = make_connection(kT0 + 3 * kMs, 6, 2000, 9000, 100);
  m.second.client_port = 40001;
  renumber(m.second, 123456, 654321);
  auto views = [](std::uint16_t nat_port, std::uint32_t stream_in, std::uint32_t stream_out) {
    View in, out, server;
    in.s2c_delay = 5 * kMs;
    in.stream = stream_in;
    out.c2s_delay = 1 * kMs;
    out.s2c_delay = 4 * kMs;
    out.client_addr = "192.0.2.1";
    out.client_port = nat_port;
    out.ttl_c2s = 63;
    out.clock_error = 2 * kSec;
    out.stream = stream_out;
    out.client_seq_shift = 0x01000000;  // the firewall also randomises the client's ISN
    server = out;
    server.c2s_delay = 5 * kMs;
    server.s2c_delay = 0;
    server.ttl_c2s = 60;
    server.clock_error = -7 * kSec;
    server.stream = stream_out;
    return std::vector<View>{in, out, server};
  };
  const auto v1 = views(40001, 0, 1);
  for (std::size_t p = 0; p < 3; ++p) add_view(model, p, m.first, v1[p]);
  if (with_second) {
    const auto v2 = views(40000, 1, 0);
    for (std::size_t p = 0; p < 3; ++p) add_view(model, p, m.second, v2[p]);
  }
  finish(model);
  return m;
}

TEST(Follow, OneConnectionThroughSourceNatIsKeptAtEveryPointAndNothingElse) {
  NatModel m = nat_model();
  Model plain = m.model;
  const MatchReport plain_report = match_model(plain, MatchOptions{});
  Model only_first = nat_model(false).model;  // the followed connection alone, matched plainly
  match_model(only_first, MatchOptions{});

  Model& model = m.model;
  follow_stream(model, 0, 0, 4);  // one packet of the first connection (its request)
  const MatchReport report = match_model(model, follow_options());
  expect_consistent_refs(model);

  const std::size_t n = m.first.packets.size();
  EXPECT_EQ(report.counters.followed_connections, 1u);
  EXPECT_EQ(report.counters.kept_connections, 3u);
  EXPECT_EQ(report.counters.kept_observations, 3 * n);
  EXPECT_EQ(report.counters.observations, plain_report.counters.observations);  // all were read
  EXPECT_EQ(report.counters.journeys, n);
  EXPECT_EQ(report.counters.multi_point_journeys, n);
  EXPECT_EQ(report.counters.connection_pairs, 3u);
  for (std::size_t p = 0; p < 3; ++p) {
    ASSERT_EQ(model.points[p].observations.size(), n) << model.points[p].name;
    for (const Observation& o : model.points[p].observations) {
      EXPECT_LT(o.frame, 100u) << "a packet of the other connection at " << model.points[p].name;
      const std::uint16_t client_port = o.src_port == 80 ? o.dst_port : o.src_port;
      EXPECT_EQ(client_port, p == 0 ? 40000 : 40001);  // the NAT's port for it outside
    }
  }
  ASSERT_EQ(model.nat_bindings.size(), 1u);
  EXPECT_EQ(model.nat_bindings[0].inside, "10.0.0.1:40000");
  EXPECT_EQ(model.nat_bindings[0].outside, "192.0.2.1:40001");
  EXPECT_EQ(report.counters.nat_bindings, 1u);

  // Offsets come from all the data: exactly the plain match's.
  for (std::size_t p = 0; p < 3; ++p) {
    EXPECT_EQ(model.points[p].clock.offset_ns, plain.points[p].clock.offset_ns);
    EXPECT_EQ(model.points[p].clock.low_ns, plain.points[p].clock.low_ns);
    EXPECT_EQ(model.points[p].clock.high_ns, plain.points[p].clock.high_ns);
  }
  // Hop statistics and arrows describe the selection: those of the connection matched alone.
  ASSERT_EQ(model.match.hops.size(), only_first.match.hops.size());
  for (std::size_t i = 0; i < model.match.hops.size(); ++i) {
    EXPECT_EQ(model.match.hops[i].from_point, only_first.match.hops[i].from_point);
    EXPECT_EQ(model.match.hops[i].to_point, only_first.match.hops[i].to_point);
    EXPECT_EQ(model.match.hops[i].packets, only_first.match.hops[i].packets);
    EXPECT_EQ(model.match.hops[i].transit_median_ns, only_first.match.hops[i].transit_median_ns);
    EXPECT_EQ(model.match.hops[i].retransmissions, only_first.match.hops[i].retransmissions);
  }
  EXPECT_EQ(model.arrows.size(), only_first.arrows.size());
  EXPECT_LT(model.arrows.size(), plain.arrows.size());
  EXPECT_TRUE(has_warning(model, "follow: 1 connection followed from inside; kept 3 connections"));
}

TEST(Follow, FollowingTheOtherConnectionFromADownstreamAnchorKeepsItUpstream) {
  NatModel m = nat_model();
  Model& model = m.model;
  follow_stream(model, 1, 0);  // outside, stream 0: the second connection
  const MatchReport report = match_model(model, follow_options(1));
  expect_consistent_refs(model);
  const std::size_t n = m.second.packets.size();
  EXPECT_EQ(report.counters.kept_observations, 3 * n);
  for (std::size_t p = 0; p < 3; ++p)
    for (const Observation& o : model.points[p].observations) EXPECT_GT(o.frame, 100u);
  ASSERT_EQ(model.nat_bindings.size(), 1u);
  EXPECT_EQ(model.nat_bindings[0].inside, "10.0.0.1:40001");
  EXPECT_EQ(model.nat_bindings[0].outside, "192.0.2.1:40000");
  EXPECT_EQ(model.points[1].clock.source, ClockOffset::Source::kReference);
}

TEST(Follow, NothingFollowedGivesAnEmptySelectionAndAWarning) {
  NatModel m = nat_model();
  Model& model = m.model;
  const MatchReport report = match_model(model, follow_options());
  EXPECT_EQ(report.counters.followed_connections, 0u);
  EXPECT_EQ(report.counters.kept_connections, 0u);
  EXPECT_EQ(report.counters.kept_observations, 0u);
  EXPECT_EQ(report.counters.journeys, 0u);
  EXPECT_EQ(report.counters.nat_bindings, 0u);
  EXPECT_EQ(report.counters.connection_pairs, 0u);
  EXPECT_GT(report.counters.observations, 0u);
  for (const auto& p : model.points) EXPECT_TRUE(p.observations.empty()) << p.name;
  EXPECT_TRUE(model.journeys.empty());
  EXPECT_TRUE(model.nat_bindings.empty());
  EXPECT_TRUE(model.relay_links.empty());
  EXPECT_TRUE(model.arrows.empty());
  EXPECT_TRUE(model.match.hops.empty());
  ASSERT_FALSE(report.warnings.empty());
  EXPECT_EQ(report.warnings.back(),
            "follow: no packet in inside matched the follow filter; nothing is selected");
  // The clocks were still estimated from everything that was read.
  EXPECT_EQ(model.points[1].clock.source, ClockOffset::Source::kEstimated);
}

TEST(Follow, WithoutFollowEverythingIsKeptAndTheFlagIsIgnored) {
  NatModel m = nat_model();
  Model plain = m.model;
  const MatchReport plain_report = match_model(plain, MatchOptions{});
  Model& model = m.model;
  follow_stream(model, 0, 0);
  const MatchReport report = match_model(model, MatchOptions{});
  EXPECT_EQ(report.counters.journeys, plain_report.counters.journeys);
  EXPECT_EQ(report.counters.followed_connections, 0u);
  EXPECT_EQ(report.counters.kept_connections, 6u);
  EXPECT_EQ(report.counters.kept_observations, report.counters.observations);
  EXPECT_EQ(model.arrows.size(), plain.arrows.size());
  EXPECT_EQ(report.warnings, plain_report.warnings);
}

TEST(Follow, APacketLostBeforeTheAnchorIsKept) {
  // The anchor is the outside capture; the inside saw the client's request, the outside did not
  // (lost in between, seen upstream only). It belongs to the followed connection: kept.
  NatModel m;
  Model& model = m.model;
  add_point(model, "outside");
  add_point(model, "inside");
  m.first = make_connection(kT0, 4, 100, 7000);
  m.second = make_connection(kT0 + 3 * kMs, 6, 2000, 9000, 100);
  m.second.client_port = 40001;
  renumber(m.second, 123456, 654321);
  View in, out;
  in.s2c_delay = 5 * kMs;
  in.ttl_s2c = 61;
  out.c2s_delay = 1 * kMs;
  out.s2c_delay = 4 * kMs;
  out.client_addr = "192.0.2.1";
  out.client_port = 50000;
  out.ttl_c2s = 63;
  out.ttl_s2c = 62;
  const int lost_id = 4;  // the request (client -> server)
  out.drop = [](const TruePacket& p) { return p.id == lost_id; };
  add_view(model, 1, m.first, in);
  add_view(model, 0, m.first, out);
  View out2 = out;
  out2.client_port = 50001;
  out2.drop = nullptr;
  out2.stream = 1;
  View in2 = in;
  in2.stream = 1;
  add_view(model, 1, m.second, in2);
  add_view(model, 0, m.second, out2);
  finish(model);
  follow_stream(model, 0, 0);
  const MatchReport report = match_model(model, follow_options());
  expect_consistent_refs(model);
  const std::size_t n = m.first.packets.size();
  EXPECT_EQ(model.points[0].observations.size(), n - 1);
  ASSERT_EQ(model.points[1].observations.size(), n);
  EXPECT_EQ(report.counters.journeys, n);
  EXPECT_EQ(report.counters.single_point_journeys, 1u);
  EXPECT_EQ(report.counters.lost, 1u);
  const Journey* lost = nullptr;
  for (const Journey& j : model.journeys)
    if (j.sightings.size() == 1) lost = &j;
  ASSERT_NE(lost, nullptr);
  EXPECT_EQ(lost->sightings[0].observation.point, 1u);
  EXPECT_EQ(model.at(lost->sightings[0].observation).frame, static_cast<std::uint64_t>(lost_id));
  EXPECT_TRUE(lost->lost);
  EXPECT_EQ(lost->lost_at_point, 0u);
  for (const auto& p : model.points)
    for (const Observation& o : p.observations) EXPECT_LT(o.frame, 100u);
}

TEST(Follow, AnUnclearAssociationKeepsNoneOfTheCandidatesAndSaysSo) {
  // The second point shows the connection twice with equal evidence (two taps, two VLANs,
  // different outside ports): the matcher joins neither, so follow keeps neither, and warns.
  const Connection c = make_connection(kT0, 4, 100, 7000);
  Model model;
  add_point(model, "client");
  add_point(model, "mirror");
  View at_client, copy1, copy2;
  at_client.s2c_delay = 4 * kMs;
  copy1.c2s_delay = copy2.c2s_delay = 1 * kMs;
  copy1.s2c_delay = copy2.s2c_delay = 3 * kMs;
  copy1.client_addr = copy2.client_addr = "192.0.2.1";
  copy1.client_port = 50001;
  copy2.client_port = 50002;
  copy2.stream = 1;
  add_view(model, 0, c, at_client);
  add_view(model, 1, c, copy1);
  add_view(model, 1, c, copy2);
  finish(model);
  follow_stream(model, 0, 0);
  const MatchReport report = match_model(model, follow_options());
  expect_consistent_refs(model);
  EXPECT_EQ(report.counters.kept_connections, 1u);
  EXPECT_EQ(model.points[0].observations.size(), c.packets.size());
  EXPECT_TRUE(model.points[1].observations.empty());
  EXPECT_TRUE(has_warning(model,
                          "follow: 10.0.0.1:40000 - 10.0.9.9:80 at client may be "
                          "192.0.2.1:5000"));
  EXPECT_TRUE(has_warning(model, "(no clear match); none of them is kept in mirror"));
  EXPECT_TRUE(has_warning(model, "; not seen at mirror"));
}

// client -> fw (inside, outside with SNAT) -> relay (own capture, both connections) -> server,
// two client sessions at once, each relayed to a connection of its own towards the server.
struct RelayChain {
  Model model;
  std::size_t client = 0, fw_in = 1, fw_out = 2, relay = 3, server = 4;
  std::vector<Connection> front, back;
};

RelayChain relay_chain(int sessions) {
  RelayChain ch;
  Model& model = ch.model;
  for (const char* name : {"client", "fw-inside", "fw-outside", "relay", "server"})
    add_point(model, name);
  const std::int64_t hold = 40 * kMs, to_relay = kMs, to_server = kMs;
  for (int k = 0; k < sessions; ++k) {
    const int segments = 3 + k;
    Connection front =
        make_connection(kT0 + k * 7 * kMs, segments, 100 + 1000 * k, 7000 + 1000 * k, 1000 * k);
    front.server = "10.10.2.2";
    front.server_port = 8080;
    front.client_port = static_cast<std::uint16_t>(40000 + k);
    renumber(front, 1000 + 100000u * k, 50000 + 300000u * k);
    Connection back =
        make_connection(kT0, segments, 300 + 1000 * k, 9000 + 1000 * k, 1000 * k + 500);
    back.client = "10.10.3.1";
    back.client_port = static_cast<std::uint16_t>(45000 + k);
    back.server = "10.10.3.2";
    renumber(back, 777 + 1000000u * k, 99999 + 2000000u * k);
    const std::int64_t request_in = front.packets[3].send_ns + to_relay;
    const std::int64_t shift_back = request_in + hold - back.packets[3].send_ns;
    for (auto& p : back.packets) p.send_ns += shift_back;
    back.packets[3].digest = front.packets[3].digest;  // the request, forwarded as is
    for (int i = 0; i < segments; ++i) {
      front.packets[4 + i].digest = back.packets[4 + i].digest;
      front.packets[4 + i].send_ns = back.packets[4 + i].send_ns + to_server + hold;
    }
    View client, fw_in, fw_out, relay_front, relay_back, server;
    client.s2c_delay = to_relay;
    client.stream = k;
    fw_in.c2s_delay = 100000;
    fw_in.s2c_delay = to_relay - 100000;
    fw_in.ttl_s2c = 63;
    fw_in.stream = k;
    fw_out.c2s_delay = 200000;
    fw_out.s2c_delay = to_relay - 200000;
    fw_out.client_addr = "10.10.2.1";
    fw_out.client_port = static_cast<std::uint16_t>(20001 - k);
    fw_out.ttl_c2s = 63;
    fw_out.stream = 1 - k;
    relay_front = fw_out;
    relay_front.c2s_delay = to_relay;
    relay_front.s2c_delay = 0;
    relay_front.ttl_s2c = 64;
    relay_front.stream = 2 * k;
    relay_back.s2c_delay = to_server;
    relay_back.stream = 2 * k + 1;
    server.c2s_delay = to_server;
    server.stream = k;
    add_view(model, ch.client, front, client);
    add_view(model, ch.fw_in, front, fw_in);
    add_view(model, ch.fw_out, front, fw_out);
    add_view(model, ch.relay, front, relay_front);
    add_view(model, ch.relay, back, relay_back);
    add_view(model, ch.server, back, server);
    ch.front.push_back(front);
    ch.back.push_back(back);
  }
  NameTable names;
  names.set("10.0.0.1", "client");
  names.set("10.10.2.1", "fw");
  names.set("10.10.2.2", "relay");
  names.set("10.10.3.1", "relay");
  names.set("10.10.3.2", "server");
  finish(model, names);
  return ch;
}

// Frame ids of session k: front 1000k+1..., back 1000k+501...
bool of_session(std::uint64_t frame, int k) {
  return frame > static_cast<std::uint64_t>(1000 * k) &&
         frame < static_cast<std::uint64_t>(1000 * (k + 1));
}

TEST(Follow, ThroughAFullProxyTheServerSideConnectionIsKeptToo) {
  RelayChain ch = relay_chain(2);
  Model plain = ch.model;
  match_model(plain, MatchOptions{});
  Model only_first = relay_chain(1).model;
  match_model(only_first, MatchOptions{});
  ASSERT_GT(only_first.relay_links.size(), 0u);

  for (int k = 0; k < 2; ++k) {
    SCOPED_TRACE("session " + std::to_string(k));
    Model model = ch.model;
    follow_stream(model, ch.client, static_cast<std::uint32_t>(k));
    const MatchReport report = match_model(model, follow_options());
    expect_consistent_refs(model);
    EXPECT_EQ(report.counters.followed_connections, 1u);
    EXPECT_EQ(report.counters.kept_connections, 6u);  // 4 of the front one, 2 of the back one
    const std::size_t nf = ch.front[k].packets.size(), nb = ch.back[k].packets.size();
    EXPECT_EQ(model.points[ch.client].observations.size(), nf);
    EXPECT_EQ(model.points[ch.fw_out].observations.size(), nf);
    EXPECT_EQ(model.points[ch.relay].observations.size(), nf + nb);
    EXPECT_EQ(model.points[ch.server].observations.size(), nb);
    for (const auto& p : model.points)
      for (const Observation& o : p.observations) EXPECT_TRUE(of_session(o.frame, k)) << p.name;
    EXPECT_EQ(report.counters.journeys, nf + nb);
    // Relay links: those of this session, every one of them.
    std::size_t links_in_plain = 0;
    for (const RelayLink& l : plain.relay_links)
      links_in_plain += of_session(plain.at(l.out).frame, k);
    EXPECT_EQ(model.relay_links.size(), links_in_plain);
    EXPECT_EQ(report.counters.relay_links, links_in_plain);
    ASSERT_EQ(model.match.dwell.size(), 1u);
    EXPECT_EQ(model.match.dwell[0].links, links_in_plain);
    ASSERT_EQ(model.nat_bindings.size(), 1u);
    EXPECT_EQ(model.nat_bindings[0].inside, "10.0.0.1:" + std::to_string(40000 + k));
    EXPECT_EQ(model.nat_bindings[0].outside, "10.10.2.1:" + std::to_string(20001 - k));
    ASSERT_EQ(model.nodes.size(), 4u);
    EXPECT_EQ(model.nodes[0].name, "client");
    EXPECT_EQ(model.nodes[3].name, "server");
  }
  // Session 0 followed: the same arrows as session 0 matched alone.
  Model model = ch.model;
  follow_stream(model, ch.client, 0);
  match_model(model, follow_options());
  EXPECT_EQ(model.arrows.size(), only_first.arrows.size());
  EXPECT_EQ(model.match.hops.size(), only_first.match.hops.size());
}

TEST(Follow, FollowingTheServerSideConnectionReachesTheClientThroughTheProxy) {
  RelayChain ch = relay_chain(2);
  Model model = ch.model;
  follow_stream(model, ch.server, 1);  // the second session's back connection, at the server
  const MatchReport report = match_model(model, follow_options(ch.server));
  expect_consistent_refs(model);
  EXPECT_EQ(report.counters.kept_connections, 6u);
  EXPECT_EQ(model.points[ch.client].observations.size(), ch.front[1].packets.size());
  for (const auto& p : model.points)
    for (const Observation& o : p.observations) EXPECT_TRUE(of_session(o.frame, 1)) << p.name;
}

// What the front ends show of a matched model, field by field.
void expect_same_model(const Model& a, const Model& b) {
  ASSERT_EQ(a.points.size(), b.points.size());
  for (std::size_t p = 0; p < a.points.size(); ++p) {
    SCOPED_TRACE("point " + std::to_string(p));
    EXPECT_EQ(a.points[p].node, b.points[p].node);
    EXPECT_EQ(a.points[p].clock.offset_ns, b.points[p].clock.offset_ns);
    EXPECT_EQ(a.points[p].clock.low_ns, b.points[p].clock.low_ns);
    EXPECT_EQ(a.points[p].clock.high_ns, b.points[p].clock.high_ns);
    EXPECT_EQ(a.points[p].clock.source, b.points[p].clock.source);
    ASSERT_EQ(a.points[p].observations.size(), b.points[p].observations.size());
    for (std::size_t i = 0; i < a.points[p].observations.size(); ++i) {
      EXPECT_EQ(a.points[p].observations[i].frame, b.points[p].observations[i].frame);
      EXPECT_EQ(a.points[p].observations[i].followed, b.points[p].observations[i].followed);
    }
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (std::size_t n = 0; n < a.nodes.size(); ++n) {
    EXPECT_EQ(a.nodes[n].name, b.nodes[n].name);
    EXPECT_EQ(a.nodes[n].addresses, b.nodes[n].addresses);
  }
  ASSERT_EQ(a.journeys.size(), b.journeys.size());
  for (std::size_t j = 0; j < a.journeys.size(); ++j) {
    EXPECT_EQ(a.journeys[j].lost, b.journeys[j].lost);
    EXPECT_EQ(a.journeys[j].ambiguous, b.journeys[j].ambiguous);
    ASSERT_EQ(a.journeys[j].sightings.size(), b.journeys[j].sightings.size());
    for (std::size_t k = 0; k < a.journeys[j].sightings.size(); ++k) {
      EXPECT_EQ(a.journeys[j].sightings[k].observation.point,
                b.journeys[j].sightings[k].observation.point);
      EXPECT_EQ(a.journeys[j].sightings[k].observation.index,
                b.journeys[j].sightings[k].observation.index);
      EXPECT_EQ(a.journeys[j].sightings[k].time_ns, b.journeys[j].sightings[k].time_ns);
    }
  }
  ASSERT_EQ(a.relay_links.size(), b.relay_links.size());
  for (std::size_t l = 0; l < a.relay_links.size(); ++l) {
    EXPECT_EQ(a.relay_links[l].in.index, b.relay_links[l].in.index);
    EXPECT_EQ(a.relay_links[l].out.index, b.relay_links[l].out.index);
    EXPECT_EQ(a.relay_links[l].dwell_ns, b.relay_links[l].dwell_ns);
  }
  ASSERT_EQ(a.nat_bindings.size(), b.nat_bindings.size());
  for (std::size_t n = 0; n < a.nat_bindings.size(); ++n) {
    EXPECT_EQ(a.nat_bindings[n].inside, b.nat_bindings[n].inside);
    EXPECT_EQ(a.nat_bindings[n].outside, b.nat_bindings[n].outside);
  }
  ASSERT_EQ(a.arrows.size(), b.arrows.size());
  for (std::size_t i = 0; i < a.arrows.size(); ++i) {
    EXPECT_EQ(a.arrows[i].kind, b.arrows[i].kind);
    EXPECT_EQ(a.arrows[i].from_node, b.arrows[i].from_node);
    EXPECT_EQ(a.arrows[i].to_node, b.arrows[i].to_node);
    EXPECT_EQ(a.arrows[i].from_ns, b.arrows[i].from_ns);
    EXPECT_EQ(a.arrows[i].to_ns, b.arrows[i].to_ns);
    EXPECT_EQ(a.arrows[i].note, b.arrows[i].note);
  }
  EXPECT_EQ(a.match.warnings, b.match.warnings);
  EXPECT_EQ(a.match.hops.size(), b.match.hops.size());
  EXPECT_EQ(a.match.duplicates.size(), b.match.duplicates.size());
  const MatchCounters& ca = a.match.counters;
  const MatchCounters& cb = b.match.counters;
  EXPECT_EQ(ca.journeys, cb.journeys);
  EXPECT_EQ(ca.lost, cb.lost);
  EXPECT_EQ(ca.followed_connections, cb.followed_connections);
  EXPECT_EQ(ca.kept_connections, cb.kept_connections);
  EXPECT_EQ(ca.kept_observations, cb.kept_observations);
  EXPECT_EQ(ca.relay_links, cb.relay_links);
  EXPECT_EQ(ca.nat_bindings, cb.nat_bindings);
}

// --each-connection: one FollowBatch, one select() per connection, each equal to matching a
// copy in follow mode (NAT with ISN shift; a full proxy followed from the client and from the
// server end).
TEST(Follow, FollowBatchSelectEqualsMatchingACopy) {
  struct Case {
    const char* name;
    Model model;
    std::size_t anchor;
  };
  const RelayChain ch = relay_chain(2);
  std::vector<Case> cases = {{"nat", nat_model().model, 0},
                             {"proxy from the client", ch.model, ch.client},
                             {"proxy from the server", ch.model, ch.server}};
  for (const Case& c : cases) {
    const FollowBatch batch(c.model, follow_options(c.anchor));
    for (std::uint32_t stream = 0; stream < 2; ++stream) {
      SCOPED_TRACE(std::string(c.name) + ", stream " + std::to_string(stream));
      Model expected = c.model;
      follow_stream(expected, c.anchor, stream);
      match_model(expected, follow_options(c.anchor));
      const Model got = batch.select([stream](const Observation& o) { return o.stream == stream; });
      EXPECT_GT(got.journeys.size(), 0u);
      expect_same_model(got, expected);
    }
  }
}

}  // namespace
}  // namespace packetseq
