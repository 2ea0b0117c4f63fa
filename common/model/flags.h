// TCP flag names and the seed's flag-to-colour table, with combined flags handled.
#pragma once

#include <cstdint>
#include <string>

namespace packetseq {

// A colour from the seed's table: CSS keyword plus its sRGB value.
struct FlagColour {
  const char* css_name;
  std::uint8_t r, g, b;
};

// Seed table with precedence RST > SYN > FIN > URG > PSH > ACK; RST, SYN and FIN change
// colour with ACK (e.g. [FIN, ACK] is maroon), URG and PSH keep theirs ([PSH, ACK] is orange).
// `known` is false for seed CSV rows whose Info shows no flags: they are gray, as in the seed.
FlagColour colour_for_flags(std::uint16_t flags, bool known = true);

// Flags as Wireshark's Info column writes them: "[SYN, ACK]", "[FIN, PSH, ACK]", "[<None>]".
std::string flags_summary(std::uint16_t flags);

// Parses the inside of a Wireshark flag list ("SYN, ACK" or "[SYN, ACK]"); unknown names are
// ignored.
std::uint16_t parse_flags_list(const std::string& text);

}  // namespace packetseq
