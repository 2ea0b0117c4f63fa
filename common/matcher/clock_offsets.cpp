// Stage 3: which point is upstream, offset bounds per pair of points, offsets chained from anchors.
#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <stdexcept>
#include <tuple>

#include "matcher/matcher_internal.h"

namespace packetseq::match_internal {
namespace {

std::int64_t min_of(const std::vector<std::int64_t>& v) {
  return *std::min_element(v.begin(), v.end());
}
std::int64_t max_of(const std::vector<std::int64_t>& v) {
  return *std::max_element(v.begin(), v.end());
}

// Orientation from timing (both directions seen) or TTL; leaves one-way pairs without TTL open.
void orient_by_evidence(ConnPair& pair) {
  const int ttl = pair.ttl_votes[0] - pair.ttl_votes[1];  // > 0: a upstream for direction 0
  if (!pair.diffs[0].empty() && !pair.diffs[1].empty()) {
    // a upstream for dir 0: delta in [max diffs[1], min diffs[0]]; else [max diffs[0], min
    // diffs[1]].
    const std::int64_t width1 = sat_sub(min_of(pair.diffs[0]), max_of(pair.diffs[1]));
    const std::int64_t width2 = sat_sub(min_of(pair.diffs[1]), max_of(pair.diffs[0]));
    pair.oriented = true;
    if (width1 >= 0 && width2 < 0) {
      pair.a_upstream0 = true;
    } else if (width2 >= 0 && width1 < 0) {
      pair.a_upstream0 = false;
    } else if (ttl != 0) {
      pair.a_upstream0 = ttl > 0;
    } else {
      pair.a_upstream0 = width1 >= width2;  // the smaller violation (or zero transit: either)
    }
    return;
  }
  if (ttl != 0) {
    pair.oriented = true;
    pair.a_upstream0 = ttl > 0;
  }
}

struct Bounds {
  std::int64_t lo = kMinInf, hi = kMaxInf;
  std::size_t journeys = 0;
};

// Adds a pair's unique matches to the bounds of delta = e_b - e_a.
void add_to_bounds(const ConnPair& pair, Bounds& bounds) {
  for (int d = 0; d < 2; ++d) {
    if (pair.diffs[d].empty()) continue;
    const bool a_to_b = pair.a_upstream0 == (d == 0);
    if (a_to_b)
      bounds.hi = std::min(bounds.hi, min_of(pair.diffs[d]));
    else
      bounds.lo = std::max(bounds.lo, max_of(pair.diffs[d]));
    bounds.journeys += pair.diffs[d].size();
  }
}

std::int64_t median_of(std::vector<std::int64_t> v) { return percentile(v, 0.5); }

// Group state while chaining offsets: offset = reference - local, i.e. -e.
struct GroupClock {
  bool known = false;
  bool anchored = false;
  std::int64_t estimate = 0, lo = 0, hi = 0;
  bool lo_bounded = false, hi_bounded = false;
  std::size_t one_sided = 0;  // cost: one-sided edges on the way, then summed width
  std::int64_t width = 0;
  std::size_t via_point = static_cast<std::size_t>(-1), at_point = 0;
  std::size_t journeys = 0;
  bool edge_one_sided = false;
  bool edge_inconsistent = false;
};

std::size_t find_point(const Model& model, const std::string& name, const char* what) {
  for (std::size_t p = 0; p < model.points.size(); ++p)
    if (model.points[p].name == name) return p;
  throw std::invalid_argument(std::string(what) + ": no capture point named '" + name + "'");
}

}  // namespace

void estimate_clock_offsets(Workspace& ws, const MatchOptions& options) {
  Model& model = ws.model;
  const std::size_t n = ws.points();
  if (n == 0) return;
  if (options.reference_point >= n)
    throw std::invalid_argument("reference point " + std::to_string(options.reference_point) +
                                " out of range (" + std::to_string(n) + " capture points)");

  // 1. Orientation of each connection pair, then bounds per pair of points.
  for (ConnPair& pair : ws.pairs) orient_by_evidence(pair);
  std::map<std::pair<std::size_t, std::size_t>, Bounds> bounds;
  for (const ConnPair& pair : ws.pairs)
    if (pair.oriented)
      add_to_bounds(pair, bounds[{ws.conns[pair.a].point, ws.conns[pair.b].point}]);
  for (ConnPair& pair : ws.pairs) {
    if (pair.oriented) continue;
    const int d = pair.diffs[0].empty() ? 1 : 0;
    if (pair.diffs[d].empty()) continue;
    const auto key = std::make_pair(ws.conns[pair.a].point, ws.conns[pair.b].point);
    auto it = bounds.find(key);
    bool a_to_b = true;  // fallback: the point given first on the command line is upstream
    if (it != bounds.end() && (it->second.lo != kMinInf || it->second.hi != kMaxInf)) {
      const Bounds& b = it->second;
      const std::int64_t centre = b.lo == kMinInf   ? b.hi
                                  : b.hi == kMaxInf ? b.lo
                                                    : b.lo / 2 + b.hi / 2;
      a_to_b = median_of(pair.diffs[d]) >= centre;
    } else {
      ws.warn("direction between " + model.points[key.first].name + " and " +
              model.points[key.second].name +
              " unknown (one-way traffic, equal TTL): assumed the first given is upstream");
    }
    pair.oriented = true;
    pair.a_upstream0 = a_to_b == (d == 0);
  }
  bounds.clear();
  for (const ConnPair& pair : ws.pairs)
    add_to_bounds(pair, bounds[{ws.conns[pair.a].point, ws.conns[pair.b].point}]);
  for (const auto& [key, b] : bounds)
    if (b.journeys) ws.edges.push_back(ClockEdge{key.first, key.second, b.lo, b.hi, b.journeys});

  // 2. Same-clock groups (union-find over points), pins and the reference.
  std::vector<std::size_t> group(n);
  for (std::size_t p = 0; p < n; ++p) group[p] = p;
  std::function<std::size_t(std::size_t)> root = [&](std::size_t p) {
    while (group[p] != p) p = group[p] = group[group[p]];
    return p;
  };
  for (const auto& names : options.same_clock) {
    if (names.empty()) continue;
    const std::size_t first = find_point(model, names[0], "--same-clock");
    for (const auto& name : names)
      group[root(find_point(model, name, "--same-clock"))] = root(first);
  }
  std::vector<GroupClock> clocks(n);
  std::vector<std::size_t> pinned_by(n, static_cast<std::size_t>(-1));
  for (const auto& pin : options.offsets) {
    const std::size_t p = find_point(model, pin.point, "--offset");
    GroupClock& g = clocks[root(p)];
    if (g.anchored && g.estimate != pin.offset_ns) {
      ws.warn("conflicting offsets pinned for the clock of " + pin.point + "; kept the first (" +
              model.points[pinned_by[root(p)]].name + ")");
      continue;
    }
    g.known = g.anchored = true;
    g.estimate = g.lo = g.hi = pin.offset_ns;
    g.lo_bounded = g.hi_bounded = true;
    g.at_point = p;
    pinned_by[root(p)] = p;
  }
  const std::size_t ref_group = root(options.reference_point);
  if (!clocks[ref_group].anchored) {
    GroupClock& g = clocks[ref_group];
    g.known = g.anchored = true;
    g.lo_bounded = g.hi_bounded = true;
    g.at_point = options.reference_point;
  }

  // Edges between groups: delta = e_y - e_x in [lo, hi], intersected over member pairs.
  struct GroupEdge {
    std::size_t x, y, px, py;
    std::int64_t lo, hi;
    std::size_t journeys;
  };
  std::vector<GroupEdge> group_edges;
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> edge_of;  // (x, y) -> its edge
  for (const ClockEdge& e : ws.edges) {
    std::size_t gx = root(e.a), gy = root(e.b);
    if (gx == gy) {
      if ((e.lo != kMinInf && e.lo > 0) || (e.hi != kMaxInf && e.hi < 0))
        ws.warn(model.points[e.a].name + " and " + model.points[e.b].name +
                " were declared the same clock but their packets disagree (offset bounds " +
                (e.lo == kMinInf ? std::string("-inf") : format_duration(-e.hi)) + " .. " +
                (e.hi == kMaxInf ? std::string("+inf") : format_duration(-e.lo)) + ")");
      continue;
    }
    GroupEdge ge{gx, gy, e.a, e.b, e.lo, e.hi, e.journeys};
    if (gx > gy) {  // store with x < y: delta' = -delta
      ge = GroupEdge{gy,
                     gx,
                     e.b,
                     e.a,
                     e.hi == kMaxInf ? kMinInf : -e.hi,
                     e.lo == kMinInf ? kMaxInf : -e.lo,
                     e.journeys};
    }
    auto [slot, fresh] = edge_of.emplace(std::make_pair(ge.x, ge.y), group_edges.size());
    if (fresh) {
      group_edges.push_back(ge);
      continue;
    }
    GroupEdge& old = group_edges[slot->second];
    old.lo = std::max(old.lo, ge.lo);
    old.hi = std::min(old.hi, ge.hi);
    if (ge.journeys > old.journeys) {
      old.px = ge.px;
      old.py = ge.py;
    }
    old.journeys += ge.journeys;
  }
  // The edges at each group, in edge order (Dijkstra visits only these).
  std::vector<std::vector<std::size_t>> edges_at(n);
  for (std::size_t i = 0; i < group_edges.size(); ++i) {
    edges_at[group_edges[i].x].push_back(i);
    if (group_edges[i].y != group_edges[i].x) edges_at[group_edges[i].y].push_back(i);
  }

  // 3. Dijkstra from every anchor: fewest one-sided edges, then the narrowest summed interval.
  std::vector<bool> done(n, false);
  auto better = [](const GroupClock& x, const GroupClock& y) {
    return x.one_sided != y.one_sided ? x.one_sided < y.one_sided : x.width < y.width;
  };
  // Min-heap on (one-sided edges, width, group): the same pick as scanning the groups in
  // order for the best one; entries left behind by a later improvement are skipped.
  using Entry = std::tuple<std::size_t, std::int64_t, std::size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
  for (std::size_t g = 0; g < n; ++g)
    if (root(g) == g && clocks[g].known) queue.emplace(clocks[g].one_sided, clocks[g].width, g);
  while (!queue.empty()) {
    const auto [one_sided, width, pick] = queue.top();
    queue.pop();
    if (done[pick] || clocks[pick].one_sided != one_sided || clocks[pick].width != width) continue;
    done[pick] = true;
    const GroupClock from = clocks[pick];
    for (std::size_t edge : edges_at[pick]) {
      const GroupEdge& e = group_edges[edge];
      const bool forward = e.x == pick;
      const std::size_t to = forward ? e.y : e.x;
      if (done[to] || clocks[to].anchored) continue;
      // delta = e_to - e_from in [lo, hi].
      std::int64_t lo = forward ? e.lo : (e.hi == kMaxInf ? kMinInf : -e.hi);
      std::int64_t hi = forward ? e.hi : (e.lo == kMinInf ? kMaxInf : -e.lo);
      GroupClock next;
      next.known = true;
      next.edge_inconsistent = lo != kMinInf && hi != kMaxInf && lo > hi;
      if (next.edge_inconsistent) std::swap(lo, hi);
      const bool lo_ok = lo != kMinInf, hi_ok = hi != kMaxInf;
      std::int64_t delta_estimate;
      if (lo_ok && hi_ok)
        delta_estimate = lo / 2 + hi / 2 + (lo % 2 + hi % 2) / 2;
      else
        delta_estimate = hi_ok ? hi : lo;  // one way only: assume zero minimum transit
      next.edge_one_sided = !(lo_ok && hi_ok);
      next.estimate = sat_sub(from.estimate, delta_estimate);
      // offset_to = offset_from - delta.
      next.lo_bounded = from.lo_bounded && hi_ok;
      next.hi_bounded = from.hi_bounded && lo_ok;
      next.lo = next.lo_bounded ? sat_sub(from.lo, hi) : next.estimate;
      next.hi = next.hi_bounded ? sat_sub(from.hi, lo) : next.estimate;
      next.one_sided = from.one_sided + (next.edge_one_sided ? 1 : 0);
      next.width = sat_add(from.width, lo_ok && hi_ok ? sat_sub(hi, lo) : 0);
      next.via_point = forward ? e.px : e.py;
      next.at_point = forward ? e.py : e.px;
      next.journeys = e.journeys;
      if (!clocks[to].known || better(next, clocks[to])) {
        clocks[to] = next;
        queue.emplace(next.one_sided, next.width, to);
      }
    }
  }

  // 4. Write back per point.
  ws.results.offsets.assign(n, OffsetDetail{});
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t g = root(p);
    const GroupClock& c = clocks[g];
    ClockOffset& clock = model.points[p].clock;
    OffsetDetail& detail = ws.results.offsets[p];
    if (!c.known) {
      clock = ClockOffset{};
      detail.method = "unknown: no journeys shared with a point of known clock (offset 0 assumed)";
      ws.warn("clock offset of " + model.points[p].name +
              " unknown: it shares no packets with the other capture points; 0 assumed "
              "(use --offset)");
      continue;
    }
    clock.offset_ns = c.estimate;
    clock.low_ns = c.lo;
    clock.high_ns = c.hi;
    detail.low_bounded = c.lo_bounded;
    detail.high_bounded = c.hi_bounded;
    const bool pinned = pinned_by[g] != static_cast<std::size_t>(-1);
    if (pinned) {
      clock.source =
          pinned_by[g] == p ? ClockOffset::Source::kUser : ClockOffset::Source::kSameClock;
      detail.method = pinned_by[g] == p ? "set by the user"
                                        : "same clock as " + model.points[pinned_by[g]].name +
                                              " (set by the user)";
    } else if (g == ref_group) {
      clock.source = p == options.reference_point ? ClockOffset::Source::kReference
                                                  : ClockOffset::Source::kSameClock;
      detail.method =
          p == options.reference_point
              ? "reference clock"
              : "same clock as " + model.points[options.reference_point].name + " (reference)";
    } else {
      clock.source =
          p == c.at_point ? ClockOffset::Source::kEstimated : ClockOffset::Source::kSameClock;
      detail.via_point = c.via_point;
      detail.journeys = c.journeys;
      std::string how = c.edge_one_sided ? "one-way bound via " + model.points[c.via_point].name +
                                               " (assumes zero minimum transit)"
                                         : "two-way bounds via " + model.points[c.via_point].name;
      how += " (" + std::to_string(c.journeys) + " journeys)";
      if (c.edge_inconsistent) how += "; bounds inconsistent, clocks may drift";
      detail.method =
          p == c.at_point ? how : "same clock as " + model.points[c.at_point].name + ": " + how;
      if (c.edge_inconsistent)
        ws.warn("offset bounds for " + model.points[c.at_point].name + " via " +
                model.points[c.via_point].name +
                " are inconsistent (minimum transits overlap): clock drift or a clock step?");
    }
  }
}

}  // namespace packetseq::match_internal
