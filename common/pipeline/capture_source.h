// How a capture point's observations arrive: an interface the pipeline reads every point through.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "model/model.h"

namespace packetseq {

// What the pipeline asks of one source.
struct SourceRequest {
  std::size_t index = 0;      // becomes Observation::point
  std::string filter;         // display filter for this point (-f / filter=)
  std::string follow_filter;  // anchor point in follow mode only, else empty
};

// One capture point's reader. Implementations: EpanFileSource (common/reader, a file read in this
// process: the CLI), SeedCsvSource (below), PreparedSource (a point read earlier: the tap on the
// open capture in Wireshark/tshark, a cached read), and the plugin's child-process reader.
class CaptureSource {
 public:
  virtual ~CaptureSource() = default;
  // Appends the observations to `point` (path and name already set by the pipeline) with
  // Observation::point = request.index, sets format/filter, adds notes to point.warnings and,
  // when request.follow_filter is set, marks Observation::followed. Throws std::runtime_error
  // (or a subclass) "PATH: cause".
  virtual void read(const SourceRequest& request, CapturePoint& point) = 0;
};

// A seed CSV export (Wireshark "Export Packet Dissections > As CSV"). Display filters cannot be
// evaluated on CSV rows: the filter is recorded as "(CSV export)" and follow mode is refused.
class SeedCsvSource : public CaptureSource {
 public:
  void read(const SourceRequest& request, CapturePoint& point) override;
};

// A point that was read before the pipeline ran (the tap on the open capture, or the dialog's
// cached read). Its observations are renumbered to the request's index. Follow mode needs the
// point to have been read with that follow filter (`followed_with`), else it is refused.
class PreparedSource : public CaptureSource {
 public:
  explicit PreparedSource(CapturePoint point, std::string followed_with = {})
      : point_(std::move(point)), followed_with_(std::move(followed_with)) {}
  void read(const SourceRequest& request, CapturePoint& point) override;

 private:
  CapturePoint point_;
  std::string followed_with_;
};

// True for files the CLI reads as seed CSV: a Wireshark CSV header, or a .csv name.
bool is_seed_csv_path(const std::string& path);

}  // namespace packetseq
