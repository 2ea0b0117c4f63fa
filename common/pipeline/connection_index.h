// The index CSV of a --each-connection batch: one row per followed connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

namespace packetseq {

struct ConnectionSummary {
  std::uint32_t stream = 0;            // the anchor's tcp.stream
  std::vector<std::string> endpoints;  // per capture point: "a:p > b:p" ("; " between several)
  std::size_t packets = 0;             // journeys (a packet seen at several points counts once)
  std::size_t observations = 0;        // sightings over all points
  std::size_t lost = 0;                // journeys lost on the way
  bool has_times = false;
  std::int64_t first_ns = 0;  // reference clock
  std::int64_t last_ns = 0;
  std::vector<std::string> files;  // output files, as written
};

// Summarizes `model` after follow-mode matching of connection `stream`. Endpoints at a point are
// those of each kept connection there, initiator first (the SYN's sender, else the first
// packet's), IPv6 in brackets.
ConnectionSummary summarize_connection(const Model& model, std::uint32_t stream,
                                       std::vector<std::string> files);

// The CSV: connection, "NAME endpoints" per point, packets, observations, lost, first, last
// (seconds since the epoch, reference clock), span (seconds), files (base names, ' '-separated).
std::string format_connection_index(const std::vector<std::string>& point_names,
                                    const std::vector<ConnectionSummary>& rows);

}  // namespace packetseq
