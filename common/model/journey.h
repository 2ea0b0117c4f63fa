// Cross-point results as plain data: journeys, relay links, NAT bindings, hop statistics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace packetseq {

// Where one observation lives: capture point index and index in its observations.
struct ObservationRef {
  std::size_t point = 0;
  std::size_t index = 0;
  bool operator==(const ObservationRef& o) const { return point == o.point && index == o.index; }
  bool operator<(const ObservationRef& o) const {
    return point != o.point ? point < o.point : index < o.index;
  }
};

// One packet at one capture point, on the reference clock.
struct Sighting {
  ObservationRef observation;
  std::int64_t time_ns = 0;  // corrected (reference clock)
};

// The same packet seen at one or more capture points, ordered along the path.
struct Journey {
  std::vector<Sighting> sightings;
  bool ambiguous = false;  // more than one candidate matched at some point; not joined
  bool lost = false;       // seen upstream, missing at a downstream point that captured that span
  std::size_t lost_after = 0;     // index into sightings: last point that saw it
  std::size_t lost_at_point = 0;  // capture point where it was expected but missing
};

// A middlebox that terminates TCP forwarded the bytes of `in` as `out`.
struct RelayLink {
  ObservationRef in;
  ObservationRef out;
  std::string node;
  std::int64_t dwell_ns = 0;
};

// A NAT binding seen between two capture points: inside address:port <-> outside address:port.
struct NatBinding {
  std::size_t inside_point = 0;
  std::size_t outside_point = 0;
  std::string inside;   // "addr:port"
  std::string outside;  // "addr:port"
};

// Transit over one hop (two consecutive capture points of a path), one direction.
struct HopStats {
  std::size_t from_point = 0;
  std::size_t to_point = 0;
  std::string from_node;  // node names of the two points (empty when not known)
  std::string to_node;
  std::size_t packets = 0;  // journeys seen at both points; the transit fields are valid if > 0
  std::int64_t transit_min_ns = 0;  // corrected arrival - corrected departure
  std::int64_t transit_median_ns = 0;
  std::int64_t transit_p95_ns = 0;
  std::size_t lost = 0;  // seen at from_point, missing at to_point (see docs/matching.md)
  std::size_t retransmissions = 0;  // sent past from_point in this direction (Wireshark's analysis)
};

// Time the bytes spent inside one relay (full proxy), over all its relay links.
struct DwellStats {
  std::string node;
  std::size_t links = 0;
  std::int64_t min_ns = 0;
  std::int64_t median_ns = 0;
  std::int64_t p95_ns = 0;
};

// How a capture point's clock offset was obtained (one per capture point).
struct OffsetDetail {
  bool low_bounded = false;   // ClockOffset::low_ns is a real bound (else it equals the estimate)
  bool high_bounded = false;  // ClockOffset::high_ns is a real bound (else it equals the estimate)
  std::size_t via_point = static_cast<std::size_t>(-1);  // neighbour it was chained from, if any
  std::size_t journeys = 0;  // journeys that gave the bounds on the edge from via_point
  std::string method;        // human-readable, e.g. "two-way bounds via client (412 journeys)"
};

// A packet captured twice at one point (span port, "any" interface): not a second packet.
struct DuplicateSighting {
  ObservationRef duplicate;
  ObservationRef original;
};

// Counts the matcher reports (also in its MatchReport). In follow mode (MatchOptions::follow)
// every count below `observations` describes the kept selection only.
struct MatchCounters {
  std::size_t observations = 0;      // all observations given to the matcher (offsets use them all)
  std::size_t duplicates = 0;        // span duplicates set aside
  std::size_t connection_pairs = 0;  // same TCP connection associated across two points
  std::size_t journeys = 0;
  std::size_t multi_point_journeys = 0;  // seen at two or more points
  std::size_t single_point_journeys = 0;
  std::size_t ambiguous_keys = 0;          // match keys with more than one candidate on a side
  std::size_t ambiguous_observations = 0;  // left unjoined because of them
  std::size_t tie_broken = 0;              // ambiguous candidates settled by corrected time
  std::size_t lost = 0;
  std::size_t relay_links = 0;
  std::size_t nat_bindings = 0;
  // Follow mode: connections at the anchor point holding a followed observation (0 when not
  // following); connections kept over all points and observations kept (without follow: all).
  std::size_t followed_connections = 0;
  std::size_t kept_connections = 0;
  std::size_t kept_observations = 0;
};

// Everything the matcher adds to the model besides journeys, relay links and NAT bindings.
struct MatchResults {
  std::vector<HopStats> hops;
  std::vector<DwellStats> dwell;
  std::vector<OffsetDetail> offsets;  // index = capture point
  std::vector<DuplicateSighting> duplicates;
  MatchCounters counters;
  std::vector<std::string> warnings;
};

}  // namespace packetseq
