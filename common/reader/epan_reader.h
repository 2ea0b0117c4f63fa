// Reads a capture file with libwireshark (wiretap + epan) into one capture point's observations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "model/model.h"

namespace packetseq {

struct ReadOptions {
  std::string display_filter = "tcp";  // Wireshark display filter; packets not matching are skipped
  // Follow mode, anchor point only: packets that also match this filter get
  // Observation::followed. Empty: no follow filter (nothing marked).
  std::string follow_filter;
  // May be empty; called now and then with bytes read so far and the file size.
  std::function<void(std::uint64_t done_bytes, std::uint64_t total_bytes)> progress;
  std::function<bool()> cancelled;  // may be empty; return true to stop (throws ReadCancelled)
};

// A capture that cannot be read as asked; what() = "FILE: cause".
class ReadError : public std::runtime_error {
 public:
  using runtime_error::runtime_error;
};

// The read was stopped because ReadOptions::cancelled returned true; what() = "FILE: cancelled".
class ReadCancelled : public ReadError {
 public:
  using ReadError::ReadError;
};

// Process-wide libwireshark setup (configuration, wtap_init, epan_init, preferences, name
// resolution off), done once; later calls do nothing. Thread-compatible: call from one thread.
// Throws std::runtime_error if libwireshark cannot be initialised.
void epan_library_init();

// Reads `path` in one pass (one epan session, never two at once) and appends one Observation per
// TCP segment matching options.display_filter to point.observations (Observation::point =
// point_index), with Observation::followed set on those matching options.follow_filter; sets
// point.format (wiretap short name, e.g. "pcap", "pcapng") and point.filter, and appends notes such
// as skipped truncated headers to point.warnings. Calls epan_library_init() if needed. Throws
// ReadError (or ReadCancelled); on error `point` may hold part of the observations.
//
// Preferences: the user's Wireshark profile as tshark would load it, with TCP reassembly off
// (each segment dissected on its own: per-segment Info text and no buffered stream data), relative
// sequence numbers and sequence analysis on, and all name resolution off.
void read_capture_epan(const std::string& path, const ReadOptions& options, std::size_t point_index,
                       CapturePoint& point);

// What one pass over a capture saw, for check_read_counts.
struct ReadCounts {
  std::uint64_t frames = 0;        // records read
  std::uint64_t matched = 0;       // records matching the display filter
  std::uint64_t observations = 0;  // TCP segments over IP among them
  std::uint64_t followed = 0;      // observations matching the follow filter
};

// The end-of-read checks of every epan-based reader (this one and the plugin's tap on the open
// capture), so all front ends fail alike: throws ReadError "PATH: cause" for a file without
// packets, a display filter matching nothing or no TCP segment, and a follow filter (if not
// empty) matching no TCP segment.
void check_read_counts(const std::string& path, const std::string& filter,
                       const std::string& follow_filter, const ReadCounts& counts);

}  // namespace packetseq
