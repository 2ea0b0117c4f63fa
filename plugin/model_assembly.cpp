// Model assembly shared by the tshark tap and the Wireshark dialog (mirrors cli/main.cpp).
#include "plugin/model_assembly.h"

#include <stdexcept>

#include "model/arrows.h"

namespace packetseq {
namespace plugin {

MatchOptions make_match_options(const std::vector<std::string>& offsets,
                                const std::vector<std::vector<std::string>>& same_clock) {
  MatchOptions match;
  for (const auto& o : offsets) {
    const auto eq = o.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == o.size())
      throw std::invalid_argument("invalid offset '" + o +
                                  "' (expected POINT=OFFSET, e.g. server=+9h)");
    match.offsets.push_back(OffsetOverride{o.substr(0, eq), parse_offset(o.substr(eq + 1))});
  }
  match.same_clock = same_clock;
  return match;
}

std::vector<std::string> assemble_model(Model& model, const AssemblyOptions& options) {
  std::vector<std::string> warnings;
  for (auto& point : model.points) {
    bool from_syn = true;
    detect_endpoints(point, &from_syn);
    if (!from_syn) {
      point.warnings.push_back("no SYN seen; endpoints taken from the first packet");
      warnings.push_back(point.path + ": no SYN seen; endpoints taken from the first packet");
    }
  }
  build_nodes(model, options.names);
  for (std::size_t i = 0; i < model.points.size() && i < options.named.size(); ++i)
    if (options.named[i] && find_node_by_name(model, model.points[i].name) >= 0)
      model.points[i].node = model.points[i].name;
  if (options.no_match) {
    build_observation_arrows(model);
  } else {
    match_model(model, options.match);
    for (const auto& w : model.match.warnings) warnings.push_back(w);
  }
  return warnings;
}

}  // namespace plugin
}  // namespace packetseq
