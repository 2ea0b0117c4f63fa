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

}  // namespace
}  // namespace packetseq
