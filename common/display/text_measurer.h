// Text measurement interface used by layout; the one implementation is pango (PangoTextMeasurer).
#pragma once

#include <string>

#include "display/display_list.h"

namespace packetseq {

struct TextSize {
  double width = 0;
  double height = 0;
};

class TextMeasurer {
 public:
  virtual ~TextMeasurer() = default;
  virtual TextSize measure(const std::string& utf8, const FontSpec& font) const = 0;
};

}  // namespace packetseq
