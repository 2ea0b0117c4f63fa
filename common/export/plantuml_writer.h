// PlantUML sequence diagram output (.puml): per-arrow flag colours, loss, dwell and transit.
#pragma once

#include <string>

#include "export/arrow_text.h"
#include "model/model.h"

namespace packetseq {

// "@startuml ... @enduml": participants in lifeline order, one message per arrow coloured by
// its flags (-[#0000FF]>), lost packets ->x, retransmissions dotted, relay dwell as a note over
// the middlebox, the capture points as a note at the top.
std::string write_plantuml(const Model& model, const TextDiagramOptions& options);

// Text safe in a PlantUML message, note, title or quoted participant name: characters PlantUML
// or its Creole markup read as syntax become numeric entities (a backslash as <U+005C>), doubled
// markup characters (** // -- __ ...) are broken up, line breaks become spaces.
std::string plantuml_escape(const std::string& text);

}  // namespace packetseq
