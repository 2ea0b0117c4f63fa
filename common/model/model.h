// Model: capture points, nodes, observations, cross-point results and the arrows to draw.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/journey.h"
#include "model/observation.h"

namespace packetseq {

// A capture point's clock relative to the reference clock: reference = local + offset.
struct ClockOffset {
  enum class Source { kNone, kReference, kEstimated, kUser, kSameClock };
  Source source = Source::kNone;
  std::int64_t offset_ns = 0;
  std::int64_t low_ns = 0;  // the true offset lies in [low_ns, high_ns]
  std::int64_t high_ns = 0;
};

struct CapturePoint {
  std::string path;    // file as given on the command line
  std::string name;    // FILE@NAME, else the file's base name
  std::string format;  // wiretap's short name ("pcapng", "pcap", ...) or "csv"
  std::string filter;  // display filter applied when reading
  std::string node;    // name of the node this capture sits at, empty if not known
  ClockOffset clock;
  std::vector<Observation> observations;  // in file order
  std::vector<std::string> warnings;      // e.g. "no SYN; endpoints taken from the first packet"
};

// A lifeline: one host on the path, owning one or more addresses.
struct Node {
  std::string name;
  std::vector<std::string> addresses;
};

// What one drawn arrow stands for.
enum class ArrowKind {
  kPacket,  // a packet between two nodes (flat if seen at one point only)
  kLost,    // a packet that left `from` and never arrived: drawn to a loss marker
  kRelay,   // a relay link inside a middlebox (dashed), from bytes in to bytes out
};

// An arrow in model terms: nodes and corrected times, no geometry.
struct Arrow {
  ArrowKind kind = ArrowKind::kPacket;
  std::size_t from_node = 0;
  std::size_t to_node = 0;
  std::int64_t from_ns = 0;  // reference clock
  std::int64_t to_ns = 0;
  ObservationRef observation;  // label and colour come from this sighting
  std::int64_t journey = -1;   // index into Model::journeys, -1 if none
  bool ambiguous = false;
  std::string note;  // extra text, e.g. "dwell 50.1 ms"
};

struct Model {
  std::vector<CapturePoint> points;
  std::vector<Node> nodes;  // left-to-right lifeline order
  std::vector<Journey> journeys;
  std::vector<RelayLink> relay_links;
  std::vector<NatBinding> nat_bindings;
  std::vector<Arrow> arrows;  // sorted by from_ns, then to_ns
  MatchResults match;         // hop statistics, offset details, counters (filled by the matcher)

  const Observation& at(const ObservationRef& ref) const {
    return points[ref.point].observations[ref.index];
  }
  std::int64_t corrected_ns(const ObservationRef& ref) const {
    return at(ref).time_ns + points[ref.point].clock.offset_ns;
  }
};

}  // namespace packetseq
