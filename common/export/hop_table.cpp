// Text rendering of the matcher's statistics for terminals and logs.
#include "export/hop_table.h"

#include <algorithm>
#include <sstream>

#include "util/time_format.h"

namespace packetseq {
namespace {

// Left-aligned columns sized to their widest cell.
std::string columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  std::ostringstream out;
  for (const auto& r : rows) {
    std::string line = "  ";
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  return out.str();
}

std::string point_label(const Model& m, std::size_t p) {
  const auto& point = m.points.at(p);
  return point.node.empty() || point.node == point.name ? point.name
                                                        : point.name + " (" + point.node + ")";
}

const char* source_name(ClockOffset::Source s) {
  switch (s) {
    case ClockOffset::Source::kReference:
      return "reference";
    case ClockOffset::Source::kEstimated:
      return "estimated";
    case ClockOffset::Source::kUser:
      return "set by user";
    case ClockOffset::Source::kSameClock:
      return "same clock";
    case ClockOffset::Source::kNone:
      return "unknown";
  }
  return "unknown";
}

}  // namespace

std::string format_hop_table(const Model& m) {
  std::ostringstream out;
  out << "Clock offsets (reference = local + offset)\n";
  {
    std::vector<std::vector<std::string>> rows{{"capture point", "offset", "interval", "how"}};
    for (std::size_t p = 0; p < m.points.size(); ++p) {
      const auto& c = m.points[p].clock;
      std::string interval = "-";
      if (c.source == ClockOffset::Source::kEstimated)
        interval = "[" + format_offset(c.low_ns) + ", " + format_offset(c.high_ns) + "]";
      std::string how = source_name(c.source);
      if (p < m.match.offsets.size() && !m.match.offsets[p].method.empty())
        how = m.match.offsets[p].method;
      rows.push_back({point_label(m, p), format_offset(c.offset_ns), interval, how});
    }
    out << columns(rows);
  }

  out << "\nHops (transit = corrected arrival - departure)\n";
  if (m.match.hops.empty()) {
    out << "  no packet was seen at two capture points\n";
  } else {
    std::vector<std::vector<std::string>> rows{
        {"from", "to", "packets", "min", "median", "p95", "lost", "retrans"}};
    for (const auto& h : m.match.hops) {
      const bool has = h.packets > 0;
      rows.push_back({point_label(m, h.from_point), point_label(m, h.to_point),
                      std::to_string(h.packets), has ? format_duration(h.transit_min_ns) : "-",
                      has ? format_duration(h.transit_median_ns) : "-",
                      has ? format_duration(h.transit_p95_ns) : "-", std::to_string(h.lost),
                      std::to_string(h.retransmissions)});
    }
    out << columns(rows);
  }

  if (!m.match.dwell.empty()) {
    out << "\nMiddlebox dwell (bytes in -> same bytes out)\n";
    std::vector<std::vector<std::string>> rows{{"node", "links", "min", "median", "p95"}};
    for (const auto& d : m.match.dwell)
      rows.push_back({d.node, std::to_string(d.links), format_duration(d.min_ns),
                      format_duration(d.median_ns), format_duration(d.p95_ns)});
    out << columns(rows);
  }

  if (!m.nat_bindings.empty()) {
    out << "\nNAT bindings\n";
    std::vector<std::vector<std::string>> rows{{"inside", "", "outside", "seen at"}};
    for (const auto& b : m.nat_bindings)
      rows.push_back(
          {b.inside, "<->", b.outside,
           m.points.at(b.inside_point).name + " / " + m.points.at(b.outside_point).name});
    out << columns(rows);
  }

  const auto& c = m.match.counters;
  out << "\nMatching: " << c.observations << " observations, ";
  if (c.followed_connections > 0)  // follow mode: the rest of the line describes the selection
    out << c.kept_observations << " kept (" << c.kept_connections
        << " connections over all points), ";
  out << c.journeys << " journeys (" << c.multi_point_journeys << " seen at 2+ points, "
      << c.single_point_journeys << " at one), " << c.duplicates << " duplicates, "
      << c.ambiguous_observations << " left unmatched as ambiguous (" << c.ambiguous_keys
      << " ambiguous keys), " << c.lost << " lost, " << c.relay_links << " relay links\n";
  for (const auto& w : m.match.warnings) out << "warning: " << w << "\n";
  return out.str();
}

}  // namespace packetseq
