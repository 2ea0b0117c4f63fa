// Label modes: what text goes on an arrow.
#include "model/labels.h"

#include <regex>
#include <stdexcept>

#include "model/flags.h"

namespace packetseq {

LabelMode parse_label_mode(const std::string& text) {
  if (text == "summary") return LabelMode::kSummary;
  if (text == "default") return LabelMode::kDefault;
  if (text == "info") return LabelMode::kInfo;
  throw std::invalid_argument("invalid label mode '" + text +
                              "' (expected summary, default or info)");
}

const char* label_mode_name(LabelMode mode) {
  switch (mode) {
    case LabelMode::kSummary:
      return "summary";
    case LabelMode::kDefault:
      return "default";
    case LabelMode::kInfo:
      return "info";
  }
  return "default";
}

std::string strip_port_prefix(const std::string& info) {
  // Wireshark 4.x writes "53833 → 3128 [SYN]", older exports "53833  >  3128 [SYN]".
  static const std::regex kPorts(R"((\d{1,5})\s*(?:>|\xE2\x86\x92)\s*(\d{1,5})\s+)");
  std::smatch m;
  if (!std::regex_search(info, m, kPorts)) return info;
  return m.prefix().str() + m.suffix().str();
}

std::string arrow_label(const Observation& obs, LabelMode mode) {
  switch (mode) {
    case LabelMode::kSummary:
      if (obs.has_flags) return flags_summary(obs.flags);
      return obs.protocol.empty() ? std::string("[?]") : obs.protocol;
    case LabelMode::kDefault:
      return strip_port_prefix(obs.info);
    case LabelMode::kInfo:
      return obs.info;
  }
  return obs.info;
}

}  // namespace packetseq
