// EpanFileSource: the pipeline's view of read_capture_epan.
#include "reader/epan_source.h"

#include "reader/epan_reader.h"

namespace packetseq {

void EpanFileSource::read(const SourceRequest& request, CapturePoint& point) {
  ReadOptions options;
  options.display_filter = request.filter;
  options.follow_filter = request.follow_filter;
  options.progress = progress_;
  options.cancelled = cancelled_;
  read_capture_epan(point.path, options, request.index, point);
}

}  // namespace packetseq
