// Text measurement with pango (offscreen, no display): the TextMeasurer that layout uses.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "display/display_list.h"
#include "display/text_measurer.h"

namespace packetseq {

// One line of a laid-out text, for back ends that place text by its baseline (SVG).
struct TextLine {
  std::string text;     // the line's UTF-8 characters, without the line break
  double x = 0;         // left edge of the line's logical box, from the text's left edge
  double baseline = 0;  // the line's baseline, from the top of the text's logical box
};

// Measures UTF-8 text in "DejaVu Sans" (FontSpec::monospace: "DejaVu Sans Mono"), bold or
// regular, FontSpec::size_pt at 72 dpi so 1 pt = 1 unit. Metrics are unhinted and glyph
// positions unrounded, so sizes do not depend on the output surface or its scale: PNG at any
// scale, PDF and SVG all draw the text exactly as wide as measured here.
//
// measure() returns the pango layout's LOGICAL extents: width = advance width of the widest
// line, height = number of lines x line height (font ascent + descent), so an empty string
// is 0 wide and one line high. TextPrim (x, y) is the top-left corner of this logical box;
// ink (glyph outlines) may stick out of it slightly (italic overhangs, accents above caps).
// '\n' starts a new line; text is never wrapped. Invalid UTF-8 is drawn as U+FFFD.
//
// Thread safety: each measurer owns its own pango font map; calls on one measurer are
// serialised by a mutex, so one measurer may be shared between threads.
class PangoTextMeasurer : public TextMeasurer {
 public:
  PangoTextMeasurer();
  ~PangoTextMeasurer() override;
  PangoTextMeasurer(const PangoTextMeasurer&) = delete;
  PangoTextMeasurer& operator=(const PangoTextMeasurer&) = delete;

  TextSize measure(const std::string& utf8, const FontSpec& font) const override;

  // The lines of `utf8` with their baselines, relative to the logical box's top-left.
  std::vector<TextLine> lines(const std::string& utf8, const FontSpec& font) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace packetseq
