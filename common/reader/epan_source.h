// A capture file read in this process by the epan reader, as a pipeline CaptureSource.
#pragma once

#include <cstdint>
#include <functional>

#include "pipeline/capture_source.h"

namespace packetseq {

class EpanFileSource : public CaptureSource {
 public:
  // `progress` and `cancelled` as in ReadOptions (may be empty).
  explicit EpanFileSource(
      std::function<void(std::uint64_t done, std::uint64_t total)> progress = {},
      std::function<bool()> cancelled = {})
      : progress_(std::move(progress)), cancelled_(std::move(cancelled)) {}
  // read_capture_epan with request.filter as the display filter and request.follow_filter as
  // the follow filter. Throws ReadError "PATH: cause".
  void read(const SourceRequest& request, CapturePoint& point) override;

 private:
  std::function<void(std::uint64_t, std::uint64_t)> progress_;
  std::function<bool()> cancelled_;
};

}  // namespace packetseq
