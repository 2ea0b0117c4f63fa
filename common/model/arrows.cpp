// One arrow per observation, for when packets are not matched across capture points.
#include "model/arrows.h"

#include <algorithm>
#include <unordered_map>

namespace packetseq {

void build_observation_arrows(Model& model) {
  std::unordered_map<std::string, std::size_t> node_of;
  for (std::size_t i = 0; i < model.nodes.size(); ++i)
    for (const auto& a : model.nodes[i].addresses) node_of.emplace(a, i);

  model.arrows.clear();
  for (std::size_t p = 0; p < model.points.size(); ++p) {
    const auto& point = model.points[p];
    for (std::size_t i = 0; i < point.observations.size(); ++i) {
      const auto& obs = point.observations[i];
      auto src = node_of.find(obs.src);
      auto dst = node_of.find(obs.dst);
      if (src == node_of.end() || dst == node_of.end()) continue;  // build_nodes saw every address
      Arrow arrow;
      arrow.from_node = src->second;
      arrow.to_node = dst->second;
      arrow.from_ns = arrow.to_ns = obs.time_ns + point.clock.offset_ns;
      arrow.observation = ObservationRef{p, i};
      model.arrows.push_back(arrow);
    }
  }
  std::stable_sort(model.arrows.begin(), model.arrows.end(),
                   [](const Arrow& a, const Arrow& b) { return a.from_ns < b.from_ns; });
}

}  // namespace packetseq
