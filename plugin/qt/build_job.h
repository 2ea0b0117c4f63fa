// One Build of the dialog, minus the GUI: import the subprocess reads, assemble, lay out.
// Runs on a worker thread; no Qt or Wireshark types.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "display/display_list.h"
#include "layout/layout.h"
#include "model/model.h"
#include "plugin/capture_subprocess.h"
#include "plugin/model_assembly.h"

namespace packetseq {
namespace plugin {

struct ExtraPoint {
  std::string path;
  std::string name;
  std::string offset;  // "" or e.g. "+9h"
};

struct BuildInput {
  std::vector<CapturePoint> points;  // already read (the open file first, or a cached read)
  std::vector<std::shared_ptr<CaptureSubprocess>> readers;  // finished children, in point order
  std::vector<std::string> reader_names;
  std::vector<std::string> offsets;                        // "POINT=OFFSET"
  std::vector<std::pair<std::string, std::string>> names;  // address, name (dialog table)
  std::vector<bool> named;                                 // per point: name given by the user
  bool no_match = false;
  LayoutOptions layout;
};

struct BuildResult {
  std::shared_ptr<const Model> model;
  std::shared_ptr<const Document> document;  // one page (max_page_height 0)
  std::vector<CapturePoint> read_points;     // observations as read, for the next Build
  std::vector<std::string> warnings;
  std::string report;  // per-hop table text (format_hop_table)
};

// Throws std::runtime_error / std::invalid_argument with a message for the user.
BuildResult run_build(BuildInput input);

}  // namespace plugin
}  // namespace packetseq
