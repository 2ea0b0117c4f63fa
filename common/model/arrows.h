// Arrows for observations drawn one by one (no cross-point matching): src node -> dst node.
#pragma once

#include "model/model.h"

namespace packetseq {

// Fills model.arrows with one flat arrow per observation at its corrected time, sorted by time
// (ties keep capture-point then file order). Needs model.nodes (see build_nodes).
void build_observation_arrows(Model& model);

}  // namespace packetseq
