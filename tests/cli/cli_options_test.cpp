// CLI option parsing: seed-compatible flags, type inference, FILE@NAME, usage errors.
#include "cli/cli_options.h"

#include <gtest/gtest.h>

namespace packetseq {
namespace {

CliOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "packetseq");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_cli_options(static_cast<int>(argv.size()), argv.data());
}

TEST(CliOptions, SeedDefaults) {
  const CliOptions o = parse({"client.csv", "proxy.csv"});
  EXPECT_EQ(o.output.out, "out");
  ASSERT_EQ(o.output.types.size(), 1u);
  EXPECT_EQ(o.output.types[0], OutputType::kPng);
  EXPECT_EQ(o.output.layout.labels, LabelMode::kDefault);
  EXPECT_EQ(o.filter, "tcp");
  ASSERT_EQ(o.captures.size(), 2u);
  EXPECT_EQ(o.captures[0].name, "client.csv");
  EXPECT_FALSE(o.captures[0].named);
}

TEST(CliOptions, SeedShortFlags) {
  const CliOptions o = parse({"-o", "flow", "-i", "summary", "-t", "svg", "a.pcap"});
  EXPECT_EQ(o.output.out, "flow");
  EXPECT_EQ(o.output.types[0], OutputType::kSvg);
  EXPECT_EQ(o.output.layout.labels, LabelMode::kSummary);
}

TEST(CliOptions, TypeFromExtensionAndLists) {
  EXPECT_EQ(parse({"-o", "x/diagram.pdf", "a.pcap"}).output.types[0], OutputType::kPdf);
  const CliOptions o = parse({"-t", "png,svg,diag", "a.pcap"});
  EXPECT_EQ(o.output.types,
            (std::vector<OutputType>{OutputType::kPng, OutputType::kSvg, OutputType::kDiag}));
}

TEST(CliOptions, NamesFiltersAndCaptureNames) {
  const CliOptions o = parse({"-n", "10.0.0.1=Client", "--name", "10.0.0.2=Server", "--names",
                              "hosts", "-f", "tcp.port==80", "--no-prompt", "--time",
                              "proportional", "dir/fw-in.pcap@FW", "srv.pcapng"});
  EXPECT_EQ(o.name_assignments, (std::vector<std::string>{"10.0.0.1=Client", "10.0.0.2=Server"}));
  EXPECT_EQ(o.names_files, (std::vector<std::string>{"hosts"}));
  EXPECT_EQ(o.filter, "tcp.port==80");
  EXPECT_EQ(o.output.layout.filter, "tcp.port==80");
  EXPECT_TRUE(o.no_prompt);
  EXPECT_EQ(o.output.layout.time_mode, TimeMode::kProportional);
  EXPECT_EQ(o.captures[0].path, "dir/fw-in.pcap");
  EXPECT_EQ(o.captures[0].name, "FW");
  EXPECT_TRUE(o.captures[0].named);
  EXPECT_EQ(o.captures[1].name, "srv.pcapng");
}

TEST(CliOptions, AtSignInsideADirectoryIsPartOfThePath) {
  const CaptureArg a = parse_capture_arg("/data/run@2/x.pcap");
  EXPECT_EQ(a.path, "/data/run@2/x.pcap");
  EXPECT_FALSE(a.named);
}

TEST(CliOptions, FollowSelectsInTheFirstCaptureAndKeepsFilter) {
  EXPECT_EQ(parse({"a.pcap"}).follow, "");
  const CliOptions o =
      parse({"--follow", "tcp.stream eq 2", "-f", "tcp.len>0", "a.pcap", "b.pcap"});
  EXPECT_EQ(o.follow, "tcp.stream eq 2");
  EXPECT_EQ(o.filter, "tcp.len>0");
  EXPECT_THROW(parse({"--follow", "", "a.pcap"}), UsageError);
  EXPECT_THROW(parse({"--follow", " ", "a.pcap"}), UsageError);
  EXPECT_NE(parse({"--help"}).help_text.find("--follow"), std::string::npos);
}

TEST(CliOptions, UsageErrors) {
  EXPECT_THROW(parse({}), UsageError);
  EXPECT_THROW(parse({"-i", "verbose", "a.pcap"}), UsageError);
  EXPECT_THROW(parse({"-t", "gif", "a.pcap"}), UsageError);
  EXPECT_THROW(parse({"--time", "log", "a.pcap"}), UsageError);
  EXPECT_THROW(parse({"--bogus", "a.pcap"}), UsageError);
  EXPECT_TRUE(parse({"--help"}).help_requested);
  EXPECT_TRUE(parse({"--version"}).show_version);
}

}  // namespace
}  // namespace packetseq
