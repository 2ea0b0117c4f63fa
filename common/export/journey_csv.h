// CSV export: one row per journey, per-capture-point frame and corrected time columns.
#pragma once

#include <cstdint>
#include <string>

#include "model/model.h"

namespace packetseq {

// Columns: journey, status (matched|single|ambiguous|lost), flags, seq, ack, len, then for
// each capture point "<name> frame" and "<name> time" (corrected, seconds since the epoch with
// nanoseconds; empty when the point did not see the packet), then "transit" (first to last).
// RFC 4180 quoting.
std::string write_journey_csv(const Model& model);

// One CSV field (RFC 4180 quoting when needed; invalid UTF-8 repaired): shared by every CSV
// packetseq writes.
std::string csv_field(const std::string& text);
// Nanoseconds as exact decimal seconds ("-1.000000001"), for CSV columns.
std::string csv_seconds(std::int64_t ns);

}  // namespace packetseq
