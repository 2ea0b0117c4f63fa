// SVG back end: a hand-written SVG 1.1 file whose labels stay real, searchable text.
#pragma once

#include <string>

#include "display/display_list.h"
#include "render/render_error.h"

namespace packetseq {

// Writes `page` as SVG 1.1 of width x height user units (1 unit = 1 CSS px, so the SVG shows
// at the PNG's size), white background. Text is <text> in "DejaVu Sans" (or "DejaVu Sans
// Mono") placed on the baseline pango computes, so it sits where the PNG draws it; colours are
// "#rrggbb" (+ fill-/stroke-opacity when translucent). Consecutive primitives with the same
// tag (arrow or journey >= 0) are wrapped in
//   <g class="arrow" data-arrow=".." data-journey=".." data-point=".." data-frame="..">
// (class "journey" when only the journey is set; data-* only for fields >= 0).
// Primitives with non-finite coordinates are skipped. Throws RenderError("PATH: cause") on a
// page of non-positive size or an I/O error, leaving no file at `path`.
void render_svg(const Page& page, const std::string& path);

// The same document as a string (what render_svg writes).
std::string svg_document(const Page& page);

}  // namespace packetseq
