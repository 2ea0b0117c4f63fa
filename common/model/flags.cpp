// Flag colouring and flag-list formatting (seed compatible, Wireshark's flag order).
#include "model/flags.h"

#include <array>
#include <cctype>

#include "model/observation.h"

namespace packetseq {
namespace {

constexpr FlagColour kBlue{"blue", 0, 0, 255};
constexpr FlagColour kRed{"red", 255, 0, 0};
constexpr FlagColour kGreen{"green", 0, 128, 0};
constexpr FlagColour kNavy{"navy", 0, 0, 128};
constexpr FlagColour kMaroon{"maroon", 128, 0, 0};
constexpr FlagColour kPurple{"purple", 128, 0, 128};
constexpr FlagColour kFuchsia{"fuchsia", 255, 0, 255};
constexpr FlagColour kOlive{"olive", 128, 128, 0};
constexpr FlagColour kOrange{"orange", 255, 165, 0};
constexpr FlagColour kGray{"gray", 128, 128, 128};

struct FlagName {
  std::uint16_t bit;
  const char* name;
};
// Wireshark's tcp_flags_to_str order (low bit first), AE last.
constexpr std::array<FlagName, 9> kFlagNames{{{kFin, "FIN"},
                                              {kSyn, "SYN"},
                                              {kRst, "RST"},
                                              {kPsh, "PSH"},
                                              {kAck, "ACK"},
                                              {kUrg, "URG"},
                                              {kEce, "ECE"},
                                              {kCwr, "CWR"},
                                              {kAe, "AE"}}};

}  // namespace

FlagColour colour_for_flags(std::uint16_t flags, bool known) {
  if (!known) return kGray;
  const bool ack = flags & kAck;
  if (flags & kRst) return ack ? kFuchsia : kPurple;
  if (flags & kSyn) return ack ? kRed : kBlue;
  if (flags & kFin) return ack ? kMaroon : kNavy;
  if (flags & kUrg) return kOlive;
  if (flags & kPsh) return kOrange;
  if (ack) return kGreen;
  return kGray;
}

std::string flags_summary(std::uint16_t flags) {
  std::string out = "[";
  for (const auto& f : kFlagNames) {
    if (!(flags & f.bit)) continue;
    if (out.size() > 1) out += ", ";
    out += f.name;
  }
  if (out.size() == 1) out += "<None>";
  return out + "]";
}

std::uint16_t parse_flags_list(const std::string& text) {
  std::uint16_t flags = 0;
  std::string word;
  auto flush = [&] {
    for (const auto& f : kFlagNames)
      if (word == f.name) flags |= f.bit;
    if (word == "NS") flags |= kAe;
    word.clear();
  };
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)))
      word += c;
    else
      flush();
  }
  flush();
  return flags;
}

}  // namespace packetseq
