// Text safety helpers: make untrusted bytes valid UTF-8 and short enough to quote in messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace packetseq::util {

// Returns text with every invalid UTF-8 sequence replaced by U+FFFD, so no writer emits bad UTF-8.
std::string valid_utf8(std::string_view text);

// Returns at most max_bytes of text (valid UTF-8, cut on a character boundary) plus a note of
// how many bytes were left out, so an error message never echoes a huge offending field.
std::string quote_excerpt(std::string_view text, std::size_t max_bytes = 200);

}  // namespace packetseq::util
