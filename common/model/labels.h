// Arrow label text in the seed's three modes (summary, default, info).
#pragma once

#include <string>

#include "model/observation.h"

namespace packetseq {

enum class LabelMode { kSummary, kDefault, kInfo };

// "summary" | "default" | "info"; throws std::invalid_argument naming the bad value.
LabelMode parse_label_mode(const std::string& text);
const char* label_mode_name(LabelMode mode);

// summary: the flags only ("[PSH, ACK]"), or the protocol when a CSV row shows no flags;
// default: Info without its "sport > dport" prefix; info: the whole Info column.
std::string arrow_label(const Observation& obs, LabelMode mode);

// Removes the first "N > M " / "N → M " port prefix from a Wireshark Info string, keeping any
// expert prefix such as "[TCP Retransmission] ".
std::string strip_port_prefix(const std::string& info);

}  // namespace packetseq
