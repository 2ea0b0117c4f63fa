// A tap listener that turns every matching TCP frame Wireshark/tshark dissects into an
// Observation of one capture point. No Wireshark types in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "model/model.h"

namespace packetseq {
namespace plugin {

class ObservationTap {
 public:
  // `point_index` becomes Observation::point. Needs libwireshark's protocols registered.
  ObservationTap(std::string user_filter, std::size_t point_index);
  ~ObservationTap();  // stops listening
  ObservationTap(const ObservationTap&) = delete;
  ObservationTap& operator=(const ObservationTap&) = delete;

  // Registers the listener on the "frame" tap with a filter naming every field the reader
  // needs (so Wireshark primes them). Throws std::runtime_error with Wireshark's message when
  // the filter does not compile.
  void start();
  void stop();
  // Called from the listener's draw callback (tshark: once, after the last packet).
  void set_draw_callback(std::function<void()> on_draw) { on_draw_ = std::move(on_draw); }

  // Observations collected so far (file order) and frames skipped, as the CLI reader counts them.
  CapturePoint& point() { return point_; }
  std::uint64_t truncated() const { return truncated_; }
  std::uint64_t icmp_quoted() const { return icmp_quoted_; }
  // Set by Wireshark's reset callback (a retap starts over): observations are cleared.
  void clear();

  // The listener's filter string: "(USER) && (tcp || f1 || f2 ...)". Exposed for diagnostics.
  const std::string& listener_filter() const { return listener_filter_; }

 private:
  struct Callbacks;
  std::string user_filter_;
  std::string listener_filter_;
  CapturePoint point_;
  std::size_t point_index_;
  std::uint64_t truncated_ = 0;
  std::uint64_t icmp_quoted_ = 0;
  bool registered_ = false;
  std::function<void()> on_draw_;
  struct Fields;
  std::unique_ptr<Fields> fields_;
};

// Wiretap's short name of a capture file's format ("pcapng", "pcap", ...), or "" if unknown.
std::string capture_file_format(const std::string& path);

}  // namespace plugin
}  // namespace packetseq
