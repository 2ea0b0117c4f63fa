// Stroke details every back end must draw alike: dash pattern, arrow heads, marker strokes.
#pragma once

#include "display/display_list.h"

namespace packetseq {

struct DashPattern {
  double on = 0;   // dash length
  double off = 0;  // gap length
};

// Dashes scale with the line width so thick dashed lines keep their look.
DashPattern dash_pattern(double line_width);

// A LinePrim with an arrow head: a filled triangle with its tip at `to`, pointing along the
// line, sized in proportion to the line width; the shaft stops inside the triangle so its
// round cap does not blunt the tip.
struct ArrowGeometry {
  Point shaft_end;        // where to stop the line instead of `to`
  bool has_head = false;  // false for zero-length lines (no direction)
  bool has_shaft = true;  // false when the line is shorter than half the head
  Point tip, left, right;
};
ArrowGeometry arrow_geometry(const LinePrim& line);

// Outline width of cross markers.
double marker_stroke_width(const MarkerPrim& marker);

// False for primitives with non-finite coordinates or sizes, or nothing visible to draw
// (zero-width lines): back ends skip them rather than emit NaN into files.
bool is_drawable(const Primitive& item);

// True when the primitive stands for a packet or journey (worth tagging in SVG).
bool has_tag(const Tag& tag);
bool same_tag(const Tag& a, const Tag& b);
const Tag& tag_of(const Primitive& item);

}  // namespace packetseq
