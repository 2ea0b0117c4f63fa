// Fixed-width text ladder (.txt): the sequence diagram for terminals and plain-text tickets.
#pragma once

#include <string>

#include "export/arrow_text.h"
#include "model/model.h"

namespace packetseq {

// Lifelines as columns, one row per arrow with its start time, `--label-->` shafts (`==>` for
// retransmissions, `--X` for a packet lost before the next point, `#` for relay dwell), labels
// that do not fit between their lifelines on a continuation row, and a legend. Every line is at
// most options.width display columns (wide characters count two). Throws std::invalid_argument
// when the lifelines cannot fit in that width.
std::string write_text_ladder(const Model& model, const TextDiagramOptions& options);

// Display columns of UTF-8 text in a terminal (East Asian wide characters count two).
std::size_t display_width(const std::string& text);

}  // namespace packetseq
