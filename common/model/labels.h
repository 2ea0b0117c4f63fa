// Arrow label text in the seed's three modes (summary, default, info).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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

// The first "N > M" / "N → M" port pair in an Info string followed by whitespace (ports of 1 to
// 5 digits). Linear in the length of the text: Info fields may be huge and are untrusted.
struct PortPair {
  std::size_t begin = 0;  // first digit of the source port
  std::size_t end = 0;    // one past the last digit of the destination port
  std::uint32_t src = 0;  // may exceed 65535 (5 digits); callers check
  std::uint32_t dst = 0;
};
bool find_port_pair(std::string_view info, PortPair& found);

}  // namespace packetseq
