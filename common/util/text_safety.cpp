// Text safety helpers: UTF-8 repair (U+FFFD) and bounded excerpts for error messages.
#include "util/text_safety.h"

#include <glib.h>

namespace packetseq::util {

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const char* cursor = text.data();
  gssize remaining = static_cast<gssize>(text.size());
  while (remaining > 0) {
    const char* end = nullptr;
    // g_utf8_validate_len stops at the first invalid byte; copy the valid run, replace one byte.
    g_utf8_validate_len(cursor, static_cast<gsize>(remaining), &end);
    out.append(cursor, static_cast<std::size_t>(end - cursor));
    remaining -= end - cursor;
    cursor = end;
    if (remaining > 0) {
      out += "\xEF\xBF\xBD";
      ++cursor;
      --remaining;
    }
  }
  return out;
}

std::string quote_excerpt(std::string_view text, std::size_t max_bytes) {
  std::string safe = valid_utf8(text.substr(0, max_bytes));
  if (text.size() <= max_bytes) return safe;
  // Cutting may have split the last character into a trailing U+FFFD; drop it.
  const std::string replacement = "\xEF\xBF\xBD";
  if (safe.size() >= replacement.size() &&
      safe.compare(safe.size() - replacement.size(), replacement.size(), replacement) == 0 &&
      (text[max_bytes] & 0xC0) == 0x80)
    safe.resize(safe.size() - replacement.size());
  return safe + "... (" + std::to_string(text.size() - max_bytes) + " more bytes)";
}

}  // namespace packetseq::util
