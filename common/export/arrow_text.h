// What the text diagram formats (Mermaid, PlantUML, text ladder) say about one arrow.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/flags.h"
#include "model/labels.h"
#include "model/model.h"

namespace packetseq {

// What the text formats are asked for (the CLI's -i, --title, --width).
struct TextDiagramOptions {
  LabelMode labels = LabelMode::kDefault;
  std::string title = "packetseq";
  std::size_t width = 100;             // text ladder: total columns
  std::size_t mermaid_limit = 50'000;  // Mermaid's default maxTextSize, in characters
  std::size_t max_label_bytes = 400;   // longer labels are cut (Info may be 64 KB)
};

// `text` cut at a character boundary to at most `max_bytes` bytes, with "..." when cut.
std::string cut_label(const std::string& text, std::size_t max_bytes);

// One arrow as plain text parts; every format escapes and arranges them its own way.
struct ArrowText {
  std::string time;   // start time relative to the diagram's first arrow, "+0.001234"
  std::string label;  // the arrow label in the chosen mode (relay arrows: the dwell note)
  std::string extra;  // "transit 250 us", "(lost)", "(ambiguous)", the arrow's note
  bool lost = false;
  bool relay = false;
  bool retransmission = false;             // Wireshark flagged a retransmission of any kind
  FlagColour colour{"teal", 0, 128, 128};  // flag colour (relay arrows: teal)
};

// Start of the time axis: the earliest arrow start, or 0 without arrows.
std::int64_t first_arrow_ns(const Model& model);
ArrowText describe_arrow(const Model& model, const Arrow& arrow, LabelMode labels,
                         std::int64_t origin_ns);

// Header lines for text formats: the title, one line per capture point (name, format, clock),
// and the time origin. Capture names only, never paths.
std::vector<std::string> text_header(const Model& model, const std::string& title,
                                     std::int64_t origin_ns);

// A lifeline's caption: the node name, and its first address when the name is not it.
std::string node_caption(const Node& node, const char* separator);

}  // namespace packetseq
