// "-z packetseq,..." parsing: every key, the filter= rest-of-string rule and the errors.
#include "plugin/tshark_options.h"

#include <gtest/gtest.h>

namespace packetseq {
namespace plugin {
namespace {

TEST(TsharkOptions, BareNameGivesTheCliDefaults) {
  const TsharkOptions o = parse_tshark_options("packetseq");
  EXPECT_EQ(o.filter, "tcp");
  EXPECT_EQ(o.output.out, "out");
  ASSERT_EQ(o.output.types.size(), 1u);
  EXPECT_EQ(o.output.types[0], OutputType::kPng);
  EXPECT_FALSE(o.stats);
  EXPECT_FALSE(o.no_match);
  EXPECT_TRUE(o.captures.empty());
  EXPECT_EQ(o.output.layout.labels, LabelMode::kDefault);
  EXPECT_EQ(o.output.layout.time_mode, TimeMode::kRows);
}

TEST(TsharkOptions, ParsesEveryKey) {
  const TsharkOptions o = parse_tshark_options(
      "packetseq,point=Client,capture=/x/fw.pcap@FW,capture=/x/server.pcapng,name=10.0.0.1=Web,"
      "names=/x/hosts,offset=FW=+9h,same_clock=FW+Server,match=0,out=flow,type=svg+json,"
      "type=pdf,info=summary,time=proportional,stats=1");
  EXPECT_EQ(o.point_name, "Client");
  ASSERT_EQ(o.captures.size(), 2u);
  EXPECT_EQ(o.captures[0].path, "/x/fw.pcap");
  EXPECT_EQ(o.captures[0].name, "FW");
  EXPECT_TRUE(o.captures[0].named);
  EXPECT_EQ(o.captures[1].path, "/x/server.pcapng");
  EXPECT_EQ(o.captures[1].name, "server.pcapng");
  EXPECT_FALSE(o.captures[1].named);
  EXPECT_EQ(o.name_assignments, std::vector<std::string>{"10.0.0.1=Web"});
  EXPECT_EQ(o.names_files, std::vector<std::string>{"/x/hosts"});
  EXPECT_EQ(o.offsets, std::vector<std::string>{"FW=+9h"});
  ASSERT_EQ(o.same_clock.size(), 1u);
  EXPECT_EQ(o.same_clock[0], (std::vector<std::string>{"FW", "Server"}));
  EXPECT_TRUE(o.no_match);
  EXPECT_TRUE(o.stats);
  EXPECT_EQ(o.output.out, "flow");
  EXPECT_EQ(o.output.types,
            (std::vector<OutputType>{OutputType::kSvg, OutputType::kJson, OutputType::kPdf}));
  EXPECT_EQ(o.output.layout.labels, LabelMode::kSummary);
  EXPECT_EQ(o.output.layout.time_mode, TimeMode::kProportional);
}

TEST(TsharkOptions, EachConnectionKey) {
  EXPECT_FALSE(parse_tshark_options("packetseq").each_connection);
  EXPECT_TRUE(parse_tshark_options("packetseq,each=1,out=run").each_connection);
  EXPECT_FALSE(parse_tshark_options("packetseq,each=0").each_connection);
  EXPECT_THROW(parse_tshark_options("packetseq,each=all"), std::invalid_argument);
}

TEST(TsharkOptions, FilterTakesTheRestOfTheStringCommasIncluded) {
  const TsharkOptions o =
      parse_tshark_options("packetseq,out=a.svg,filter=tcp.port in {80,443} && ip.ttl > 3,x=1");
  EXPECT_EQ(o.filter, "tcp.port in {80,443} && ip.ttl > 3,x=1");
  EXPECT_EQ(o.output.layout.filter, o.filter);
  EXPECT_EQ(o.output.out, "a.svg");
}

void expect_error(const std::string& argument, const std::string& fragment) {
  try {
    parse_tshark_options(argument);
    FAIL() << "accepted: " << argument;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TsharkOptions, FollowIsALastKeyLikeFilterAndEitherMayComeFirst) {
  EXPECT_EQ(parse_tshark_options("packetseq").follow, "");
  TsharkOptions o = parse_tshark_options("packetseq,out=a.csv,follow=tcp.stream eq 3");
  EXPECT_EQ(o.follow, "tcp.stream eq 3");
  EXPECT_EQ(o.filter, "tcp");  // -f keeps its meaning: the same filter in every capture
  o = parse_tshark_options("packetseq,filter=tcp.port in {80,443},follow=ip.addr==10.0.0.1,x");
  EXPECT_EQ(o.filter, "tcp.port in {80,443}");
  EXPECT_EQ(o.follow, "ip.addr==10.0.0.1,x");
  o = parse_tshark_options("packetseq,follow=tcp.stream==0,filter=tcp.len>0");
  EXPECT_EQ(o.follow, "tcp.stream==0");
  EXPECT_EQ(o.filter, "tcp.len>0");
  expect_error("packetseq,follow=", "follow= is empty");
  expect_error("packetseq,follow=a,follow=b", "follow= given twice");
  EXPECT_NE(std::string(tshark_options_usage()).find("follow=FILTER"), std::string::npos);
}

TEST(TsharkOptions, TypeFollowsTheOutExtensionLikeTheCli) {
  EXPECT_EQ(parse_tshark_options("packetseq,out=d.svg").output.types,
            std::vector<OutputType>{OutputType::kSvg});
  EXPECT_EQ(parse_tshark_options("packetseq,out=model.json").output.types,
            std::vector<OutputType>{OutputType::kJson});
  EXPECT_EQ(parse_tshark_options("packetseq,out=x.svg,type=pdf+pdf").output.types,
            std::vector<OutputType>{OutputType::kPdf});
}

TEST(TsharkOptions, ToleratesEmptyItems) {
  EXPECT_NO_THROW(parse_tshark_options("packetseq,"));
  EXPECT_NO_THROW(parse_tshark_options("packetseq,,stats=1,"));
}

TEST(TsharkOptions, RejectsBadInputNamingIt) {
  expect_error("packetseqx", "expected ','");
  expect_error("other", "does not start with 'packetseq'");
  expect_error("packetseq,colour=red", "unknown key 'colour'");
  expect_error("packetseq,stats", "expected KEY=VALUE, got 'stats'");
  expect_error("packetseq,type=gif", "gif");
  expect_error("packetseq,info=all", "all");
  expect_error("packetseq,time=sideways", "sideways");
  expect_error("packetseq,stats=maybe", "maybe");
  expect_error("packetseq,capture=", "capture= needs a file name");
  expect_error("packetseq,name=10.0.0.1", "name=ADDR=NAME");
  expect_error("packetseq,offset=+9h", "offset=POINT=OFFSET");
  expect_error("packetseq,same_clock=A", "A+B");
  expect_error("packetseq,filter=  ", "filter= is empty");
  expect_error("packetseq,out=", "out= needs a file name");
}

}  // namespace
}  // namespace plugin
}  // namespace packetseq
