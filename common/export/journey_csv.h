// CSV export: one row per journey, per-capture-point frame and corrected time columns.
#pragma once

#include <string>

#include "model/model.h"

namespace packetseq {

// Columns: journey, status (matched|single|ambiguous|lost), flags, seq, ack, len, then for
// each capture point "<name> frame" and "<name> time" (corrected, seconds since the epoch with
// nanoseconds; empty when the point did not see the packet), then "transit" (first to last).
// RFC 4180 quoting.
std::string write_journey_csv(const Model& model);

}  // namespace packetseq
