// Label modes: what text goes on an arrow.
#include "model/labels.h"

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

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

bool find_port_pair(std::string_view info, PortPair& found) {
  static constexpr std::string_view kArrow = "\xE2\x86\x92";
  for (std::size_t i = 0; i < info.size(); ++i) {
    std::size_t separator_end = 0;
    if (info[i] == '>') {
      separator_end = i + 1;
    } else if (info.compare(i, kArrow.size(), kArrow) == 0) {
      separator_end = i + kArrow.size();
    } else {
      continue;
    }
    // Back over spaces, then up to five digits (the last five when there are more).
    std::size_t left = i;
    while (left > 0 && is_space(info[left - 1])) --left;
    std::size_t digits_begin = left;
    while (digits_begin > 0 && left - digits_begin < 5 && is_digit(info[digits_begin - 1]))
      --digits_begin;
    if (digits_begin == left) continue;
    std::size_t right = separator_end;
    while (right < info.size() && is_space(info[right])) ++right;
    std::size_t digits_end = right;
    while (digits_end < info.size() && digits_end - right < 5 && is_digit(info[digits_end]))
      ++digits_end;
    if (digits_end == right || digits_end >= info.size() || !is_space(info[digits_end])) continue;
    found.begin = digits_begin;
    found.end = digits_end;
    found.src = static_cast<std::uint32_t>(
        std::stoul(std::string(info.substr(digits_begin, left - digits_begin))));
    found.dst =
        static_cast<std::uint32_t>(std::stoul(std::string(info.substr(right, digits_end - right))));
    return true;
  }
  return false;
}

std::string strip_port_prefix(const std::string& info) {
  // Wireshark 4.x writes "53833 → 3128 [SYN]", older exports "53833  >  3128 [SYN]".
  PortPair ports;
  if (!find_port_pair(info, ports)) return info;
  std::size_t rest = ports.end;
  while (rest < info.size() && is_space(info[rest])) ++rest;
  return info.substr(0, ports.begin) + info.substr(rest);
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
