// A tap listener that turns every matching TCP frame Wireshark/tshark dissects into an
// Observation of one capture point. No Wireshark types in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "model/model.h"
#include "pipeline/capture_source.h"

namespace packetseq {
namespace plugin {

class ObservationTap {
 public:
  // `point_index` becomes Observation::point. Needs libwireshark's protocols registered.
  // A non-empty `follow_filter` (follow mode, the anchor) marks Observation::followed.
  ObservationTap(std::string user_filter, std::size_t point_index, std::string follow_filter = {});
  ~ObservationTap();  // stops listening
  ObservationTap(const ObservationTap&) = delete;
  ObservationTap& operator=(const ObservationTap&) = delete;

  // Registers the listener on the "frame" tap with a filter naming every field the reader
  // needs (so Wireshark primes them), and in follow mode a second listener with the follow
  // filter noting the frames it matches. Throws std::runtime_error with Wireshark's message
  // when a filter does not compile.
  void start();
  void stop();
  // Called from the listener's draw callback (tshark: once, after the last packet).
  void set_draw_callback(std::function<void()> on_draw) { on_draw_ = std::move(on_draw); }

  // After the pass: the point read from `path` (observations in file order, followed marks,
  // format, warnings), leaving the tap empty. Throws ReadError as the CLI reader does for an
  // empty capture, a filter matching nothing or a follow filter matching no TCP segment.
  CapturePoint finish(const std::string& path);
  const std::string& follow_filter() const { return follow_filter_; }
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
  std::string follow_filter_;
  std::string listener_filter_;
  CapturePoint point_;
  std::size_t point_index_;
  std::uint64_t truncated_ = 0;
  std::uint64_t icmp_quoted_ = 0;
  std::uint64_t frames_ = 0;                           // every frame the pass delivered
  std::uint64_t matched_ = 0;                          // frames matching the user's filter
  std::unordered_set<std::uint64_t> followed_frames_;  // tapdata of the follow listener
  bool registered_ = false;
  bool follow_registered_ = false;
  std::function<void()> on_draw_;
  struct Fields;
  std::unique_ptr<Fields> fields_;
};

// The open capture (Wireshark) or tshark's -r file, fed by an ObservationTap, as a pipeline
// source: read() takes what the tap collected (ObservationTap::finish).
class TapSource : public CaptureSource {
 public:
  explicit TapSource(ObservationTap& tap) : tap_(tap) {}
  void read(const SourceRequest& request, CapturePoint& point) override;

 private:
  ObservationTap& tap_;
};

// Wiretap's short name of a capture file's format ("pcapng", "pcap", ...), or "" if unknown.
std::string capture_file_format(const std::string& path);

}  // namespace plugin
}  // namespace packetseq
