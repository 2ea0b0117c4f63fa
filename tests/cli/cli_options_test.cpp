// CLI option parsing: seed-compatible flags, type inference, FILE@NAME, usage errors.
#include "cli/cli_options.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "cli/name_prompt.h"
#include "model/flags.h"

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

TEST(CliOptions, EachConnectionIsAloneWithItsSelection) {
  EXPECT_FALSE(parse({"a.pcap"}).each_connection);
  EXPECT_TRUE(parse({"--each-connection", "-o", "run", "a.pcap", "b.pcap"}).each_connection);
  EXPECT_THROW(parse({"--each-connection", "--follow", "tcp.stream==0", "a.pcap"}), UsageError);
  EXPECT_THROW(parse({"--each-connection", "--no-match", "a.pcap"}), UsageError);
  EXPECT_THROW(parse({"--each-connection", "--observations-json", "a.pcap"}), UsageError);
  EXPECT_NE(parse({"--help"}).help_text.find("--each-connection"), std::string::npos);
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

std::string usage_error(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(CliOptions, EmptyValuesAreUsageErrorsNamingTheOption) {
  EXPECT_EQ(usage_error({"-t", "", "a.pcap"}), "-t/--type: empty value");
  EXPECT_EQ(usage_error({"--type=", "a.pcap"}), "-t/--type: empty value");
  EXPECT_EQ(usage_error({"-i", "", "a.pcap"}), "-i/--info: empty value");
  EXPECT_EQ(usage_error({"--time", "", "a.pcap"}), "--time: empty value");
  EXPECT_EQ(usage_error({"-o", "", "a.pcap"}), "-o/--out: empty value");
  EXPECT_EQ(usage_error({"-n", "", "a.pcap"}), "-n/--name: empty value");
  EXPECT_EQ(usage_error({"--names", "", "a.pcap"}), "--names: empty value");
  EXPECT_EQ(usage_error({"--offset", "", "a.pcap"}), "--offset: empty value");
  EXPECT_EQ(usage_error({"--same-clock", "", "a.pcap"}), "--same-clock: empty value");
  EXPECT_EQ(usage_error({""}), "empty capture file name");
  // -f '' has a meaning: no display filter (the Wireshark dialog passes an empty field so).
  EXPECT_EQ(parse({"-f", "", "a.pcap"}).filter, "");
  EXPECT_EQ(parse({"-f", "", "a.pcap"}).output.layout.filter, "");
  EXPECT_EQ(
      usage_error({"-t", "gif", "a.pcap"}),
      "-t/--type: invalid output type 'gif' (expected png, svg, pdf, diag, csv, json, mermaid, "
      "plantuml or txt)");
}

// Sets LC_ALL for one test and restores it.
class ScopedLocaleEnv {
 public:
  explicit ScopedLocaleEnv(const char* value) {
    if (const char* old = std::getenv("LC_ALL")) saved_ = old;
    setenv("LC_ALL", value, 1);
  }
  ~ScopedLocaleEnv() {
    if (saved_.empty())
      unsetenv("LC_ALL");
    else
      setenv("LC_ALL", saved_.c_str(), 1);
  }

 private:
  std::string saved_;
};

TEST(CliOptions, OptionTextIsUtf8InAnyLocale) {
  const std::string cyrillic = "\xD0\x9A\xD0\xBB\xD0\xB8\xD0\xB5\xD0\xBD\xD1\x82";
  for (const char* locale : {"C", "C.UTF-8", "en_US.ISO-8859-1"}) {
    ScopedLocaleEnv env(locale);
    EXPECT_EQ(option_text(cyrillic, "-n"), cyrillic) << locale;
    const CliOptions o = parse({"-n", "10.0.0.1=" + cyrillic, "a.pcap@" + cyrillic});
    EXPECT_EQ(o.name_assignments[0], "10.0.0.1=" + cyrillic) << locale;
    EXPECT_EQ(o.captures[0].name, cyrillic) << locale;
  }
  {
    // Not UTF-8: converted from the locale's encoding (named in LC_ALL even if not installed).
    ScopedLocaleEnv env("en_US.ISO-8859-1");
    EXPECT_EQ(option_text("Caf\xE9", "-n"), "Caf\xC3\xA9");
  }
  {
    ScopedLocaleEnv env("C.UTF-8");
    try {
      option_text("Caf\xE9", "-n/--name");
      FAIL() << "expected a usage error";
    } catch (const UsageError& e) {
      EXPECT_STREQ(e.what(),
                   "-n/--name: 'Caf\xEF\xBF\xBD' is neither UTF-8 nor text in the locale's "
                   "encoding (UTF-8)");
    }
  }
  {
    ScopedLocaleEnv env("C");
    EXPECT_THROW(option_text("Caf\xE9", "-n"), UsageError);
  }
}

TEST(NamePrompt, AnswersBecomeUtf8) {
  ScopedLocaleEnv env("en_US.ISO-8859-1");
  Model model;
  model.points.resize(1);
  Observation syn;
  syn.src = "10.0.0.1";
  syn.dst = "10.0.0.2";
  syn.flags = kSyn;
  syn.has_flags = true;
  model.points[0].observations = {syn};
  NameTable names;
  std::istringstream in("  Caf\xE9 \n\xD0\x9A\n");  // Latin-1 answer, then a UTF-8 one
  std::ostringstream out;
  EXPECT_TRUE(prompt_for_names(model, names, in, out));
  EXPECT_EQ(names.lookup("10.0.0.1").value(), "Caf\xC3\xA9");
  EXPECT_EQ(names.lookup("10.0.0.2").value(), "\xD0\x9A");
}

}  // namespace
}  // namespace packetseq
