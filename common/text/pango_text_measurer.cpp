// PangoTextMeasurer: measures text on a private pango font map, with no surface or display.
#include "text/pango_text_measurer.h"

#include <mutex>

#include "text/pango_text_layout.h"

namespace packetseq {

struct PangoTextMeasurer::Impl {
  // A private font map rather than the per-thread default: the measurer may be created on one
  // thread and used on another (the GUI builds diagrams in the background).
  std::unique_ptr<PangoFontMap, GObjectUnref> font_map{pango_cairo_font_map_new()};
  PangoContextPtr context;
  std::mutex mutex;

  Impl() : context(pango_font_map_create_context(font_map.get())) {
    configure_text_context(context.get());
  }
};

PangoTextMeasurer::PangoTextMeasurer() : impl_(std::make_unique<Impl>()) {}

PangoTextMeasurer::~PangoTextMeasurer() = default;

TextSize PangoTextMeasurer::measure(const std::string& utf8, const FontSpec& font) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  PangoLayoutPtr layout = create_text_layout(impl_->context.get(), utf8, font);
  return layout_size(layout.get());
}

std::vector<TextLine> PangoTextMeasurer::lines(const std::string& utf8,
                                               const FontSpec& font) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  PangoLayoutPtr layout = create_text_layout(impl_->context.get(), utf8, font);
  return layout_lines(layout.get());
}

}  // namespace packetseq
