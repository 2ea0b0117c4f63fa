// Stage 5: which node each capture point sits at, and the lifeline order along the path.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "matcher/matcher_internal.h"

namespace packetseq::match_internal {
namespace {

// TTLs a sender starts with: a packet still carrying one has crossed no router yet.
bool initial_ttl(std::uint8_t ttl) {
  return ttl == 0 || ttl == 32 || ttl == 64 || ttl == 128 || ttl == 255;  // 0: not known
}

std::uint8_t first_ttl(const Workspace& ws, const Connection& c, int dir) {
  return c.obs[dir].empty() ? 0 : ws.obs(c.obs[dir].front()).ttl;
}

// Points of a flow from client to server (direction 0, or the longer reverse path).
std::vector<std::size_t> client_to_server(const Flow& flow) {
  if (flow.path[0].size() >= flow.path[1].size()) return flow.path[0];
  return std::vector<std::size_t>(flow.path[1].rbegin(), flow.path[1].rend());
}

std::unordered_map<std::string, std::size_t> nodes_by_address(const Model& model) {
  std::unordered_map<std::string, std::size_t> by_address;
  for (std::size_t i = 0; i < model.nodes.size(); ++i)
    for (const auto& a : model.nodes[i].addresses) by_address.emplace(a, i);
  return by_address;
}

// The node of that name, added when missing; `by_name` indexes model.nodes (kept up to date).
std::size_t node_named(Model& model, std::unordered_map<std::string, std::size_t>& by_name,
                       const std::string& name) {
  auto [it, fresh] = by_name.emplace(name, model.nodes.size());
  if (fresh) model.nodes.push_back(Node{name, {}});
  return it->second;
}

}  // namespace

void infer_point_nodes(Workspace& ws) {
  Model& model = ws.model;
  const auto by_address = nodes_by_address(model);
  auto node_of = [&](const std::string& address) -> long {
    auto it = by_address.find(address);
    return it == by_address.end() ? -1 : static_cast<long>(it->second);
  };
  const std::size_t n = ws.points();
  std::vector<std::map<long, long>> votes(n);     // point -> node -> weight
  std::vector<std::map<long, long>> presence(n);  // point -> node -> connections it is an end of
  std::vector<long> inside_of(n, -1);             // point just inside a NAT box: that box's node
  std::vector<std::set<long>> own(n);  // nodes whose own packets leave at the point (multi-point)

  for (const Connection& c : ws.conns)
    for (const auto& end : c.ends)
      if (long node = node_of(end.addr); node >= 0) ++presence[c.point][node];

  for (const Flow& flow : ws.flows) {
    const auto path = client_to_server(flow);
    const long weight = path.size() > 1 ? 10 : 1;  // cross-point evidence counts far more
    for (std::size_t i = 0; i < path.size(); ++i) {
      const std::size_t p = path[i];
      const Connection& c = ws.conns[flow.conn_at.at(p)];
      const Endpoint& client = c.ends[c.flip];
      const Endpoint& server = c.ends[1 - c.flip];
      // An end host's capture: its own packets leave with an initial TTL.
      if (i == 0 && initial_ttl(first_ttl(ws, c, c.flip)))
        if (long node = node_of(client.addr); node >= 0) {
          votes[p][node] += 2 * weight;
          if (path.size() > 1) own[p].insert(node);
        }
      if (i + 1 == path.size() && initial_ttl(first_ttl(ws, c, 1 - c.flip)))
        if (long node = node_of(server.addr); node >= 0) {
          votes[p][node] += 2 * weight;
          if (path.size() > 1) own[p].insert(node);
        }
      if (i == 0) continue;
      // Source NAT between the previous point and this one: the new source is the NAT box's.
      const Connection& prev = ws.conns[flow.conn_at.at(path[i - 1])];
      const Endpoint& prev_client = prev.ends[prev.flip];
      if (prev_client.addr != client.addr) {
        const long box = node_of(client.addr);
        if (box >= 0) {
          votes[p][box] += weight;
          const std::uint8_t ttl_before = first_ttl(ws, prev, prev.flip);
          const std::uint8_t ttl_after = first_ttl(ws, c, c.flip);
          if (ttl_before && ttl_after && ttl_before == ttl_after + 1) inside_of[path[i - 1]] = box;
        }
      }
    }
  }

  std::map<long, long> merged_into;                           // unnamed node -> node it joins
  std::unordered_map<std::string, std::size_t> node_by_name;  // first node of each name
  for (std::size_t i = 0; i < model.nodes.size(); ++i) node_by_name.emplace(model.nodes[i].name, i);
  for (std::size_t p = 0; p < n; ++p) {
    CapturePoint& point = model.points[p];
    if (!point.node.empty()) {
      node_named(model, node_by_name,
                 point.node);  // the user's name: make sure the lifeline exists
      continue;
    }
    long best = -1, best_score = 0;
    for (const auto& [node, weight] : votes[p]) {
      const long score = weight * 1000 + presence[p][node];
      if (score > best_score) {
        best = node;
        best_score = score;
      }
    }
    if (best < 0) best = inside_of[p];
    // A host with several addresses (a relay's front and back) seen from its own capture: the
    // unnamed ones join the node the point sits at.
    if (best >= 0 && votes[p].count(best) && own[p].count(best))
      for (long other : own[p]) {
        Node& x = model.nodes[static_cast<std::size_t>(other)];
        if (other == best || x.addresses.size() != 1 || x.name != x.addresses[0]) continue;
        merged_into[other] = best;
      }
    if (best >= 0) {
      point.node = model.nodes[static_cast<std::size_t>(best)].name;
    } else if (!point.observations.empty()) {
      // A middlebox interface owning none of the addresses it saw: a lifeline of its own.
      point.node = point.name;
      node_named(model, node_by_name, point.node);
    }
  }
  if (merged_into.empty()) return;
  // Follow chains (a -> b -> c), move the addresses, then drop the emptied nodes.
  auto final_target = [&](long x) {
    for (int guard = 0; merged_into.count(x) && guard < 64; ++guard) x = merged_into[x];
    return x;
  };
  std::map<std::string, std::string> renamed;
  for (const auto& [from, to_direct] : merged_into) {
    const long to = final_target(to_direct);
    if (to == from) continue;
    Node& source = model.nodes[static_cast<std::size_t>(from)];
    Node& target = model.nodes[static_cast<std::size_t>(to)];
    target.addresses.insert(target.addresses.end(), source.addresses.begin(),
                            source.addresses.end());
    source.addresses.clear();
    renamed[source.name] = target.name;
  }
  std::vector<Node> kept;
  for (Node& node : model.nodes)
    if (!renamed.count(node.name)) kept.push_back(std::move(node));
  model.nodes = std::move(kept);
  for (CapturePoint& point : model.points)
    if (auto it = renamed.find(point.node); it != renamed.end()) point.node = it->second;
}

void order_nodes(Workspace& ws) {
  Model& model = ws.model;
  const auto by_address = nodes_by_address(model);
  std::unordered_map<std::string, long> by_name;
  for (std::size_t i = 0; i < model.nodes.size(); ++i) by_name.emplace(model.nodes[i].name, i);
  auto node_of_address = [&](const std::string& a) -> long {
    auto it = by_address.find(a);
    return it == by_address.end() ? -1 : static_cast<long>(it->second);
  };
  auto node_of_point = [&](std::size_t p) -> long {
    auto it = by_name.find(model.points[p].node);
    return it == by_name.end() ? -1 : it->second;
  };

  // Weighted "x comes before y" from every flow's client -> point nodes -> server sequence.
  std::map<std::pair<long, long>, long> before;
  auto add_sequence = [&](const std::vector<long>& seq, long weight) {
    long prev = -1;
    for (long node : seq) {
      if (node < 0 || node == prev) continue;
      if (prev >= 0) before[{prev, node}] += weight;
      prev = node;
    }
  };
  for (std::uint32_t f = 0; f < ws.flows.size(); ++f) {
    if (!ws.kept_flow(f)) continue;  // follow mode: order the lifelines of the selection
    const Flow& flow = ws.flows[f];
    const auto path = client_to_server(flow);
    if (path.empty()) continue;
    const Connection& first = ws.conns[flow.conn_at.at(path.front())];
    const Connection& last = ws.conns[flow.conn_at.at(path.back())];
    std::vector<long> seq{node_of_address(first.ends[first.flip].addr)};
    for (std::size_t p : path) seq.push_back(node_of_point(p));
    seq.push_back(node_of_address(last.ends[1 - last.flip].addr));
    add_sequence(seq, path.size() > 1 ? 10 : 1);
  }
  for (const RelayOrder& r : ws.relay_order)
    if (ws.kept_flow(r.flow_in) && ws.kept_flow(r.flow_out)) add_sequence({r.before, r.after}, 10);

  // Greedy topological order: fewest weighted predecessors left, then the original order.
  const long count = static_cast<long>(model.nodes.size());
  std::vector<long> incoming(count, 0);
  for (const auto& [edge, weight] : before)
    if (edge.first != edge.second) incoming[edge.second] += weight;
  std::vector<bool> has_edge(count, false);  // lifelines on no path go to the end
  for (const auto& [edge, weight] : before) has_edge[edge.first] = has_edge[edge.second] = true;
  std::vector<std::vector<std::pair<long, long>>> successors(count);
  for (const auto& [edge, weight] : before)
    if (edge.first != edge.second) successors[edge.first].emplace_back(edge.second, weight);
  // Ordered by (incoming weight, lifelines on a path first, index): the set's first entry is
  // the node a scan in index order for the fewest predecessors would pick.
  std::vector<bool> placed(count, false);
  std::set<std::tuple<long, int, long>> ready;
  auto entry = [&](long i) { return std::make_tuple(incoming[i], has_edge[i] ? 0 : 1, i); };
  for (long i = 0; i < count; ++i) ready.insert(entry(i));
  std::vector<long> order;
  while (!ready.empty()) {
    const long pick = std::get<2>(*ready.begin());
    ready.erase(ready.begin());
    placed[pick] = true;
    order.push_back(pick);
    for (const auto& [next, weight] : successors[pick]) {
      if (placed[next]) continue;
      ready.erase(entry(next));
      incoming[next] -= weight;
      ready.insert(entry(next));
    }
  }
  std::vector<Node> ordered;
  ordered.reserve(order.size());
  for (long i : order) ordered.push_back(std::move(model.nodes[i]));
  model.nodes = std::move(ordered);
}

}  // namespace packetseq::match_internal
