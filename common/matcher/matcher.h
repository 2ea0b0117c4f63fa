// Cross-point matching: journeys, clock offsets, relay links, NAT bindings, path order, hop stats.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"

namespace packetseq {

// A user-pinned clock offset (--offset POINT=+9h): reference = local + offset_ns.
struct OffsetOverride {
  std::string point;  // capture point name
  std::int64_t offset_ns = 0;
};

struct MatchOptions {
  std::vector<OffsetOverride> offsets;
  std::vector<std::vector<std::string>> same_clock;  // groups of point names sharing one clock
  std::size_t reference_point = 0;                   // its clock is the reference (offset 0)
  // Follow mode: the anchor is reference_point; only the connections of its observations with
  // Observation::followed set, and what is reachable from them at other points (same connection
  // through NAT, relay links), are kept in the model: the other observations are removed from
  // points[i].observations (references renumbered). Clock offsets still use all observations.
  // Nothing followed: empty selection, counters.followed_connections == 0 and a warning.
  // See docs/matching.md, section 15 "Follow mode".
  bool follow = false;
};

struct MatchReport {
  MatchCounters counters;
  std::vector<std::string> warnings;  // also in model.match.warnings
};

// Fills model.journeys, points[i].clock, points[i].node (when empty and inferable), model.nodes
// (reordered along the path, middlebox lifelines added), model.relay_links, model.nat_bindings,
// model.match and model.arrows (via build_journey_arrows). Expects model.nodes to hold the named
// addresses (build_nodes). Throws std::invalid_argument for options naming unknown points.
// With options.follow the model keeps only the selection (observations and lifelines included):
// match a copy of the read model if it must be matched again with other options.
MatchReport match_model(Model& model, const MatchOptions& options);

// Follow mode for many selections over one model (--each-connection): everything that does not
// depend on the selection (connections, pair matching, clock offsets, journeys, losses, NAT
// bindings, relay links) runs once in the constructor; select() then returns, for one selection,
// exactly the model match_model would leave for a copy of `model` whose anchor observations are
// marked followed by `followed`, matched with `options` in follow mode.
class FollowBatch {
 public:
  // Throws as match_model. The anchor is options.reference_point.
  FollowBatch(Model model, MatchOptions options);
  ~FollowBatch();
  FollowBatch(const FollowBatch&) = delete;
  FollowBatch& operator=(const FollowBatch&) = delete;
  Model select(const std::function<bool(const Observation&)>& followed) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Arrows for the layout from journeys, relay links and nodes; replaces model.arrows. Idempotent:
// run it again after renaming or reordering nodes.
void build_journey_arrows(Model& model);

// "+9h", "-0.35s", "+3600.25s", "250ms", "-1.5" (seconds), "1h30m", "15us", "100ns" -> ns.
// Throws std::invalid_argument naming the text and the cause.
std::int64_t parse_offset(const std::string& text);

}  // namespace packetseq
