// Cairo back ends: PNG via an image surface, PDF via the PDF surface, sharing draw_page.
#include "render/cairo_renderer.h"

#include <cairo-pdf.h>

#include <cmath>
#include <memory>
#include <string>

#include "render/draw_style.h"
#include "render/output_file.h"
#include "text/pango_text_layout.h"

namespace packetseq {
namespace {

struct SurfaceDestroy {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDestroy {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDestroy>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDestroy>;

constexpr double kPi = 3.14159265358979323846;

void set_color(cairo_t* cr, const Color& c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }

void draw(cairo_t* cr, PangoContext*, const LinePrim& line) {
  const ArrowGeometry arrow = arrow_geometry(line);
  set_color(cr, line.color);
  if (arrow.has_shaft) {
    cairo_set_line_width(cr, line.width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (line.dashed) {
      const DashPattern dash = dash_pattern(line.width);
      const double dashes[] = {dash.on, dash.off};
      cairo_set_dash(cr, dashes, 2, 0);
    } else {
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    cairo_move_to(cr, line.from.x, line.from.y);
    cairo_line_to(cr, arrow.shaft_end.x, arrow.shaft_end.y);
    cairo_stroke(cr);
  }
  if (arrow.has_head) {
    cairo_move_to(cr, arrow.tip.x, arrow.tip.y);
    cairo_line_to(cr, arrow.left.x, arrow.left.y);
    cairo_line_to(cr, arrow.right.x, arrow.right.y);
    cairo_close_path(cr);
    cairo_fill(cr);
  }
}

void draw(cairo_t* cr, PangoContext*, const RectPrim& rect) {
  cairo_rectangle(cr, rect.x, rect.y, rect.w, rect.h);
  if (rect.has_fill) {
    set_color(cr, rect.fill);
    cairo_fill_preserve(cr);
  }
  if (rect.stroke_width > 0) {
    set_color(cr, rect.stroke);
    cairo_set_line_width(cr, rect.stroke_width);
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_stroke_preserve(cr);
  }
  cairo_new_path(cr);
}

void draw(cairo_t* cr, PangoContext* text_context, const TextPrim& text) {
  PangoLayoutPtr layout = create_text_layout(text_context, text.text, text.font);
  PangoRectangle logical;
  pango_layout_get_extents(layout.get(), nullptr, &logical);
  // (x, y) is the top-left of the logical box, whatever pango's own origin.
  cairo_move_to(cr, text.x - static_cast<double>(logical.x) / PANGO_SCALE,
                text.y - static_cast<double>(logical.y) / PANGO_SCALE);
  set_color(cr, text.color);
  if (cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_IMAGE) {
    // cairo 1.16 snaps glyphs to whole pixels on image surfaces, which makes small unhinted
    // text unevenly spaced ("Win =6424 0"); outlines are placed exactly where measured.
    pango_cairo_layout_path(cr, layout.get());
    cairo_fill(cr);
  } else {
    pango_cairo_show_layout(cr, layout.get());  // vector surfaces: keep real, selectable text
  }
  cairo_new_path(cr);
}

void draw(cairo_t* cr, PangoContext*, const MarkerPrim& marker) {
  const double x = marker.center.x;
  const double y = marker.center.y;
  const double r = marker.radius;
  set_color(cr, marker.color);
  switch (marker.shape) {
    case MarkerShape::kCross:
      cairo_set_line_width(cr, marker_stroke_width(marker));
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_dash(cr, nullptr, 0, 0);
      cairo_move_to(cr, x - r, y - r);
      cairo_line_to(cr, x + r, y + r);
      cairo_move_to(cr, x - r, y + r);
      cairo_line_to(cr, x + r, y - r);
      cairo_stroke(cr);
      break;
    case MarkerShape::kDot:
      cairo_new_sub_path(cr);
      cairo_arc(cr, x, y, r, 0, 2 * kPi);
      cairo_fill(cr);
      break;
    case MarkerShape::kDiamond:
      cairo_move_to(cr, x, y - r);
      cairo_line_to(cr, x + r, y);
      cairo_line_to(cr, x, y + r);
      cairo_line_to(cr, x - r, y);
      cairo_close_path(cr);
      cairo_fill(cr);
      break;
  }
}

std::string cairo_cause(cairo_status_t status) {
  return std::string("cairo: ") + cairo_status_to_string(status);
}

bool positive_size(double w, double h) {
  return std::isfinite(w) && std::isfinite(h) && w > 0 && h > 0;
}

}  // namespace

void draw_page(cairo_t* cr, const Page& page) {
  cairo_save(cr);
  PangoContextPtr text_context = create_text_context(cr);
  for (const Primitive& item : page.items) {
    if (!is_drawable(item)) continue;
    std::visit([&](const auto& p) { draw(cr, text_context.get(), p); }, item);
  }
  cairo_restore(cr);
}

void render_png(const Page& page, const std::string& path, double scale) {
  if (!positive_size(page.width, page.height)) {
    throw RenderError(path + ": page size " + std::to_string(page.width) + "x" +
                      std::to_string(page.height) + " is not positive");
  }
  if (!std::isfinite(scale) || scale <= 0) {
    throw RenderError(path + ": scale " + std::to_string(scale) + " is not positive");
  }
  const double width_px = std::ceil(page.width * scale);
  const double height_px = std::ceil(page.height * scale);
  if (width_px > kMaxImageSide || height_px > kMaxImageSide) {
    throw RenderError(path + ": page is " + std::to_string(static_cast<long long>(width_px)) + "x" +
                      std::to_string(static_cast<long long>(height_px)) + " pixels, more than " +
                      std::to_string(kMaxImageSide) + " in a dimension (split it into pages)");
  }
  if (width_px * height_px > kMaxImagePixels) {
    throw RenderError(path + ": page is " + std::to_string(static_cast<long long>(width_px)) + "x" +
                      std::to_string(static_cast<long long>(height_px)) +
                      " pixels, more than the image limit of " +
                      std::to_string(static_cast<long long>(kMaxImagePixels)) + " pixels");
  }
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(width_px),
                                                static_cast<int>(height_px)));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    throw RenderError(path + ": " + cairo_cause(cairo_surface_status(surface.get())));
  }
  ContextPtr cr(cairo_create(surface.get()));
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  cairo_scale(cr.get(), scale, scale);
  draw_page(cr.get(), page);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    throw RenderError(path + ": " + cairo_cause(cairo_status(cr.get())));
  }
  cr.reset();
  cairo_surface_flush(surface.get());

  OutputFile out(path);
  const cairo_status_t status =
      cairo_surface_write_to_png_stream(surface.get(), &OutputFile::cairo_write, &out);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw RenderError(path + ": " + (out.error().empty() ? cairo_cause(status) : out.error()));
  }
  out.commit();
}

void render_pdf(const Document& doc, const std::string& path) {
  if (doc.pages.empty()) throw RenderError(path + ": the document has no pages");
  for (std::size_t i = 0; i < doc.pages.size(); ++i) {
    const Page& page = doc.pages[i];
    if (!positive_size(page.width, page.height)) {
      throw RenderError(path + ": page " + std::to_string(i + 1) + " size " +
                        std::to_string(page.width) + "x" + std::to_string(page.height) +
                        " is not positive");
    }
  }
  OutputFile out(path);
  SurfacePtr surface(cairo_pdf_surface_create_for_stream(
      &OutputFile::cairo_write, &out, doc.pages.front().width, doc.pages.front().height));
  auto check = [&](cairo_status_t status) {
    if (status == CAIRO_STATUS_SUCCESS) return;
    throw RenderError(path + ": " + (out.error().empty() ? cairo_cause(status) : out.error()));
  };
  check(cairo_surface_status(surface.get()));
  const std::string title = sanitize_text(doc.title);
  if (!title.empty()) {
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "packetseq");
  {
    ContextPtr cr(cairo_create(surface.get()));
    for (const Page& page : doc.pages) {
      // Must precede any drawing on the page.
      cairo_pdf_surface_set_size(surface.get(), page.width, page.height);
      cairo_set_source_rgb(cr.get(), 1, 1, 1);
      cairo_paint(cr.get());
      draw_page(cr.get(), page);
      cairo_show_page(cr.get());
      check(cairo_status(cr.get()));
    }
  }
  cairo_surface_finish(surface.get());
  check(cairo_surface_status(surface.get()));
  surface.reset();
  out.commit();
}

}  // namespace packetseq
