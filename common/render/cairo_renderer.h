// Cairo back ends: a display-list page to PNG, a document to a multi-page PDF.
#pragma once

#include <cairo.h>

#include <string>

#include "display/display_list.h"
#include "render/render_error.h"

namespace packetseq {

// Largest PNG side cairo can create, and a cap on pixels (1 GiB of ARGB32) per image.
inline constexpr int kMaxImageSide = 32767;
inline constexpr double kMaxImagePixels = 268435456.0;  // 2^28

// Draws `page` as a PNG of ceil(width*scale) x ceil(height*scale) pixels (ARGB32, white
// background). Throws RenderError("PATH: cause") — leaving no file at `path` — when the page
// is empty or not finite, larger than kMaxImageSide pixels in either dimension (layout
// paginates; this is a guard) or kMaxImagePixels in all, or on any cairo or I/O error.
void render_png(const Page& page, const std::string& path, double scale = 1.0);

// Writes one PDF page per Page, each of its own size (1 unit = 1 pt); text stays real,
// selectable text. The PDF title is doc.title. Throws RenderError("PATH: cause") — leaving no
// file at `path` — for a document without pages, a page of non-positive or non-finite size,
// or any cairo or I/O error.
void render_pdf(const Document& doc, const std::string& path);

// Draws the page's primitives on `cr` in page units (the caller sets up any scaling and the
// background). For on-screen use (GUI) as well as the file back ends above.
void draw_page(cairo_t* cr, const Page& page);

}  // namespace packetseq
