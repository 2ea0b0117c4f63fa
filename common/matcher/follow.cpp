// Follow mode: keep only the connections reachable from the anchor point's followed packets.
#include <algorithm>
#include <map>
#include <set>

#include "matcher/matcher_internal.h"

namespace packetseq::match_internal {
namespace {

// An unsettled association is worth a warning only with real evidence behind it: the share of
// the smaller connection a joined pair must match one-to-one (pair_matching.cpp), as votes.
constexpr double kUnsettledShare = 0.2;

std::size_t size_of(const Connection& c) { return c.obs[0].size() + c.obs[1].size(); }

std::string describe(const Workspace& ws, const Connection& c) {
  return endpoint_text(c.ends[0]) + " - " + endpoint_text(c.ends[1]) + " at " +
         ws.model.points[c.point].name;
}

}  // namespace

void select_followed(Workspace& ws, const MatchOptions& options) {
  auto& counters = ws.results.counters;
  if (!options.follow) {
    counters.followed_connections = 0;
    counters.kept_connections = ws.conns.size();
    counters.kept_observations = ws.refs.size();
    return;
  }
  Model& model = ws.model;
  const std::size_t anchor = options.reference_point;

  // Seeds: the anchor's connections holding a followed observation (span duplicates included:
  // they belong to their connection).
  std::set<std::uint32_t> seeds;
  if (anchor < ws.points())
    for (std::size_t g = ws.base[anchor]; g < ws.base[anchor + 1]; ++g)
      if (ws.obs(static_cast<std::uint32_t>(g)).followed) seeds.insert(ws.info[g].conn);
  counters.followed_connections = seeds.size();

  // Reachable flows: a flow is one connection across points (through NAT, ISN shifts, IPv4/IPv6
  // translation: whatever the pair matching joined); relay links join flows end to end.
  std::vector<std::vector<std::uint32_t>> relayed(ws.flows.size());
  for (const RelayLink& link : model.relay_links) {
    const std::uint32_t fi = ws.conns[ws.info[ws.gid(link.in)].conn].flow;
    const std::uint32_t fo = ws.conns[ws.info[ws.gid(link.out)].conn].flow;
    relayed[fi].push_back(fo);
    relayed[fo].push_back(fi);
  }
  ws.flow_kept.assign(ws.flows.size(), false);
  std::vector<std::uint32_t> stack;
  for (std::uint32_t c : seeds)
    if (!ws.flow_kept[ws.conns[c].flow]) {
      ws.flow_kept[ws.conns[c].flow] = true;
      stack.push_back(ws.conns[c].flow);
    }
  while (!stack.empty()) {
    const std::uint32_t f = stack.back();
    stack.pop_back();
    for (std::uint32_t next : relayed[f])
      if (!ws.flow_kept[next]) {
        ws.flow_kept[next] = true;
        stack.push_back(next);
      }
  }
  auto kept_conn = [&](std::uint32_t c) { return ws.flow_kept[ws.conns[c].flow]; };
  auto kept_gid = [&](std::uint32_t g) { return kept_conn(ws.info[g].conn); };

  // Drop what belongs to other connections. A journey never spans two flows (pair matches join
  // connections of one flow), so its first sighting decides.
  auto& journeys = model.journeys;
  journeys.erase(std::remove_if(journeys.begin(), journeys.end(),
                                [&](const Journey& j) {
                                  return !kept_gid(ws.gid(j.sightings.front().observation));
                                }),
                 journeys.end());
  auto& links = model.relay_links;
  links.erase(std::remove_if(links.begin(), links.end(),
                             [&](const RelayLink& l) {
                               return !kept_gid(ws.gid(l.in)) || !kept_gid(ws.gid(l.out));
                             }),
              links.end());
  auto& dups = ws.results.duplicates;
  dups.erase(
      std::remove_if(dups.begin(), dups.end(),
                     [&](const DuplicateSighting& d) { return !kept_gid(ws.gid(d.duplicate)); }),
      dups.end());
  record_nat_bindings(ws);  // over the kept flows only
  compute_dwell_stats(ws);

  // Counters of the selection (observations stays the number given: offsets used them all).
  counters.duplicates = dups.size();
  counters.connection_pairs = counters.ambiguous_keys = counters.tie_broken = 0;
  for (const ConnPair& pair : ws.pairs)
    if (kept_conn(pair.a)) {
      ++counters.connection_pairs;
      counters.ambiguous_keys += pair.ambiguous_keys;
      counters.tie_broken += pair.tie_broken;
    }
  counters.journeys = journeys.size();
  counters.multi_point_journeys = counters.single_point_journeys = 0;
  counters.ambiguous_observations = counters.lost = 0;
  for (const Journey& j : journeys) {
    (j.sightings.size() > 1 ? counters.multi_point_journeys : counters.single_point_journeys)++;
    // build_journeys counts exactly the single-sighting ambiguous journeys.
    if (j.ambiguous && j.sightings.size() == 1) ++counters.ambiguous_observations;
    if (j.lost) ++counters.lost;
  }
  counters.relay_links = links.size();
  counters.kept_connections = counters.kept_observations = 0;
  std::vector<std::size_t> conns_at(ws.points(), 0);
  for (std::uint32_t c = 0; c < ws.conns.size(); ++c)
    if (kept_conn(c)) {
      ++counters.kept_connections;
      ++conns_at[ws.conns[c].point];
    }
  for (std::uint32_t g = 0; g < ws.refs.size(); ++g) counters.kept_observations += kept_gid(g);

  const std::string anchor_name = anchor < ws.points() ? model.points[anchor].name : "?";
  if (seeds.empty()) {
    ws.warn("follow: no packet in " + anchor_name +
            " matched the follow filter; nothing is selected");
    return;
  }

  // Ambiguity, case 1: the matcher joined two connections of one point to the same connection
  // elsewhere (build_flows warned). Both are kept: dropping either could drop the followed one.
  for (std::uint32_t f = 0; f < ws.flows.size(); ++f) {
    if (!ws.flow_kept[f]) continue;
    std::map<std::size_t, std::size_t> per_point;
    for (std::uint32_t c : ws.flows[f].conns) ++per_point[ws.conns[c].point];
    for (const auto& [point, n] : per_point)
      if (n > 1)
        ws.warn("follow: " + std::to_string(n) + " connections in " + model.points[point].name +
                " matched the same followed connection (ambiguous); all of them are kept");
  }
  // Ambiguity, case 2: a kept connection had a candidate at a point where its flow has no
  // connection, but not a clear one (pair_matching.cpp did not join them). None is kept.
  for (const UnsettledAssociation& u : ws.unsettled) {
    const bool ka = kept_conn(u.a), kb = kept_conn(u.b);
    if (ka == kb) continue;
    const Connection& kept = ws.conns[ka ? u.a : u.b];
    const Connection& other = ws.conns[ka ? u.b : u.a];
    if (ws.flows[kept.flow].conn_at.count(other.point)) continue;  // found there after all
    const double needed = std::max(
        2.0, kUnsettledShare * static_cast<double>(std::min(size_of(kept), size_of(other))));
    if (u.score < needed) continue;
    ws.warn("follow: " + describe(ws, kept) + " may be " + describe(ws, other) +
            " or another connection there (no clear match); none of them is kept in " +
            model.points[other.point].name);
  }
  std::string missing;
  for (std::size_t p = 0; p < ws.points(); ++p)
    if (conns_at[p] == 0) missing += (missing.empty() ? "" : ", ") + model.points[p].name;
  ws.warn(
      "follow: " + std::to_string(seeds.size()) + " connection" + (seeds.size() == 1 ? "" : "s") +
      " followed from " + anchor_name + "; kept " + std::to_string(counters.kept_connections) +
      " connection" + (counters.kept_connections == 1 ? "" : "s") + " over all points, " +
      std::to_string(counters.kept_observations) + " of " + std::to_string(counters.observations) +
      " observations, " + std::to_string(counters.journeys) + " journeys" +
      (missing.empty() ? "" : "; not seen at " + missing));
}

void compact_selection(Workspace& ws) {
  if (ws.flow_kept.empty()) return;  // not following: nothing to remove
  Model& model = ws.model;
  // New index of each kept observation in its point; kNone for the removed ones.
  std::vector<std::uint32_t> renumbered(ws.refs.size(), kNone);
  std::set<std::string> addresses;
  for (std::size_t p = 0; p < ws.points(); ++p) {
    auto& observations = model.points[p].observations;
    std::vector<Observation> kept;
    for (std::size_t i = 0; i < observations.size(); ++i) {
      const std::size_t g = ws.base[p] + i;
      if (!ws.flow_kept[ws.conns[ws.info[g].conn].flow]) continue;
      renumbered[g] = static_cast<std::uint32_t>(kept.size());
      addresses.insert(observations[i].src);
      addresses.insert(observations[i].dst);
      kept.push_back(std::move(observations[i]));
    }
    observations = std::move(kept);
  }
  auto remap = [&](ObservationRef& ref) { ref.index = renumbered[ws.base[ref.point] + ref.index]; };
  for (Journey& j : model.journeys)
    for (Sighting& s : j.sightings) remap(s.observation);
  for (RelayLink& l : model.relay_links) {
    remap(l.in);
    remap(l.out);
  }
  for (DuplicateSighting& d : ws.results.duplicates) {
    remap(d.duplicate);
    remap(d.original);
  }
  // Lifelines: those a capture point sits at, and those owning an address of a kept packet.
  std::set<std::string> point_nodes;
  for (const CapturePoint& point : model.points) point_nodes.insert(point.node);
  std::vector<Node> nodes;
  for (Node& node : model.nodes) {
    bool used = point_nodes.count(node.name) != 0;
    for (const auto& a : node.addresses) used = used || addresses.count(a) != 0;
    if (used) nodes.push_back(std::move(node));
  }
  model.nodes = std::move(nodes);
}

}  // namespace packetseq::match_internal
