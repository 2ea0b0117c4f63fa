// Layout: turns the model into pages of device-independent primitives (no drawing here).
#pragma once

#include <string>
#include <vector>

#include "display/display_list.h"
#include "display/text_measurer.h"
#include "model/labels.h"
#include "model/model.h"

namespace packetseq {

enum class TimeMode {
  kRows,          // one row per event, as the seed drew it
  kProportional,  // vertical distance proportional to time, long idle gaps collapsed and marked
};

// "rows" | "proportional"; throws std::invalid_argument.
TimeMode parse_time_mode(const std::string& text);

struct LayoutOptions {
  LabelMode labels = LabelMode::kDefault;
  TimeMode time_mode = TimeMode::kRows;
  double max_page_height = 0;  // 0: everything on one page; else pages no taller than this
  std::string title = "packetseq";
  std::string filter;  // shown in the header
};

// Geometry constants, in units (px in PNG, pt in PDF/SVG). Exposed so tests can reason on them.
struct LayoutMetrics {
  double margin = 16;
  double min_gap = 150;  // between lifelines
  double max_gap = 640;
  double label_pad = 12;  // free space around a label between its lifelines
  double row_gap = 8;     // below a label before the next row
  double box_pad = 6;
  std::int64_t idle_gap_ns = 1'000'000'000;  // proportional mode: shorter waits are never collapsed
  FontSpec title_font{11, true, false};
  FontSpec header_font{8.5, false, false};
  FontSpec node_font{10, true, false};
  FontSpec address_font{8, false, false};
  FontSpec label_font{8.5, false, false};
  FontSpec time_font{8, false, true};
};

Document layout_diagram(const Model& model, const LayoutOptions& options,
                        const TextMeasurer& measurer, const LayoutMetrics& metrics = {});

}  // namespace packetseq
