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
  bool ambiguous = false;   // more than one candidate matched at some point; not joined
  bool lost = false;        // seen upstream, missing at a downstream point that captured that span
  std::size_t lost_after = 0;  // index into sightings: last point that saw it
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

}  // namespace packetseq
