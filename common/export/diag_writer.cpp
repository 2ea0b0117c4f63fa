// Writes a seqdiag program equivalent to the diagram.
#include "export/diag_writer.h"

#include <sstream>

#include "model/flags.h"
#include "util/text_safety.h"

namespace packetseq {

std::string seqdiag_quote(const std::string& text) {
  // Captures are untrusted: seqdiag rejects invalid UTF-8, so repair it first.
  std::string safe = util::valid_utf8(text);
  // seqdiag draws U+00A5 (yen) as a backslash; the fullwidth yen sign keeps the meaning.
  for (auto at = safe.find("\xC2\xA5"); at != std::string::npos; at = safe.find("\xC2\xA5", at))
    safe.replace(at, 2, "\xEF\xBF\xA5");
  std::string out = "\"";
  for (char c : safe) {
    // A drawn label turns \\ into \ and \n into a line break, and \" ends up as ";
    // so every backslash and quote is escaped. Tabs and line breaks become spaces, other
    // control characters are dropped.
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\t' || c == '\n' || c == '\r') {
      out += ' ';
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      out += c;
    }
  }
  // seqdiag's lexer ends a string at the first quote not preceded by a backslash (it does not
  // count them), so "x\\" would run on past its closing quote. A space before the quote is
  // stripped when seqdiag draws the label.
  if (out.back() == '\\') out += ' ';
  return out + "\"";
}

std::string write_seqdiag(const Model& model, LabelMode labels) {
  std::ostringstream out;
  out << "seqdiag {\n";
  out << "  default_fontsize = 11;\n";
  out << "  edge_length = 200;\n";
  out << "  activation = none;\n";
  for (const auto& node : model.nodes) out << "  " << seqdiag_quote(node.name) << ";\n";
  for (const auto& arrow : model.arrows) {
    const Observation& obs = model.at(arrow.observation);
    std::string label = arrow_label(obs, labels);
    if (arrow.kind == ArrowKind::kRelay)
      label = arrow.note;
    else if (!arrow.note.empty())
      label += "  " + arrow.note;
    if (arrow.kind == ArrowKind::kLost) label += " (lost)";
    const char* colour = arrow.kind == ArrowKind::kRelay
                             ? "teal"
                             : colour_for_flags(obs.flags, obs.has_flags).css_name;
    out << "  " << seqdiag_quote(model.nodes[arrow.from_node].name) << " -> "
        << seqdiag_quote(model.nodes[arrow.to_node].name) << " [label = " << seqdiag_quote(label)
        << ", color = " << colour;
    if (arrow.kind == ArrowKind::kRelay) out << ", style = dashed";
    if (arrow.kind == ArrowKind::kLost) out << ", failed";
    out << "];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace packetseq
