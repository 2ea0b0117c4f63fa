// seqdiag export: node order, edge colours, labels and escaping.
#include "export/diag_writer.h"

#include <gtest/gtest.h>

#include "model/arrows.h"
#include "model/flags.h"
#include "model/names.h"

namespace packetseq {
namespace {

TEST(Seqdiag, NodesEdgesColoursAndQuoting) {
  Model m;
  m.points.resize(1);
  Observation syn;
  syn.src = "10.0.0.1";
  syn.dst = "10.0.0.2";
  syn.flags = kSyn;
  syn.info = "1 > 80 [SYN] Seq=0";
  Observation get = syn;
  std::swap(get.src, get.dst);
  get.flags = kPsh | kAck;
  get.info = "GET /a\"b\\c HTTP/1.1";
  get.time_ns = 10;
  m.points[0].observations = {syn, get};
  NameTable names;
  names.set("10.0.0.1", "Client");
  build_nodes(m, names);
  build_observation_arrows(m);
  const std::string diag = write_seqdiag(m, LabelMode::kDefault);
  EXPECT_EQ(
      diag,
      "seqdiag {\n"
      "  default_fontsize = 11;\n"
      "  edge_length = 200;\n"
      "  activation = none;\n"
      "  \"Client\";\n"
      "  \"10.0.0.2\";\n"
      "  \"Client\" -> \"10.0.0.2\" [label = \"[SYN] Seq=0\", color = blue];\n"
      "  \"10.0.0.2\" -> \"Client\" [label = \"GET /a\\\"b\\\\c HTTP/1.1\", color = orange];\n"
      "}\n");
}

// seqdiag 2's lexer ends a string at the first quote without a backslash before it, and its
// label drawing turns \\ into \, \n into a line break and U+00A5 into a backslash.
TEST(Seqdiag, QuotingIsSafeForSeqdiagsLexer) {
  EXPECT_EQ(seqdiag_quote("plain"), "\"plain\"");
  EXPECT_EQ(seqdiag_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
  // A trailing backslash would escape the closing quote: a space (stripped when drawn) guards it.
  EXPECT_EQ(seqdiag_quote("C:\\"), "\"C:\\\\ \"");
  EXPECT_EQ(seqdiag_quote("\\"), "\"\\\\ \"");
  EXPECT_EQ(seqdiag_quote("a\\\""), "\"a\\\\\\\"\"");  // backslash then quote
  EXPECT_EQ(seqdiag_quote("x\\n"), "\"x\\\\n\"");      // a literal \n stays text
  // Invalid UTF-8 (and NUL) is replaced, other control characters dropped, tabs and line breaks
  // become spaces.
  EXPECT_EQ(seqdiag_quote("a\xff\xfe"), "\"a\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(seqdiag_quote(std::string("a\0b\x01"
                                      "c\td\r\ne",
                                      10)),
            "\"a\xEF\xBF\xBD"
            "bc d  e\"");
  EXPECT_EQ(seqdiag_quote("\xC3\xA9 \xD0\x9A\xD0\xBB\xD0\xB8\xD0\xB5\xD0\xBD\xD1\x82"),
            "\"\xC3\xA9 \xD0\x9A\xD0\xBB\xD0\xB8\xD0\xB5\xD0\xBD\xD1\x82\"");
  EXPECT_EQ(seqdiag_quote("100\xC2\xA5"), "\"100\xEF\xBF\xA5\"");  // yen, not a backslash
  // A cut multi-byte character before a trailing backslash: still closed properly.
  EXPECT_EQ(seqdiag_quote("\xD0\\"), "\"\xEF\xBF\xBD\\\\ \"");
}

TEST(Seqdiag, HostileNamesAndLabelsInTheProgram) {
  Model m;
  m.points.resize(1);
  Observation obs;
  obs.src = "10.0.0.1";
  obs.dst = "10.0.0.2";
  obs.flags = kPsh | kAck;
  obs.has_flags = true;
  obs.info = "GET /dir\\";
  m.points[0].observations = {obs};
  NameTable names;
  names.set("10.0.0.1", "Cli\"ent\\");
  names.set("10.0.0.2", "\xD0\x9A\xff");
  build_nodes(m, names);
  build_observation_arrows(m);
  const std::string diag = write_seqdiag(m, LabelMode::kInfo);
  EXPECT_NE(diag.find("  \"Cli\\\"ent\\\\ \";\n"), std::string::npos) << diag;
  EXPECT_NE(diag.find("  \"\xD0\x9A\xEF\xBF\xBD\";\n"), std::string::npos) << diag;
  EXPECT_NE(diag.find("[label = \"GET /dir\\\\ \""), std::string::npos) << diag;
}

}  // namespace
}  // namespace packetseq
