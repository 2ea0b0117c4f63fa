// match_model: runs the matcher's stages in order over a model whose observations are read.
#include "matcher/matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "matcher/matcher_internal.h"

namespace packetseq {
namespace match_internal {

std::int64_t percentile(std::vector<std::int64_t>& values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(fraction * static_cast<double>(values.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

std::string format_duration(std::int64_t ns) {
  char text[64];
  std::snprintf(text, sizeof text, "%+.6f s", static_cast<double>(ns) / 1e9);
  return text;
}

std::string endpoint_text(const Endpoint& e) {
  if (e.addr.find(':') != std::string::npos) return "[" + e.addr + "]:" + std::to_string(e.port);
  return e.addr + ":" + std::to_string(e.port);
}

}  // namespace match_internal

namespace {

void check_point_name(const Model& model, const std::string& name, const char* option) {
  for (const auto& p : model.points)
    if (p.name == name) return;
  throw std::invalid_argument(std::string(option) + ": no capture point named '" + name + "'");
}

}  // namespace

MatchReport match_model(Model& model, const MatchOptions& options) {
  using namespace match_internal;
  // Check the options first so a bad one leaves the model untouched.
  for (const auto& pin : options.offsets) check_point_name(model, pin.point, "--offset");
  for (const auto& group : options.same_clock)
    for (const auto& name : group) check_point_name(model, name, "--same-clock");
  if (!model.points.empty() && options.reference_point >= model.points.size())
    throw std::invalid_argument("reference point " + std::to_string(options.reference_point) +
                                " out of range");
  std::size_t total = 0;
  for (const auto& p : model.points) total += p.observations.size();
  if (total >= kNone) throw std::invalid_argument("too many observations to match");

  model.match = MatchResults{};
  model.journeys.clear();
  model.relay_links.clear();
  model.nat_bindings.clear();
  model.arrows.clear();

  Workspace ws(model);
  build_connections(ws);
  match_point_pairs(ws);
  estimate_clock_offsets(ws, options);
  settle_ambiguities_by_time(ws);
  build_flows(ws);
  build_journeys(ws);
  detect_losses(ws);
  record_nat_bindings(ws);
  infer_point_nodes(ws);
  link_relays(ws);
  // Follow mode selects here: offsets, node placement and relay links came from all the data;
  // what follows (lifeline order, hop stats, arrows) describes the selection only.
  select_followed(ws, options);
  order_nodes(ws);
  compute_hop_stats(ws);
  compact_selection(ws);
  build_journey_arrows(model);

  MatchReport report;
  report.counters = model.match.counters;
  report.warnings = model.match.warnings;
  return report;
}

}  // namespace packetseq
