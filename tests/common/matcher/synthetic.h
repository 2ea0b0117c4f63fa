// Synthetic TCP connections seen at several capture points, for matcher tests.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/names.h"

namespace packetseq::testing {

constexpr std::int64_t kMs = 1000000;
constexpr std::int64_t kSec = 1000000000;
constexpr std::int64_t kHour = 3600 * kSec;
constexpr std::int64_t kT0 = 1700000000 * kSec;  // true time of the first SYN

// One packet as sent, on the true clock.
struct TruePacket {
  bool to_server = true;
  std::int64_t send_ns = 0;
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;  // raw, as the sender wrote it
  std::uint32_t ack = 0;
  std::uint32_t len = 0;
  std::uint16_t ip_id = 0;
  std::uint32_t tsval = 0, tsecr = 0;
  std::uint64_t digest = 0;
  std::uint32_t analysis = 0;
  int id = 0;  // test's own label, kept in Observation::frame of every sighting
};

struct Connection {
  std::string client = "10.0.0.1", server = "10.0.9.9";
  std::uint16_t client_port = 40000, server_port = 80;
  std::uint32_t client_isn = 1000, server_isn = 50000;
  std::uint8_t ip_version = 4;
  bool ip_id = true;   // IPv4 carries an IP ID
  bool tsopt = true;   // TCP timestamps on
  bool digest = true;  // payload digests available
  std::vector<TruePacket> packets;
};

// How one capture point sees a connection.
struct View {
  std::int64_t c2s_delay = 0;            // true one-way time from the client to this point
  std::int64_t s2c_delay = 0;            // true one-way time from the server to this point
  std::int64_t clock_error = 0;          // local = true + clock_error
  std::string client_addr, server_addr;  // as seen here; empty: the connection's own
  std::uint16_t client_port = 0, server_port = 0;
  std::uint32_t client_seq_shift = 0;  // an ISN-shifting box upstream of this point
  std::uint8_t ttl_c2s = 64, ttl_s2c = 64;
  std::function<bool(const TruePacket&)> drop;  // true: not seen here
  std::uint32_t stream = 0;
};

// A short HTTP-like exchange: handshake, request, `segments` response segments, teardown.
inline Connection make_connection(std::int64_t start, int segments, std::uint16_t client_ip_id,
                                  std::uint16_t server_ip_id, int first_id = 0) {
  Connection c;
  std::uint32_t cseq = c.client_isn, sseq = c.server_isn;
  std::uint16_t cid = client_ip_id, sid = server_ip_id;
  // Each connection's hosts keep their own timestamp clocks.
  std::uint32_t cts = 1000 + 100000u * static_cast<std::uint32_t>(first_id);
  std::uint32_t sts = 9000 + 100000u * static_cast<std::uint32_t>(first_id);
  std::int64_t t = start;
  int id = first_id;
  auto send = [&](bool to_server, std::uint16_t flags, std::uint32_t len, std::int64_t gap) {
    t += gap;
    TruePacket p;
    p.to_server = to_server;
    p.send_ns = t;
    p.flags = flags;
    p.len = len;
    p.seq = to_server ? cseq : sseq;
    p.ack = (flags & kAck) ? (to_server ? sseq : cseq) : 0;
    p.ip_id = to_server ? cid++ : sid++;
    p.tsval = to_server ? cts++ : sts++;
    p.tsecr = to_server ? sts : cts;
    p.digest = len ? 0xABC00000ULL + static_cast<std::uint64_t>(id) * 7919 : 0;
    p.id = ++id;
    std::uint32_t advance = len + ((flags & (kSyn | kFin)) ? 1 : 0);
    (to_server ? cseq : sseq) += advance;
    c.packets.push_back(p);
  };
  send(true, kSyn, 0, 0);
  send(false, kSyn | kAck, 0, 2 * kMs);
  send(true, kAck, 0, 2 * kMs);
  send(true, kPsh | kAck, 120, 1 * kMs);
  for (int i = 0; i < segments; ++i) send(false, kAck | (i + 1 == segments ? kPsh : 0), 1400, kMs);
  send(true, kAck, 0, 2 * kMs);
  send(true, kFin | kAck, 0, 5 * kMs);
  send(false, kFin | kAck, 0, 2 * kMs);
  send(true, kAck, 0, 2 * kMs);
  return c;
}

// Gives the connection other initial sequence numbers (shifting every seq and ack).
inline void renumber(Connection& c, std::uint32_t client_isn, std::uint32_t server_isn) {
  const std::uint32_t dc = client_isn - c.client_isn, ds = server_isn - c.server_isn;
  for (TruePacket& p : c.packets) {
    p.seq += p.to_server ? dc : ds;
    if (p.flags & kAck) p.ack += p.to_server ? ds : dc;
  }
  c.client_isn = client_isn;
  c.server_isn = server_isn;
}

inline Observation observe(const Connection& c, const View& v, const TruePacket& p,
                           std::size_t point) {
  Observation o;
  o.point = point;
  o.frame = static_cast<std::uint64_t>(p.id);
  const std::int64_t arrive = p.send_ns + (p.to_server ? v.c2s_delay : v.s2c_delay);
  o.time_ns = arrive + v.clock_error;
  o.ip_version = c.ip_version;
  const std::string client = v.client_addr.empty() ? c.client : v.client_addr;
  const std::string server = v.server_addr.empty() ? c.server : v.server_addr;
  const std::uint16_t cport = v.client_port ? v.client_port : c.client_port;
  const std::uint16_t sport = v.server_port ? v.server_port : c.server_port;
  o.src = p.to_server ? client : server;
  o.dst = p.to_server ? server : client;
  o.src_port = p.to_server ? cport : sport;
  o.dst_port = p.to_server ? sport : cport;
  o.has_ip_id = c.ip_version == 4 && c.ip_id;
  o.ip_id = o.has_ip_id ? p.ip_id : 0;
  o.ttl = p.to_server ? v.ttl_c2s : v.ttl_s2c;
  o.seq_raw = p.seq + (p.to_server ? v.client_seq_shift : 0);
  o.ack_raw = p.ack;
  if (!p.to_server && (p.flags & kAck)) o.ack_raw = p.ack + v.client_seq_shift;
  const std::uint32_t cisn = c.client_isn + v.client_seq_shift, sisn = c.server_isn;
  o.seq_rel = o.seq_raw - (p.to_server ? cisn : sisn);
  o.ack_rel = (p.flags & kAck) ? o.ack_raw - (p.to_server ? sisn : cisn) : 0;
  o.flags = p.flags;
  o.window = 65535;
  o.payload_len = p.len;
  o.has_digest = c.digest && p.len > 0;
  o.payload_digest = o.has_digest ? p.digest : 0;
  o.digest_len = o.has_digest ? p.len : 0;
  o.has_tsopt = c.tsopt;
  o.tsval = c.tsopt ? p.tsval : 0;
  o.tsecr = c.tsopt ? p.tsecr : 0;
  o.stream = v.stream;
  o.analysis = p.analysis;
  o.protocol = "TCP";
  o.info = "packet " + std::to_string(p.id);
  return o;
}

inline std::size_t add_point(Model& model, const std::string& name) {
  CapturePoint p;
  p.path = name + ".pcapng";
  p.name = name;
  p.format = "pcapng";
  model.points.push_back(std::move(p));
  return model.points.size() - 1;
}

// Adds the connection's packets as seen at `point`; call finish() when all are added.
inline void add_view(Model& model, std::size_t point, const Connection& c, const View& v) {
  for (const TruePacket& p : c.packets) {
    if (v.drop && v.drop(p)) continue;
    model.points[point].observations.push_back(observe(c, v, p, point));
  }
}

// Time order within each point, as a capture file has it; then nodes from the addresses.
inline void finish(Model& model, const NameTable& names = NameTable{}) {
  for (auto& point : model.points)
    std::stable_sort(
        point.observations.begin(), point.observations.end(),
        [](const Observation& x, const Observation& y) { return x.time_ns < y.time_ns; });
  build_nodes(model, names);
}

}  // namespace packetseq::testing
