// seqdiag source (.diag) output, compatible with the seed tool and blockdiag's seqdiag.
#pragma once

#include <string>

#include "model/labels.h"
#include "model/model.h"

namespace packetseq {

// One edge per arrow in time order, nodes declared in lifeline order, colour by flags as CSS
// keywords, label by mode. Lost packets become edges to the next node with a "(lost)" note.
std::string write_seqdiag(const Model& model, LabelMode labels);

// Quotes a string for seqdiag ("..." with \" and \\ escaped, control characters dropped).
std::string seqdiag_quote(const std::string& text);

}  // namespace packetseq
