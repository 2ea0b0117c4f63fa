// Layout invariants: endpoints on lifelines, time order, header clear of arrows, pagination.
#include "layout/layout.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "model/arrows.h"
#include "model/flags.h"
#include "model/names.h"

namespace packetseq {
namespace {

// Isolates layout from font rendering: every character is 0.6 em wide, lines 1.2 em high.
class FixedWidthMeasurer : public TextMeasurer {
 public:
  TextSize measure(const std::string& s, const FontSpec& f) const override {
    std::size_t chars = 0;
    for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
    return TextSize{chars * f.size_pt * 0.6, f.size_pt * 1.2};
  }
};

Observation packet(std::size_t point, std::uint64_t frame, std::int64_t t, const char* src,
                   const char* dst, std::uint16_t flags, const std::string& info) {
  Observation o;
  o.point = point;
  o.frame = frame;
  o.time_ns = t;
  o.src = src;
  o.dst = dst;
  o.flags = flags;
  o.info = info;
  return o;
}

// Three nodes; the client talks to the server through a proxy, seen at two points.
Model three_node_model(int repeat = 1) {
  Model m;
  m.points.resize(2);
  m.points[0].name = "client";
  m.points[1].name = "proxy";
  std::int64_t t = 1'000'000'000'000'000'000LL;
  std::uint64_t frame = 1;
  for (int r = 0; r < repeat; ++r) {
    m.points[0].observations.push_back(
        packet(0, frame++, t += 1000, "10.0.0.1", "10.0.0.2", kSyn, "1 > 2 [SYN] Seq=0"));
    m.points[0].observations.push_back(packet(0, frame++, t += 9000, "10.0.0.2", "10.0.0.1",
                                              kSyn | kAck, "2 > 1 [SYN, ACK] Seq=0 Ack=1"));
    m.points[1].observations.push_back(
        packet(1, frame++, t += 500, "10.0.1.2", "10.0.1.3", kSyn, "3 > 4 [SYN] Seq=0"));
    m.points[1].observations.push_back(
        packet(1, frame++, t += 100, "10.0.1.3", "10.0.1.2", kRst | kAck,
               "4 > 3 [RST, ACK] Seq=1 Ack=1 " + std::string(200, 'x')));
    m.points[0].observations.push_back(packet(0, frame++, t += 3000, "10.0.0.1", "10.0.0.2",
                                              kPsh | kAck, "1 > 2 [PSH, ACK] Len=100"));
  }
  NameTable names;
  names.set("10.0.0.1", "Client");
  names.set("10.0.0.2", "Proxy");
  names.set("10.0.1.2", "Proxy");
  names.set("10.0.1.3", "Server");
  build_nodes(m, names);
  build_observation_arrows(m);
  return m;
}

struct Drawn {
  std::map<std::int64_t, LinePrim> arrow_lines;  // by arrow index
  std::vector<RectPrim> boxes;
  std::vector<LinePrim> lifelines;
  std::vector<TextPrim> labels;
};

Drawn collect(const Page& page) {
  Drawn d;
  for (const auto& item : page.items) {
    if (auto* l = std::get_if<LinePrim>(&item)) {
      if (l->tag.arrow >= 0)
        d.arrow_lines[l->tag.arrow] = *l;
      else
        d.lifelines.push_back(*l);
    } else if (auto* r = std::get_if<RectPrim>(&item)) {
      if (r->stroke_width > 0) d.boxes.push_back(*r);
    } else if (auto* t = std::get_if<TextPrim>(&item)) {
      if (t->tag.arrow >= 0) d.labels.push_back(*t);
    }
  }
  return d;
}

TEST(Layout, ArrowEndpointsSitOnTheirLifelines) {
  const Model m = three_node_model();
  FixedWidthMeasurer fm;
  const Document doc = layout_diagram(m, LayoutOptions{}, fm);
  ASSERT_EQ(doc.pages.size(), 1u);
  const Drawn d = collect(doc.pages[0]);
  ASSERT_EQ(d.lifelines.size(), 3u);
  ASSERT_EQ(d.boxes.size(), 3u);
  ASSERT_EQ(d.arrow_lines.size(), m.arrows.size());
  for (std::size_t n = 0; n < 3; ++n)  // lifeline runs down the middle of its node box
    EXPECT_DOUBLE_EQ(d.lifelines[n].from.x, d.boxes[n].x + d.boxes[n].w / 2);
  for (const auto& [i, line] : d.arrow_lines) {
    const Arrow& a = m.arrows[static_cast<std::size_t>(i)];
    EXPECT_DOUBLE_EQ(line.from.x, d.lifelines[a.from_node].from.x);
    EXPECT_DOUBLE_EQ(line.to.x, d.lifelines[a.to_node].from.x);
    EXPECT_TRUE(line.arrow_head);
    EXPECT_EQ(line.tag.frame, static_cast<std::int64_t>(m.at(a.observation).frame));
  }
}

TEST(Layout, RowsFollowTimeOrderAndDoNotOverlap) {
  const Model m = three_node_model(3);
  FixedWidthMeasurer fm;
  const Drawn d = collect(layout_diagram(m, LayoutOptions{}, fm).pages[0]);
  double previous_y = -1;
  for (std::size_t i = 0; i < m.arrows.size(); ++i) {
    const double y = d.arrow_lines.at(static_cast<std::int64_t>(i)).from.y;
    EXPECT_GT(y, previous_y) << "arrow " << i;
    if (i > 0) {
      EXPECT_GE(m.arrows[i].from_ns, m.arrows[i - 1].from_ns);
    }
    previous_y = y;
  }
  // Labels sit between their arrow's lifelines and above the arrow, clear of the previous row.
  for (const auto& t : d.labels) {
    const LinePrim& line = d.arrow_lines.at(t.tag.arrow);
    EXPECT_GE(t.x, std::min(line.from.x, line.to.x)) << t.text;
    EXPECT_LE(t.x + t.w, std::max(line.from.x, line.to.x)) << t.text;
    EXPECT_LT(t.y + t.h, line.from.y);
    if (t.tag.arrow > 0) {
      EXPECT_GT(t.y, d.arrow_lines.at(t.tag.arrow - 1).from.y);
    }
  }
}

TEST(Layout, LongLabelsAreShortenedWithEllipsis) {
  const Model m = three_node_model();
  FixedWidthMeasurer fm;
  LayoutOptions o;
  o.labels = LabelMode::kInfo;
  const Drawn d = collect(layout_diagram(m, o, fm).pages[0]);
  bool shortened = false;
  for (const auto& t : d.labels)
    if (t.text.find("\xE2\x80\xA6") != std::string::npos) shortened = true;
  EXPECT_TRUE(shortened);
}

TEST(Layout, HeaderStaysClearOfArrows) {
  const Model m = three_node_model(2);
  FixedWidthMeasurer fm;
  const Drawn d = collect(layout_diagram(m, LayoutOptions{}, fm).pages[0]);
  double header_bottom = 0;
  for (const auto& b : d.boxes) header_bottom = std::max(header_bottom, b.y + b.h);
  for (const auto& [i, line] : d.arrow_lines)
    EXPECT_GT(std::min(line.from.y, line.to.y), header_bottom);
  for (const auto& t : d.labels) EXPECT_GT(t.y, header_bottom) << t.text;
}

TEST(Layout, SummaryLabelsAreTheFlags) {
  const Model m = three_node_model();
  FixedWidthMeasurer fm;
  LayoutOptions o;
  o.labels = LabelMode::kSummary;
  const Drawn d = collect(layout_diagram(m, o, fm).pages[0]);
  std::set<std::string> texts;
  for (const auto& t : d.labels) texts.insert(t.text);
  EXPECT_EQ(texts, (std::set<std::string>{"[SYN]", "[SYN, ACK]", "[RST, ACK]", "[PSH, ACK]"}));
}

TEST(Layout, ArrowColoursComeFromFlags) {
  const Model m = three_node_model();
  FixedWidthMeasurer fm;
  const Drawn d = collect(layout_diagram(m, LayoutOptions{}, fm).pages[0]);
  const auto& syn = d.arrow_lines.at(0);
  EXPECT_EQ(syn.color, (Color{0, 0, 1, 1}));  // blue
  const auto& rst = d.arrow_lines.at(3);
  EXPECT_EQ(rst.color, (Color{1, 0, 1, 1}));  // fuchsia
}

TEST(Layout, PaginatesAndKeepsEveryArrowOnce) {
  const Model m = three_node_model(400);  // 2000 arrows
  FixedWidthMeasurer fm;
  LayoutOptions o;
  o.max_page_height = 3000;
  const Document doc = layout_diagram(m, o, fm);
  ASSERT_GT(doc.pages.size(), 10u);
  std::set<std::int64_t> seen;
  for (const auto& page : doc.pages) {
    EXPECT_LE(page.height, 3000);
    for (const auto& [i, line] : collect(page).arrow_lines) EXPECT_TRUE(seen.insert(i).second);
  }
  EXPECT_EQ(seen.size(), m.arrows.size());
}

TEST(Layout, ProportionalModeCollapsesIdleGaps) {
  Model m = three_node_model(2);
  // Push the second half one hour later: that idle gap must collapse, not take an hour of paper.
  for (auto& p : m.points)
    for (auto& o : p.observations)
      if (o.frame > 5) o.time_ns += 3600LL * 1'000'000'000;
  build_observation_arrows(m);
  FixedWidthMeasurer fm;
  LayoutOptions o;
  o.time_mode = TimeMode::kProportional;
  const Page page = layout_diagram(m, o, fm).pages[0];
  EXPECT_LT(page.height, 2500);  // at the burst's scale the hour would be ~10^11 px
  bool gap_text = false;
  for (const auto& item : page.items)
    if (auto* t = std::get_if<TextPrim>(&item))
      if (t->text.find("1 h 00 min without packets") != std::string::npos) gap_text = true;
  EXPECT_TRUE(gap_text);
  // Within the first burst, spacing follows time: the 9 us step is drawn longer than the 0.5 us
  // step, and no step is shorter than a label.
  const Drawn d = collect(page);
  const double syn_to_synack = d.arrow_lines.at(1).from.y - d.arrow_lines.at(0).from.y;
  const double synack_to_next = d.arrow_lines.at(2).from.y - d.arrow_lines.at(1).from.y;
  EXPECT_GT(syn_to_synack, synack_to_next * 1.5);
  for (std::size_t i = 1; i < m.arrows.size(); ++i)
    EXPECT_GE(d.arrow_lines.at(i).from.y - d.arrow_lines.at(i - 1).from.y, 8.5 * 1.2 + 3 - 1e-9);
}

TEST(Layout, SlantedJourneyArrowsSpanRows) {
  Model m = three_node_model();
  m.arrows[0].to_ns = m.arrows[0].from_ns + 50'000;  // a leg with transit time
  FixedWidthMeasurer fm;
  const Drawn d = collect(layout_diagram(m, LayoutOptions{}, fm).pages[0]);
  const auto& line = d.arrow_lines.at(0);
  EXPECT_GT(line.to.y, line.from.y);
}

}  // namespace
}  // namespace packetseq
