// Tests the hand-written SVG back end: well-formed XML, real text, colours, tags, escaping.
#include "render/svg_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "render_test_util.h"
#include "text/pango_text_measurer.h"

namespace packetseq {
namespace {

using test::have_program;
using test::read_file;
using test::rgb_color;
using test::run;
using test::ScratchDir;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

Page sample_page() {
  Page page;
  page.width = 300;
  page.height = 120;
  RectPrim rect;
  rect.x = 10;
  rect.y = 10;
  rect.w = 40;
  rect.h = 30;
  rect.fill = rgb_color(1, 0, 0);
  rect.stroke = rgb_color(0, 0, 0);
  rect.stroke_width = 1;
  page.items.push_back(rect);
  LinePrim arrow;
  arrow.from = {60, 50};
  arrow.to = {180, 70};
  arrow.color = rgb_color(0, 0, 1);
  arrow.width = 1.5;
  arrow.arrow_head = true;
  arrow.tag = Tag{3, 1, 0, 17};
  page.items.push_back(arrow);
  TextPrim label;
  label.x = 80;
  label.y = 40;
  label.text = "<SYN> & \"more\"";
  label.color = rgb_color(0, 0, 1);
  label.tag = arrow.tag;  // same tag: same <g>
  page.items.push_back(label);
  TextPrim name;
  name.x = 20;
  name.y = 90;
  name.text = "Client";
  name.font.bold = true;
  name.font.size_pt = 12;
  name.color = rgb_color(0.5, 0.5, 0.5);
  page.items.push_back(name);
  LinePrim relay;
  relay.from = {200, 20};
  relay.to = {280, 20};
  relay.color = rgb_color(0, 0.5, 0, 0.25);
  relay.dashed = true;
  relay.tag.journey = 4;
  page.items.push_back(relay);
  MarkerPrim lost;
  lost.center = {250, 100};
  lost.color = rgb_color(0.5, 0, 0.5);
  page.items.push_back(lost);
  return page;
}

void expect_well_formed(const std::string& path) {
  if (!have_program("xmllint")) GTEST_SKIP() << "xmllint (libxml2-utils) not installed";
  int code = 0;
  const std::string errors = run("xmllint --noout '" + path + "' 2>&1", &code);
  EXPECT_EQ(code, 0) << errors;
}

TEST(RenderSvg, WellFormedXml) {
  ScratchDir dir;
  const std::string path = dir.file("page.svg");
  render_svg(sample_page(), path);
  const std::string svg = read_file(path);
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"", 0), 0u);
  EXPECT_TRUE(contains(svg, "width=\"300\" height=\"120\" viewBox=\"0 0 300 120\""));
  expect_well_formed(path);
}

TEST(RenderSvg, TextIsRealEscapedText) {
  const std::string svg = svg_document(sample_page());
  EXPECT_TRUE(contains(svg, ">Client</text>")) << svg;
  EXPECT_TRUE(contains(svg, ">&lt;SYN&gt; &amp; &quot;more&quot;</text>")) << svg;
  EXPECT_FALSE(contains(svg, "<SYN>"));
  EXPECT_TRUE(contains(svg,
                       "font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\" "
                       "font-weight=\"bold\" fill=\"#808080\""))
      << svg;
}

TEST(RenderSvg, TextSitsOnThePangoBaseline) {
  Page page;
  page.width = 100;
  page.height = 50;
  TextPrim text;
  text.x = 10;
  text.y = 20;
  text.text = "Hg";
  text.font.size_pt = 10;
  text.font.monospace = true;
  page.items.push_back(text);
  PangoTextMeasurer measurer;
  const double baseline = measurer.lines("Hg", text.font).at(0).baseline;
  char expected[64];
  std::snprintf(expected, sizeof expected, " x=\"10\" y=\"%.3f", 20 + baseline);
  std::string expected_prefix(expected);
  while (expected_prefix.back() == '0') expected_prefix.pop_back();  // writer trims zeros
  const std::string svg = svg_document(page);
  EXPECT_TRUE(contains(svg, expected_prefix)) << expected_prefix << "\n" << svg;
  EXPECT_TRUE(contains(svg, "font-family=\"DejaVu Sans Mono, monospace\" font-size=\"10\""));
}

TEST(RenderSvg, MultiLineTextGetsOneTspanPerLine) {
  Page page;
  page.width = 100;
  page.height = 50;
  TextPrim text;
  text.text = "seq=1\nack=2";
  page.items.push_back(text);
  const std::string svg = svg_document(page);
  EXPECT_TRUE(contains(svg, "\">seq=1</tspan><tspan x=\"0\" y=\"")) << svg;
  EXPECT_TRUE(contains(svg, "\">ack=2</tspan></text>")) << svg;
}

TEST(RenderSvg, ColoursAsLowercaseHex) {
  const std::string svg = svg_document(sample_page());
  EXPECT_TRUE(contains(svg, "stroke=\"#0000ff\"")) << svg;
  EXPECT_TRUE(contains(svg, "<polygon points=\"")) << svg;
  EXPECT_TRUE(contains(svg, "fill=\"#0000ff\"/>")) << svg;
  EXPECT_TRUE(contains(svg, "fill=\"#ff0000\" stroke=\"#000000\" stroke-width=\"1\"")) << svg;
  EXPECT_TRUE(contains(svg, "stroke=\"#008000\" stroke-opacity=\"0.25\"")) << svg;
  EXPECT_TRUE(contains(svg, "stroke=\"#800080\"")) << svg;  // cross marker
}

TEST(RenderSvg, DashedLinesUseDashArray) {
  const std::string svg = svg_document(sample_page());
  EXPECT_TRUE(contains(svg, "stroke-dasharray=\"5,4\"")) << svg;
}

TEST(RenderSvg, TaggedPrimitivesAreGroupedWithDataAttributes) {
  const std::string svg = svg_document(sample_page());
  const std::string group =
      "<g class=\"arrow\" data-arrow=\"3\" data-journey=\"1\" data-point=\"0\" "
      "data-frame=\"17\">\n";
  const std::size_t open = svg.find(group);
  ASSERT_NE(open, std::string::npos) << svg;
  // The arrow's line, head and label are in that one group.
  const std::size_t close = svg.find("</g>", open);
  const std::string body = svg.substr(open, close - open);
  EXPECT_TRUE(contains(body, "<line ")) << body;
  EXPECT_TRUE(contains(body, "<polygon ")) << body;
  EXPECT_TRUE(contains(body, "&lt;SYN&gt;")) << body;
  EXPECT_FALSE(contains(body, "Client")) << body;
  EXPECT_EQ(svg.find(group, open + 1), std::string::npos);
  EXPECT_TRUE(contains(svg, "<g class=\"journey\" data-journey=\"4\">")) << svg;
}

TEST(RenderSvg, HostileTextStaysWellFormed) {
  ScratchDir dir;
  Page page;
  page.width = 100;
  page.height = 50;
  TextPrim text;
  text.text = std::string("a\x01\xff]]><!--\0'", 12);
  page.items.push_back(text);
  LinePrim nan_line;
  nan_line.from = {NAN, 0};
  page.items.push_back(nan_line);
  const std::string path = dir.file("hostile.svg");
  render_svg(page, path);
  const std::string svg = read_file(path);
  EXPECT_FALSE(contains(svg, "nan"));
  EXPECT_FALSE(contains(svg, "<!--"));
  EXPECT_TRUE(contains(svg, "]]&gt;&lt;!--\xEF\xBF\xBD&apos;")) << svg;
  expect_well_formed(path);
}

TEST(RenderSvg, BadPageOrPathThrowsAndLeavesNoFile) {
  ScratchDir dir;
  Page page;
  const std::string path = dir.file("empty.svg");
  EXPECT_THROW(render_svg(page, path), RenderError);
  EXPECT_FALSE(test::file_exists(path));
  const std::string missing = dir.file("missing/page.svg");
  try {
    render_svg(sample_page(), missing);
    FAIL() << "no RenderError";
  } catch (const RenderError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(missing + ": ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace packetseq
