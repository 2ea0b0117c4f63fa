// parse_offset: clock offsets as users type them ("+9h", "-0.35s", "250ms", "1h30m") to ns.
#include <cctype>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "matcher/matcher.h"
#include "util/text_safety.h"

namespace packetseq {
namespace {

[[noreturn]] void fail(const std::string& text, const std::string& cause) {
  throw std::invalid_argument("invalid offset '" + util::quote_excerpt(text) + "': " + cause +
                              " (examples: +9h, -0.35s, +3600.25s, 250ms, 1h30m, -1.5)");
}

// Nanoseconds per unit, or 0 for an unknown unit.
std::int64_t unit_ns(const std::string& unit) {
  if (unit == "h") return 3600LL * 1000000000LL;
  if (unit == "m" || unit == "min") return 60LL * 1000000000LL;
  if (unit == "s") return 1000000000LL;
  if (unit == "ms") return 1000000LL;
  if (unit == "us" || unit == "\xC2\xB5s") return 1000LL;  // "µs" in UTF-8
  if (unit == "ns") return 1LL;
  return 0;
}

}  // namespace

std::int64_t parse_offset(const std::string& text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  if (begin == end) fail(text, "empty");

  std::size_t pos = begin;
  bool negative = false;
  if (text[pos] == '+' || text[pos] == '-') {
    negative = text[pos] == '-';
    ++pos;
  }
  if (pos == end) fail(text, "a sign alone is no number");

  // __int128 keeps every intermediate exact; the range check comes at the end.
  __int128 total = 0;
  const __int128 limit = static_cast<__int128>(std::numeric_limits<std::int64_t>::max());
  int components = 0;
  bool bare_number = false;
  while (pos < end) {
    __int128 whole = 0;
    std::size_t digits = 0;
    while (pos < end && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      whole = whole * 10 + (text[pos] - '0');
      if (whole > limit) fail(text, "number too large");
      ++pos;
      ++digits;
    }
    __int128 fraction = 0, scale = 1;
    std::size_t fraction_digits = 0;
    if (pos < end && text[pos] == '.') {
      ++pos;
      while (pos < end && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (fraction_digits < 18) {  // beyond 1e-18 of any unit nothing reaches a nanosecond
          fraction = fraction * 10 + (text[pos] - '0');
          scale *= 10;
        }
        ++pos;
        ++fraction_digits;
      }
      if (fraction_digits == 0 && digits == 0) fail(text, "'.' without digits");
    }
    if (digits == 0 && fraction_digits == 0) {
      fail(text, std::string("expected a number at '") + text.substr(pos, end - pos) + "'");
    }
    std::size_t unit_begin = pos;
    while (pos < end && !std::isdigit(static_cast<unsigned char>(text[pos])) && text[pos] != '.' &&
           !std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
    const std::string unit = text.substr(unit_begin, pos - unit_begin);
    std::int64_t per_unit = 1000000000LL;  // a bare number means seconds
    if (unit.empty()) {
      bare_number = true;
    } else {
      per_unit = unit_ns(unit);
      if (per_unit == 0) fail(text, "unknown unit '" + unit + "' (use h, m, s, ms, us, ns)");
    }
    ++components;
    if (bare_number && components > 1) fail(text, "a number without unit must stand alone");
    // Round the fractional part to the nearest nanosecond.
    total += whole * per_unit + (fraction * per_unit * 2 + scale) / (scale * 2);
    if (total > limit) fail(text, "out of range (more than about 292 years)");
    if (pos < end && std::isspace(static_cast<unsigned char>(text[pos])))
      fail(text, "unexpected space");
  }
  return static_cast<std::int64_t>(negative ? -total : total);
}

}  // namespace packetseq
