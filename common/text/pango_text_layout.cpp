// Pango layouts for display-list text, configured identically for measuring and drawing.
#include "text/pango_text_layout.h"

#include <glib-object.h>

#include <algorithm>
#include <cmath>

namespace packetseq {
namespace {

constexpr double kDefaultFontSize = 9;
// Beyond these pango/cairo either refuse the font or produce absurd extents.
constexpr double kMinFontSize = 0.5;
constexpr double kMaxFontSize = 1000;
constexpr char kReplacementChar[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Characters XML 1.0 forbids; replaced here so PNG, PDF and SVG all show the same text.
bool is_forbidden_char(gunichar c) {
  if (c < 0x20) return c != '\t' && c != '\n' && c != '\r';
  return c == 0xFFFE || c == 0xFFFF;
}

}  // namespace

const char* font_family(const FontSpec& font) {
  return font.monospace ? kMonoFontFamily : kSansFontFamily;
}

double effective_font_size(const FontSpec& font) {
  if (!std::isfinite(font.size_pt)) return kDefaultFontSize;
  return std::clamp(font.size_pt, kMinFontSize, kMaxFontSize);
}

std::string sanitize_text(const std::string& utf8) {
  std::string out;
  out.reserve(utf8.size());
  const char* p = utf8.data();
  const char* const end = p + utf8.size();
  while (p < end) {
    const gchar* valid_end = nullptr;
    // g_utf8_validate_len also stops at NUL bytes, which we replace like invalid bytes.
    const bool valid = g_utf8_validate_len(p, static_cast<gsize>(end - p), &valid_end);
    for (const char* c = p; c < valid_end; c = g_utf8_next_char(c)) {
      const char* next = g_utf8_next_char(c);
      if (is_forbidden_char(g_utf8_get_char(c))) {
        out += kReplacementChar;
      } else {
        out.append(c, next);
      }
    }
    if (valid) break;
    out += kReplacementChar;  // one per bad byte, as g_utf8_make_valid does
    p = valid_end + 1;
  }
  return out;
}

void GObjectUnref::operator()(void* object) const {
  if (object != nullptr) g_object_unref(object);
}

void configure_text_context(PangoContext* context) {
  pango_cairo_context_set_resolution(context, 72.0);
  cairo_font_options_t* options = cairo_font_options_create();
  // Unhinted metrics: advances scale linearly, so widths match on every surface and scale.
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  // Grey rather than subpixel antialiasing: no colour fringes in PNG files.
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);
  // Rounding positions to whole device pixels would make widths depend on the PNG scale.
  pango_context_set_round_glyph_positions(context, FALSE);
  pango_context_set_language(context, pango_language_from_string("en"));
}

PangoLayoutPtr create_text_layout(PangoContext* context, const std::string& utf8,
                                  const FontSpec& font) {
  PangoLayoutPtr layout(pango_layout_new(context));
  PangoFontDescription* description = pango_font_description_new();
  pango_font_description_set_family_static(description, font_family(font));
  pango_font_description_set_weight(description,
                                    font.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(description, effective_font_size(font) * PANGO_SCALE);
  pango_layout_set_font_description(layout.get(), description);
  pango_font_description_free(description);
  const std::string text = sanitize_text(utf8);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

PangoContextPtr create_text_context(cairo_t* cr) {
  PangoContextPtr context(pango_cairo_create_context(cr));
  configure_text_context(context.get());
  return context;
}

PangoLayoutPtr create_text_layout(cairo_t* cr, const std::string& utf8, const FontSpec& font) {
  PangoContextPtr context = create_text_context(cr);
  return create_text_layout(context.get(), utf8, font);
}

TextSize layout_size(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return TextSize{static_cast<double>(logical.width) / PANGO_SCALE,
                  static_cast<double>(logical.height) / PANGO_SCALE};
}

std::vector<TextLine> layout_lines(PangoLayout* layout) {
  PangoRectangle layout_logical;
  pango_layout_get_extents(layout, nullptr, &layout_logical);
  const char* text = pango_layout_get_text(layout);
  std::vector<TextLine> lines;
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoLayoutLine* line = pango_layout_iter_get_line_readonly(iter);
    PangoRectangle line_logical;
    pango_layout_iter_get_line_extents(iter, nullptr, &line_logical);
    TextLine out;
    out.text.assign(text + line->start_index, static_cast<std::size_t>(line->length));
    out.x = static_cast<double>(line_logical.x - layout_logical.x) / PANGO_SCALE;
    out.baseline =
        static_cast<double>(pango_layout_iter_get_baseline(iter) - layout_logical.y) / PANGO_SCALE;
    lines.push_back(std::move(out));
  } while (pango_layout_iter_next_line(iter));
  pango_layout_iter_free(iter);
  return lines;
}

}  // namespace packetseq
