// Journeys as a spreadsheet: what the seed's user drew by hand.
#include "export/journey_csv.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

#include "model/flags.h"
#include "util/text_safety.h"

namespace packetseq {

std::string csv_field(const std::string& text) {
  // Point names come from file names (any bytes): keep the CSV valid UTF-8.
  const std::string s = util::valid_utf8(text);
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_seconds(std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t a =
      negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%09" PRIu64, negative ? "-" : "", a / 1000000000,
                a % 1000000000);
  return buf;
}

std::string write_journey_csv(const Model& m) {
  std::ostringstream out;
  out << "journey,status,flags,seq,ack,len";
  for (const auto& p : m.points)
    out << "," << csv_field(p.name + " frame") << "," << csv_field(p.name + " time");
  out << ",transit\n";
  for (std::size_t j = 0; j < m.journeys.size(); ++j) {
    const auto& journey = m.journeys[j];
    if (journey.sightings.empty()) continue;
    const Observation& first = m.at(journey.sightings.front().observation);
    const char* status = journey.ambiguous              ? "ambiguous"
                         : journey.lost                 ? "lost"
                         : journey.sightings.size() > 1 ? "matched"
                                                        : "single";
    out << j << "," << status << "," << csv_field(first.has_flags ? flags_summary(first.flags) : "")
        << "," << first.seq_rel << "," << first.ack_rel << "," << first.payload_len;
    for (std::size_t p = 0; p < m.points.size(); ++p) {
      const Sighting* seen = nullptr;
      for (const auto& s : journey.sightings)
        if (s.observation.point == p) seen = &s;
      if (seen)
        out << "," << m.at(seen->observation).frame << "," << csv_seconds(seen->time_ns);
      else
        out << ",,";
    }
    const std::int64_t transit =
        journey.sightings.back().time_ns - journey.sightings.front().time_ns;
    out << "," << (journey.sightings.size() > 1 ? csv_seconds(transit) : "") << "\n";
  }
  return out.str();
}

}  // namespace packetseq
