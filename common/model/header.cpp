// Capture-point lines for diagram headers.
#include "model/header.h"

#include "util/time_format.h"

namespace packetseq {

std::string describe_capture_point(const CapturePoint& p) {
  const auto slash = p.path.find_last_of('/');
  const std::string file = slash == std::string::npos ? p.path : p.path.substr(slash + 1);
  std::string line = p.name + " (";
  if (!file.empty() && file != p.name) line += file + ", ";
  line += p.format + ", " + std::to_string(p.observations.size()) + " packets)";
  if (!p.node.empty()) line += " at " + p.node;
  line += ", clock " + format_offset(p.clock.offset_ns);
  if (p.clock.source == ClockOffset::Source::kEstimated)
    line += " \xC2\xB1" + format_duration((p.clock.high_ns - p.clock.low_ns) / 2) + " (estimated)";
  else if (p.clock.source == ClockOffset::Source::kUser)
    line += " (set by user)";
  else if (p.clock.source == ClockOffset::Source::kReference)
    line += " (reference)";
  return line;
}

}  // namespace packetseq
