// Per-hop statistics as a plain-text table (the CLI's --stats and the tshark -z summary).
#pragma once

#include <string>

#include "model/model.h"

namespace packetseq {

// Clock offsets, per-hop transit (min/median/p95), loss and retransmissions per direction,
// middlebox dwell, NAT bindings and match counters, aligned in columns.
std::string format_hop_table(const Model& model);

}  // namespace packetseq
