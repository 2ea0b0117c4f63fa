// Display list: device-independent drawing primitives produced by layout, drawn by back ends.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace packetseq {

struct Color {
  double r = 0, g = 0, b = 0, a = 1;  // 0..1
  bool operator==(const Color& o) const { return r == o.r && g == o.g && b == o.b && a == o.a; }
};

struct Point {
  double x = 0, y = 0;
};

// Which packet or journey a primitive stands for (hit testing, tooltips, SVG ids).
struct Tag {
  std::int64_t arrow = -1;    // index into Model::arrows
  std::int64_t journey = -1;  // index into Model::journeys
  std::int64_t point = -1;    // capture point of the observation
  std::int64_t frame = -1;    // frame number in that capture
};

struct FontSpec {
  double size_pt = 9;
  bool bold = false;
  bool monospace = false;
};

// Units: 1 unit = 1 pixel in PNG = 1 point in PDF/SVG.
struct LinePrim {
  Point from, to;
  Color color;
  double width = 1;
  bool dashed = false;
  bool arrow_head = false;  // filled head at `to`
  Tag tag;
};

struct RectPrim {
  double x = 0, y = 0, w = 0, h = 0;
  Color fill;
  bool has_fill = true;
  Color stroke;
  double stroke_width = 0;  // 0: no outline
  Tag tag;
};

// Text already measured by layout: back ends draw it at (x, y) = top-left of the logical box
// of width w and height h, using the same pango font description.
struct TextPrim {
  double x = 0, y = 0, w = 0, h = 0;
  std::string text;  // UTF-8, plain (no markup)
  FontSpec font;
  Color color;
  Tag tag;
};

enum class MarkerShape { kCross, kDot, kDiamond };

struct MarkerPrim {
  Point center;
  double radius = 4;
  MarkerShape shape = MarkerShape::kCross;
  Color color;
  Tag tag;
};

using Primitive = std::variant<LinePrim, RectPrim, TextPrim, MarkerPrim>;

// One page: primitives in painting order on a width x height canvas with a white background.
struct Page {
  double width = 0;
  double height = 0;
  std::vector<Primitive> items;
};

struct Document {
  std::vector<Page> pages;
  std::string title;
};

}  // namespace packetseq
