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

namespace {

// Checks the options first so a bad one leaves the model untouched; then clears the results.
void check_and_reset(Model& model, const MatchOptions& options) {
  using match_internal::kNone;
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
}

// The stages that use all the data, whatever follow mode selects.
void match_everything(match_internal::Workspace& ws, const MatchOptions& options) {
  using namespace match_internal;
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
}

// Follow mode selects here: offsets, node placement and relay links came from all the data;
// what follows (lifeline order, hop stats, arrows) describes the selection only.
void select_and_finish(match_internal::Workspace& ws, const MatchOptions& options) {
  using namespace match_internal;
  select_followed(ws, options);
  order_nodes(ws);
  compute_hop_stats(ws);
  compact_selection(ws);
  build_journey_arrows(ws.model);
}

}  // namespace

MatchReport match_model(Model& model, const MatchOptions& options) {
  check_and_reset(model, options);
  match_internal::Workspace ws(model);
  match_everything(ws, options);
  select_and_finish(ws, options);

  MatchReport report;
  report.counters = model.match.counters;
  report.warnings = model.match.warnings;
  return report;
}

struct FollowBatch::State {
  Model model;  // after the selection-independent stages
  MatchOptions options;
  match_internal::WorkspaceState workspace;
};

FollowBatch::FollowBatch(Model model, MatchOptions options) : state_(std::make_unique<State>()) {
  options.follow = true;
  state_->model = std::move(model);
  state_->options = std::move(options);
  check_and_reset(state_->model, state_->options);
  match_internal::Workspace ws(state_->model);
  match_everything(ws, state_->options);
  state_->workspace = static_cast<const match_internal::WorkspaceState&>(ws);
}

FollowBatch::~FollowBatch() = default;

Model FollowBatch::select(const std::function<bool(const Observation&)>& followed) const {
  Model model = state_->model;
  const std::size_t anchor = state_->options.reference_point;
  for (auto& point : model.points)
    for (auto& o : point.observations) o.followed = false;
  if (anchor < model.points.size())
    for (auto& o : model.points[anchor].observations) o.followed = followed(o);
  match_internal::Workspace ws(model, state_->workspace);
  select_and_finish(ws, state_->options);
  return model;
}

}  // namespace packetseq
