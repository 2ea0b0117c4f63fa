// Layout of the multi-node sequence diagram: columns, rows, labels, header, pagination.
#include "layout/layout.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>

#include "model/flags.h"
#include "model/header.h"
#include "model/names.h"
#include "util/time_format.h"

namespace packetseq {
namespace {

Color rgb(int r, int g, int b) { return Color{r / 255.0, g / 255.0, b / 255.0, 1.0}; }

const Color kInk = rgb(0x20, 0x20, 0x20);
const Color kMuted = rgb(0x60, 0x60, 0x60);
const Color kLifeline = rgb(0xa0, 0xa0, 0xa0);
const Color kBoxFill = rgb(0xee, 0xf2, 0xf7);
const Color kBoxStroke = rgb(0x50, 0x5a, 0x68);
const Color kLost = rgb(0xd0, 0x10, 0x10);
const Color kRelay = rgb(0x00, 0x80, 0x80);
const Color kGapFill = rgb(0xf4, 0xf4, 0xf4);

Color arrow_colour(const Arrow& arrow, const Observation& obs) {
  if (arrow.kind == ArrowKind::kRelay) return kRelay;
  const FlagColour c = colour_for_flags(obs.flags, obs.has_flags);
  return rgb(c.r, c.g, c.b);
}

// A vertical position of interest: one end of an arrow (or both ends of a flat arrow).
struct Event {
  std::int64_t time_ns;
  std::size_t arrow;
  int end;  // 0 = from (or both when flat), 1 = to
};

struct PlacedArrow {
  double y_from = 0, y_to = 0;
  std::string label;
  TextSize label_size;
};

// Shortens `text` with an ellipsis until it fits `width`.
std::string fit_text(const std::string& text, double width, const FontSpec& font,
                     const TextMeasurer& m, TextSize& size) {
  size = m.measure(text, font);
  if (size.width <= width || text.empty()) return text;
  // Cut on UTF-8 character boundaries.
  std::vector<std::size_t> bounds;
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) bounds.push_back(i);
  // Largest k such that the first k characters plus an ellipsis fit.
  std::size_t lo = 0, hi = bounds.size() - 1;
  std::string best = "\xE2\x80\xA6";
  TextSize best_size = m.measure(best, font);
  while (lo < hi) {
    const std::size_t mid = (lo + hi + 1) / 2;
    const std::string candidate = text.substr(0, bounds[mid]) + "\xE2\x80\xA6";
    const TextSize s = m.measure(candidate, font);
    if (s.width <= width) {
      best = candidate;
      best_size = s;
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  size = best_size;
  return best;
}

TextPrim make_text(double x, double y, const std::string& text, const TextSize& size,
                   const FontSpec& font, const Color& color, const Tag& tag = {}) {
  TextPrim t;
  t.x = x;
  t.y = y;
  t.w = size.width;
  t.h = size.height;
  t.text = text;
  t.font = font;
  t.color = color;
  t.tag = tag;
  return t;
}

}  // namespace

TimeMode parse_time_mode(const std::string& text) {
  if (text == "rows") return TimeMode::kRows;
  if (text == "proportional") return TimeMode::kProportional;
  throw std::invalid_argument("invalid time mode '" + text + "' (expected rows or proportional)");
}

Document layout_diagram(const Model& model, const LayoutOptions& options,
                        const TextMeasurer& measurer, const LayoutMetrics& mx) {
  Document doc;
  doc.title = options.title;
  const std::size_t node_count = model.nodes.size();
  const auto& arrows = model.arrows;

  // ---- Header text -------------------------------------------------------------------------
  std::vector<std::string> header_lines;
  std::size_t observation_total = 0;
  for (const auto& p : model.points) observation_total += p.observations.size();
  {
    std::string line = std::to_string(model.points.size()) + " capture point" +
                       (model.points.size() == 1 ? "" : "s") + ", " +
                       std::to_string(observation_total) + " packets, " +
                       std::to_string(arrows.size()) + " arrows";
    if (!options.filter.empty()) line += ", filter: " + options.filter;
    line += ", labels: " + std::string(label_mode_name(options.labels));
    header_lines.push_back(line);
  }
  for (const auto& p : model.points) header_lines.push_back(describe_capture_point(p));

  std::int64_t t0 = 0;
  if (!arrows.empty()) {
    t0 = arrows.front().from_ns;
    for (const auto& a : arrows) t0 = std::min({t0, a.from_ns, a.to_ns});
  }

  // ---- Node boxes -------------------------------------------------------------------------
  struct NodeBox {
    TextSize name;
    std::vector<std::pair<std::string, TextSize>> addresses;
    double w = 0, h = 0;
  };
  std::vector<NodeBox> boxes(node_count);
  double box_h = 0;
  for (std::size_t i = 0; i < node_count; ++i) {
    auto& b = boxes[i];
    const auto& node = model.nodes[i];
    b.name = measurer.measure(node.name, mx.node_font);
    b.w = b.name.width;
    b.h = b.name.height;
    for (const auto& a : node.addresses) {
      if (a == node.name) continue;
      TextSize s = measurer.measure(a, mx.address_font);
      b.addresses.emplace_back(a, s);
      b.w = std::max(b.w, s.width);
      b.h += s.height;
    }
    b.w += 2 * mx.box_pad;
    b.h += 2 * mx.box_pad;
    box_h = std::max(box_h, b.h);
  }

  // ---- Labels and column gaps --------------------------------------------------------------
  std::vector<PlacedArrow> placed(arrows.size());
  TextSize sample_label = measurer.measure("[SYN, ACK] Ag", mx.label_font);
  const double label_h = sample_label.height;
  std::vector<double> gaps(node_count > 1 ? node_count - 1 : 0, mx.min_gap);
  for (std::size_t i = 0; i + 1 < node_count; ++i)
    gaps[i] = std::max(gaps[i], (boxes[i].w + boxes[i + 1].w) / 2 + mx.label_pad);
  std::vector<TextSize> raw_size(arrows.size());
  for (std::size_t i = 0; i < arrows.size(); ++i) {
    const auto& a = arrows[i];
    std::string label = arrow_label(model.at(a.observation), options.labels);
    if (!a.note.empty()) label = a.kind == ArrowKind::kRelay ? a.note : label + "  " + a.note;
    if (a.kind == ArrowKind::kLost && a.note.empty()) label += "  (lost)";
    placed[i].label = label;
    raw_size[i] = measurer.measure(label, mx.label_font);
    const std::size_t lo = std::min(a.from_node, a.to_node), hi = std::max(a.from_node, a.to_node);
    if (hi == lo + 1)
      gaps[lo] = std::max(gaps[lo], std::min(mx.max_gap, raw_size[i].width + 2 * mx.label_pad));
  }
  for (std::size_t i = 0; i < arrows.size(); ++i) {  // wider spans: share the extra room evenly
    const auto& a = arrows[i];
    const std::size_t lo = std::min(a.from_node, a.to_node), hi = std::max(a.from_node, a.to_node);
    if (hi <= lo + 1) continue;
    double span = 0;
    for (std::size_t g = lo; g < hi; ++g) span += gaps[g];
    const double need = std::min(mx.max_gap * (hi - lo), raw_size[i].width + 2 * mx.label_pad);
    if (span < need)
      for (std::size_t g = lo; g < hi; ++g) gaps[g] += (need - span) / (hi - lo);
  }

  // Time gutter, left of the first lifeline.
  const TextSize time_size = measurer.measure("00:00:00.000000  +000.000000", mx.time_font);
  const double gutter = time_size.width + mx.margin;
  std::vector<double> xs(node_count);
  double x = mx.margin + gutter + (node_count ? boxes[0].w / 2 : 0);
  for (std::size_t i = 0; i < node_count; ++i) {
    if (i > 0) x += gaps[i - 1];
    xs[i] = x;
  }
  double self_room = 0;  // arrows from a node to itself loop to the right
  for (const auto& a : arrows)
    if (a.from_node == a.to_node) self_room = mx.min_gap / 2;
  double page_w = (node_count ? xs.back() + boxes.back().w / 2 : x) + self_room + mx.margin;

  std::vector<TextSize> header_sizes;
  const TextSize title_size = measurer.measure(options.title, mx.title_font);
  page_w = std::max(page_w, title_size.width + 2 * mx.margin);
  for (const auto& l : header_lines) {
    header_sizes.push_back(measurer.measure(l, mx.header_font));
    page_w = std::max(page_w, header_sizes.back().width + 2 * mx.margin);
  }

  // Final labels, ellipsized to the room between their lifelines.
  for (std::size_t i = 0; i < arrows.size(); ++i) {
    const auto& a = arrows[i];
    const double room = a.from_node == a.to_node
                            ? std::max(self_room, mx.min_gap) * 2
                            : std::fabs(xs[a.to_node] - xs[a.from_node]) - 2 * mx.label_pad / 2;
    placed[i].label = fit_text(placed[i].label, std::max(room, 20.0), mx.label_font, measurer,
                               placed[i].label_size);
  }

  // ---- Header height -----------------------------------------------------------------------
  double header_h = mx.margin + title_size.height + 4;
  for (const auto& s : header_sizes) header_h += s.height + 1;
  header_h += 10;
  const double boxes_top = header_h;
  header_h += box_h + 10;

  // ---- Rows: vertical position of every event ------------------------------------------------
  std::vector<Event> events;
  events.reserve(arrows.size() * 2);
  for (std::size_t i = 0; i < arrows.size(); ++i) {
    const auto& a = arrows[i];
    const bool flat = a.from_ns == a.to_ns || a.kind == ArrowKind::kLost;
    events.push_back(Event{a.from_ns, i, 0});
    if (!flat) events.push_back(Event{a.to_ns, i, 1});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& l, const Event& r) {
    return l.time_ns != r.time_ns ? l.time_ns < r.time_ns : l.arrow < r.arrow;
  });

  const double row_h = label_h + mx.row_gap + 4;
  struct TimeMark {
    double y;
    std::int64_t time_ns;
  };
  std::vector<TimeMark> time_marks;
  struct GapMark {
    double y0, y1;
    std::int64_t idle_ns;
  };
  std::vector<GapMark> gap_marks;
  double body_h = 0;
  if (options.time_mode == TimeMode::kRows) {
    for (std::size_t r = 0; r < events.size(); ++r) {
      const double y = r * row_h + label_h + 6;
      const auto& e = events[r];
      if (e.end == 0) {
        placed[e.arrow].y_from = y;
        if (arrows[e.arrow].from_ns == arrows[e.arrow].to_ns ||
            arrows[e.arrow].kind == ArrowKind::kLost)
          placed[e.arrow].y_to = y;
      } else {
        placed[e.arrow].y_to = y;
      }
      time_marks.push_back(TimeMark{y, e.time_ns});
    }
    body_h = events.size() * row_h + mx.row_gap;
  } else {
    // Every step gets at least a label's height, so labels never collide; beyond that, time is
    // proportional at a scale that spends about half the rows' height again on time. An idle
    // gap (at least idle_gap_ns without packets) that would take more than gap_limit is
    // collapsed to a band marked with its duration; such gaps are chosen largest first and
    // left out of the scale, so one idle hour does not squash the rest. Shorter waits (a
    // proxy's hold, a server's think time) stay proportional: they are where the time went.
    const double min_step = label_h + 3;
    const double gap_limit = 12 * row_h;
    const double gap_band = 3 * row_h;
    std::vector<std::int64_t> steps;
    std::int64_t active = 0;
    for (std::size_t i = 1; i < events.size(); ++i) {
      steps.push_back(events[i].time_ns - events[i - 1].time_ns);
      active += steps.back();
    }
    const double budget = std::max(0.5 * static_cast<double>(events.size()) * row_h, 1500.0);
    std::sort(steps.begin(), steps.end(), std::greater<>());
    std::int64_t collapse_from = std::numeric_limits<std::int64_t>::max();
    for (std::int64_t step : steps) {
      if (step < mx.idle_gap_ns || active - step <= 0) break;
      if (static_cast<double>(step) * budget / static_cast<double>(active - step) <= gap_limit)
        break;
      collapse_from = step;
      active -= step;
    }
    const double px_per_ns = active > 0 ? budget / static_cast<double>(active) : 0;
    double y = label_h + 6;
    double last_mark_y = -1e9;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (i > 0) {
        const std::int64_t dt = events[i].time_ns - events[i - 1].time_ns;
        const double dy = dt * px_per_ns;
        if (dt >= collapse_from) {
          gap_marks.push_back(GapMark{y + 0.5 * row_h, y + gap_band - 0.5 * row_h, dt});
          y += gap_band;
        } else {
          y += std::max(dy, min_step);
        }
      }
      const auto& e = events[i];
      if (e.end == 0) {
        placed[e.arrow].y_from = y;
        if (arrows[e.arrow].from_ns == arrows[e.arrow].to_ns ||
            arrows[e.arrow].kind == ArrowKind::kLost)
          placed[e.arrow].y_to = y;
      } else {
        placed[e.arrow].y_to = y;
      }
      if (y - last_mark_y >= time_size.height + 1) {
        time_marks.push_back(TimeMark{y, e.time_ns});
        last_mark_y = y;
      }
    }
    body_h = y + mx.row_gap + row_h / 2;
  }

  // Self loops (relay dwell) that overlap in time at one node get lanes further right.
  std::vector<int> loop_lane(arrows.size(), 0);
  {
    std::vector<std::size_t> loops;
    for (std::size_t i = 0; i < arrows.size(); ++i)
      if (arrows[i].from_node == arrows[i].to_node && arrows[i].kind != ArrowKind::kLost)
        loops.push_back(i);
    std::stable_sort(loops.begin(), loops.end(), [&](std::size_t l, std::size_t r) {
      return placed[l].y_from < placed[r].y_from;
    });
    std::map<std::size_t, std::vector<double>> lane_end;  // node -> bottom y of each lane
    for (std::size_t i : loops) {
      auto& ends = lane_end[arrows[i].from_node];
      const double top = placed[i].y_from, bottom = std::max(placed[i].y_to, top + 6);
      std::size_t lane = 0;
      while (lane < ends.size() && ends[lane] > top - 2) ++lane;
      if (lane == ends.size()) ends.push_back(0);
      ends[lane] = bottom;
      loop_lane[i] = static_cast<int>(std::min<std::size_t>(lane, 6));
    }
  }

  // ---- Pages -----------------------------------------------------------------------------
  const double footer_h = mx.margin + 10;
  double window = body_h;
  if (options.max_page_height > 0) {
    window = options.max_page_height - header_h - footer_h;
    if (window < 4 * row_h)
      throw std::invalid_argument("page height too small for the diagram header");
    if (options.time_mode == TimeMode::kRows) window = std::floor(window / row_h) * row_h;
  }
  const std::size_t page_count =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(body_h / window - 1e-9)));

  for (std::size_t pg = 0; pg < page_count; ++pg) {
    const double w0 = pg * window;
    const double w1 = std::min(body_h, w0 + window);
    Page page;
    page.width = std::ceil(page_w);
    page.height = std::ceil(header_h + (w1 - w0) + footer_h);
    auto to_page = [&](double body_y) { return header_h + (body_y - w0); };
    auto& items = page.items;

    // Header: title, capture points, node boxes.
    double y = mx.margin;
    items.push_back(make_text(mx.margin, y, options.title, title_size, mx.title_font, kInk));
    if (page_count > 1) {
      const std::string pn = "page " + std::to_string(pg + 1) + " of " + std::to_string(page_count);
      const TextSize s = measurer.measure(pn, mx.header_font);
      items.push_back(
          make_text(page.width - mx.margin - s.width, y, pn, s, mx.header_font, kMuted));
    }
    y += title_size.height + 4;
    for (std::size_t i = 0; i < header_lines.size(); ++i) {
      items.push_back(make_text(mx.margin, y, header_lines[i], header_sizes[i], mx.header_font,
                                i == 0 ? kInk : kMuted));
      y += header_sizes[i].height + 1;
    }
    if (!time_marks.empty() || !arrows.empty()) {
      const std::string head = "time (UTC)  relative";
      const TextSize s = measurer.measure(head, mx.time_font);
      items.push_back(
          make_text(mx.margin, boxes_top + box_h - s.height, head, s, mx.time_font, kMuted));
    }
    for (std::size_t i = 0; i < node_count; ++i) {
      const auto& b = boxes[i];
      RectPrim r;
      r.x = xs[i] - b.w / 2;
      r.y = boxes_top + (box_h - b.h);
      r.w = b.w;
      r.h = b.h;
      r.fill = kBoxFill;
      r.stroke = kBoxStroke;
      r.stroke_width = 1;
      items.push_back(r);
      double ty = r.y + mx.box_pad;
      items.push_back(
          make_text(xs[i] - b.name.width / 2, ty, model.nodes[i].name, b.name, mx.node_font, kInk));
      ty += b.name.height;
      for (const auto& [text, size] : b.addresses) {
        items.push_back(make_text(xs[i] - size.width / 2, ty, text, size, mx.address_font, kMuted));
        ty += size.height;
      }
    }
    // Lifelines.
    for (std::size_t i = 0; i < node_count; ++i) {
      LinePrim l;
      l.from = {xs[i], boxes_top + box_h};
      l.to = {xs[i], header_h + (w1 - w0)};
      l.color = kLifeline;
      l.width = 1;
      items.push_back(l);
    }
    // Idle gaps (proportional mode).
    for (const auto& g : gap_marks) {
      if (g.y1 < w0 || g.y0 >= w1) continue;
      RectPrim r;
      r.x = mx.margin;
      r.y = to_page(std::max(g.y0, w0));
      r.w = page.width - 2 * mx.margin;
      r.h = to_page(std::min(g.y1, w1)) - r.y;
      r.fill = kGapFill;
      items.push_back(r);
      const std::string text = "\xE2\x8B\xAF " + format_duration(g.idle_ns) +
                               " without packets (collapsed) \xE2\x8B\xAF";
      const TextSize s = measurer.measure(text, mx.label_font);
      const double cy = (g.y0 + g.y1) / 2;
      if (cy >= w0 && cy < w1)
        items.push_back(make_text(mx.margin + gutter, to_page(cy) - s.height / 2, text, s,
                                  mx.label_font, kMuted));
    }
    // Time labels in the gutter.
    for (const auto& m : time_marks) {
      if (m.y < w0 || m.y >= w1) continue;
      const std::string text =
          format_time_of_day(m.time_ns) + "  " + format_relative(m.time_ns - t0);
      const TextSize s = measurer.measure(text, mx.time_font);
      items.push_back(
          make_text(mx.margin, to_page(m.y) - s.height / 2, text, s, mx.time_font, kMuted));
    }
    // Arrows, clipped to this page's window.
    for (std::size_t i = 0; i < arrows.size(); ++i) {
      const auto& a = arrows[i];
      const auto& p = placed[i];
      const double ya = p.y_from, yb = p.y_to;
      if (std::max(ya, yb) < w0 || std::min(ya, yb) >= w1) continue;
      const Observation& obs = model.at(a.observation);
      Tag tag;
      tag.arrow = static_cast<std::int64_t>(i);
      tag.journey = a.journey;
      tag.point = static_cast<std::int64_t>(a.observation.point);
      tag.frame = static_cast<std::int64_t>(obs.frame);
      const Color colour = arrow_colour(a, obs);

      double xa = xs[a.from_node], xb = xs[a.to_node];
      if (a.kind == ArrowKind::kLost) {
        if (a.from_node != a.to_node) {
          xb = xa + (xb - xa) * 0.5;  // dies halfway to the next node
        } else {
          // Lost between two capture points of one node (e.g. a firewall's two interfaces):
          // a short stub towards where the packet was heading, ending in the cross.
          const long dst = find_node(model, obs.dst);
          const double dir = dst >= 0 && static_cast<std::size_t>(dst) < a.from_node ? -1 : 1;
          xb = xa + dir * std::min(40.0, mx.min_gap / 3);
        }
      }
      if (a.from_node == a.to_node && a.kind != ArrowKind::kLost) {  // self loop: out, down, back
        const double dx = std::max(self_room, 30.0) * 0.6 + 7 * loop_lane[i];
        const double y_top = to_page(std::max(ya, w0));
        const double y_end = yb > ya ? to_page(std::min(yb, w1)) : to_page(ya) + 6;
        const Point corners[4] = {{xa, y_top}, {xa + dx, y_top}, {xa + dx, y_end}, {xa, y_end}};
        for (int seg = 0; seg < 3; ++seg) {
          if (seg == 0 && ya < w0) continue;   // the start is on an earlier page
          if (seg == 2 && yb >= w1) continue;  // the end is on a later page
          LinePrim l;
          l.from = corners[seg];
          l.to = corners[seg + 1];
          l.color = colour;
          l.width = 1.4;
          l.dashed = a.kind == ArrowKind::kRelay;
          l.arrow_head = seg == 2;
          l.tag = tag;
          items.push_back(l);
        }
      } else {
        // Clip the segment to [w0, w1) so slanted arrows continue on the next page.
        double cxa = xa, cya = ya, cxb = xb, cyb = yb;
        auto at_y = [&](double yy) {
          return ya == yb ? xa : xa + (xb - xa) * (yy - ya) / (yb - ya);
        };
        if (cya < w0) {
          cxa = at_y(w0);
          cya = w0;
        }
        if (cya >= w1) {
          cxa = at_y(w1);
          cya = w1;
        }
        if (cyb < w0) {
          cxb = at_y(w0);
          cyb = w0;
        }
        if (cyb >= w1) {
          cxb = at_y(w1);
          cyb = w1;
        }
        LinePrim l;
        l.from = {cxa, to_page(cya)};
        l.to = {cxb, to_page(cyb)};
        l.color = colour;
        l.width = 1.4;
        l.dashed = a.kind == ArrowKind::kRelay;
        l.arrow_head = a.kind != ArrowKind::kLost && yb >= w0 && yb < w1;
        l.tag = tag;
        items.push_back(l);
      }
      if (a.kind == ArrowKind::kLost && yb >= w0 && yb < w1) {
        MarkerPrim m;
        m.center = {xb, to_page(yb)};
        m.radius = 5;
        m.shape = MarkerShape::kCross;
        m.color = kLost;
        m.tag = tag;
        items.push_back(m);
      }
      if ((obs.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission)) &&
          ya >= w0 && ya < w1) {
        MarkerPrim m;
        m.center = {xa, to_page(ya)};
        m.radius = 4;
        m.shape = MarkerShape::kDiamond;
        m.color = kLost;
        m.tag = tag;
        items.push_back(m);
      }
      if (a.ambiguous && ya >= w0 && ya < w1) {
        MarkerPrim m;
        m.center = {xa, to_page(ya)};
        m.radius = 3;
        m.shape = MarkerShape::kDot;
        m.color = kMuted;
        m.tag = tag;
        items.push_back(m);
      }
      // Label in the label band of the departure row, so a slanted arrow falls away from it.
      const double ym = ya;
      if (ym >= w0 && ym < w1 && !p.label.empty()) {
        double lx;
        if (a.from_node == a.to_node)
          lx = xa + std::max(self_room, 30.0) * 0.6 + 7 * loop_lane[i] + 4;
        else
          lx = (xa + xb) / 2 - p.label_size.width / 2;
        const double ly = to_page(ym) - p.label_size.height - 1.5;
        items.push_back(make_text(lx, ly, p.label, p.label_size, mx.label_font, kInk, tag));
      }
    }
    doc.pages.push_back(std::move(page));
  }
  return doc;
}

}  // namespace packetseq
