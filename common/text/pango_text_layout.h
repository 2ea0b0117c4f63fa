// Pango layouts for display-list text: the single text implementation measurement and every
// cairo back end share, so text is drawn exactly as it was measured.
#pragma once

#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <vector>

#include "display/display_list.h"
#include "display/text_measurer.h"
#include "text/pango_text_measurer.h"

namespace packetseq {

inline constexpr const char* kSansFontFamily = "DejaVu Sans";
inline constexpr const char* kMonoFontFamily = "DejaVu Sans Mono";

// kMonoFontFamily for monospace fonts, kSansFontFamily otherwise.
const char* font_family(const FontSpec& font);

// The font size pango uses for `font`: size_pt clamped to a sane range (NaN -> default 9).
double effective_font_size(const FontSpec& font);

// `utf8` as pango and XML accept it: invalid UTF-8 sequences and NUL bytes become U+FFFD.
std::string sanitize_text(const std::string& utf8);

struct GObjectUnref {
  void operator()(void* object) const;
};
using PangoLayoutPtr = std::unique_ptr<PangoLayout, GObjectUnref>;
using PangoContextPtr = std::unique_ptr<PangoContext, GObjectUnref>;

// Applies the fixed text settings to a pango-cairo context: 72 dpi, hint metrics off, hint
// style none, grey antialiasing, unrounded glyph positions, language "en" (so results do not
// depend on the process locale).
void configure_text_context(PangoContext* context);

// A context for drawing on `cr` (takes cr's current transformation into account), configured
// with configure_text_context. Reuse it for all the text of one page: cheaper than one per
// text. The default font map behind it is per thread, so back ends may draw from any thread.
PangoContextPtr create_text_context(cairo_t* cr);

// A layout of `utf8` in `font` on a context already set up with configure_text_context.
PangoLayoutPtr create_text_layout(PangoContext* context, const std::string& utf8,
                                  const FontSpec& font);

// A layout for drawing on `cr` (any surface, any transformation) with the same settings as
// PangoTextMeasurer. Draw it with cairo_move_to(cr, x, y) + pango_cairo_show_layout(cr, ...)
// to put the logical box's top-left at (x, y). Never null.
PangoLayoutPtr create_text_layout(cairo_t* cr, const std::string& utf8, const FontSpec& font);

// The layout's logical extents in units (see PangoTextMeasurer::measure).
TextSize layout_size(PangoLayout* layout);

// The layout's lines with their baselines (see PangoTextMeasurer::lines).
std::vector<TextLine> layout_lines(PangoLayout* layout);

}  // namespace packetseq
