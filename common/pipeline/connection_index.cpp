// Builds the --each-connection index CSV from the per-connection models.
#include "pipeline/connection_index.h"

#include <glib.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <sstream>

#include "export/journey_csv.h"
#include "util/text_safety.h"

namespace packetseq {
namespace {

std::string endpoint(const std::string& address, std::uint8_t ip_version, std::uint16_t port) {
  return (ip_version == 6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::string base_name(const std::string& path) {
  gchar* base = g_path_get_basename(path.c_str());
  std::string name = base;
  g_free(base);
  return name;
}

}  // namespace

ConnectionSummary summarize_connection(const Model& model, std::uint32_t stream,
                                       std::vector<std::string> files) {
  ConnectionSummary row;
  row.stream = stream;
  row.files = std::move(files);
  for (std::size_t p = 0; p < model.points.size(); ++p) {
    // Each kept connection at this point (its tcp.stream there), in order of first appearance.
    std::vector<std::uint32_t> order;
    std::map<std::uint32_t, const Observation*> first, syn;
    for (const auto& o : model.points[p].observations) {
      ++row.observations;
      const std::int64_t t = o.time_ns + model.points[p].clock.offset_ns;
      if (!row.has_times || t < row.first_ns) row.first_ns = t;
      if (!row.has_times || t > row.last_ns) row.last_ns = t;
      row.has_times = true;
      if (first.emplace(o.stream, &o).second) order.push_back(o.stream);
      if (o.has_flags && (o.flags & kSyn) && !(o.flags & kAck)) syn.emplace(o.stream, &o);
    }
    std::string text;
    for (std::uint32_t s : order) {
      const auto it = syn.find(s);
      const Observation& o = it != syn.end() ? *it->second : *first[s];
      if (!text.empty()) text += "; ";
      text += endpoint(o.src, o.ip_version, o.src_port) + " > " +
              endpoint(o.dst, o.ip_version, o.dst_port);
    }
    row.endpoints.push_back(text);
  }
  for (const auto& j : model.journeys) {
    if (j.sightings.empty()) continue;
    ++row.packets;
    if (j.lost) ++row.lost;
  }
  return row;
}

std::string format_connection_index(const std::vector<std::string>& point_names,
                                    const std::vector<ConnectionSummary>& rows) {
  std::ostringstream out;
  out << "connection";
  for (const auto& name : point_names) out << "," << csv_field(name + " endpoints");
  out << ",packets,observations,lost,first,last,span,files\n";
  for (const auto& r : rows) {
    out << r.stream;
    for (std::size_t p = 0; p < point_names.size(); ++p)
      out << "," << csv_field(p < r.endpoints.size() ? r.endpoints[p] : "");
    out << "," << r.packets << "," << r.observations << "," << r.lost << ",";
    if (r.has_times)
      out << csv_seconds(r.first_ns) << "," << csv_seconds(r.last_ns) << ","
          << csv_seconds(r.last_ns - r.first_ns);
    else
      out << ",,";
    std::string files;
    for (const auto& f : r.files) files += (files.empty() ? "" : " ") + base_name(f);
    out << "," << csv_field(files) << "\n";
  }
  return out.str();
}

}  // namespace packetseq
