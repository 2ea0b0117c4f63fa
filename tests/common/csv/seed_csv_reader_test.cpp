// Seed CSV input: the original tool's sample files and malformed variants.
#include "csv/seed_csv_reader.h"

#include <gtest/gtest.h>

#include "model/flags.h"

namespace packetseq {
namespace {

const std::string kData = PACKETSEQ_TEST_DATA;

TEST(CsvRecord, QuotingAndEscapes) {
  EXPECT_EQ(split_csv_record(R"("1","a,b","say ""hi""",,x)"),
            (std::vector<std::string>{"1", "a,b", "say \"hi\"", "", "x"}));
}

TEST(SeedCsv, ReadsTheClientExport) {
  CapturePoint p;
  read_seed_csv(kData + "/seed/client.csv", 0, p);
  ASSERT_EQ(p.observations.size(), 22u);
  EXPECT_EQ(p.format, "csv");
  const auto& syn = p.observations[0];
  EXPECT_EQ(syn.frame, 1u);
  EXPECT_EQ(syn.time_ns, 1472296485493525000LL);  // 2016-08-27 11:14:45.493525 UTC
  EXPECT_EQ(syn.src, "192.168.1.3");
  EXPECT_EQ(syn.dst, "192.168.1.62");
  EXPECT_EQ(syn.src_port, 53833);
  EXPECT_EQ(syn.dst_port, 3128);
  EXPECT_TRUE(syn.has_flags);
  EXPECT_EQ(syn.flags, kSyn);
  EXPECT_EQ(syn.window, 8192u);
  EXPECT_EQ(syn.payload_len, 0u);
  const auto& synack = p.observations[1];
  EXPECT_EQ(synack.flags, kSyn | kAck);
  EXPECT_EQ(synack.ack_rel, 1u);
  // Row 4 is "CONNECT ... HTTP/1.0": no flags or ports in Info, ports inherited.
  const auto& connect = p.observations[3];
  EXPECT_EQ(connect.protocol, "HTTP");
  EXPECT_FALSE(connect.has_flags);
  EXPECT_FALSE(connect.has_ports);
  EXPECT_EQ(connect.src_port, 53833);
  EXPECT_EQ(connect.info, "CONNECT pagead2.googlesyndication.com:443 HTTP/1.0");
}

TEST(SeedCsv, ProxyExportHasDupAck) {
  CapturePoint p;
  read_seed_csv(kData + "/seed/proxy.csv", 1, p);
  ASSERT_EQ(p.observations.size(), 22u);
  EXPECT_EQ(p.observations[0].point, 1u);
  EXPECT_EQ(p.observations[0].time_ns, 1472328906428855000LL);  // 20:15:06.428855
  const auto& dup = p.observations[20];
  EXPECT_EQ(dup.frame, 472u);
  EXPECT_TRUE(dup.analysis & kDuplicateAck);
  EXPECT_EQ(dup.seq_rel, 2346u);
}

TEST(SeedCsv, Detection) {
  EXPECT_TRUE(looks_like_seed_csv(kData + "/seed/client.csv"));
  EXPECT_FALSE(looks_like_seed_csv(kData + "/seed/README.md"));
}

void expect_error(const std::string& text, const std::string& message) {
  CapturePoint p;
  try {
    read_seed_csv_text(text, "x.csv", 0, p);
    FAIL() << "expected CsvError for: " << text;
  } catch (const CsvError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
  EXPECT_TRUE(p.observations.empty()) << "nothing is kept from a bad file";
}

const char* kHeader =
    "\"No.\",\"Time\",\"Source\",\"Destination\",\"Protocol\",\"Length\",\"Info\"\n";

TEST(SeedCsv, Errors) {
  expect_error("", "x.csv: empty file, expected a CSV header");
  expect_error("a,b,c\n1,2,3\n", "x.csv:1: not a Wireshark CSV export: no \"No.\" column");
  expect_error(kHeader, "x.csv: no packets (the CSV has only a header)");
  expect_error(std::string(kHeader) +
                   "\"1\",\"0.000000\",\"10.0.0.1\",\"10.0.0.2\",\"TCP\",\"60\",\"1 > 2 [SYN]\"\n",
               "x.csv:2: time '0.000000' is not an absolute date and time (export with View > Time "
               "Display Format > Date and Time of Day)");
  expect_error(std::string(kHeader) +
                   "\"1\",\"2016-08-27 11:14:45.1\",\"host\",\"10.0.0.2\",\"TCP\",\"60\",\"x\"\n",
               "x.csv:2: source/destination 'host' / '10.0.0.2' are not IP addresses");
  expect_error(std::string(kHeader) + "\"1\",\"2016-08-27 11:14:45.1\"\n",
               "x.csv:2: expected 7 fields, found 2");
  expect_error(
      std::string(kHeader) +
          "\"1\",\"2016-13-27 11:14:45.1\",\"10.0.0.1\",\"10.0.0.2\",\"TCP\",\"60\",\"x\"\n",
      "x.csv:2: time '2016-13-27 11:14:45.1' is not an absolute date and time (export "
      "with View > Time Display Format > Date and Time of Day)");
}

std::string row(const std::string& time, const std::string& info) {
  return std::string(kHeader) + "\"1\",\"" + time +
         "\",\"10.0.0.1\",\"10.0.0.2\",\"TCP\",\"60\",\"" + info + "\"\n";
}

TEST(SeedCsv, QuotedFieldsMayHoldLineBreaks) {
  CapturePoint p;
  read_seed_csv_text(row("2016-08-27 11:14:45.1", "1 > 2 [SYN]\nSeq=0 Len=0\r\nWin=8"), "x.csv", 0,
                     p);
  ASSERT_EQ(p.observations.size(), 1u);
  EXPECT_EQ(p.observations[0].info, "1 > 2 [SYN]\nSeq=0 Len=0\r\nWin=8");
  EXPECT_EQ(p.observations[0].window, 8u);
  EXPECT_EQ(p.observations[0].flags, kSyn);
  // The line number in a later error counts the line breaks inside quotes.
  const std::string text = row("2016-08-27 11:14:45.1", "a\nb\nc") + "\"2\",\"bad\"\n";
  expect_error(text, "x.csv:5: expected 7 fields, found 2");
  expect_error(std::string(kHeader) + "\"1\",\"open",
               "x.csv:2: quoted field not closed before the end of the file");
}

TEST(SeedCsv, HugeFieldsAreLinearAndBounded) {
  // 50 KB Info, Seq and Time fields crashed the regex-based reader (stack overflow).
  const std::string digits(30000, '7');
  CapturePoint p;
  read_seed_csv_text(
      row("2016-08-27 11:14:45.1", "1 > 2 [ACK] Seq=" + digits + " " + std::string(30000, 'x')),
      "x.csv", 0, p);
  ASSERT_EQ(p.observations.size(), 1u);
  EXPECT_EQ(p.observations[0].seq_raw, 0u) << "an over-long number is not a 32-bit field";
  EXPECT_EQ(p.observations[0].flags, kAck);
  p.observations.clear();
  try {
    read_seed_csv_text(row(digits + digits, "x"), "x.csv", 0, p);
    FAIL();
  } catch (const CsvError& e) {
    const std::string message = e.what();
    EXPECT_LT(message.size(), 400u) << "the bad field is not echoed whole";
    EXPECT_NE(message.find("x.csv:2: time '7777"), std::string::npos) << message;
    EXPECT_NE(message.find("more bytes"), std::string::npos) << message;
  }
  try {
    read_seed_csv_text(row("2016-08-27 11:14:45.1", std::string(kMaxCsvFieldBytes + 1, 'y')),
                       "x.csv", 0, p);
    FAIL();
  } catch (const CsvError& e) {
    EXPECT_NE(std::string(e.what()).find("x.csv:2: field longer than 65536 bytes"),
              std::string::npos)
        << e.what();
  }
}

TEST(SeedCsv, TimestampsOutsideTheNanosecondRangeAreErrors) {
  CapturePoint p;
  read_seed_csv_text(row("2262-04-11 23:47:16.854775807", "1 > 2 [SYN]"), "x.csv", 0, p);
  EXPECT_EQ(p.observations[0].time_ns, INT64_MAX);
  read_seed_csv_text(row("1677-09-21 00:12:43.145224192", "1 > 2 [SYN]"), "x.csv", 0, p);
  EXPECT_EQ(p.observations[1].time_ns, INT64_MIN);
  const char* kRange = " is outside the representable range (years 1677 to 2262)";
  expect_error(row("2262-04-11 23:47:16.854775808", "x"),
               std::string("x.csv:2: time '2262-04-11 23:47:16.854775808'") + kRange);
  expect_error(row("9999-12-31 23:59:59", "x"),
               std::string("x.csv:2: time '9999-12-31 23:59:59'") + kRange);
  expect_error(row("1000-01-01 00:00:00", "x"),
               std::string("x.csv:2: time '1000-01-01 00:00:00'") + kRange);
}

TEST(SeedCsv, InvalidUtf8IsReplaced) {
  CapturePoint p;
  read_seed_csv_text(row("2016-08-27 11:14:45.1", "1 > 2 [SYN] \xff\xfe"), "x.csv", 0, p);
  EXPECT_EQ(p.observations[0].info, "1 > 2 [SYN] \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SeedCsv, MissingFile) {
  CapturePoint p;
  EXPECT_THROW(read_seed_csv("/nonexistent.csv", 0, p), CsvError);
}

}  // namespace
}  // namespace packetseq
