// Text parts of an arrow for the text diagram formats.
#include "export/arrow_text.h"

#include <algorithm>

#include "model/header.h"
#include "util/text_safety.h"
#include "util/time_format.h"

namespace packetseq {

std::string cut_label(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes > 3 ? max_bytes - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

std::int64_t first_arrow_ns(const Model& model) {
  if (model.arrows.empty()) return 0;
  std::int64_t first = model.arrows.front().from_ns;
  for (const auto& a : model.arrows) first = std::min(first, a.from_ns);
  return first;
}

ArrowText describe_arrow(const Model& model, const Arrow& arrow, LabelMode labels,
                         std::int64_t origin_ns) {
  ArrowText text;
  const Observation& obs = model.at(arrow.observation);
  text.time = format_relative(arrow.from_ns - origin_ns);
  text.relay = arrow.kind == ArrowKind::kRelay;
  text.lost = arrow.kind == ArrowKind::kLost;
  text.retransmission =
      !text.relay &&
      (obs.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission)) != 0;
  std::vector<std::string> extra;
  if (text.relay) {
    text.label = arrow.note;
  } else {
    // Captures are untrusted: every format gets valid UTF-8 to escape.
    text.label = util::valid_utf8(arrow_label(obs, labels));
    while (!text.label.empty() && (text.label.back() == ' ' || text.label.back() == '\t'))
      text.label.pop_back();  // Info often ends in a space
    text.colour = colour_for_flags(obs.flags, obs.has_flags);
    if (text.retransmission && text.label.find("Retransmission") == std::string::npos)
      extra.push_back("(retransmission)");
    if (!arrow.note.empty()) extra.push_back(arrow.note);
    if (text.lost)
      extra.push_back("(lost)");
    else if (arrow.to_ns > arrow.from_ns)
      extra.push_back("transit " + format_duration(arrow.to_ns - arrow.from_ns));
    if (arrow.ambiguous) extra.push_back("(ambiguous)");
  }
  for (const auto& e : extra) text.extra += (text.extra.empty() ? "" : " ") + e;
  return text;
}

std::vector<std::string> text_header(const Model& model, const std::string& title,
                                     std::int64_t origin_ns) {
  std::vector<std::string> lines;
  lines.push_back(util::valid_utf8(title));
  for (const auto& p : model.points) lines.push_back(util::valid_utf8(describe_capture_point(p)));
  if (!model.arrows.empty())
    lines.push_back("times in seconds from " + format_date_time(origin_ns) +
                    " UTC on the reference clock");
  return lines;
}

std::string node_caption(const Node& node, const char* separator) {
  std::string caption = util::valid_utf8(node.name);
  if (!node.addresses.empty() && node.addresses.front() != node.name)
    caption += separator + node.addresses.front();
  return caption;
}

}  // namespace packetseq
