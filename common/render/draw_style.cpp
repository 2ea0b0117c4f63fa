// Stroke details shared by the cairo and SVG back ends.
#include "render/draw_style.h"

#include <algorithm>
#include <cmath>

namespace packetseq {
namespace {

bool finite(double v) { return std::isfinite(v); }
bool finite(const Point& p) { return finite(p.x) && finite(p.y); }

bool drawable(const LinePrim& p) {
  return finite(p.from) && finite(p.to) && finite(p.width) && p.width > 0;
}
bool drawable(const RectPrim& p) {
  return finite(p.x) && finite(p.y) && finite(p.w) && finite(p.h) && finite(p.stroke_width);
}
bool drawable(const TextPrim& p) { return finite(p.x) && finite(p.y) && !p.text.empty(); }
bool drawable(const MarkerPrim& p) { return finite(p.center) && finite(p.radius) && p.radius > 0; }

}  // namespace

DashPattern dash_pattern(double line_width) {
  return DashPattern{std::max(5 * line_width, 4.0), std::max(4 * line_width, 3.0)};
}

ArrowGeometry arrow_geometry(const LinePrim& line) {
  ArrowGeometry g;
  g.shaft_end = line.to;
  g.tip = line.to;
  const double dx = line.to.x - line.from.x;
  const double dy = line.to.y - line.from.y;
  const double length = std::hypot(dx, dy);
  if (!line.arrow_head || !(length > 0)) return g;
  g.has_head = true;
  const double head_length = 4 + 4 * line.width;
  const double half_width = 1.5 + 1.5 * line.width;
  const double ux = dx / length;  // unit vector along the line
  const double uy = dy / length;
  const Point base{line.to.x - ux * head_length, line.to.y - uy * head_length};
  g.left = Point{base.x - uy * half_width, base.y + ux * half_width};
  g.right = Point{base.x + uy * half_width, base.y - ux * half_width};
  // Half-way into the head the triangle is wider than the round cap of the shaft.
  const double shaft_cut = head_length / 2;
  g.has_shaft = length > shaft_cut;
  g.shaft_end = Point{line.to.x - ux * shaft_cut, line.to.y - uy * shaft_cut};
  return g;
}

double marker_stroke_width(const MarkerPrim& marker) { return std::max(1.0, marker.radius / 2.5); }

bool is_drawable(const Primitive& item) {
  return std::visit([](const auto& p) { return drawable(p); }, item);
}

bool has_tag(const Tag& tag) { return tag.arrow >= 0 || tag.journey >= 0; }

bool same_tag(const Tag& a, const Tag& b) {
  return a.arrow == b.arrow && a.journey == b.journey && a.point == b.point && a.frame == b.frame;
}

const Tag& tag_of(const Primitive& item) {
  return std::visit([](const auto& p) -> const Tag& { return p.tag; }, item);
}

}  // namespace packetseq
