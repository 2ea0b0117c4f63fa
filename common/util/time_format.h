// Timestamp text for labels and exports (UTC, microseconds, like Wireshark's absolute format).
#pragma once

#include <cstdint>
#include <string>

namespace packetseq {

// "2016-08-27 11:14:45.493525" (UTC).
std::string format_date_time(std::int64_t ns);
// "11:14:45.493525" (UTC).
std::string format_time_of_day(std::int64_t ns);
// "+0.002614" seconds with microseconds; negative values get "-".
std::string format_relative(std::int64_t delta_ns);
// Human duration: "850 us", "12.3 ms", "4.250 s", "2 h 03 min".
std::string format_duration(std::int64_t ns);
// Signed offset for headers: "+9 h 00 min 20.931 s", "-0.350000 s".
std::string format_offset(std::int64_t ns);

}  // namespace packetseq
