// build_journey_arrows: journeys, losses and relay links as arrows between lifelines.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <unordered_map>

#include "matcher/matcher.h"

namespace packetseq {
namespace {

std::int64_t saturate(__int128 v) {
  if (v > std::numeric_limits<std::int64_t>::max()) return std::numeric_limits<std::int64_t>::max();
  if (v < std::numeric_limits<std::int64_t>::min()) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(v);
}

std::string dwell_note(std::int64_t ns) {
  char text[64];
  std::snprintf(text, sizeof text, "dwell %.1f ms", static_cast<double>(ns) / 1e6);
  return text;
}

}  // namespace

void build_journey_arrows(Model& model) {
  model.arrows.clear();
  std::unordered_map<std::string, long> by_address, by_name;
  for (std::size_t i = 0; i < model.nodes.size(); ++i) {
    by_name.emplace(model.nodes[i].name, static_cast<long>(i));
    for (const auto& a : model.nodes[i].addresses) by_address.emplace(a, static_cast<long>(i));
  }
  auto address_node = [&](const std::string& a) -> long {
    auto it = by_address.find(a);
    return it == by_address.end() ? -1 : it->second;
  };
  std::vector<long> point_node(model.points.size(), -1);
  for (std::size_t p = 0; p < model.points.size(); ++p) {
    auto it = by_name.find(model.points[p].node);
    if (it != by_name.end()) point_node[p] = it->second;
  }
  std::map<std::pair<std::size_t, std::size_t>, std::int64_t> median_transit;
  for (const HopStats& h : model.match.hops)
    if (h.packets) median_transit[{h.from_point, h.to_point}] = h.transit_median_ns;

  auto push = [&](ArrowKind kind, long from, long to, std::int64_t from_ns, std::int64_t to_ns,
                  const ObservationRef& ref, std::int64_t journey, bool ambiguous) {
    Arrow a;
    a.kind = kind;
    a.from_node = static_cast<std::size_t>(from);
    a.to_node = static_cast<std::size_t>(to);
    a.from_ns = from_ns;
    a.to_ns = to_ns;
    a.observation = ref;
    a.journey = journey;
    a.ambiguous = ambiguous;
    model.arrows.push_back(std::move(a));
  };

  std::map<ObservationRef, std::int64_t> journey_of;  // for relay links
  for (std::size_t ji = 0; ji < model.journeys.size(); ++ji) {
    const Journey& j = model.journeys[ji];
    if (j.sightings.empty()) continue;
    const std::int64_t index = static_cast<std::int64_t>(ji);
    for (const Sighting& s : j.sightings) journey_of[s.observation] = index;
    const Observation& first = model.at(j.sightings.front().observation);
    const long src = address_node(first.src), dst = address_node(first.dst);
    const std::size_t last = j.sightings.size() - 1;

    long prev_node = -1;
    const Sighting* prev = nullptr;
    bool drew = false;
    for (std::size_t k = 0; k < j.sightings.size(); ++k) {
      const Sighting& s = j.sightings[k];
      long node = point_node[s.observation.point];
      if (node < 0 && k == 0) node = src;  // no lifeline for the point: the packet's own ends
      if (node < 0 && k == last && !j.lost) node = dst;
      if (node < 0) continue;
      if (prev && node != prev_node) {
        push(ArrowKind::kPacket, prev_node, node, prev->time_ns, s.time_ns, prev->observation,
             index, j.ambiguous);
        drew = true;
      }
      if (!prev || node != prev_node) {
        prev = &s;
        prev_node = node;
      } else {
        prev = &s;  // same lifeline again (two interfaces of one box): leave from the later one
      }
    }
    if (j.lost) {
      const Sighting& s = j.sightings[j.lost_after];
      long from = prev_node >= 0 ? prev_node : src;
      long to = point_node[j.lost_at_point];
      if (to < 0) to = dst;
      if (from >= 0 && to >= 0) {
        auto it = median_transit.find({s.observation.point, j.lost_at_point});
        const std::int64_t reach =
            it == median_transit.end() ? 0 : std::max<std::int64_t>(0, it->second);
        push(ArrowKind::kLost, from, to, s.time_ns, saturate(__int128{s.time_ns} + reach),
             s.observation, index, j.ambiguous);
      }
      continue;
    }
    if (!drew && src >= 0 && dst >= 0) {  // seen at one point (or one lifeline): as the seed does
      const Sighting& s = j.sightings.front();
      push(ArrowKind::kPacket, src, dst, s.time_ns, s.time_ns, s.observation, index, j.ambiguous);
    }
  }

  for (const RelayLink& link : model.relay_links) {
    auto it = by_name.find(link.node);
    if (it == by_name.end()) continue;
    auto j = journey_of.find(link.out);
    const std::int64_t journey = j == journey_of.end() ? -1 : j->second;
    const std::int64_t out_ns = saturate(__int128{model.at(link.out).time_ns} +
                                         model.points[link.out.point].clock.offset_ns);
    push(ArrowKind::kRelay, it->second, it->second, saturate(__int128{out_ns} - link.dwell_ns),
         out_ns, link.out, journey, false);
    model.arrows.back().note = dwell_note(link.dwell_ns);
  }

  std::stable_sort(model.arrows.begin(), model.arrows.end(), [](const Arrow& x, const Arrow& y) {
    return x.from_ns != y.from_ns ? x.from_ns < y.from_ns : x.to_ns < y.to_ns;
  });
}

}  // namespace packetseq
