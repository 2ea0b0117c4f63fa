// Flag colouring (seed table, combined flags) and flag-list formatting.
#include "model/flags.h"

#include <gtest/gtest.h>

#include "model/observation.h"

namespace packetseq {
namespace {

std::string css(std::uint16_t flags) { return colour_for_flags(flags).css_name; }

TEST(FlagColour, SeedTableSingleFlags) {
  EXPECT_EQ(css(kSyn), "blue");
  EXPECT_EQ(css(kSyn | kAck), "red");
  EXPECT_EQ(css(kAck), "green");
  EXPECT_EQ(css(kFin), "navy");
  EXPECT_EQ(css(kFin | kAck), "maroon");
  EXPECT_EQ(css(kRst), "purple");
  EXPECT_EQ(css(kRst | kAck), "fuchsia");
  EXPECT_EQ(css(kUrg), "olive");
  EXPECT_EQ(css(kPsh), "orange");
  EXPECT_EQ(css(0), "gray");
  EXPECT_EQ(css(kEce | kCwr), "gray");
}

TEST(FlagColour, CombinedFlagsFollowPrecedence) {
  EXPECT_EQ(css(kPsh | kAck), "orange");          // the seed drew these gray
  EXPECT_EQ(css(kFin | kPsh | kAck), "maroon");   // FIN beats PSH
  EXPECT_EQ(css(kRst | kPsh | kAck), "fuchsia");  // RST beats everything
  EXPECT_EQ(css(kSyn | kEce | kCwr), "blue");     // ECN setup SYN
  EXPECT_EQ(css(kSyn | kAck | kEce), "red");
  EXPECT_EQ(css(kUrg | kPsh | kAck), "olive");  // URG beats PSH
  EXPECT_EQ(css(kFin | kSyn | kRst | kPsh | kAck | kUrg | kEce | kCwr), "fuchsia");
}

TEST(FlagColour, UnknownFlagsAreGray) {
  EXPECT_EQ(std::string(colour_for_flags(kSyn, false).css_name), "gray");
}

TEST(FlagColour, RgbValuesAreTheCssKeywords) {
  const auto orange = colour_for_flags(kPsh | kAck);
  EXPECT_EQ(orange.r, 255);
  EXPECT_EQ(orange.g, 165);
  EXPECT_EQ(orange.b, 0);
  const auto green = colour_for_flags(kAck);
  EXPECT_EQ(green.g, 128);
}

TEST(FlagSummary, WiresharkOrder) {
  EXPECT_EQ(flags_summary(kSyn), "[SYN]");
  EXPECT_EQ(flags_summary(kSyn | kAck), "[SYN, ACK]");
  EXPECT_EQ(flags_summary(kAck | kPsh | kFin), "[FIN, PSH, ACK]");
  EXPECT_EQ(flags_summary(kSyn | kEce | kCwr), "[SYN, ECE, CWR]");
  EXPECT_EQ(flags_summary(0), "[<None>]");
}

TEST(FlagSummary, ParseRoundTrips) {
  for (std::uint16_t f : {0x002, 0x012, 0x018, 0x011, 0x014, 0x0c2, 0x1ff})
    EXPECT_EQ(parse_flags_list(flags_summary(f)), f) << flags_summary(f);
  EXPECT_EQ(parse_flags_list("FIN, ACK"), kFin | kAck);
  EXPECT_EQ(parse_flags_list("NS"), kAe);
}

}  // namespace
}  // namespace packetseq
