// Writes the model's arrows as Mermaid sequenceDiagram text, split to fit Mermaid's limit.
#include "export/mermaid_writer.h"

#include <stdexcept>

#include "util/text_safety.h"

namespace packetseq {
namespace {

std::string participant_id(std::size_t node) { return "N" + std::to_string(node); }

std::string arrow_line(const Model& model, const Arrow& arrow, const TextDiagramOptions& options,
                       std::int64_t origin) {
  const ArrowText text = describe_arrow(model, arrow, options.labels, origin);
  std::string message = text.time + " " + cut_label(text.label, options.max_label_bytes);
  if (!text.extra.empty()) message += " " + text.extra;
  if (text.relay || arrow.from_node == arrow.to_node)
    return "  Note over " + participant_id(arrow.from_node) + ": " + mermaid_escape(message) + "\n";
  const char* shape =
      text.lost ? (text.retransmission ? "--x" : "-x") : (text.retransmission ? "-->>" : "->>");
  return "  " + participant_id(arrow.from_node) + shape + participant_id(arrow.to_node) + ": " +
         mermaid_escape(message) + "\n";
}

}  // namespace

std::string mermaid_escape(const std::string& text) {
  std::string out;
  for (char c : util::valid_utf8(text)) {
    switch (c) {
      case '#':
        out += "#35;";
        break;
      case ';':
        out += "#59;";
        break;
      case ':':
        out += "#58;";
        break;
      case '<':
        out += "#60;";
        break;
      case '>':
        out += "#62;";
        break;
      case '"':
        out += "#34;";
        break;
      case '%':
        out += "#37;";
        break;
      case '&':
        out += "#38;";
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
  }
  return out;
}

std::vector<std::string> write_mermaid(const Model& model, const TextDiagramOptions& options) {
  const std::int64_t origin = first_arrow_ns(model);
  std::string participants;
  for (std::size_t n = 0; n < model.nodes.size(); ++n) {
    const Node& node = model.nodes[n];
    std::string caption = mermaid_escape(node.name);
    if (!node.addresses.empty() && node.addresses.front() != node.name)
      caption += "<br/>" + mermaid_escape(node.addresses.front());
    participants += "  participant " + participant_id(n) + " as " + caption + "\n";
  }
  std::string header_note;
  if (!model.nodes.empty()) {
    const auto header = text_header(model, options.title, origin);
    std::string joined;
    for (std::size_t i = 1; i < header.size(); ++i)
      joined += (i > 1 ? "<br/>" : "") + mermaid_escape(header[i]);
    if (!joined.empty())
      header_note = "  Note over " + participant_id(0) +
                    (model.nodes.size() > 1 ? "," + participant_id(model.nodes.size() - 1) : "") +
                    ": " + joined + "\n";
  }

  const std::string head = "sequenceDiagram\n";
  constexpr std::size_t kTitleReserve = 200;  // "  title ... (part K of N)\n"
  const std::string title = mermaid_escape(cut_label(options.title, 120));
  const std::size_t fixed = head.size() + kTitleReserve + participants.size() + header_note.size();
  if (fixed >= options.mermaid_limit)
    throw std::runtime_error("the Mermaid participant list alone exceeds " +
                             std::to_string(options.mermaid_limit) + " characters");

  std::vector<std::string> bodies(1);
  for (const auto& arrow : model.arrows) {
    const std::string line = arrow_line(model, arrow, options, origin);
    if (!bodies.back().empty() &&
        fixed + bodies.back().size() + line.size() > options.mermaid_limit)
      bodies.emplace_back();
    bodies.back() += line;
  }
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    std::string t = title;
    if (bodies.size() > 1)
      t += " (part " + std::to_string(i + 1) + " of " + std::to_string(bodies.size()) + ")";
    parts.push_back(head + "  title " + t + "\n" + participants + (i == 0 ? header_note : "") +
                    bodies[i]);
  }
  return parts;
}

}  // namespace packetseq
