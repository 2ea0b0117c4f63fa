// One Build of the dialog, minus the GUI: the engine request (common/pipeline/run.h) run on a
// worker thread, then layout for the screen. No Qt or Wireshark types.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "display/display_list.h"
#include "layout/layout.h"
#include "model/model.h"
#include "pipeline/run.h"
#include "plugin/capture_subprocess.h"

namespace packetseq {
namespace plugin {

struct ExtraPoint {
  std::string path;
  std::string name;
  std::string offset;  // "" or e.g. "+9h"
};

struct BuildInput {
  // Sources: the open capture as read by the tap (PreparedSource) and the finished reader
  // children (SubprocessSource), or the cached reads of the previous Build (PreparedSource).
  // write_outputs is off: the dialog lays the model out itself and exports on demand.
  PipelineRequest request;
  std::vector<std::pair<std::string, std::string>> table_names;  // the node table: address, name
  LayoutOptions layout;
};

struct BuildResult {
  std::shared_ptr<const Model> model;
  std::shared_ptr<const Document> document;  // one page (max_page_height 0)
  std::vector<CapturePoint> read_points;     // observations as read, for the next Build
  std::vector<std::string> warnings;
  std::string report;  // per-hop table text (format_hop_table)
};

// Adds the dialog's node table (address, name) to the request's names. Throws
// std::invalid_argument for an entry that is not an IP address.
void add_table_names(PipelineRequest& request,
                     const std::vector<std::pair<std::string, std::string>>& names);

// Throws std::runtime_error / std::invalid_argument with a message for the user.
BuildResult run_build(BuildInput input);

}  // namespace plugin
}  // namespace packetseq
