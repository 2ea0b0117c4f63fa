// Draws the model's arrows as a character grid: one column band per lifeline.
#include "export/text_ladder.h"

#include <glib.h>

#include <algorithm>
#include <stdexcept>

#include "util/text_safety.h"

namespace packetseq {
namespace {

constexpr std::size_t kMinLane = 6;  // room for "|--X" and a lifeline

// One printed line as cells; a wide character fills its cell and leaves the next one empty.
class Row {
 public:
  explicit Row(std::size_t width) : cells_(width, " ") {}
  std::size_t width() const { return cells_.size(); }
  void put(std::size_t x, const char* glyph) {
    if (x < cells_.size()) cells_[x] = glyph;
  }
  // Writes `text` from column x, stopping before column `end`; returns the next free column.
  std::size_t write(std::size_t x, const std::string& text, std::size_t end) {
    end = std::min(end, cells_.size());
    const char* p = text.c_str();
    while (*p && x < end) {
      const gunichar c = g_utf8_get_char(p);
      const char* next = g_utf8_next_char(p);
      if (g_unichar_iszerowidth(c)) {
        if (x > 0) cells_[x - 1].append(p, next);
      } else if (g_unichar_iswide(c)) {
        if (x + 2 > end) break;
        cells_[x].assign(p, next);
        cells_[x + 1].clear();
        x += 2;
      } else {
        cells_[x++].assign(p, next);
      }
      p = next;
    }
    return x;
  }
  std::string text() const {
    std::string out;
    for (const auto& c : cells_) out += c;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

 private:
  std::vector<std::string> cells_;
};

// Clean single-line UTF-8: invalid bytes repaired, control characters as spaces.
std::string printable(const std::string& text) {
  std::string out = util::valid_utf8(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

// `text` cut to `columns` display columns, with "~" marking the cut.
std::string fit(const std::string& text, std::size_t columns) {
  if (display_width(text) <= columns) return text;
  if (columns == 0) return "";
  Row row(columns - 1);
  row.write(0, text, columns - 1);
  std::string cut = row.text();
  return cut + "~";
}

}  // namespace

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (const char* p = text.c_str(); *p; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    if (g_unichar_iszerowidth(c)) continue;
    width += g_unichar_iswide(c) ? 2 : 1;
  }
  return width;
}

std::string write_text_ladder(const Model& model, const TextDiagramOptions& options) {
  const std::int64_t origin = first_arrow_ns(model);
  const std::size_t width = options.width;
  std::vector<ArrowText> texts;
  texts.reserve(model.arrows.size());
  std::size_t time_width = 6;
  for (const auto& arrow : model.arrows) {
    texts.push_back(describe_arrow(model, arrow, options.labels, origin));
    time_width = std::max(time_width, texts.back().time.size());
  }
  const std::size_t left = time_width + 2;
  const std::size_t nodes = std::max<std::size_t>(model.nodes.size(), 1);
  if (width < left + nodes * kMinLane)
    throw std::invalid_argument(std::to_string(model.nodes.size()) + " lifelines need at least " +
                                std::to_string(left + nodes * kMinLane) +
                                " columns for the text diagram (--width " + std::to_string(width) +
                                ")");
  const std::size_t lane = (width - left) / nodes;
  std::vector<std::size_t> x(model.nodes.size());
  for (std::size_t n = 0; n < x.size(); ++n) x[n] = left + lane * n + lane / 2;

  auto lifelines = [&] {
    Row row(width);
    for (std::size_t xi : x) row.put(xi, "|");
    return row;
  };
  // A caption centred on its lifeline, within its lane.
  auto centred = [&](Row& row, std::size_t n, const std::string& caption) {
    const std::string text = fit(printable(caption), lane - 1);
    const std::size_t w = display_width(text);
    const std::size_t start =
        std::max<std::size_t>(x[n] >= w / 2 ? x[n] - w / 2 : 0, left + lane * n);
    row.write(start, text, left + lane * (n + 1));
  };

  std::string out;
  for (const auto& line : text_header(model, options.title, origin))
    out += fit(printable(line), width) + "\n";
  out += "\n";
  Row names(width), addresses(width);
  names.write(0, "time", left);
  bool any_address = false;
  for (std::size_t n = 0; n < x.size(); ++n) {
    const Node& node = model.nodes[n];
    centred(names, n, node.name);
    if (!node.addresses.empty() && node.addresses.front() != node.name) {
      centred(addresses, n, node.addresses.front());
      any_address = true;
    }
  }
  out += names.text() + "\n";
  if (any_address) out += addresses.text() + "\n";
  out += lifelines().text() + "\n";

  for (std::size_t i = 0; i < model.arrows.size(); ++i) {
    const Arrow& arrow = model.arrows[i];
    const ArrowText& t = texts[i];
    std::string label = printable(cut_label(t.label, options.max_label_bytes));
    if (!t.extra.empty()) label += " " + t.extra;
    Row row = lifelines();
    row.write(0, t.time, left);
    const std::size_t a = x[arrow.from_node];
    const std::size_t b = x[arrow.to_node];
    if (t.relay || a == b) {
      // A note beside the lifeline: right of it, or left when the right side is too narrow.
      row.put(a, "#");
      const std::size_t right_room = width > a + 2 ? width - a - 2 : 0;
      const std::size_t left_room = a >= left + 2 ? a - 2 - left : 0;
      const std::size_t w = display_width(label);
      if (w <= right_room || right_room >= left_room) {
        row.write(a + 2, fit(label, right_room), width);
      } else {
        const std::string text = fit(label, left_room);
        row.write(a - 1 - display_width(text), text, a - 1);
      }
      out += row.text() + "\n";
      continue;
    }
    const std::size_t lo = std::min(a, b), hi = std::max(a, b);
    const std::size_t mid = (a + b) / 2;
    // The shaft [s0, s1], lifelines excluded; a lost packet stops half-way at an X.
    std::size_t s0 = lo + 1, s1 = hi - 1;
    if (t.lost) {
      if (a < b)
        s1 = mid - 1;
      else
        s0 = mid + 1;
      row.put(mid, "X");
    }
    for (std::size_t c = s0; c <= s1; ++c) row.put(c, t.retransmission ? "=" : "-");
    if (!t.lost) row.put(a < b ? s1 : s0, a < b ? ">" : "<");
    // The label between the lifelines when it fits, else on a continuation row below.
    const std::size_t room_lo = s0 + 2;
    const std::size_t room_hi = s1 >= 2 ? s1 - 1 : 0;  // exclusive end
    const std::string text = " " + label + " ";
    if (room_hi > room_lo && display_width(text) <= room_hi - room_lo) {
      row.write(room_lo, text, room_hi);
      out += row.text() + "\n";
    } else {
      out += row.text() + "\n";
      Row more = lifelines();
      more.write(lo + 2, fit(label, width - std::min(width, lo + 2)), width);
      out += more.text() + "\n";
    }
  }
  out += lifelines().text() + "\n\n";
  // The legend, wrapped at item boundaries to the width.
  std::string line = "legend:";
  for (const char* item :
       {"--> packet", "==> retransmission", "--X lost before the next point",
        "# relay dwell (bytes held by a proxy)", "transit = arrival - departure"}) {
    if (display_width(line) + 2 + display_width(item) > width) {
      out += fit(line, width) + "\n";
      line = "       ";
    }
    line += std::string("  ") + item;
  }
  out += fit(line, width) + "\n";
  return out;
}

}  // namespace packetseq
