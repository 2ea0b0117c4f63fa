// Unit tests for text_safety: UTF-8 repair and bounded excerpts for error messages.
#include "util/text_safety.h"

#include <gtest/gtest.h>

#include <string>

using packetseq::util::quote_excerpt;
using packetseq::util::valid_utf8;

TEST(TextSafety, ValidUtf8KeepsValidTextAndReplacesEachBadByte) {
  EXPECT_EQ(valid_utf8("Клиент"), "Клиент");
  EXPECT_EQ(valid_utf8(std::string("GET /\xff\xfe x", 9)), "GET /\xEF\xBF\xBD\xEF\xBF\xBD x");
  // GLib treats NUL as invalid; no text output should carry one, so it is replaced too.
  EXPECT_EQ(valid_utf8(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(TextSafety, QuoteExcerptCapsAHugeFieldAndSaysHowMuchWasLeftOut) {
  const std::string huge(5'000'000, 'x');
  const std::string excerpt = quote_excerpt(huge);
  EXPECT_LT(excerpt.size(), 260u);
  EXPECT_NE(excerpt.find("4999800 more bytes"), std::string::npos);
  EXPECT_EQ(quote_excerpt("short"), "short");
  // A cut inside a two-byte character drops it instead of emitting U+FFFD.
  EXPECT_EQ(quote_excerpt("Кл", 3), "К... (1 more bytes)");
}
