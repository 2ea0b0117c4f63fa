// Writes the model's arrows as a PlantUML sequence diagram.
#include "export/plantuml_writer.h"

#include <cstdio>
#include <cstring>

#include "util/text_safety.h"

namespace packetseq {
namespace {

std::string participant_id(std::size_t node) { return "N" + std::to_string(node); }

std::string hex_colour(const FlagColour& c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02X%02X%02X", c.r, c.g, c.b);
  return text;
}

std::string entity(unsigned char c) { return "&#" + std::to_string(c) + ";"; }

}  // namespace

std::string plantuml_escape(const std::string& raw) {
  const std::string text = util::valid_utf8(raw);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += ' ';
    } else if (c == '\\') {
      out += "<U+005C>";  // "&#92;" crashes Debian's PlantUML 1.2020; a final "\\" joins lines
    } else if (std::strchr("<>&~\"", c)) {
      out += entity(c);
    } else if (std::strchr("*/-_=^+|#", c) && ((i + 1 < text.size() && text[i + 1] == text[i]) ||
                                               (i > 0 && text[i - 1] == text[i]))) {
      out += entity(c);  // a doubled Creole markup character (bold, italic, strike, ...)
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string write_plantuml(const Model& model, const TextDiagramOptions& options) {
  const std::int64_t origin = first_arrow_ns(model);
  std::string out = "@startuml\n";
  out += "title " + plantuml_escape(cut_label(options.title, 200)) + "\n";
  out += "skinparam sequenceMessageAlign left\n";
  for (std::size_t n = 0; n < model.nodes.size(); ++n) {
    const Node& node = model.nodes[n];
    std::string caption = plantuml_escape(node.name);
    if (!node.addresses.empty() && node.addresses.front() != node.name)
      caption += "\\n" + plantuml_escape(node.addresses.front());
    out += "participant \"" + caption + "\" as " + participant_id(n) + "\n";
  }
  if (!model.nodes.empty()) {
    const auto header = text_header(model, options.title, origin);
    std::string joined;
    for (std::size_t i = 1; i < header.size(); ++i)
      joined += (i > 1 ? "\\n" : "") + plantuml_escape(header[i]);
    if (!joined.empty())
      out += "note over " + participant_id(0) +
             (model.nodes.size() > 1 ? ", " + participant_id(model.nodes.size() - 1) : "") + " : " +
             joined + "\n";
  }
  for (const auto& arrow : model.arrows) {
    const ArrowText text = describe_arrow(model, arrow, options.labels, origin);
    std::string message = text.time + " " + cut_label(text.label, options.max_label_bytes);
    if (!text.extra.empty()) message += " " + text.extra;
    if (text.relay || arrow.from_node == arrow.to_node) {
      out +=
          "note over " + participant_id(arrow.from_node) + " : " + plantuml_escape(message) + "\n";
      continue;
    }
    const std::string colour = "[" + hex_colour(text.colour) + "]";
    const std::string shape =
        "-" + colour + (text.retransmission ? "->" : ">") + (text.lost ? "x" : "");
    out += participant_id(arrow.from_node) + " " + shape + " " + participant_id(arrow.to_node) +
           " : " + plantuml_escape(message) + "\n";
  }
  out += "@enduml\n";
  return out;
}

}  // namespace packetseq
