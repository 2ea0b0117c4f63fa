// Mermaid, PlantUML and text-ladder exports: structure, escaping, splitting and width.
#include <gtest/gtest.h>

#include "export/mermaid_writer.h"
#include "export/plantuml_writer.h"
#include "export/text_ladder.h"
#include "model/arrows.h"
#include "model/names.h"

namespace packetseq {
namespace {

// Three nodes: a SYN client -> server, a retransmitted data segment lost on the way back, and a
// relay dwell at the middle node. Labels carry every metacharacter the formats know.
Model hostile_model() {
  Model m;
  m.points.resize(1);
  m.points[0].name = "client";
  m.points[0].path = "/very/secret/dir/client.pcapng";
  m.points[0].format = "pcapng";
  Observation syn;
  syn.src = "10.0.0.1";
  syn.dst = "10.0.0.2";
  syn.flags = kSyn;
  syn.info = "1 > 80 [SYN] Seq=0";
  Observation data = syn;
  std::swap(data.src, data.dst);
  data.flags = kPsh | kAck;
  data.analysis = kRetransmission;
  data.info = "a;b#c:d<e>f\"g%h&i **j** //k// --l \xff end\\";
  data.time_ns = 1'000'000;
  m.points[0].observations = {syn, data};
  NameTable names;
  names.set("10.0.0.1", "Кли;ент#1");
  names.set("10.0.0.2", "end");
  build_nodes(m, names);
  m.nodes.push_back(Node{"proxy", {"10.0.0.3"}});
  m.arrows.push_back(Arrow{ArrowKind::kPacket, 0, 1, 0, 250'000, {0, 0}, 0, false, ""});
  m.arrows.push_back(Arrow{ArrowKind::kLost, 1, 0, 1'000'000, 1'000'000, {0, 1}, 1, false, ""});
  m.arrows.push_back(
      Arrow{ArrowKind::kRelay, 2, 2, 2'000'000, 42'000'000, {0, 1}, 1, false, "dwell 40.0 ms"});
  return m;
}

TEST(Mermaid, EscapesEverySyntaxCharacter) {
  EXPECT_EQ(mermaid_escape("a;b#c:d<e>f\"g%h&i\nj"), "a#59;b#35;c#58;d#60;e#62;f#34;g#37;h#38;i j");
  EXPECT_EQ(mermaid_escape("\xff"), "\xEF\xBF\xBD");  // invalid UTF-8 -> U+FFFD
}

TEST(Mermaid, ParticipantsArrowsLossRetransmissionAndDwell) {
  TextDiagramOptions options;
  const auto parts = write_mermaid(hostile_model(), options);
  ASSERT_EQ(parts.size(), 1u);
  const std::string& text = parts[0];
  EXPECT_EQ(text.rfind("sequenceDiagram\n  title packetseq\n", 0), 0u) << text;
  EXPECT_NE(text.find("  participant N0 as Кли#59;ент#35;1<br/>10.0.0.1\n"), std::string::npos);
  EXPECT_NE(text.find("  participant N1 as end<br/>10.0.0.2\n"), std::string::npos);
  EXPECT_NE(text.find("  N0->>N1: +0.000000 [SYN] Seq=0 transit 250 us\n"), std::string::npos)
      << text;
  // Retransmitted and lost: dotted with a cross; the text stays on one line, escaped.
  EXPECT_NE(text.find("  N1--xN0: +0.001000 a#59;b#35;c#58;d#60;e#62;f#34;g#37;h#38;i **j** "
                      "//k// --l \xEF\xBF\xBD end\\ (retransmission) (lost)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  Note over N2: +0.002000 dwell 40.0 ms\n"), std::string::npos);
  // The header names the capture, never its directory.
  EXPECT_NE(text.find("client (client.pcapng, pcapng, 2 packets)"), std::string::npos);
  EXPECT_EQ(text.find("/very/secret"), std::string::npos);
}

TEST(Mermaid, SplitsIntoPartsUnderTheLimit) {
  Model m = hostile_model();
  const Arrow first = m.arrows[0];
  for (int i = 0; i < 400; ++i) m.arrows.push_back(first);
  TextDiagramOptions options;
  options.mermaid_limit = 4000;
  const auto parts = write_mermaid(m, options);
  ASSERT_GT(parts.size(), 3u);
  std::size_t arrows = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    EXPECT_LE(parts[i].size(), options.mermaid_limit);
    EXPECT_EQ(parts[i].rfind("sequenceDiagram\n", 0), 0u);
    EXPECT_NE(parts[i].find("(part " + std::to_string(i + 1) + " of " +
                            std::to_string(parts.size()) + ")"),
              std::string::npos);
    EXPECT_NE(parts[i].find("participant N2 as proxy"), std::string::npos);
    for (std::size_t at = 0; (at = parts[i].find("N0->>N1", at)) != std::string::npos; ++at)
      ++arrows;
  }
  EXPECT_EQ(arrows, 401u);
}

TEST(PlantUml, EscapesBackslashesCreoleAndEntities) {
  EXPECT_EQ(plantuml_escape("trail\\"), "trail<U+005C>");
  EXPECT_EQ(plantuml_escape("a**b** //c// x-y --z"),
            "a&#42;&#42;b&#42;&#42; &#47;&#47;c&#47;&#47; x-y &#45;&#45;z");
  EXPECT_EQ(plantuml_escape("<b>&~\"q\""), "&#60;b&#62;&#38;&#126;&#34;q&#34;");
  EXPECT_EQ(plantuml_escape("a\nb\tc"), "a b c");
}

TEST(PlantUml, ColoursLossRetransmissionAndNotes) {
  TextDiagramOptions options;
  options.title = "ticket #42";
  const std::string text = write_plantuml(hostile_model(), options);
  EXPECT_EQ(text.rfind("@startuml\ntitle ticket #42\n", 0), 0u) << text;
  EXPECT_NE(text.find("participant \"end\\n10.0.0.2\" as N1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("N0 -[#0000FF]> N1 : +0.000000 [SYN] Seq=0 transit 250 us\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("N1 -[#FFA500]->x N0 : +0.001000 a;b#c:d&#60;e&#62;f&#34;g%h&#38;i "
                      "&#42;&#42;j&#42;&#42; &#47;&#47;k&#47;&#47; &#45;&#45;l \xEF\xBF\xBD "
                      "end<U+005C> (retransmission) (lost)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("note over N2 : +0.002000 dwell 40.0 ms\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 8), "@enduml\n");
}

TEST(TextLadder, FitsTheWidthWithWideAndInvalidText) {
  TextDiagramOptions options;
  options.labels = LabelMode::kInfo;
  for (std::size_t width : {40u, 60u, 100u, 200u}) {
    options.width = width;
    const std::string text = write_text_ladder(hostile_model(), options);
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
      EXPECT_LE(display_width(text.substr(start, end - start)), width)
          << text.substr(start, end - start);
  }
  EXPECT_EQ(display_width("日本"), 4u);
  EXPECT_EQ(display_width("Кли"), 3u);
}

TEST(TextLadder, DrawsArrowsLossAndDwell) {
  TextDiagramOptions options;
  options.labels = LabelMode::kSummary;
  options.width = 80;
  const std::string text = write_text_ladder(hostile_model(), options);
  // Lifelines at 11 + 23 * n + 11 (time column 9 + 2, three lanes of 23 columns); a label
  // too long for its lane goes on a continuation row.
  EXPECT_NE(text.find("+0.000000             |--------------------->|                      |\n"
                      "                      | [SYN] transit 250 us |                      |\n"),
            std::string::npos)
      << text;
  // Lost on its way back: a cross half-way, the shaft doubled for a retransmission.
  EXPECT_NE(text.find("+0.001000             |          X===========|                      |\n"),
            std::string::npos)
      << text;
  // The dwell note of the rightmost lifeline goes to its left.
  EXPECT_NE(text.find("+0.002000             |                      |        dwell 40.0 ms #\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("legend:"), std::string::npos);
  options.width = 160;  // wide lanes: the label fits between the lifelines
  EXPECT_NE(write_text_ladder(hostile_model(), options).find("|-- [SYN] transit 250 us ---"),
            std::string::npos)
      << write_text_ladder(hostile_model(), options);
}

TEST(TextLadder, RefusesAWidthTooSmallForTheLifelines) {
  TextDiagramOptions options;
  options.width = 20;
  EXPECT_THROW(write_text_ladder(hostile_model(), options), std::invalid_argument);
}

}  // namespace
}  // namespace packetseq
