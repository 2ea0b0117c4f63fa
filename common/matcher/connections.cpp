// Stage 1: group each point's observations into TCP connections and set span duplicates aside.
#include <algorithm>
#include <functional>
#include <unordered_map>

#include "matcher/matcher_internal.h"

namespace packetseq::match_internal {
namespace {

// A span port or an "any" capture can show one packet twice; a retransmission differs in IP ID
// (IPv4) or comes after at least an RTO / a round trip, far more than this window.
constexpr std::int64_t kDuplicateWindowWithIpId = 1000000000;  // 1 s
constexpr std::int64_t kDuplicateWindowNoIpId = 100000;        // 100 us (dup ACKs can be close)

std::string connection_key(const Observation& o) {
  std::string x = o.src + "|" + std::to_string(o.has_ports ? o.src_port : 0);
  std::string y = o.dst + "|" + std::to_string(o.has_ports ? o.dst_port : 0);
  if (y < x) std::swap(x, y);
  return std::to_string(o.stream) + "#" + x + "#" + y;
}

std::uint64_t identity_key(const Observation& o) {
  std::uint64_t h = mix(0, o.flags & kKeyFlags);
  h = mix(h, o.payload_len);
  h = mix(h, o.seq_raw);
  h = mix(h, o.ack_raw);
  h = mix(h, o.has_ip_id ? 0x10000u + o.ip_id : 0);
  h = mix(h, o.has_tsopt ? (static_cast<std::uint64_t>(o.tsval) << 32 | o.tsecr) : 1);
  h = mix(h, o.has_digest ? o.payload_digest : 2);
  return h;
}

bool same_packet(const Observation& x, const Observation& y) {
  if ((x.flags & kKeyFlags) != (y.flags & kKeyFlags) || x.payload_len != y.payload_len ||
      x.seq_raw != y.seq_raw || x.ack_raw != y.ack_raw || x.has_ip_id != y.has_ip_id ||
      x.ip_id != y.ip_id || x.has_tsopt != y.has_tsopt || x.tsval != y.tsval ||
      x.tsecr != y.tsecr || x.has_digest != y.has_digest || x.payload_digest != y.payload_digest)
    return false;
  const bool real_ip_id = x.has_ip_id && x.ip_id != 0;
  const std::int64_t window = real_ip_id ? kDuplicateWindowWithIpId : kDuplicateWindowNoIpId;
  const std::int64_t gap = sat_sub(y.time_ns, x.time_ns);
  return gap >= -window && gap <= window;
}

}  // namespace

void build_connections(Workspace& ws) {
  Model& model = ws.model;
  const std::size_t n_points = model.points.size();
  ws.base.assign(n_points + 1, 0);
  for (std::size_t p = 0; p < n_points; ++p)
    ws.base[p + 1] = ws.base[p] + model.points[p].observations.size();
  ws.refs.resize(ws.base[n_points]);
  ws.info.assign(ws.base[n_points], ObsInfo{});
  ws.span_begin.assign(n_points, kMaxInf);
  ws.span_end.assign(n_points, kMinInf);

  for (std::size_t p = 0; p < n_points; ++p) {
    const auto& observations = model.points[p].observations;
    std::unordered_map<std::string, std::uint32_t> by_key;
    std::unordered_map<std::uint32_t, bool> from_syn_ack;  // ends taken from a SYN-ACK
    for (std::size_t i = 0; i < observations.size(); ++i) {
      const std::uint32_t gid = static_cast<std::uint32_t>(ws.base[p] + i);
      ws.refs[gid] = ObservationRef{p, i};
      const Observation& o = observations[i];
      ws.span_begin[p] = std::min(ws.span_begin[p], o.time_ns);
      ws.span_end[p] = std::max(ws.span_end[p], o.time_ns);
      auto [it, inserted] = by_key.emplace(connection_key(o), static_cast<std::uint32_t>(0));
      if (inserted) {
        it->second = static_cast<std::uint32_t>(ws.conns.size());
        Connection c;
        c.point = p;
        c.ends[0] = Endpoint{o.src, o.has_ports ? o.src_port : std::uint16_t{0}};
        c.ends[1] = Endpoint{o.dst, o.has_ports ? o.dst_port : std::uint16_t{0}};
        ws.conns.push_back(std::move(c));
      }
      ws.info[gid].conn = it->second;
      Connection& c = ws.conns[it->second];
      // The SYN's sender is the initiator, whatever packet came first; a SYN-ACK tells it too.
      if (o.has_flags && (o.flags & kSyn)) {
        const Endpoint src{o.src, o.has_ports ? o.src_port : std::uint16_t{0}};
        const Endpoint dst{o.dst, o.has_ports ? o.dst_port : std::uint16_t{0}};
        const bool syn_ack = (o.flags & kAck) != 0;
        if (!syn_ack && !c.has_syn) {
          c.ends[0] = src;
          c.ends[1] = dst;
          c.has_syn = true;
        } else if (syn_ack && !c.has_syn && !from_syn_ack[it->second]) {
          c.ends[0] = dst;
          c.ends[1] = src;
          from_syn_ack[it->second] = true;
        }
      }
    }

    // Directions, then duplicates within each connection direction.
    for (std::size_t i = 0; i < observations.size(); ++i) {
      const std::uint32_t gid = static_cast<std::uint32_t>(ws.base[p] + i);
      const Observation& o = observations[i];
      Connection& c = ws.conns[ws.info[gid].conn];
      const bool forward =
          o.src == c.ends[0].addr && (!o.has_ports || o.src_port == c.ends[0].port);
      ws.info[gid].dir = forward ? 0 : 1;
    }
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> recent;
    for (std::size_t i = 0; i < observations.size(); ++i) {
      const std::uint32_t gid = static_cast<std::uint32_t>(ws.base[p] + i);
      const Observation& o = observations[i];
      std::uint64_t key = mix(identity_key(o), ws.info[gid].conn);
      key = mix(key, ws.info[gid].dir);
      auto& earlier = recent[key];
      std::uint32_t original = kNone;
      for (std::uint32_t e : earlier)
        if (same_packet(ws.obs(e), o)) original = e;
      if (original != kNone) {
        ws.info[gid].duplicate = true;
        ws.results.duplicates.push_back(DuplicateSighting{ws.refs[gid], ws.refs[original]});
        continue;
      }
      if (earlier.size() < 8) earlier.push_back(gid);  // bounded: retransmission storms
      Connection& c = ws.conns[ws.info[gid].conn];
      c.obs[ws.info[gid].dir].push_back(gid);
    }
  }
  for (Connection& c : ws.conns) {
    std::uint64_t x = mix(std::hash<std::string>{}(c.ends[0].addr), c.ends[0].port);
    std::uint64_t y = mix(std::hash<std::string>{}(c.ends[1].addr), c.ends[1].port);
    if (y < x) std::swap(x, y);
    c.tuple = mix(x, y);
  }
  ws.results.counters.observations = ws.refs.size();
  ws.results.counters.duplicates = ws.results.duplicates.size();
}

}  // namespace packetseq::match_internal
