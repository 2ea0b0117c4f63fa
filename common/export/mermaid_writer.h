// Mermaid sequenceDiagram output (.mmd): renders in GitHub/GitLab Markdown and mermaid.live.
#pragma once

#include <string>
#include <vector>

#include "export/arrow_text.h"
#include "model/model.h"

namespace packetseq {

// One or more Mermaid documents. Each stays under options.mermaid_limit characters (Mermaid
// refuses longer text by default): a long diagram is split into parts, each with every
// participant and a title "... (part K of N)". Lost packets are `-x` arrows, retransmissions
// dotted, relay dwell a note over the middlebox; the capture points are a note at the top.
std::vector<std::string> write_mermaid(const Model& model, const TextDiagramOptions& options);

// Text safe inside a Mermaid message, note or participant description: characters Mermaid
// reads as syntax (# ; : < > " % &) become entity codes (#35; ...), line breaks become spaces.
std::string mermaid_escape(const std::string& text);

}  // namespace packetseq
