// Turns read capture points into the finished model, exactly as the packetseq CLI does.
#pragma once

#include <string>
#include <vector>

#include "matcher/matcher.h"
#include "model/model.h"
#include "model/names.h"
#include "pipeline/outputs.h"

namespace packetseq {
namespace plugin {

struct AssemblyOptions {
  NameTable names;          // -n / name= first, then names files
  MatchOptions match;       // clock offsets, same-clock groups
  bool no_match = false;    // draw every observation on its own
  std::vector<bool> named;  // per capture point: named explicitly (FILE@NAME)
};

// Builds MatchOptions from "POINT=OFFSET" texts and same-clock groups. Throws
// std::invalid_argument naming the bad text.
MatchOptions make_match_options(const std::vector<std::string>& offsets,
                                const std::vector<std::vector<std::string>>& same_clock);

// The CLI's steps after reading: endpoint warnings per point, nodes from names, explicitly named
// points sit at the node of that name, then cross-point matching (or one arrow per
// observation). Returns the warnings to show (point warnings and matcher warnings).
// Throws std::invalid_argument for match options naming unknown points.
std::vector<std::string> assemble_model(Model& model, const AssemblyOptions& options);

}  // namespace plugin
}  // namespace packetseq
