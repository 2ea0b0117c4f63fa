// The seed's three label modes against real Wireshark Info strings.
#include "model/labels.h"

#include <gtest/gtest.h>

#include "model/flags.h"

namespace packetseq {
namespace {

Observation obs(const std::string& info, std::uint16_t flags, bool has_flags = true) {
  Observation o;
  o.info = info;
  o.flags = flags;
  o.has_flags = has_flags;
  o.protocol = "TCP";
  return o;
}

// Strings as tshark 4.0 and the seed's CSV (Wireshark 2.x) print them.
const char* kSynSeed = "53833  >  3128 [SYN] Seq=0 Win=8192 Len=0 MSS=1460 WS=256 SACK_PERM=1";
const char* kSynWs4 =
    "55920 \xE2\x86\x92 80 [SYN] Seq=0 Win=43690 Len=0 MSS=65495 SACK_PERM TSval=3 TSecr=0 WS=128";
const char* kDupAck = "[TCP Dup ACK 160#1] 53833  >  3128 [ACK] Seq=2346 Ack=774 Win=16640 Len=0";
const char* kRetrans =
    "[TCP Retransmission] 10000 \xE2\x86\x92 80 [PSH, ACK] Seq=1 Ack=1 Win=64240 Len=517";

TEST(LabelMode, Summary) {
  EXPECT_EQ(arrow_label(obs(kSynSeed, kSyn), LabelMode::kSummary), "[SYN]");
  EXPECT_EQ(arrow_label(obs(kRetrans, kPsh | kAck), LabelMode::kSummary), "[PSH, ACK]");
  // A CSV row such as "CONNECT host:443 HTTP/1.0" has no flags: show the protocol.
  Observation http = obs("CONNECT pagead2.googlesyndication.com:443 HTTP/1.0", 0, false);
  http.protocol = "HTTP";
  EXPECT_EQ(arrow_label(http, LabelMode::kSummary), "HTTP");
}

TEST(LabelMode, DefaultStripsThePortPrefix) {
  EXPECT_EQ(arrow_label(obs(kSynSeed, kSyn), LabelMode::kDefault),
            "[SYN] Seq=0 Win=8192 Len=0 MSS=1460 WS=256 SACK_PERM=1");
  EXPECT_EQ(arrow_label(obs(kSynWs4, kSyn), LabelMode::kDefault),
            "[SYN] Seq=0 Win=43690 Len=0 MSS=65495 SACK_PERM TSval=3 TSecr=0 WS=128");
  EXPECT_EQ(arrow_label(obs(kDupAck, kAck), LabelMode::kDefault),
            "[TCP Dup ACK 160#1] [ACK] Seq=2346 Ack=774 Win=16640 Len=0");
  EXPECT_EQ(arrow_label(obs(kRetrans, kPsh | kAck), LabelMode::kDefault),
            "[TCP Retransmission] [PSH, ACK] Seq=1 Ack=1 Win=64240 Len=517");
  EXPECT_EQ(arrow_label(obs("GET /index.html HTTP/1.1 ", kPsh | kAck), LabelMode::kDefault),
            "GET /index.html HTTP/1.1 ");
}

TEST(PortPair, EdgeCasesAndHugeText) {
  PortPair ports;
  ASSERT_TRUE(find_port_pair("123456 > 80 [SYN]", ports));  // the last five digits, as before
  EXPECT_EQ(ports.src, 23456u);
  EXPECT_EQ(ports.dst, 80u);
  EXPECT_FALSE(find_port_pair("80 > 123456 [SYN]", ports));
  EXPECT_FALSE(find_port_pair("80 > 443", ports)) << "needs whitespace after the port";
  ASSERT_TRUE(find_port_pair("a > b, 5 \xE2\x86\x92 6 x", ports));
  EXPECT_EQ(ports.begin, 7u);
  EXPECT_EQ(ports.src, 5u);
  // A 50 KB Info crashed the regex version (stack overflow); now one linear pass.
  const std::string huge = std::string(50000, '9') + " > " + std::string(50000, '8');
  EXPECT_FALSE(find_port_pair(huge, ports));
  EXPECT_EQ(strip_port_prefix(huge + " x"), huge + " x");
  EXPECT_EQ(strip_port_prefix(std::string(50000, '>') + " 1 > 2  y"),
            std::string(50000, '>') + " y");
}

TEST(LabelMode, InfoIsTheWholeColumn) {
  EXPECT_EQ(arrow_label(obs(kSynSeed, kSyn), LabelMode::kInfo), kSynSeed);
  EXPECT_EQ(arrow_label(obs(kDupAck, kAck), LabelMode::kInfo), kDupAck);
}

TEST(LabelMode, Parse) {
  EXPECT_EQ(parse_label_mode("summary"), LabelMode::kSummary);
  EXPECT_EQ(parse_label_mode("default"), LabelMode::kDefault);
  EXPECT_EQ(parse_label_mode("info"), LabelMode::kInfo);
  EXPECT_THROW(parse_label_mode("verbose"), std::invalid_argument);
}

}  // namespace
}  // namespace packetseq
