// Tests the cairo back ends: PNG pixels read back, PDF pages and text via poppler-utils.
#include "render/cairo_renderer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <regex>
#include <string>

#include "render_test_util.h"
#include "text/pango_text_measurer.h"

namespace packetseq {
namespace {

using test::blue;
using test::green;
using test::have_program;
using test::PngImage;
using test::read_file;
using test::red;
using test::rgb_color;
using test::run;
using test::ScratchDir;

const Color kRed = rgb_color(1, 0, 0);
const Color kBlue = rgb_color(0, 0, 1);
const Color kBlack = rgb_color(0, 0, 0);
constexpr std::uint32_t kWhite = 0xffffff;

// A 200x100 page: a red rectangle, a blue arrow, a black label.
Page sample_page() {
  Page page;
  page.width = 200;
  page.height = 100;
  RectPrim rect;
  rect.x = 10;
  rect.y = 10;
  rect.w = 40;
  rect.h = 30;
  rect.fill = kRed;
  page.items.push_back(rect);
  LinePrim arrow;
  arrow.from = {60, 50};
  arrow.to = {180, 50};
  arrow.color = kBlue;
  arrow.width = 2;
  arrow.arrow_head = true;
  arrow.tag.arrow = 0;
  arrow.tag.frame = 17;
  page.items.push_back(arrow);
  TextPrim text;
  text.x = 20;
  text.y = 70;
  text.text = "Client";
  text.font.size_pt = 12;
  text.color = kBlack;
  PangoTextMeasurer measurer;
  const TextSize size = measurer.measure(text.text, text.font);
  text.w = size.width;
  text.h = size.height;
  page.items.push_back(text);
  return page;
}

bool is_blue(std::uint32_t rgb) { return blue(rgb) > 200 && red(rgb) < 60 && green(rgb) < 60; }

TEST(RenderPng, DrawsPrimitivesAtTheirCoordinates) {
  ScratchDir dir;
  const std::string path = dir.file("page.png");
  render_png(sample_page(), path);
  PngImage png(path);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 200);
  EXPECT_EQ(png.height(), 100);
  EXPECT_EQ(png.rgb(30, 25), 0xff0000u);  // inside the red rectangle
  EXPECT_EQ(png.rgb(9, 25), kWhite);      // just left of it
  EXPECT_EQ(png.rgb(50, 25), kWhite);     // just right of it (x = 10 + 40)
  // Width-2 line centred on y = 50 covers pixel rows 49 and 50 fully.
  EXPECT_EQ(png.rgb(100, 49), 0x0000ffu);
  EXPECT_EQ(png.rgb(100, 50), 0x0000ffu);
  EXPECT_EQ(png.rgb(100, 47), kWhite);
  EXPECT_EQ(png.rgb(100, 52), kWhite);
  // The arrow head is wider than the line just before the tip, and nothing passes the tip.
  EXPECT_TRUE(is_blue(png.rgb(172, 47))) << std::hex << png.rgb(172, 47);
  EXPECT_TRUE(is_blue(png.rgb(172, 52))) << std::hex << png.rgb(172, 52);
  EXPECT_EQ(png.rgb(182, 49), kWhite);
  EXPECT_EQ(png.rgb(182, 50), kWhite);
  EXPECT_EQ(png.rgb(195, 95), kWhite);
}

TEST(RenderPng, TextInkStaysInItsLogicalBox) {
  ScratchDir dir;
  const Page page = sample_page();
  const auto& text = std::get<TextPrim>(page.items[2]);
  render_png(page, dir.file("text.png"));
  PngImage png(dir.file("text.png"));
  ASSERT_TRUE(png.ok());
  int dark_inside = 0;
  int dark_outside = 0;
  for (int y = 60; y < 100; ++y) {
    for (int x = 0; x < 200; ++x) {
      if (red(png.rgb(x, y)) > 128) continue;
      const bool inside = x >= std::floor(text.x) && x < std::ceil(text.x + text.w) &&
                          y >= std::floor(text.y) && y < std::ceil(text.y + text.h);
      (inside ? dark_inside : dark_outside)++;
    }
  }
  EXPECT_GT(dark_inside, 30);
  EXPECT_EQ(dark_outside, 0);
}

// Horizontal centre of the dark ink in a PNG, weighted by darkness.
double ink_centre_x(const PngImage& png) {
  double sum = 0;
  double weight = 0;
  for (int y = 0; y < png.height(); ++y) {
    for (int x = 0; x < png.width(); ++x) {
      const double darkness = 255 - green(png.rgb(x, y));
      sum += darkness * x;
      weight += darkness;
    }
  }
  return weight > 0 ? sum / weight : -1;
}

TEST(RenderPng, TextIsPlacedWithSubpixelPrecision) {
  // Glyphs snapped to whole pixels space small unhinted text unevenly; a half-pixel move of
  // the label must move its ink by half a pixel.
  ScratchDir dir;
  Page page;
  page.width = 120;
  page.height = 20;
  TextPrim text;
  text.x = 10;
  text.y = 4;
  text.text = "Seq=0 Win=64240";
  text.font.size_pt = 8;
  page.items.push_back(text);
  render_png(page, dir.file("a.png"));
  std::get<TextPrim>(page.items[0]).x = 10.5;
  render_png(page, dir.file("b.png"));
  PngImage a(dir.file("a.png"));
  PngImage b(dir.file("b.png"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NEAR(ink_centre_x(b) - ink_centre_x(a), 0.5, 0.1);
}

TEST(RenderPng, ImageSizeIsPageSizeTimesScale) {
  ScratchDir dir;
  render_png(sample_page(), dir.file("x2.png"), 2.0);
  PngImage png(dir.file("x2.png"));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 400);
  EXPECT_EQ(png.height(), 200);
  EXPECT_EQ(png.rgb(60, 50), 0xff0000u);  // (30, 25) scaled
  EXPECT_EQ(png.rgb(200, 99), 0x0000ffu);

  Page odd;
  odd.width = 100.5;
  odd.height = 50.2;
  render_png(odd, dir.file("odd.png"), 1.5);
  PngImage odd_png(dir.file("odd.png"));
  ASSERT_TRUE(odd_png.ok());
  EXPECT_EQ(odd_png.width(), 151);  // ceil(150.75)
  EXPECT_EQ(odd_png.height(), 76);  // ceil(75.3)
  EXPECT_EQ(odd_png.rgb(150, 75), kWhite);
}

TEST(RenderPng, TooLargePageThrowsAndLeavesNoFile) {
  ScratchDir dir;
  const std::string path = dir.file("huge.png");
  Page page;
  page.width = 100;
  page.height = 32768;
  try {
    render_png(page, path);
    FAIL() << "no RenderError";
  } catch (const RenderError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("32767"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(test::file_exists(path));
  // Within the limit at scale 1, beyond it at scale 2.
  page.height = 20000;
  EXPECT_THROW(render_png(page, path, 2.0), RenderError);
  EXPECT_FALSE(test::file_exists(path));
  // Each side allowed, but too many pixels in all.
  page.width = 30000;
  page.height = 30000;
  EXPECT_THROW(render_png(page, path), RenderError);
  EXPECT_FALSE(test::file_exists(path));
}

TEST(RenderPng, EmptyPageOrBadScaleThrows) {
  ScratchDir dir;
  Page page;
  EXPECT_THROW(render_png(page, dir.file("empty.png")), RenderError);
  page.width = 10;
  page.height = NAN;
  EXPECT_THROW(render_png(page, dir.file("nan.png")), RenderError);
  page.height = 10;
  EXPECT_THROW(render_png(page, dir.file("scale.png"), 0), RenderError);
  EXPECT_FALSE(test::file_exists(dir.file("empty.png")));
}

TEST(RenderPng, UnwritablePathThrowsNamingThePath) {
  ScratchDir dir;
  const std::string path = dir.file("no-such-dir/page.png");
  try {
    render_png(sample_page(), path);
    FAIL() << "no RenderError";
  } catch (const RenderError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
  }
}

TEST(RenderPng, DashedLineHasGaps) {
  ScratchDir dir;
  Page page;
  page.width = 100;
  page.height = 20;
  LinePrim line;
  line.from = {5, 10.5};
  line.to = {95, 10.5};
  line.color = kBlue;
  line.dashed = true;
  page.items.push_back(line);
  render_png(page, dir.file("dash.png"));
  PngImage png(dir.file("dash.png"));
  ASSERT_TRUE(png.ok());
  int on = 0;
  int off = 0;
  for (int x = 10; x < 90; ++x) (is_blue(png.rgb(x, 10)) ? on : off)++;
  EXPECT_GT(on, 20);
  EXPECT_GT(off, 10);
}

TEST(RenderPng, MarkersAndTranslucentFills) {
  ScratchDir dir;
  Page page;
  page.width = 100;
  page.height = 40;
  MarkerPrim dot;
  dot.center = {20.5, 20.5};
  dot.radius = 5;
  dot.shape = MarkerShape::kDot;
  dot.color = kRed;
  MarkerPrim cross = dot;
  cross.center = {50.5, 20.5};
  cross.shape = MarkerShape::kCross;
  MarkerPrim diamond = dot;
  diamond.center = {80.5, 20.5};
  diamond.shape = MarkerShape::kDiamond;
  page.items.insert(page.items.end(), {dot, cross, diamond});
  RectPrim glass;
  glass.x = 0;
  glass.y = 30;
  glass.w = 100;
  glass.h = 10;
  glass.fill = rgb_color(1, 0, 0, 0.5);
  glass.stroke = kBlack;
  glass.stroke_width = 0;
  page.items.push_back(glass);
  render_png(page, dir.file("markers.png"));
  PngImage png(dir.file("markers.png"));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.rgb(20, 20), 0xff0000u);  // dot centre
  EXPECT_EQ(png.rgb(50, 20), 0xff0000u);  // where the cross's strokes meet
  EXPECT_EQ(png.rgb(50, 16), kWhite);     // between the cross's upper arms
  EXPECT_EQ(png.rgb(53, 23), 0xff0000u);  // on a diagonal arm
  EXPECT_EQ(png.rgb(80, 20), 0xff0000u);  // diamond centre
  EXPECT_EQ(png.rgb(76, 16), kWhite);     // outside the diamond, inside its bounding box
  const std::uint32_t pink = png.rgb(50, 35);
  EXPECT_EQ(red(pink), 255);
  EXPECT_NEAR(green(pink), 128, 2);
  EXPECT_NEAR(blue(pink), 128, 2);
}

TEST(RenderPng, NonFinitePrimitivesAreSkipped) {
  ScratchDir dir;
  Page page = sample_page();
  LinePrim bad;
  bad.from = {NAN, 3};
  bad.to = {INFINITY, 4};
  bad.arrow_head = true;
  page.items.push_back(bad);
  TextPrim bad_text;
  bad_text.x = NAN;
  bad_text.text = "x";
  page.items.push_back(bad_text);
  render_png(page, dir.file("nan.png"));
  PngImage png(dir.file("nan.png"));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.rgb(30, 25), 0xff0000u);
}

// Two pages of different sizes with a label each.
Document two_page_document() {
  Document doc;
  doc.title = "packetseq test";
  doc.pages.push_back(sample_page());
  Page second;
  second.width = 300;
  second.height = 150;
  TextPrim text;
  text.x = 10;
  text.y = 10;
  text.text = "Firewall-outside";
  second.items.push_back(text);
  doc.pages.push_back(second);
  return doc;
}

int pdf_page_count(const std::string& path) {
  if (have_program("pdfinfo")) {
    int code = 0;
    const std::string info = run("pdfinfo '" + path + "'", &code);
    std::smatch m;
    if (code == 0 && std::regex_search(info, m, std::regex("Pages:\\s+(\\d+)"))) {
      return std::stoi(m[1]);
    }
    return -1;
  }
  // cairo 1.16 writes page objects uncompressed.
  const std::string pdf = read_file(path);
  const std::regex page_object("/Type\\s*/Page[^s]");
  return static_cast<int>(
      std::distance(std::sregex_iterator(pdf.begin(), pdf.end(), page_object), {}));
}

TEST(RenderPdf, OnePdfPagePerPageEachOfItsOwnSize) {
  ScratchDir dir;
  const std::string path = dir.file("doc.pdf");
  render_pdf(two_page_document(), path);
  EXPECT_EQ(read_file(path).rfind("%PDF-", 0), 0u);
  EXPECT_EQ(pdf_page_count(path), 2);
  if (!have_program("pdfinfo")) GTEST_SKIP() << "pdfinfo (poppler-utils) not installed";
  int code = 0;
  const std::string info = run("pdfinfo -f 1 -l 2 '" + path + "'", &code);
  ASSERT_EQ(code, 0);
  EXPECT_TRUE(std::regex_search(info, std::regex("Page\\s+1 size:\\s+200 x 100 pts"))) << info;
  EXPECT_TRUE(std::regex_search(info, std::regex("Page\\s+2 size:\\s+300 x 150 pts"))) << info;
  EXPECT_TRUE(std::regex_search(info, std::regex("Title:\\s+packetseq test"))) << info;
}

TEST(RenderPdf, TextIsExtractable) {
  if (!have_program("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  ScratchDir dir;
  const std::string path = dir.file("doc.pdf");
  render_pdf(two_page_document(), path);
  int code = 0;
  const std::string first = run("pdftotext -f 1 -l 1 '" + path + "' -", &code);
  ASSERT_EQ(code, 0);
  EXPECT_NE(first.find("Client"), std::string::npos) << first;
  const std::string second = run("pdftotext -f 2 -l 2 '" + path + "' -", &code);
  EXPECT_NE(second.find("Firewall-outside"), std::string::npos) << second;
  EXPECT_EQ(second.find("Client"), std::string::npos) << second;
}

TEST(RenderPdf, NoPagesOrBadPageThrowsAndLeavesNoFile) {
  ScratchDir dir;
  const std::string path = dir.file("bad.pdf");
  EXPECT_THROW(render_pdf(Document{}, path), RenderError);
  EXPECT_FALSE(test::file_exists(path));
  Document doc = two_page_document();
  doc.pages[1].width = -1;
  try {
    render_pdf(doc, path);
    FAIL() << "no RenderError";
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("page 2"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(test::file_exists(path));
}

TEST(RenderPdf, UnwritablePathThrowsNamingThePath) {
  ScratchDir dir;
  const std::string path = dir.file("missing/doc.pdf");
  try {
    render_pdf(two_page_document(), path);
    FAIL() << "no RenderError";
  } catch (const RenderError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
  }
}

TEST(RenderPdf, WriteErrorIsReported) {
  if (!test::file_exists("/dev/full")) GTEST_SKIP() << "/dev/full missing";
  // /dev/full opens but fails every write; reach it through a symlink so that nothing but
  // the link could ever be touched.
  ScratchDir dir;
  const std::string path = dir.file("full.pdf");
  ASSERT_EQ(symlink("/dev/full", path.c_str()), 0);
  try {
    render_pdf(two_page_document(), path);
    FAIL() << "no RenderError";
  } catch (const RenderError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(test::file_exists("/dev/full"));
}

}  // namespace
}  // namespace packetseq
