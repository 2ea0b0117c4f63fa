// Tests for parse_offset: the offset forms users type and the errors they get.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "matcher/matcher.h"

namespace packetseq {
namespace {

constexpr std::int64_t kSec = 1000000000;

TEST(ParseOffset, AcceptsSignedUnitsAndFractions) {
  EXPECT_EQ(parse_offset("+9h"), 9 * 3600 * kSec);
  EXPECT_EQ(parse_offset("-0.35s"), -350000000);
  EXPECT_EQ(parse_offset("+3600.25s"), 3600 * kSec + 250000000);
  EXPECT_EQ(parse_offset("250ms"), 250000000);
  EXPECT_EQ(parse_offset("-1.5"), -1500000000);  // a bare number is seconds
  EXPECT_EQ(parse_offset("1h30m"), 5400 * kSec);
  EXPECT_EQ(parse_offset("-2m"), -120 * kSec);
  EXPECT_EQ(parse_offset("5min"), 300 * kSec);
  EXPECT_EQ(parse_offset("15us"), 15000);
  EXPECT_EQ(parse_offset("15\xC2\xB5s"), 15000);
  EXPECT_EQ(parse_offset("100ns"), 100);
  EXPECT_EQ(parse_offset(" +0 "), 0);
  EXPECT_EQ(parse_offset(".5s"), 500000000);
}

TEST(ParseOffset, RoundsToTheNearestNanosecond) {
  EXPECT_EQ(parse_offset("0.0000000015s"), 2);
  EXPECT_EQ(parse_offset("0.0000000014s"), 1);
  EXPECT_EQ(parse_offset("0.123456789123s"), 123456789);
  EXPECT_EQ(parse_offset("-0.000001h"), -3600000);
}

TEST(ParseOffset, RejectsMalformedTextWithTheCause) {
  const char* bad[] = {"",
                       "+",
                       "h",
                       "9x",
                       "1.2.3s",
                       "9h 5m",
                       "1.5 2",
                       "1s2",
                       "--1s",
                       "s9",
                       "99999999999999999999s",
                       "300000y",
                       "1e5s",
                       "."};
  for (const char* text : bad) {
    try {
      parse_offset(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("invalid offset"), std::string::npos) << e.what();
    }
  }
}

TEST(ParseOffset, NamesTheUnknownUnit) {
  try {
    parse_offset("+9hours");
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown unit 'hours'"), std::string::npos) << e.what();
  }
}

TEST(ParseOffset, RejectsOverflow) {
  EXPECT_THROW(parse_offset("9223372037s"), std::invalid_argument);
  EXPECT_EQ(parse_offset("9223372036s"), 9223372036LL * kSec);
}

}  // namespace
}  // namespace packetseq
