// Internal state shared by the matcher's stages (not installed; see docs/matching.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "matcher/matcher.h"
#include "model/model.h"

namespace packetseq::match_internal {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kMinInf = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxInf = std::numeric_limits<std::int64_t>::max();

// Flags that identify a segment on every hop; ECN bits (ECE, CWR, AE) may be rewritten.
constexpr std::uint16_t kKeyFlags = kFin | kSyn | kRst | kPsh | kAck | kUrg;

// Saturating arithmetic for times from untrusted captures (a bogus timestamp must not overflow).
inline std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMaxInf : kMinInf;
  return r;
}
inline std::int64_t sat_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kMaxInf : kMinInf;
  return r;
}

struct Endpoint {
  std::string addr;
  std::uint16_t port = 0;
  bool operator==(const Endpoint& o) const { return addr == o.addr && port == o.port; }
  bool operator!=(const Endpoint& o) const { return !(*this == o); }
};

// One TCP connection as seen at one capture point.
struct Connection {
  std::size_t point = 0;
  Endpoint ends[2];  // ends[0] initiated: sent the SYN (else the first packet seen)
  bool has_syn = false;
  std::uint64_t tuple = 0;  // hash of the unordered endpoint pair (tie-break only, never a key)
  std::vector<std::uint32_t> obs[2];  // global ids per direction (0: ends[0] -> ends[1]), no dups
  std::uint32_t flow = kNone;
  std::uint8_t flip = 0;  // direction d here is flow direction d ^ flip
};

struct ObsInfo {
  std::uint32_t conn = kNone;
  std::uint8_t dir = 0;
  bool duplicate = false;
  std::uint32_t journey = kNone;
};

// The same connection seen at two capture points (point of a < point of b).
struct ConnPair {
  std::uint32_t a = kNone;
  std::uint32_t b = kNone;
  std::uint8_t flip = 0;                // direction d at a is direction d ^ flip at b
  std::uint32_t seq_delta[2] = {0, 0};  // b.seq_raw - a.seq_raw, per direction of a
  std::uint32_t ack_delta[2] = {0, 0};
  bool oriented = false;
  bool a_upstream0 = true;             // a sees a's direction-0 packets before b does
  std::vector<std::int64_t> diffs[2];  // local t_b - t_a of unique matches, per direction of a
  int ttl_votes[2] = {0, 0};           // sum of sign(ttl_a - ttl_b), per direction of a
  std::size_t ambiguous_keys = 0;      // counted here too so a selection can recount them
  std::size_t tie_broken = 0;
};

// Two connections at two points that voted for each other, but not clearly enough to be joined
// (not mutual favourites, or not by kDominance): follow mode warns about them.
struct UnsettledAssociation {
  std::uint32_t a = kNone;  // connection ids, a at the lower point
  std::uint32_t b = kNone;
  double score = 0;
};

// Relay link between flows, as lifeline order: node `before` comes before node `after`.
struct RelayOrder {
  long before = -1;
  long after = -1;
  std::uint32_t flow_in = kNone;
  std::uint32_t flow_out = kNone;
};

struct PairMatch {
  std::uint32_t a = kNone;  // global ids
  std::uint32_t b = kNone;
  std::uint32_t pair = kNone;
};

// An observation at a's point with several candidates (or a contested one) at b's point.
struct Ambiguity {
  std::uint32_t a = kNone;
  std::uint32_t pair = kNone;
  std::uint8_t dir = 0;  // direction at a
  std::vector<std::uint32_t> candidates;
};

// Bounds on delta = e_b - e_a (clock errors: local = true + e) from one pair of points.
struct ClockEdge {
  std::size_t a = 0;
  std::size_t b = 0;
  std::int64_t lo = kMinInf;  // kMinInf: unbounded
  std::int64_t hi = kMaxInf;  // kMaxInf: unbounded
  std::size_t journeys = 0;
};

// Connections joined across points: one TCP connection end to end (between relays).
struct Flow {
  std::vector<std::uint32_t> conns;
  std::unordered_map<std::size_t, std::uint32_t> conn_at;  // point -> connection
  std::vector<std::size_t> path[2];  // points in path order, per flow direction (0: client->server)
  std::unordered_map<std::size_t, std::size_t> rank[2];  // point -> its index in path[fd]
  // Index of the point in path[fd], path[fd].size() when it is not on it.
  std::size_t rank_in(int fd, std::size_t point) const {
    auto it = rank[fd].find(point);
    return it == rank[fd].end() ? path[fd].size() : it->second;
  }
};

// The matcher's working state besides the model: plain values, so the follow batch
// (FollowBatch) can run the selection stages on a copy bound to a copy of the model.
struct WorkspaceState {
  std::vector<std::size_t> base;     // global id of each point's first observation
  std::vector<ObservationRef> refs;  // global id -> reference
  std::vector<ObsInfo> info;
  std::vector<Connection> conns;
  std::vector<ConnPair> pairs;
  std::vector<PairMatch> matches;
  std::vector<Ambiguity> ambiguities;
  // gid -> points where it has unsettled candidates (few per observation: listed, not a set).
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> ambiguous_at;
  std::vector<ClockEdge> edges;
  std::vector<Flow> flows;
  std::vector<std::int64_t> span_begin, span_end;  // per point, local clock
  std::vector<RelayOrder> relay_order;             // node before node across a relay
  std::vector<UnsettledAssociation> unsettled;     // sorted by (a, b), no repeats
  // Follow mode: flows kept (indexed by flow id). Empty: every flow is kept.
  std::vector<bool> flow_kept;
};

struct Workspace : WorkspaceState {
  explicit Workspace(Model& m) : model(m), results(m.match) {}
  // `state`, computed over a model equal to `m`, bound to `m`.
  Workspace(Model& m, const WorkspaceState& state)
      : WorkspaceState(state), model(m), results(m.match) {}
  Model& model;
  MatchResults& results;

  std::size_t points() const { return model.points.size(); }
  const Observation& obs(std::uint32_t gid) const { return model.at(refs[gid]); }
  std::size_t point_of(std::uint32_t gid) const { return refs[gid].point; }
  std::int64_t corrected(std::uint32_t gid) const {
    return sat_add(obs(gid).time_ns, model.points[refs[gid].point].clock.offset_ns);
  }
  std::uint32_t gid(const ObservationRef& ref) const {
    return static_cast<std::uint32_t>(base[ref.point] + ref.index);
  }
  void mark_ambiguous_at(std::uint32_t gid, std::size_t point) {
    auto& list = ambiguous_at[gid];
    if (std::find(list.begin(), list.end(), point) == list.end()) list.push_back(point);
  }
  void clear_ambiguous_at(std::uint32_t gid, std::size_t point) {
    auto it = ambiguous_at.find(gid);
    if (it == ambiguous_at.end()) return;
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), point), list.end());
    if (list.empty()) ambiguous_at.erase(it);
  }
  bool is_ambiguous_at(std::uint32_t gid, std::size_t point) const {
    auto it = ambiguous_at.find(gid);
    return it != ambiguous_at.end() &&
           std::find(it->second.begin(), it->second.end(), point) != it->second.end();
  }
  // The points where gid has unsettled candidates (empty when none).
  const std::vector<std::size_t>& ambiguous_points(std::uint32_t gid) const {
    static const std::vector<std::size_t> kEmpty;
    auto it = ambiguous_at.find(gid);
    return it == ambiguous_at.end() ? kEmpty : it->second;
  }
  void warn(std::string text) { results.warnings.push_back(std::move(text)); }
  bool kept_flow(std::uint32_t flow) const { return flow_kept.empty() || flow_kept[flow]; }
};

// 64-bit mixing for match keys (splitmix64 finaliser).
inline std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  std::uint64_t z = h ^ (v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The TCP segment is complete enough to compare payload digests with another sighting.
inline bool digests_comparable(const Observation& x, const Observation& y) {
  return x.has_digest && y.has_digest && x.digest_len == y.digest_len && x.digest_len > 0;
}
inline bool full_digest(const Observation& o) {
  return o.has_digest && o.payload_len > 0 && o.digest_len == o.payload_len;
}

// Percentile (nearest rank) of an unsorted sample; the sample is sorted in place.
std::int64_t percentile(std::vector<std::int64_t>& values, double fraction);

std::string format_duration(std::int64_t ns);
std::string endpoint_text(const Endpoint& e);

// Stages, in the order match_model runs them.
void build_connections(Workspace& ws);
void match_point_pairs(Workspace& ws);
void estimate_clock_offsets(Workspace& ws, const MatchOptions& options);
void settle_ambiguities_by_time(Workspace& ws);
void build_flows(Workspace& ws);
void build_journeys(Workspace& ws);
void detect_losses(Workspace& ws);
void record_nat_bindings(Workspace& ws);  // kept flows only
void infer_point_nodes(Workspace& ws);    // all flows: placement uses all the evidence
void link_relays(Workspace& ws);
void compute_dwell_stats(Workspace& ws);  // from model.relay_links (called by link_relays)
// Follow mode (follow.cpp): keeps the flows reachable from the anchor's followed observations
// and drops every other journey, relay link, duplicate and NAT binding; recounts the counters.
void select_followed(Workspace& ws, const MatchOptions& options);
void order_nodes(Workspace& ws);        // kept flows only
void compute_hop_stats(Workspace& ws);  // kept flows only
// Follow mode, last: removes the unkept observations from the points, renumbers every
// ObservationRef and drops lifelines nothing kept refers to. The workspace is stale after it.
void compact_selection(Workspace& ws);

}  // namespace packetseq::match_internal
