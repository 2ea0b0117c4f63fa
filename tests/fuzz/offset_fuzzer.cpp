// Fuzz harness: clock offsets and durations as users type them (parse_offset), and the time
// formatters (time_format) over every 64-bit value, including what parse_offset returns.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "fuzz_support.h"
#include "matcher/matcher.h"
#include "util/time_format.h"

namespace {

void format_all(std::int64_t ns) {
  PACKETSEQ_FUZZ_CHECK(!packetseq::format_date_time(ns).empty());
  PACKETSEQ_FUZZ_CHECK(!packetseq::format_time_of_day(ns).empty());
  PACKETSEQ_FUZZ_CHECK(!packetseq::format_relative(ns).empty());
  PACKETSEQ_FUZZ_CHECK(!packetseq::format_duration(ns).empty());
  PACKETSEQ_FUZZ_CHECK(!packetseq::format_offset(ns).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = packetseq_fuzz::as_text(data, size);
  try {
    const std::int64_t ns = packetseq::parse_offset(text);
    // The sign is honoured: "-X" parses to minus what "X" gives.
    if (!text.empty() && text[0] == '+')
      PACKETSEQ_FUZZ_CHECK(packetseq::parse_offset("-" + text.substr(1)) == -ns);
    format_all(ns);
  } catch (const std::invalid_argument&) {
  }
  // The first 8 bytes as a raw time value (any int64, e.g. INT64_MIN) for the formatters.
  if (size >= sizeof(std::int64_t)) {
    std::int64_t raw;
    std::memcpy(&raw, data, sizeof raw);
    format_all(raw);
  }
  return 0;
}
