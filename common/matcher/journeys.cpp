// Stage 4: flows (one connection across points), journeys, loss per hop, NAT bindings, hop stats.
#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "matcher/matcher_internal.h"

namespace packetseq::match_internal {
namespace {

struct UnionFind {
  std::vector<std::uint32_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  std::uint32_t find(std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(std::uint32_t x, std::uint32_t y) {
    x = find(x);
    y = find(y);
    if (x != y) parent[std::max(x, y)] = std::min(x, y);
  }
};

// Topological order of the points of one flow direction from "x is upstream of y" relations.
std::vector<std::size_t> order_points(const std::vector<std::size_t>& points,
                                      const std::vector<std::pair<std::size_t, std::size_t>>& rel) {
  std::map<std::size_t, int> indegree;
  for (std::size_t p : points) indegree[p] = 0;
  for (const auto& [up, down] : rel) ++indegree[down];
  std::vector<std::size_t> order;
  std::set<std::size_t> left(points.begin(), points.end());
  while (!left.empty()) {
    // Fewest upstream points left first; a cycle (contradicting evidence) breaks the same way.
    std::size_t pick = *left.begin();
    for (std::size_t p : left)
      if (indegree[p] < indegree[pick]) pick = p;
    order.push_back(pick);
    left.erase(pick);
    for (const auto& [up, down] : rel)
      if (up == pick && left.count(down)) --indegree[down];
  }
  return order;
}

bool is_retransmission(const Observation& o) {
  return (o.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission)) != 0;
}

}  // namespace

void build_flows(Workspace& ws) {
  const std::size_t n_conns = ws.conns.size();
  std::vector<std::vector<std::pair<std::uint32_t, std::uint8_t>>> adjacent(n_conns);
  for (const ConnPair& pair : ws.pairs) {
    adjacent[pair.a].emplace_back(pair.b, pair.flip);
    adjacent[pair.b].emplace_back(pair.a, pair.flip);
  }
  // Start each flow at a connection whose SYN was seen, so flow direction 0 is client -> server.
  std::vector<std::uint32_t> starts(n_conns);
  std::iota(starts.begin(), starts.end(), 0u);
  std::stable_sort(starts.begin(), starts.end(), [&](std::uint32_t x, std::uint32_t y) {
    return ws.conns[x].has_syn > ws.conns[y].has_syn;
  });
  std::vector<std::uint32_t> component(n_conns, kNone);
  {
    UnionFind uf(n_conns);
    for (const ConnPair& pair : ws.pairs) uf.unite(pair.a, pair.b);
    for (std::uint32_t c = 0; c < n_conns; ++c) component[c] = uf.find(c);
  }
  std::vector<bool> seeded(n_conns, false);
  bool conflict = false;
  for (std::uint32_t start : starts) {
    if (seeded[component[start]]) continue;
    seeded[component[start]] = true;
    const std::uint32_t flow_id = static_cast<std::uint32_t>(ws.flows.size());
    ws.flows.emplace_back();
    Flow& flow = ws.flows.back();
    std::vector<std::uint32_t> stack{start};
    ws.conns[start].flow = flow_id;
    ws.conns[start].flip = 0;
    while (!stack.empty()) {
      const std::uint32_t c = stack.back();
      stack.pop_back();
      flow.conns.push_back(c);
      if (!flow.conn_at.emplace(ws.conns[c].point, c).second) conflict = true;
      for (const auto& [other, flip] : adjacent[c]) {
        const std::uint8_t want = ws.conns[c].flip ^ flip;
        if (ws.conns[other].flow == kNone) {
          ws.conns[other].flow = flow_id;
          ws.conns[other].flip = want;
          stack.push_back(other);
        } else if (ws.conns[other].flip != want) {
          conflict = true;
        }
      }
    }
  }
  if (conflict)
    ws.warn(
        "some connections matched inconsistently across capture points (two connections of "
        "one point joined to the same connection); their journeys may be incomplete");

  // Path order per flow direction.
  std::vector<std::vector<std::uint32_t>> pairs_of_flow(ws.flows.size());
  for (std::uint32_t i = 0; i < ws.pairs.size(); ++i)
    pairs_of_flow[ws.conns[ws.pairs[i].a].flow].push_back(i);
  for (Flow& flow : ws.flows) {
    const auto& flow_pairs = pairs_of_flow[static_cast<std::size_t>(&flow - ws.flows.data())];
    for (int fd = 0; fd < 2; ++fd) {
      std::vector<std::size_t> points;
      for (const auto& [point, c] : flow.conn_at)
        if (!ws.conns[c].obs[fd ^ ws.conns[c].flip].empty()) points.push_back(point);
      std::sort(points.begin(), points.end());
      std::vector<std::pair<std::size_t, std::size_t>> relations;
      for (std::uint32_t pi : flow_pairs) {
        const ConnPair& pair = ws.pairs[pi];
        const int dir_a = fd ^ ws.conns[pair.a].flip;
        const bool a_up = pair.a_upstream0 == (dir_a == 0);
        const std::size_t pa = ws.conns[pair.a].point, pb = ws.conns[pair.b].point;
        relations.emplace_back(a_up ? pa : pb, a_up ? pb : pa);
      }
      flow.path[fd] = order_points(points, relations);
      flow.rank[fd].clear();
      for (std::size_t i = 0; i < flow.path[fd].size(); ++i)
        flow.rank[fd].emplace(flow.path[fd][i], i);  // first occurrence, as a linear search
    }
  }
}

void build_journeys(Workspace& ws) {
  Model& model = ws.model;
  const std::size_t total = ws.refs.size();
  UnionFind uf(total);
  for (const PairMatch& m : ws.matches) uf.unite(m.a, m.b);
  std::vector<std::vector<std::uint32_t>> members(total);
  for (std::uint32_t g = 0; g < total; ++g)
    if (!ws.info[g].duplicate) members[uf.find(g)].push_back(g);

  model.journeys.clear();
  auto flow_dir = [&](std::uint32_t g) {
    const Connection& c = ws.conns[ws.info[g].conn];
    return std::make_pair(c.flow, ws.info[g].dir ^ c.flip);
  };
  auto add_single = [&](std::uint32_t g, bool ambiguous) {
    Journey j;
    j.sightings.push_back(Sighting{ws.refs[g], ws.corrected(g)});
    j.ambiguous = ambiguous;
    model.journeys.push_back(std::move(j));
  };
  for (std::uint32_t root = 0; root < total; ++root) {
    auto& group = members[root];
    if (group.empty()) continue;
    std::set<std::size_t> seen_points;
    bool repeated = false;
    for (std::uint32_t g : group) repeated |= !seen_points.insert(ws.point_of(g)).second;
    if (repeated) {  // one packet can't be two packets at one point: don't join, don't guess
      for (std::uint32_t g : group) add_single(g, true);
      ws.results.counters.ambiguous_observations += group.size();
      continue;
    }
    // Not a structured binding: C++17 lambdas cannot capture those (clang refuses).
    const auto flow_and_dir = flow_dir(group[0]);
    const auto fd = flow_and_dir.second;
    const Flow& f = ws.flows[flow_and_dir.first];
    std::sort(group.begin(), group.end(), [&](std::uint32_t x, std::uint32_t y) {
      const std::size_t rx = f.rank_in(fd, ws.point_of(x)), ry = f.rank_in(fd, ws.point_of(y));
      return rx != ry ? rx < ry : ws.corrected(x) < ws.corrected(y);
    });
    Journey j;
    for (std::uint32_t g : group) {
      j.sightings.push_back(Sighting{ws.refs[g], ws.corrected(g)});
      for (std::size_t p : ws.ambiguous_points(g))
        if (!seen_points.count(p)) j.ambiguous = true;
    }
    if (j.ambiguous && group.size() == 1) ++ws.results.counters.ambiguous_observations;
    model.journeys.push_back(std::move(j));
  }
  std::stable_sort(model.journeys.begin(), model.journeys.end(),
                   [](const Journey& x, const Journey& y) {
                     return x.sightings.front().time_ns < y.sightings.front().time_ns;
                   });
  auto& counters = ws.results.counters;
  counters.journeys = model.journeys.size();
  counters.multi_point_journeys = counters.single_point_journeys = 0;
  for (std::size_t i = 0; i < model.journeys.size(); ++i) {
    const Journey& j = model.journeys[i];
    (j.sightings.size() > 1 ? counters.multi_point_journeys : counters.single_point_journeys)++;
    for (const Sighting& s : j.sightings)
      ws.info[ws.gid(s.observation)].journey = static_cast<std::uint32_t>(i);
  }
}

void detect_losses(Workspace& ws) {
  Model& model = ws.model;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> pair_of;
  for (std::uint32_t i = 0; i < ws.pairs.size(); ++i) pair_of[{ws.pairs[i].a, ws.pairs[i].b}] = i;

  struct Segment {
    std::int64_t begin, end;
    std::uint32_t gid;
  };
  std::map<std::pair<std::uint32_t, int>, std::vector<Segment>> segments_cache;
  auto segments = [&](std::uint32_t conn, int dir) -> const std::vector<Segment>& {
    auto [it, fresh] = segments_cache.try_emplace({conn, dir});
    if (fresh) {
      const auto& list = ws.conns[conn].obs[dir];
      if (!list.empty()) {
        const std::uint32_t base = ws.obs(list.front()).seq_raw;
        for (std::uint32_t g : list) {
          const Observation& o = ws.obs(g);
          if (o.payload_len == 0) continue;
          const std::int64_t begin = static_cast<std::int32_t>(o.seq_raw - base);
          it->second.push_back(Segment{begin, begin + o.payload_len, g});
        }
        std::sort(it->second.begin(), it->second.end(),
                  [](const Segment& x, const Segment& y) { return x.begin < y.begin; });
      }
    }
    return it->second;
  };

  for (Journey& journey : model.journeys) {
    if (journey.ambiguous) continue;
    const Sighting& last = journey.sightings.back();
    const std::uint32_t g = ws.gid(last.observation);
    const Connection& cq = ws.conns[ws.info[g].conn];
    const Flow& flow = ws.flows[cq.flow];
    const int fd = ws.info[g].dir ^ cq.flip;
    const auto& path = flow.path[fd];
    const std::size_t idx = flow.rank_in(fd, cq.point);
    if (idx + 1 >= path.size()) continue;
    const std::size_t p = path[idx + 1];
    const std::int64_t offset = model.points[p].clock.offset_ns;
    if (last.time_ns < sat_add(ws.span_begin[p], offset) ||
        last.time_ns > sat_add(ws.span_end[p], offset))
      continue;  // the downstream capture was not running then
    if (ws.is_ambiguous_at(g, p)) continue;
    const Observation& o = ws.obs(g);
    if (o.payload_len > 0) {
      // Resegmentation (TSO/GSO/GRO, a normaliser): the bytes may have passed in other segments
      // that no sighting at this point explains. Then it is not a loss.
      const std::uint32_t cp_id = flow.conn_at.at(p);
      const Connection& cp = ws.conns[cp_id];
      const int dir_p = fd ^ cp.flip;
      std::uint32_t seq_p = 0;
      bool mapped = false;
      if (auto it = pair_of.find({ws.info[g].conn, cp_id}); it != pair_of.end()) {
        seq_p = o.seq_raw + ws.pairs[it->second].seq_delta[ws.info[g].dir];
        mapped = true;
      } else if (auto it2 = pair_of.find({cp_id, ws.info[g].conn}); it2 != pair_of.end()) {
        seq_p = o.seq_raw - ws.pairs[it2->second].seq_delta[dir_p];
        mapped = true;
      }
      const auto& segs = segments(cp_id, dir_p);
      if (mapped && !segs.empty()) {
        const std::uint32_t base = ws.obs(cp.obs[dir_p].front()).seq_raw;
        const std::int64_t begin = static_cast<std::int32_t>(seq_p - base);
        const std::int64_t end = begin + o.payload_len;
        std::vector<std::pair<std::int64_t, std::int64_t>> cover;
        auto upper = std::lower_bound(segs.begin(), segs.end(), end,
                                      [](const Segment& s, std::int64_t v) { return s.begin < v; });
        int steps = 0;
        for (auto it = upper; it != segs.begin() && steps < 512; ++steps) {
          --it;
          if (it->end <= begin) continue;
          const std::uint32_t j = ws.info[it->gid].journey;
          bool seen_at_q = false;
          if (j != kNone)
            for (const Sighting& s : model.journeys[j].sightings)
              seen_at_q |= s.observation.point == cq.point;
          if (!seen_at_q) cover.emplace_back(it->begin, it->end);
        }
        std::sort(cover.begin(), cover.end());
        std::int64_t reached = begin;
        for (const auto& [b, e] : cover)
          if (b <= reached) reached = std::max(reached, e);
        if (reached >= end) continue;
      }
    }
    journey.lost = true;
    journey.lost_after = journey.sightings.size() - 1;
    journey.lost_at_point = p;
    ++ws.results.counters.lost;
  }
}

void record_nat_bindings(Workspace& ws) {
  Model& model = ws.model;
  model.nat_bindings.clear();
  std::set<std::tuple<std::size_t, std::size_t, std::string, std::string>> seen;
  auto add = [&](std::size_t inside_point, std::size_t outside_point, const Endpoint& inside,
                 const Endpoint& outside) {
    NatBinding b{inside_point, outside_point, endpoint_text(inside), endpoint_text(outside)};
    if (seen.emplace(b.inside_point, b.outside_point, b.inside, b.outside).second)
      model.nat_bindings.push_back(std::move(b));
  };
  for (std::uint32_t f = 0; f < ws.flows.size(); ++f) {
    if (!ws.kept_flow(f)) continue;
    const Flow& flow = ws.flows[f];
    std::vector<std::size_t> path = flow.path[0];
    if (path.size() < flow.path[1].size()) path.assign(flow.path[1].rbegin(), flow.path[1].rend());
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      const Connection& up = ws.conns[flow.conn_at.at(path[i])];
      const Connection& down = ws.conns[flow.conn_at.at(path[i + 1])];
      const Endpoint& up_client = up.ends[up.flip];
      const Endpoint& up_server = up.ends[1 - up.flip];
      const Endpoint& down_client = down.ends[down.flip];
      const Endpoint& down_server = down.ends[1 - down.flip];
      if (up_client != down_client) add(path[i], path[i + 1], up_client, down_client);  // SNAT
      if (up_server != down_server) add(path[i + 1], path[i], down_server, up_server);  // DNAT
    }
  }
  ws.results.counters.nat_bindings = model.nat_bindings.size();
}

void compute_hop_stats(Workspace& ws) {
  Model& model = ws.model;
  struct Accumulator {
    std::vector<std::int64_t> transits;
    std::size_t lost = 0, retransmissions = 0;
  };
  std::map<std::pair<std::size_t, std::size_t>, Accumulator> hops;
  for (std::uint32_t f = 0; f < ws.flows.size(); ++f)
    for (int fd = 0; fd < 2 && ws.kept_flow(f); ++fd) {
      const auto& path = ws.flows[f].path[fd];
      const Flow& flow = ws.flows[f];
      for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        Accumulator& acc = hops[{path[i], path[i + 1]}];
        const Connection& c = ws.conns[flow.conn_at.at(path[i])];
        for (std::uint32_t g : c.obs[fd ^ c.flip])
          acc.retransmissions += is_retransmission(ws.obs(g));
      }
    }
  for (const Journey& j : model.journeys) {
    if (j.ambiguous) continue;
    const std::uint32_t g0 = ws.gid(j.sightings.front().observation);
    const Connection& c = ws.conns[ws.info[g0].conn];
    const Flow& flow = ws.flows[c.flow];
    const int fd = ws.info[g0].dir ^ c.flip;
    for (std::size_t k = 0; k + 1 < j.sightings.size(); ++k) {
      const std::size_t from = j.sightings[k].observation.point;
      const std::size_t to = j.sightings[k + 1].observation.point;
      // A capture missed it between.
      if (flow.rank_in(fd, to) != flow.rank_in(fd, from) + 1) continue;
      hops[{from, to}].transits.push_back(
          sat_sub(j.sightings[k + 1].time_ns, j.sightings[k].time_ns));
    }
    if (j.lost) ++hops[{j.sightings[j.lost_after].observation.point, j.lost_at_point}].lost;
  }
  ws.results.hops.clear();
  for (auto& [key, acc] : hops) {
    HopStats h;
    h.from_point = key.first;
    h.to_point = key.second;
    h.from_node = model.points[key.first].node;
    h.to_node = model.points[key.second].node;
    h.packets = acc.transits.size();
    if (h.packets) {
      h.transit_min_ns = *std::min_element(acc.transits.begin(), acc.transits.end());
      h.transit_median_ns = percentile(acc.transits, 0.5);
      h.transit_p95_ns = percentile(acc.transits, 0.95);
    }
    h.lost = acc.lost;
    h.retransmissions = acc.retransmissions;
    ws.results.hops.push_back(std::move(h));
  }
}

}  // namespace packetseq::match_internal
