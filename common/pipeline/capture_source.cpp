// The capture sources that need no libwireshark: seed CSV files and points read earlier.
#include "pipeline/capture_source.h"

#include <glib.h>

#include <stdexcept>

#include "csv/seed_csv_reader.h"

namespace packetseq {

bool is_seed_csv_path(const std::string& path) {
  if (looks_like_seed_csv(path)) return true;
  return g_str_has_suffix(path.c_str(), ".csv") || g_str_has_suffix(path.c_str(), ".CSV");
}

void SeedCsvSource::read(const SourceRequest& request, CapturePoint& point) {
  if (!request.follow_filter.empty())
    throw std::runtime_error(point.path +
                             ": follow mode needs a capture file as the first capture point: "
                             "display filters cannot be evaluated on a CSV export");
  read_seed_csv(point.path, request.index, point);
  point.filter = "(CSV export)";
  point.format = "csv";
}

void PreparedSource::read(const SourceRequest& request, CapturePoint& point) {
  if (request.follow_filter != followed_with_)
    throw std::runtime_error(point.path + ": this capture point was read " +
                             (followed_with_.empty()
                                  ? std::string("without a follow filter")
                                  : "with the follow filter '" + followed_with_ + "'") +
                             "; read it again");
  const std::string path = point.path;
  const std::string name = point.name;
  point = point_;
  point.path = path;
  point.name = name;
  for (auto& o : point.observations) o.point = request.index;
}

}  // namespace packetseq
