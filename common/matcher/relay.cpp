// Stage 6: relay links: the same bytes carried in on one connection and out on another.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "matcher/matcher_internal.h"

namespace packetseq::match_internal {
namespace {

constexpr std::size_t kMaxRelayBucket = 16;  // identical payloads seen more often say little
constexpr double kRelayDominance = 2.0;

std::uint64_t payload_key(const Observation& o) {
  return mix(mix(7, o.payload_digest), o.payload_len);
}

struct FlowDir {
  std::uint32_t flow;
  int dir;
  bool operator<(const FlowDir& o) const { return flow != o.flow ? flow < o.flow : dir < o.dir; }
  bool operator==(const FlowDir& o) const { return flow == o.flow && dir == o.dir; }
};

struct Vote {
  double count = 0;
  long later = 0;  // how often the second flow direction saw the bytes later than the first
};

}  // namespace

void link_relays(Workspace& ws) {
  Model& model = ws.model;
  model.relay_links.clear();

  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> by_payload;
  for (std::uint32_t g = 0; g < ws.refs.size(); ++g)
    if (!ws.info[g].duplicate && full_digest(ws.obs(g)))
      by_payload[payload_key(ws.obs(g))].push_back(g);

  auto flow_dir = [&](std::uint32_t g) {
    const Connection& c = ws.conns[ws.info[g].conn];
    return FlowDir{c.flow, ws.info[g].dir ^ c.flip};
  };
  std::map<std::pair<FlowDir, FlowDir>, Vote> votes;
  for (const auto& [key, list] : by_payload) {
    if (list.size() < 2 || list.size() > kMaxRelayBucket) continue;
    for (std::size_t i = 0; i < list.size(); ++i)
      for (std::size_t k = i + 1; k < list.size(); ++k) {
        FlowDir x = flow_dir(list[i]), y = flow_dir(list[k]);
        if (x.flow == y.flow) continue;  // the same connection at two points: a journey
        std::int64_t gap = sat_sub(ws.corrected(list[k]), ws.corrected(list[i]));
        if (y < x) {
          std::swap(x, y);
          gap = sat_sub(0, gap);
        }
        Vote& v = votes[{x, y}];
        v.count += 1.0;
        v.later += (gap > 0) - (gap < 0);
      }
  }
  // Each flow direction relays to at most one other: the clear, mutual favourite.
  struct Best {
    std::pair<FlowDir, FlowDir> key{};
    double score = 0, second = 0;
  };
  std::map<FlowDir, Best> best;
  auto offer = [](Best& b, const std::pair<FlowDir, FlowDir>& key, double score) {
    if (score > b.score) {
      b.second = b.score;
      b.score = score;
      b.key = key;
    } else if (score > b.second) {
      b.second = score;
    }
  };
  for (const auto& [key, vote] : votes) {
    offer(best[key.first], key, vote.count);
    offer(best[key.second], key, vote.count);
  }

  // Time span of each flow on the reference clock: a relay holds both connections open at once.
  std::vector<std::int64_t> flow_begin(ws.flows.size(), kMaxInf),
      flow_end(ws.flows.size(), kMinInf);
  for (std::uint32_t g = 0; g < ws.refs.size(); ++g) {
    const std::uint32_t f = ws.conns[ws.info[g].conn].flow;
    flow_begin[f] = std::min(flow_begin[f], ws.corrected(g));
    flow_end[f] = std::max(flow_end[f], ws.corrected(g));
  }
  std::unordered_map<std::string, std::string> node_of_address;
  for (const Node& n : model.nodes)
    for (const auto& a : n.addresses) node_of_address.emplace(a, n.name);
  auto node_name = [&](const std::string& address) {
    auto it = node_of_address.find(address);
    return it == node_of_address.end() ? address : it->second;
  };

  for (const auto& [key, vote] : votes) {
    const Best& bx = best[key.first];
    const Best& by = best[key.second];
    if (!(bx.key == key) || !(by.key == key)) continue;
    if (bx.score < kRelayDominance * bx.second || by.score < kRelayDominance * by.second) continue;
    if (vote.later == 0) continue;  // can't tell which side is first
    const FlowDir in = vote.later > 0 ? key.first : key.second;
    const FlowDir out = vote.later > 0 ? key.second : key.first;
    const auto& in_path = ws.flows[in.flow].path[in.dir];
    const auto& out_path = ws.flows[out.flow].path[out.dir];
    if (in_path.empty() || out_path.empty()) continue;
    // Prefer a point that saw both connections (the relay's own capture): one clock.
    std::size_t p_in = in_path.back(), p_out = out_path.front();
    for (auto it = in_path.rbegin(); it != in_path.rend(); ++it)
      if (std::find(out_path.begin(), out_path.end(), *it) != out_path.end()) {
        p_in = p_out = *it;
        break;
      }
    const Connection& c_in = ws.conns[ws.flows[in.flow].conn_at.at(p_in)];
    const Connection& c_out = ws.conns[ws.flows[out.flow].conn_at.at(p_out)];
    const int dir_in = in.dir ^ c_in.flip, dir_out = out.dir ^ c_out.flip;
    if (std::max(flow_begin[in.flow], flow_begin[out.flow]) >
        std::min(flow_end[in.flow], flow_end[out.flow]))
      continue;  // one connection ended before the other began: same content, no relay
    // The relay receives on one connection and sends on the other: one host, seen as one node
    // or through its own capture (the point where the inbound path ends and the outbound begins).
    const bool own_capture = p_in == p_out && in_path.back() == p_in && out_path.front() == p_out;
    if (!own_capture &&
        node_name(c_in.ends[1 - dir_in].addr) != node_name(c_out.ends[dir_out].addr))
      continue;
    const auto& in_list = c_in.obs[dir_in];
    const auto& out_list = c_out.obs[dir_out];
    if (in_list.empty() || out_list.empty()) continue;

    // Byte-stream alignment: seq_out - seq_in is constant for forwarded bytes.
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> in_by_payload;
    for (std::uint32_t g : in_list)
      if (full_digest(ws.obs(g))) in_by_payload[payload_key(ws.obs(g))].push_back(g);
    std::unordered_map<std::uint32_t, int> shift_votes;
    for (std::uint32_t g : out_list) {
      const Observation& o = ws.obs(g);
      if (!full_digest(o)) continue;
      auto it = in_by_payload.find(payload_key(o));
      if (it == in_by_payload.end()) continue;
      // Retransmitted copies carry the same sequence number: any of them gives the shift.
      ++shift_votes[o.seq_raw - ws.obs(it->second.front()).seq_raw];
    }
    std::uint32_t shift = 0;
    int shift_count = 0;
    for (const auto& [value, count] : shift_votes)
      if (count > shift_count || (count == shift_count && value < shift)) {
        shift = value;
        shift_count = count;
      }
    if (shift_count == 0) continue;

    struct Segment {
      std::int64_t begin, end;
      std::uint32_t gid;
    };
    const std::uint32_t in_base = ws.obs(in_list.front()).seq_raw;
    std::vector<Segment> segments;
    for (std::uint32_t g : in_list) {
      const Observation& o = ws.obs(g);
      if (o.payload_len == 0) continue;
      const std::int64_t begin = static_cast<std::int32_t>(o.seq_raw - in_base);
      segments.push_back(Segment{begin, begin + o.payload_len, g});
    }
    std::sort(segments.begin(), segments.end(),
              [](const Segment& x, const Segment& y) { return x.begin < y.begin; });
    std::vector<std::uint32_t> outs(out_list.begin(), out_list.end());
    std::stable_sort(outs.begin(), outs.end(), [&](std::uint32_t x, std::uint32_t y) {
      return ws.obs(x).time_ns < ws.obs(y).time_ns;
    });
    const std::uint32_t out_base = ws.obs(outs.front()).seq_raw;
    std::int64_t linked_to = kMinInf;  // out-stream bytes already linked (skip retransmissions)
    const ClockOffset& clock_in = model.points[p_in].clock;
    const ClockOffset& clock_out = model.points[p_out].clock;
    const std::int64_t tolerance = p_in == p_out
                                       ? 0
                                       : sat_add(sat_sub(clock_in.high_ns, clock_in.low_ns),
                                                 sat_sub(clock_out.high_ns, clock_out.low_ns));
    std::string node = p_in == p_out ? model.points[p_in].node : std::string();
    if (node.empty()) {
      const std::string& addr = c_in.ends[1 - dir_in].addr;  // the relay: receiver of the bytes
      node = addr;
      for (const Node& n : model.nodes)
        if (std::find(n.addresses.begin(), n.addresses.end(), addr) != n.addresses.end())
          node = n.name;
    }
    for (std::uint32_t g : outs) {
      const Observation& o = ws.obs(g);
      if (o.payload_len == 0) continue;
      const std::int64_t out_end = static_cast<std::int32_t>(o.seq_raw - out_base) +
                                   static_cast<std::int64_t>(o.payload_len);
      if (out_end <= linked_to) continue;
      // The segment can leave only once its last byte came in.
      const std::uint32_t last_in = o.seq_raw + o.payload_len - 1 - shift;
      const std::int64_t pos = static_cast<std::int32_t>(last_in - in_base);
      auto upper = std::upper_bound(segments.begin(), segments.end(), pos,
                                    [](std::int64_t v, const Segment& s) { return v < s.begin; });
      std::uint32_t carrier = kNone;
      int steps = 0;
      for (auto it = upper; it != segments.begin() && steps < 512; ++steps) {
        --it;
        if (it->end <= pos) continue;
        if (carrier == kNone || ws.obs(it->gid).time_ns < ws.obs(carrier).time_ns)
          carrier = it->gid;
      }
      if (carrier == kNone) continue;
      const std::int64_t dwell = sat_sub(ws.corrected(g), ws.corrected(carrier));
      if (dwell < sat_sub(0, tolerance)) continue;
      linked_to = out_end;
      model.relay_links.push_back(RelayLink{ws.refs[carrier], ws.refs[g], node, dwell});
    }
    // Lifeline order across the relay: where the bytes came in, then where they went out.
    long in_node = -1, out_node = -1;
    for (std::size_t i = 0; i < model.nodes.size(); ++i) {
      const auto& addrs = model.nodes[i].addresses;
      if (std::find(addrs.begin(), addrs.end(), c_in.ends[1 - dir_in].addr) != addrs.end())
        in_node = static_cast<long>(i);
      if (std::find(addrs.begin(), addrs.end(), c_out.ends[dir_out].addr) != addrs.end())
        out_node = static_cast<long>(i);
    }
    if (in_node >= 0 && out_node >= 0 && in_node != out_node)
      ws.relay_order.push_back(RelayOrder{in.dir == 0 ? in_node : out_node,
                                          in.dir == 0 ? out_node : in_node, in.flow, out.flow});
  }
  std::stable_sort(model.relay_links.begin(), model.relay_links.end(),
                   [&](const RelayLink& x, const RelayLink& y) {
                     return ws.corrected(ws.gid(x.out)) < ws.corrected(ws.gid(y.out));
                   });
  compute_dwell_stats(ws);
}

void compute_dwell_stats(Workspace& ws) {
  std::map<std::string, std::vector<std::int64_t>> dwell_by_node;
  for (const RelayLink& link : ws.model.relay_links)
    dwell_by_node[link.node].push_back(link.dwell_ns);
  ws.results.dwell.clear();
  for (auto& [node, values] : dwell_by_node) {
    DwellStats s;
    s.node = node;
    s.links = values.size();
    s.min_ns = *std::min_element(values.begin(), values.end());
    s.median_ns = percentile(values, 0.5);
    s.p95_ns = percentile(values, 0.95);
    ws.results.dwell.push_back(std::move(s));
  }
  ws.results.counters.relay_links = ws.model.relay_links.size();
}

}  // namespace packetseq::match_internal
