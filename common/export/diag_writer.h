// seqdiag source (.diag) output, compatible with the seed tool and blockdiag's seqdiag.
#pragma once

#include <string>

#include "model/labels.h"
#include "model/model.h"

namespace packetseq {

// One edge per arrow in time order, nodes declared in lifeline order, colour by flags as CSS
// keywords, label by mode. Lost packets become edges to the next node with a "(lost)" note.
std::string write_seqdiag(const Model& model, LabelMode labels);

// Quotes a string for seqdiag 2 ("..." with \" and \\ escaped, tabs and line breaks as spaces,
// other control characters dropped,
// invalid UTF-8 replaced by U+FFFD, a space before the closing quote after a trailing backslash,
// U+00A5 written as U+FFE5 because seqdiag would draw it as a backslash).
std::string seqdiag_quote(const std::string& text);

}  // namespace packetseq
