// Many capture points: chains of four points behind a source NAT plus one monitor point seeing
// every chain's first connection; each packet must be matched across exactly its own points.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "matcher/matcher.h"
#include "synthetic.h"

namespace packetseq {
namespace {

using namespace packetseq::testing;

constexpr int kChains = 150;         // 4 points each, plus the monitor: 601 points
constexpr int kPacketsPerConn = 10;  // make_connection(..., 2 segments, ...)

std::string addr(int a, int chain, int d) {
  return std::to_string(a) + "." + std::to_string((chain >> 8) & 255) + "." +
         std::to_string(chain & 255) + "." + std::to_string(d);
}

struct ManyPoints {
  Model model;
  std::vector<std::int64_t> clock_error;    // per point, local = true + error
  std::map<int, std::set<std::size_t>> at;  // packet id -> points that saw it
};

// Chain c: host (0 ms from the client), router (1 ms), NAT outside (2 ms, source NAT), near
// the server (3 ms). Connection 0 also passes the monitor (2.5 ms), connection 1 does not;
// connection 2 goes from the client to a local service and is seen at the host only.
ManyPoints many_points() {
  ManyPoints m;
  const std::size_t monitor = add_point(m.model, "monitor");
  m.clock_error.push_back(0);
  for (int c = 0; c < kChains; ++c) {
    std::size_t p[4];
    for (int j = 0; j < 4; ++j) {
      p[j] = add_point(m.model, "c" + std::to_string(c) + "p" + std::to_string(j));
      // Clocks off by up to +-40 ms (far more than the transits), the host's exact.
      m.clock_error.push_back(j == 0 ? 0 : ((c * 7 + j * 13) % 81 - 40) * kMs);
    }
    for (int k = 0; k < 3; ++k) {
      const int first_id = (c * 3 + k) * 100;
      Connection conn = make_connection(kT0 + c * 37 * kMs + k * 11 * kMs, 2,
                                        static_cast<std::uint16_t>(c * 31 + k * 7 + 1),
                                        static_cast<std::uint16_t>(c * 17 + k * 5 + 3), first_id);
      conn.client = addr(10, c, 2);
      conn.server = k == 2 ? addr(10, c, 53) : "203.0.113." + std::to_string(1 + c % 50);
      conn.client_port = static_cast<std::uint16_t>(30000 + c * 3 + k);
      conn.server_port = k == 2 ? 5353 : 443;
      renumber(conn, 1000003u * static_cast<std::uint32_t>(c * 3 + k + 1),
               2000029u * static_cast<std::uint32_t>(c * 3 + k + 1));
      const int points = k == 2 ? 1 : 4;
      for (int j = 0; j < points; ++j) {
        View v;
        v.c2s_delay = j * kMs;
        v.s2c_delay = (3 - j) * kMs;
        v.clock_error = m.clock_error[p[j]];
        v.ttl_c2s = static_cast<std::uint8_t>(64 - j);
        v.ttl_s2c = static_cast<std::uint8_t>(61 + j);
        v.stream = static_cast<std::uint32_t>(k);
        if (j >= 2) {  // after the NAT
          v.client_addr = addr(100, c + 64 * 256, 1);
          v.client_port = static_cast<std::uint16_t>(2000 + c * 2 + k);
        }
        add_view(m.model, p[j], conn, v);
        for (const TruePacket& t : conn.packets) m.at[t.id].insert(p[j]);
      }
      if (k == 0) {
        View v;
        v.c2s_delay = 2 * kMs + kMs / 2;
        v.s2c_delay = kMs / 2;
        v.ttl_c2s = 62;
        v.ttl_s2c = 63;
        v.stream = static_cast<std::uint32_t>(c);
        v.client_addr = addr(100, c + 64 * 256, 1);
        v.client_port = static_cast<std::uint16_t>(2000 + c * 2 + k);
        add_view(m.model, monitor, conn, v);
        for (const TruePacket& t : conn.packets) m.at[t.id].insert(monitor);
      }
    }
  }
  finish(m.model);
  return m;
}

TEST(ManyPoints, EveryPacketIsMatchedAcrossExactlyItsOwnPoints) {
  ManyPoints m = many_points();
  ASSERT_EQ(m.model.points.size(), 1u + 4u * kChains);
  match_model(m.model, MatchOptions{});
  const MatchCounters& counters = m.model.match.counters;
  EXPECT_EQ(counters.journeys, static_cast<std::size_t>(3 * kPacketsPerConn * kChains));
  EXPECT_EQ(counters.multi_point_journeys, static_cast<std::size_t>(2 * kPacketsPerConn * kChains));
  EXPECT_EQ(counters.single_point_journeys, static_cast<std::size_t>(kPacketsPerConn * kChains));
  // Connection 0 at 5 points (10 pairs), connection 1 at 4 (6 pairs).
  EXPECT_EQ(counters.connection_pairs, static_cast<std::size_t>(16 * kChains));
  EXPECT_EQ(counters.ambiguous_observations, 0u);
  EXPECT_EQ(counters.lost, 0u);
  EXPECT_EQ(counters.nat_bindings, static_cast<std::size_t>(2 * kChains));

  ASSERT_EQ(m.model.journeys.size(), static_cast<std::size_t>(3 * kPacketsPerConn * kChains));
  for (const Journey& j : m.model.journeys) {
    ASSERT_FALSE(j.sightings.empty());
    const int id = static_cast<int>(m.model.at(j.sightings.front().observation).frame);
    std::set<std::size_t> points;
    for (const Sighting& s : j.sightings) {
      EXPECT_EQ(static_cast<int>(m.model.at(s.observation).frame), id);
      points.insert(s.observation.point);
    }
    EXPECT_EQ(points, m.at[id]) << "packet " << id;
    EXPECT_FALSE(j.ambiguous) << "packet " << id;
  }
  // Every clock found: the true offset (-error) within the reported bounds.
  for (std::size_t p = 1; p < m.model.points.size(); ++p) {
    const ClockOffset& clock = m.model.points[p].clock;
    EXPECT_LE(clock.low_ns, -m.clock_error[p]) << m.model.points[p].name;
    EXPECT_GE(clock.high_ns, -m.clock_error[p]) << m.model.points[p].name;
  }
}

}  // namespace
}  // namespace packetseq
