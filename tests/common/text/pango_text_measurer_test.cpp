// Tests PangoTextMeasurer and the shared pango layout helpers (offscreen, no display).
#include "text/pango_text_measurer.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>

#include "text/pango_text_layout.h"

namespace packetseq {
namespace {

FontSpec sans(double size = 9) { return FontSpec{size, false, false}; }
FontSpec bold(double size = 9) { return FontSpec{size, true, false}; }
FontSpec mono(double size = 9) { return FontSpec{size, false, true}; }

TEST(PangoTextMeasurer, LongerStringIsWider) {
  PangoTextMeasurer m;
  const TextSize short_size = m.measure("SYN", sans());
  const TextSize long_size = m.measure("SYN, ACK Seq=0 Ack=1 Win=65535", sans());
  EXPECT_GT(short_size.width, 0);
  EXPECT_GT(long_size.width, short_size.width);
  EXPECT_DOUBLE_EQ(long_size.height, short_size.height);
}

TEST(PangoTextMeasurer, BoldIsWiderThanRegular) {
  PangoTextMeasurer m;
  EXPECT_GT(m.measure("Client -> Firewall", bold()).width,
            m.measure("Client -> Firewall", sans()).width);
}

TEST(PangoTextMeasurer, MonospaceWidthIsProportionalToLength) {
  PangoTextMeasurer m;
  const double ten = m.measure("0123456789", mono()).width;
  const double twenty = m.measure("abcdefghijABCDEFGHIJ", mono()).width;
  ASSERT_GT(ten, 0);
  EXPECT_NEAR(twenty, 2 * ten, 0.01);
  // DejaVu Sans Mono advances are 0.602 em.
  EXPECT_NEAR(ten / 10, 0.602 * 9, 0.05);
}

TEST(PangoTextMeasurer, SameResultTwice) {
  PangoTextMeasurer m;
  const TextSize a = m.measure("GET /index.html HTTP/1.1", sans(10));
  const TextSize b = m.measure("GET /index.html HTTP/1.1", sans(10));
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  PangoTextMeasurer other;
  EXPECT_EQ(other.measure("GET /index.html HTTP/1.1", sans(10)).width, a.width);
}

TEST(PangoTextMeasurer, SizeScalesWithFontSize) {
  PangoTextMeasurer m;
  const TextSize small = m.measure("Proxy", sans(10));
  const TextSize big = m.measure("Proxy", sans(20));
  // Unhinted metrics: twice the font size is twice the advance width.
  EXPECT_NEAR(big.width, 2 * small.width, 0.01);
  // Line height of DejaVu Sans is about 1.16 em.
  EXPECT_NEAR(small.height, 11.6, 0.5);
}

TEST(PangoTextMeasurer, EmptyStringIsZeroWideAndOneLineHigh) {
  PangoTextMeasurer m;
  const TextSize empty = m.measure("", sans());
  EXPECT_EQ(empty.width, 0);
  EXPECT_DOUBLE_EQ(empty.height, m.measure("x", sans()).height);
}

TEST(PangoTextMeasurer, NewlineStartsALine) {
  PangoTextMeasurer m;
  const TextSize one = m.measure("seq=1", sans());
  const TextSize two = m.measure("seq=1\nack=100000", sans());
  EXPECT_NEAR(two.height, 2 * one.height, 0.01);
  EXPECT_GT(two.width, one.width);
  const std::vector<TextLine> lines = m.lines("seq=1\nack=100000", sans());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "seq=1");
  EXPECT_EQ(lines[1].text, "ack=100000");
  EXPECT_NEAR(lines[1].baseline - lines[0].baseline, one.height, 0.01);
}

TEST(PangoTextMeasurer, BaselineLiesInsideTheLine) {
  PangoTextMeasurer m;
  const TextSize size = m.measure("Hg", sans(20));
  const std::vector<TextLine> lines = m.lines("Hg", sans(20));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].x, 0);
  // DejaVu Sans ascent is about 0.93 em of the 1.16 em line.
  EXPECT_GT(lines[0].baseline, 0.7 * size.height);
  EXPECT_LT(lines[0].baseline, size.height);
}

TEST(PangoTextMeasurer, InvalidUtf8IsMeasuredAsReplacementCharacters) {
  PangoTextMeasurer m;
  const std::string bad(
      "ab\xff\xfe"
      "c\0d",
      7);
  const TextSize size = m.measure(bad, sans());
  EXPECT_GT(size.width, m.measure("abcd", sans()).width);
  EXPECT_EQ(sanitize_text(bad),
            "ab\xEF\xBF\xBD\xEF\xBF\xBD"
            "c\xEF\xBF\xBD"
            "d");
}

TEST(SanitizeText, KeepsValidTextAndReplacesControlCharacters) {
  EXPECT_EQ(sanitize_text("Überweisung → 東京"), "Überweisung → 東京");
  EXPECT_EQ(sanitize_text("a\tb\nc"), "a\tb\nc");
  EXPECT_EQ(sanitize_text("a\x01z"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(sanitize_text("\xE6\x9D"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
}

TEST(PangoTextMeasurer, NonFiniteFontSizeDoesNotBreakMeasurement) {
  PangoTextMeasurer m;
  const TextSize nan_size = m.measure("x", sans(std::nan("")));
  EXPECT_EQ(nan_size.width, m.measure("x", sans(9)).width);
  EXPECT_GT(m.measure("x", sans(-5)).width, 0);
}

TEST(PangoTextLayout, DrawingLayoutMatchesMeasurementAtAnyScale) {
  PangoTextMeasurer m;
  const std::string text = "10.0.0.1:443 > 192.168.1.3:51234 [PSH, ACK] Len=1448";
  for (const FontSpec& font : {sans(9), bold(11), mono(8)}) {
    const TextSize measured = m.measure(text, font);
    for (double scale : {1.0, 1.5, 2.0, 3.0}) {
      cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
      cairo_t* cr = cairo_create(surface);
      cairo_scale(cr, scale, scale);
      PangoLayoutPtr layout = create_text_layout(cr, text, font);
      const TextSize drawn = layout_size(layout.get());
      EXPECT_NEAR(drawn.width, measured.width, 0.01) << "scale " << scale;
      EXPECT_NEAR(drawn.height, measured.height, 0.01) << "scale " << scale;
      cairo_destroy(cr);
      cairo_surface_destroy(surface);
    }
  }
}

TEST(PangoTextMeasurer, SharedBetweenThreadsGivesTheSameResults) {
  PangoTextMeasurer m;
  const double expected = m.measure("Firewall outside", bold()).width;
  double results[2] = {0, 0};
  std::thread threads[2];
  for (int t = 0; t < 2; ++t) {
    threads[t] = std::thread([&, t] {
      for (int i = 0; i < 50; ++i) results[t] = m.measure("Firewall outside", bold()).width;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(results[0], expected);
  EXPECT_EQ(results[1], expected);
}

}  // namespace
}  // namespace packetseq
