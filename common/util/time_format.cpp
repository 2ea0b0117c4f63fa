// Timestamp formatting helpers shared by layout and text exports.
#include "util/time_format.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace packetseq {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string format_with(std::int64_t ns, const char* pattern) {
  const std::int64_t sec = floor_div(ns, 1000000000);
  // ns - sec * 1e9 would overflow near INT64_MIN (found by the offset fuzzer); take the
  // non-negative remainder instead.
  std::int64_t rem = ns % 1000000000;
  if (rem < 0) rem += 1000000000;
  const std::int64_t usec = rem / 1000;
  std::time_t t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char head[64];
  std::strftime(head, sizeof head, pattern, &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%06" PRId64, head, usec);
  return out;
}

}  // namespace

std::string format_date_time(std::int64_t ns) { return format_with(ns, "%Y-%m-%d %H:%M:%S"); }

std::string format_time_of_day(std::int64_t ns) { return format_with(ns, "%H:%M:%S"); }

std::string format_relative(std::int64_t delta_ns) {
  const char sign = delta_ns < 0 ? '-' : '+';
  const std::uint64_t a = delta_ns < 0 ? 0 - static_cast<std::uint64_t>(delta_ns)
                                       : static_cast<std::uint64_t>(delta_ns);
  char out[48];
  std::snprintf(out, sizeof out, "%c%" PRIu64 ".%06" PRIu64, sign, a / 1000000000,
                (a % 1000000000) / 1000);
  return out;
}

std::string format_duration(std::int64_t ns) {
  // |INT64_MIN| does not fit an int64 (std::llabs would be undefined): negate as unsigned.
  const double a = static_cast<double>(ns < 0 ? 0 - static_cast<std::uint64_t>(ns)
                                              : static_cast<std::uint64_t>(ns));
  const char* sign = ns < 0 ? "-" : "";
  char out[48];
  if (a < 1e3)
    std::snprintf(out, sizeof out, "%s%.0f ns", sign, a);
  else if (a < 1e6)
    std::snprintf(out, sizeof out, "%s%.0f us", sign, a / 1e3);
  else if (a < 1e9)
    std::snprintf(out, sizeof out, "%s%.1f ms", sign, a / 1e6);
  else if (a < 3600e9)
    std::snprintf(out, sizeof out, "%s%.3f s", sign, a / 1e9);
  else
    std::snprintf(out, sizeof out, "%s%lld h %02lld min", sign, static_cast<long long>(a / 3600e9),
                  static_cast<long long>(a / 60e9) % 60);
  return out;
}

std::string format_offset(std::int64_t ns) {
  const char sign = ns < 0 ? '-' : '+';
  const std::uint64_t a =
      ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  const std::uint64_t hours = a / 3600000000000ULL;
  const std::uint64_t minutes = (a / 60000000000ULL) % 60;
  const double seconds = static_cast<double>(a % 60000000000ULL) / 1e9;
  char out[64];
  if (hours > 0)
    std::snprintf(out, sizeof out, "%c%" PRIu64 " h %02" PRIu64 " min %.6f s", sign, hours, minutes,
                  seconds);
  else if (minutes > 0)
    std::snprintf(out, sizeof out, "%c%" PRIu64 " min %.6f s", sign, minutes, seconds);
  else
    std::snprintf(out, sizeof out, "%c%.6f s", sign, seconds);
  return out;
}

}  // namespace packetseq
