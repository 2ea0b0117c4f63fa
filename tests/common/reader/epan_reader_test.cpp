// Tests of the epan capture reader: field-by-field against tshark, errors, robustness, callbacks.
#include "reader/epan_reader.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "crafted_capture.h"
#include "reader/dissection_fields.h"
#include "tshark_oracle.h"

namespace packetseq {
namespace {

using testing::Bytes;
using testing::TcpSegment;
using testing::TsharkFrame;

const std::string kData = std::string(PACKETSEQ_TEST_DATA) + "/captures/";

std::string shared_captures() {
  const char* env = std::getenv("PACKETSEQ_SHARED_CAPTURES");
  return env != nullptr ? env : PACKETSEQ_SHARED_CAPTURES;
}

bool is_dir(const std::string& path) { return g_file_test(path.c_str(), G_FILE_TEST_IS_DIR); }

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> files;
  if (GDir* d = g_dir_open(dir.c_str(), 0, nullptr)) {
    while (const char* name = g_dir_read_name(d)) {
      const std::string path = dir + "/" + name;
      if (g_file_test(path.c_str(), G_FILE_TEST_IS_REGULAR)) files.push_back(path);
    }
    g_dir_close(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A scratch directory removed with its files at the end of the test.
class TempDir {
 public:
  TempDir() {
    gchar* dir = g_dir_make_tmp("packetseq-reader-XXXXXX", nullptr);
    path_ = dir != nullptr ? dir : "/tmp";
    g_free(dir);
  }
  ~TempDir() {
    for (const std::string& file : files_in(path_)) g_remove(file.c_str());
    g_rmdir(path_.c_str());
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

CapturePoint read(const std::string& path, const std::string& filter = "tcp") {
  ReadOptions options;
  options.display_filter = filter;
  CapturePoint point;
  read_capture_epan(path, options, 3, point);
  return point;
}

// The ReadError message reading `path` gives, or "" if it reads.
std::string read_error(const std::string& path, const std::string& filter = "tcp") {
  try {
    read(path, filter);
  } catch (const ReadError& e) {
    return e.what();
  }
  return "";
}

std::uint64_t number(const std::string& text) { return std::strtoull(text.c_str(), nullptr, 0); }

// ns since the epoch from tshark's "secs.nanoseconds", clamped like the reader.
std::int64_t epoch_ns(const std::string& text) {
  const std::size_t dot = text.find('.');
  const std::int64_t secs = std::strtoll(text.substr(0, dot).c_str(), nullptr, 10);
  std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  fraction.resize(9, '0');
  bool clamped = false;
  return DissectionFields::to_ns(secs, std::atoi(fraction.c_str()), &clamped);
}

// Innermost of "ip"/"ipv6" before the first "tcp" in frame.protocols.
int carrier_ip_version(const std::string& protocols) {
  int version = 0;
  gchar** layers = g_strsplit(protocols.c_str(), ":", -1);
  for (gchar** layer = layers; *layer != nullptr; ++layer) {
    if (g_str_equal(*layer, "tcp")) break;
    if (g_str_equal(*layer, "ip")) version = 4;
    if (g_str_equal(*layer, "ipv6")) version = 6;
  }
  g_strfreev(layers);
  return version;
}

std::string first(const std::vector<std::string>& values) {
  return values.empty() ? "" : values.front();
}
std::string last(const std::vector<std::string>& values) {
  return values.empty() ? "" : values.back();
}

// Reads `file` with the reader and with tshark and compares every Observation field.
void expect_matches_tshark(const std::string& file, const std::string& filter = "tcp",
                           const std::string& oracle_filter = "tcp && !icmp && !icmpv6") {
  SCOPED_TRACE(file);
  if (testing::tshark_path().empty()) GTEST_SKIP() << "tshark is not installed";
  std::string error;
  const auto expected = testing::run_tshark(file, oracle_filter, &error);
  ASSERT_TRUE(expected.has_value()) << error;
  const CapturePoint point = read(file, filter);
  ASSERT_EQ(point.observations.size(), expected->size());

  for (std::size_t i = 0; i < expected->size(); ++i) {
    const TsharkFrame& t = (*expected)[i];
    const Observation& o = point.observations[i];
    SCOPED_TRACE("frame " + std::to_string(t.frame));
    EXPECT_EQ(o.point, 3u);
    EXPECT_EQ(o.frame, t.frame);
    EXPECT_EQ(o.time_ns, epoch_ns(t.time_epoch));

    const int version = carrier_ip_version(t.protocols);
    EXPECT_EQ(o.ip_version, version);
    if (version == 4) {
      EXPECT_EQ(o.src, last(t.ip_src));
      EXPECT_EQ(o.dst, last(t.ip_dst));
      EXPECT_TRUE(o.has_ip_id);
      EXPECT_EQ(o.ip_id, number(last(t.ip_id)));
      EXPECT_EQ(o.ttl, number(last(t.ip_ttl)));
    } else {
      EXPECT_EQ(o.src, last(t.ipv6_src));
      EXPECT_EQ(o.dst, last(t.ipv6_dst));
      EXPECT_FALSE(o.has_ip_id);
      EXPECT_EQ(o.ttl, number(last(t.ipv6_hlim)));
    }
    EXPECT_EQ(o.src_port, number(first(t.srcport)));
    EXPECT_EQ(o.dst_port, number(first(t.dstport)));
    EXPECT_EQ(o.seq_rel, number(first(t.seq)));
    EXPECT_EQ(o.seq_raw, number(first(t.seq_raw)));
    EXPECT_EQ(o.ack_rel, number(first(t.ack)));  // tshark prints none without ACK: 0
    EXPECT_EQ(o.ack_raw, number(first(t.ack_raw)));
    EXPECT_EQ(o.flags, number(first(t.flags)));
    const std::string window =
        t.window_size.empty() ? first(t.window_size_value) : first(t.window_size);
    EXPECT_EQ(o.window, number(window));
    EXPECT_EQ(o.payload_len, number(first(t.len)));
    EXPECT_EQ(o.stream, number(first(t.stream)));
    EXPECT_EQ(o.has_tsopt, !t.tsval.empty());
    EXPECT_EQ(o.tsval, number(first(t.tsval)));
    EXPECT_EQ(o.tsecr, number(first(t.tsecr)));
    EXPECT_EQ(o.analysis, t.analysis);
    EXPECT_EQ(o.protocol, t.col_protocol);
    EXPECT_EQ(o.info, t.col_info);

    if (!t.payload.empty()) {
      // tshark shows tcp.payload for data it hands on (not for data on a RST).
      const std::vector<std::uint8_t> bytes = testing::hex_bytes(first(t.payload));
      ASSERT_FALSE(bytes.empty());
      EXPECT_TRUE(o.has_digest);
      EXPECT_EQ(o.digest_len, bytes.size());
      EXPECT_EQ(o.payload_digest, XXH3_64bits(bytes.data(), bytes.size()));
    } else if (o.payload_len == 0) {
      EXPECT_FALSE(o.has_digest);
    }
    EXPECT_LE(o.digest_len, o.payload_len);
  }
}

// ---- field by field against tshark ----------------------------------------------------------

class ReaderMatchesTshark : public ::testing::TestWithParam<const char*> {};

TEST_P(ReaderMatchesTshark, EveryObservationFieldEqualsTsharkOutput) {
  expect_matches_tshark(kData + GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    CommittedCaptures, ReaderMatchesTshark,
    ::testing::Values("print-flags.pcap",                 // IPv4 over Ethernet, HTTP
                      "one_ipv6_http_stream.pcap",        // IPv6, raw IP link type
                      "tcp-handshake-nano.pcap",          // Linux cooked SLL, nanosecond pcap
                      "simple_http_sll2.pcap",            // Linux cooked SLL2
                      "nanosecs_big_endian.pcap",         // big-endian nanosecond pcap
                      "many_interfaces-1.pcapng",         // pcapng, Ethernet + NULL interfaces
                      "pcapng-example.pcapng",            // pcapng, 2 link types, year 586524
                      "one_http_stream_rst.pcap",         // double 802.1Q VLAN tags
                      "one_tcp_stream_max_seq.pcap",      // raw sequence numbers wrap past 2^32
                      "accecn_handshake.pcap",            // AE/CWR/ECE flags
                      "tcp_rst_data.pcap",                // RST carrying payload
                      "tcpdump-tcp_rst_data-trunc.pcap",  // payload snapped by one byte
                      "tfo-5c1fa7f9ae91.pcap",            // TCP Fast Open, both sides of a NAT
                      "mptcp-v1.pcap",                    // Multipath TCP options
                      "unidirectional_tcp_stream_with_missing_packet.pcap"),
    [](const ::testing::TestParamInfo<const char*>& info) {
      std::string name = info.param;
      name = name.substr(0, name.find('.'));
      std::replace_if(
          name.begin(), name.end(), [](char c) { return !g_ascii_isalnum(c); }, '_');
      return name;
    });

TEST(EpanReader, SharedTcpCapturesMatchTshark) {
  const std::string dir = shared_captures() + "/tcp";
  if (!is_dir(dir)) GTEST_SKIP() << dir << " is not available";
  for (const std::string& file : files_in(dir)) expect_matches_tshark(file);
}

TEST(EpanReader, CustomFilterSelectsTheSamePacketsAsTshark) {
  expect_matches_tshark(kData + "print-flags.pcap", "tcp.len > 0",
                        "tcp.len > 0 && !icmp && !icmpv6");
}

// ---- tunnels and ICMP errors, crafted byte by byte ------------------------------------------

std::vector<Bytes> tunnel_packets() {
  TcpSegment syn{1234, 80, 1000, 0, kSyn, 65535, true, 111, 0, ""};
  TcpSegment syn_ack{80, 1234, 5000, 1001, kSyn | kAck, 29200, true, 222, 111, ""};
  TcpSegment data{1234, 80, 1001, 5001, kPsh | kAck, 512, false, 0, 0, "hello"};
  TcpSegment more{1234, 80, 1006, 5001, kPsh | kAck, 512, false, 0, 0, "world!"};
  const Bytes inner_syn =
      testing::ipv4_bytes("10.0.0.1", "10.0.0.2", 6, 0x2222, 63, testing::tcp_bytes(syn));
  return {
      // 1: IPv4 in IPv4
      testing::ipv4_bytes("192.0.2.1", "192.0.2.2", 4, 0x1111, 64, inner_syn),
      // 2: IPv4 in GRE in IPv4
      testing::ipv4_bytes(
          "192.0.2.2", "192.0.2.1", 47, 0x1112, 64,
          testing::gre_bytes(0x0800, testing::ipv4_bytes("10.0.0.2", "10.0.0.1", 6, 0x3333, 62,
                                                         testing::tcp_bytes(syn_ack)))),
      // 3: an ICMP error quoting a TCP segment: not a TCP segment itself
      testing::ipv4_bytes("198.51.100.1", "10.0.0.1", 1, 0x4444, 250,
                          testing::icmp_unreachable_bytes(inner_syn)),
      // 4: IPv6 in IPv4 (6in4)
      testing::ipv4_bytes(
          "192.0.2.1", "192.0.2.2", 41, 0x1113, 64,
          testing::ipv6_bytes("2001:db8::1", "2001:db8::2", 6, 61, testing::tcp_bytes(data))),
      // 5: IPv4 in IPv6
      testing::ipv6_bytes(
          "2001:db8:ffff::1", "2001:db8:ffff::2", 4, 60,
          testing::ipv4_bytes("10.0.0.1", "10.0.0.2", 6, 0x5555, 59, testing::tcp_bytes(more))),
  };
}

TEST(EpanReader, TunnelledTcpTakesTheInnermostIpHeaderAndIcmpQuotesAreSkipped) {
  TempDir dir;
  const std::string file = dir.file("tunnels.pcap");
  ASSERT_TRUE(testing::write_raw_ip_pcap(file, tunnel_packets(), 1700000000));

  const CapturePoint point = read(file);
  ASSERT_EQ(point.observations.size(), 4u);
  const Observation& ipip = point.observations[0];
  EXPECT_EQ(ipip.frame, 1u);
  EXPECT_EQ(ipip.src, "10.0.0.1");
  EXPECT_EQ(ipip.dst, "10.0.0.2");
  EXPECT_EQ(ipip.ip_id, 0x2222);
  EXPECT_EQ(ipip.ttl, 63);
  EXPECT_EQ(ipip.time_ns, 1700000000250000000);
  EXPECT_TRUE(ipip.has_tsopt);
  EXPECT_EQ(ipip.tsval, 111u);
  const Observation& gre = point.observations[1];
  EXPECT_EQ(gre.src, "10.0.0.2");
  EXPECT_EQ(gre.ip_id, 0x3333);
  EXPECT_EQ(gre.flags, kSyn | kAck);
  EXPECT_EQ(point.observations[2].frame, 4u) << "frame 3 (ICMP error) must be skipped";
  EXPECT_EQ(point.observations[2].ip_version, 6);
  EXPECT_EQ(point.observations[2].src, "2001:db8::1");
  EXPECT_EQ(point.observations[2].ttl, 61);
  EXPECT_EQ(point.observations[3].ip_version, 4);
  EXPECT_EQ(point.observations[3].src, "10.0.0.1");
  EXPECT_EQ(point.observations[3].ip_id, 0x5555);
  const std::string world = "world!";
  EXPECT_EQ(point.observations[3].payload_digest, XXH3_64bits(world.data(), world.size()));

  expect_matches_tshark(file);
}

// ---- specific properties --------------------------------------------------------------------

TEST(EpanReader, SetsFormatFilterAndAppendsWithThePointIndex) {
  ReadOptions options;
  CapturePoint point;
  point.observations.resize(2);
  read_capture_epan(kData + "print-flags.pcap", options, 7, point);
  EXPECT_EQ(point.format, "pcap");
  EXPECT_EQ(point.filter, "tcp");
  ASSERT_EQ(point.observations.size(), 12u);
  EXPECT_EQ(point.observations[2].frame, 1u);
  EXPECT_EQ(point.observations[2].point, 7u);
  EXPECT_EQ(point.observations[2].flags, kSyn);
  EXPECT_EQ(point.observations[2].info,
            "55920 → 80 [SYN] Seq=0 Win=32767 Len=0 MSS=16396 SACK_PERM TSval=1306300950 "
            "TSecr=0 WS=4");
  EXPECT_EQ(read(kData + "many_interfaces-1.pcapng").format, "pcapng");
}

TEST(EpanReader, Ipv6HasNoIpIdAndUsesHopLimit) {
  const CapturePoint point = read(kData + "one_ipv6_http_stream.pcap");
  ASSERT_FALSE(point.observations.empty());
  const Observation& syn = point.observations.front();
  EXPECT_EQ(syn.ip_version, 6);
  EXPECT_EQ(syn.src, "2001:618:400::5199:cc70");
  EXPECT_FALSE(syn.has_ip_id);
  EXPECT_GT(syn.ttl, 0);
}

TEST(EpanReader, AccurateEcnFlagsAreKept) {
  const CapturePoint point = read(kData + "accecn_handshake.pcap");
  ASSERT_FALSE(point.observations.empty());
  EXPECT_EQ(point.observations.front().flags, kSyn | kEce | kCwr | kAe);
}

TEST(EpanReader, RelativeSequenceNumbersKeepGrowingWhenRawOnesWrap) {
  const CapturePoint point = read(kData + "one_tcp_stream_max_seq.pcap");
  bool wrapped = false;
  for (const Observation& o : point.observations) {
    if (o.src_port != 61541 || o.payload_len == 0) continue;
    if (o.seq_raw < 4294964795u) {
      wrapped = true;
      EXPECT_EQ(o.seq_rel, static_cast<std::uint32_t>(o.seq_raw - 4294964795u));
    }
  }
  EXPECT_TRUE(wrapped);
}

TEST(EpanReader, SnappedPayloadIsDigestedOverTheCapturedBytes) {
  const CapturePoint point = read(kData + "tcpdump-tcp_rst_data-trunc.pcap");
  ASSERT_EQ(point.observations.size(), 1u);
  const Observation& rst = point.observations.front();
  EXPECT_EQ(rst.payload_len, 58u);
  EXPECT_TRUE(rst.has_digest);
  EXPECT_EQ(rst.digest_len, 57u);
  const CapturePoint full = read(kData + "tcp_rst_data.pcap");
  EXPECT_EQ(full.observations.front().digest_len, 58u);
  EXPECT_NE(full.observations.front().payload_digest, rst.payload_digest);
}

TEST(EpanReader, LostSegmentAnalysisIsReported) {
  const CapturePoint point = read(kData + "unidirectional_tcp_stream_with_missing_packet.pcap");
  const auto lost =
      std::count_if(point.observations.begin(), point.observations.end(),
                    [](const Observation& o) { return (o.analysis & kPreviousSegmentLost) != 0; });
  EXPECT_EQ(lost, 1);
}

TEST(EpanReader, TimestampsBeyondInt64NanosecondsAreClampedWithAWarning) {
  const CapturePoint point = read(kData + "pcapng-example.pcapng");
  const auto clamped = std::count_if(point.observations.begin(), point.observations.end(),
                                     [](const Observation& o) { return o.time_ns == INT64_MAX; });
  EXPECT_GT(clamped, 0);
  const bool warned =
      std::any_of(point.warnings.begin(), point.warnings.end(),
                  [](const std::string& w) { return w.find("clamped") != std::string::npos; });
  EXPECT_TRUE(warned);
}

TEST(DissectionFields, ToNsClampsInsteadOfOverflowing) {
  bool clamped = true;
  EXPECT_EQ(DissectionFields::to_ns(1, 5, &clamped), 1000000005);
  EXPECT_FALSE(clamped);
  EXPECT_EQ(DissectionFields::to_ns(-2, 0, &clamped), -2000000000);
  EXPECT_EQ(DissectionFields::to_ns(18446744073204LL, 0, &clamped), INT64_MAX);
  EXPECT_TRUE(clamped);
  EXPECT_EQ(DissectionFields::to_ns(-18446744073204LL, 0, &clamped), INT64_MIN);
  EXPECT_TRUE(clamped);
}

// ---- callbacks ------------------------------------------------------------------------------

TEST(EpanReader, ProgressEndsAtTheFileSize) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  ReadOptions options;
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    calls.emplace_back(done, total);
  };
  CapturePoint point;
  read_capture_epan(kData + "one_tcp_stream_max_seq.pcap", options, 0, point);
  ASSERT_GE(calls.size(), 2u);
  const std::uint64_t size = calls.back().second;
  EXPECT_GT(size, 0u);
  EXPECT_EQ(calls.back().first, size);
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].first, calls[i - 1].first);
}

TEST(EpanReader, CancelStopsTheReadWithReadCancelled) {
  ReadOptions options;
  options.cancelled = [] { return true; };
  CapturePoint point;
  try {
    read_capture_epan(kData + "print-flags.pcap", options, 0, point);
    FAIL() << "expected ReadCancelled";
  } catch (const ReadCancelled& e) {
    EXPECT_EQ(std::string(e.what()), kData + "print-flags.pcap: cancelled");
  }
  // The next read works: the epan session was closed.
  EXPECT_EQ(read(kData + "print-flags.pcap").observations.size(), 10u);
}

// ---- errors: each names the file and the cause ----------------------------------------------

TEST(EpanReaderErrors, MissingFile) {
  const std::string path = kData + "no-such-file.pcap";
  EXPECT_EQ(read_error(path), path + ": No such file or directory");
}

TEST(EpanReaderErrors, TextFileIsNotACapture) {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  std::ofstream(path) << "this is a text file, not a capture\n";
  EXPECT_EQ(read_error(path), path + ": not a capture file in a format Wireshark can read");
}

TEST(EpanReaderErrors, CaptureCutShortNamesThePacketsReadBeforeIt) {
  TempDir dir;
  const std::string path = dir.file("cut.pcap");
  std::ifstream in(kData + "print-flags.pcap", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(path, std::ios::binary) << bytes.substr(0, 3000);  // like `head -c 3000`
  EXPECT_EQ(read_error(path),
            path +
                ": read error after 5 packets: the capture file ends in the middle of a "
                "packet (file cut short)");
}

TEST(EpanReaderErrors, BadDisplayFilterQuotesTheFilterError) {
  const std::string path = kData + "print-flags.pcap";
  EXPECT_EQ(read_error(path, "tcp.nosuchfield"),
            path +
                ": invalid display filter 'tcp.nosuchfield': tcp.nosuchfield is neither a "
                "field nor a protocol name.");
  EXPECT_EQ(read_error(path, "tcp.port =="),
            path + ": invalid display filter 'tcp.port ==': Unexpected end of filter expression.");
}

TEST(EpanReaderErrors, FilterMatchingNothing) {
  const std::string path = kData + "print-flags.pcap";
  EXPECT_EQ(read_error(path, "tcp.port == 9"),
            path + ": no packets match the display filter 'tcp.port == 9' (10 packets read)");
}

TEST(EpanReaderErrors, FilterMatchingOnlyNonTcpPackets) {
  TempDir dir;
  const std::string path = dir.file("tunnels.pcap");
  ASSERT_TRUE(testing::write_raw_ip_pcap(path, tunnel_packets(), 1700000000));
  EXPECT_EQ(read_error(path, "icmp"),
            path +
                ": no TCP segments match the display filter 'icmp' (1 of 5 packets matched, "
                "none a TCP segment over IP)");
}

TEST(EpanReader, EmptyFilterReadsEveryTcpSegment) {
  TempDir dir;
  const std::string path = dir.file("tunnels.pcap");
  ASSERT_TRUE(testing::write_raw_ip_pcap(path, tunnel_packets(), 1700000000));
  EXPECT_EQ(read(path, "").observations.size(), 4u);
  EXPECT_EQ(read_error(kData + "tcpdump-tcp_header_heapoverflow.pcap", ""),
            kData +
                "tcpdump-tcp_header_heapoverflow.pcap: no TCP segments over IP among the 1 "
                "packet read");
}

TEST(EpanReaderErrors, EmptyCapture) {
  const std::string path = kData + "tcpdump-empty.pcap";
  EXPECT_EQ(read_error(path), path + ": the capture file contains no packets");
}

TEST(EpanReaderErrors, TruncatedTcpHeaderIsSkippedWithAWarning) {
  ReadOptions options;
  CapturePoint point;
  const std::string path = kData + "tcpdump-tcp_header_heapoverflow.pcap";
  EXPECT_THROW(read_capture_epan(path, options, 0, point), ReadError);
  ASSERT_FALSE(point.warnings.empty());
  EXPECT_EQ(point.warnings.back(),
            "1 TCP segment with a truncated or malformed TCP header skipped (frame 1)");
}

// ---- robustness -----------------------------------------------------------------------------

TEST(EpanReaderRobustness, EveryMalformedCaptureReadsOrThrowsReadError) {
  const std::string dir = shared_captures() + "/malformed";
  if (!is_dir(dir)) GTEST_SKIP() << dir << " is not available";
  const std::vector<std::string> files = files_in(dir);
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    CapturePoint point;
    try {
      read_capture_epan(file, ReadOptions{}, 0, point);
      EXPECT_FALSE(point.observations.empty());
    } catch (const ReadError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(file + ": ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace packetseq

// ---- follow mode: the anchor's packets matching the follow filter are marked -----------------

namespace packetseq {
namespace {

CapturePoint read_following(const std::string& path, const std::string& filter,
                            const std::string& follow) {
  ReadOptions options;
  options.display_filter = filter;
  options.follow_filter = follow;
  CapturePoint point;
  read_capture_epan(path, options, 0, point);
  return point;
}

const std::string kSampleClient = std::string(PACKETSEQ_TEST_DATA) + "/sample/client.pcapng";

TEST(EpanReaderFollow, MarksExactlyThePacketsMatchingTheFollowFilter) {
  // The display filter still decides what is read; the follow filter only marks.
  const CapturePoint point = read_following(kSampleClient, "tcp", "tcp.stream == 1");
  ASSERT_EQ(point.observations.size(), 68u);
  std::size_t followed = 0;
  for (const auto& o : point.observations) {
    EXPECT_EQ(o.followed, o.stream == 1) << "frame " << o.frame;
    followed += o.followed ? 1 : 0;
  }
  EXPECT_EQ(followed, 16u);  // tshark -r client.pcapng -Y 'tcp.stream == 1' | wc -l
}

TEST(EpanReaderFollow, FieldsOnlyTheFollowFilterNamesArePrimed) {
  // tcp.flags.syn is in no other filter: without priming it would never match.
  const CapturePoint point = read_following(kSampleClient, "tcp", "tcp.flags.syn == 1");
  std::size_t followed = 0;
  for (const auto& o : point.observations) {
    EXPECT_EQ(o.followed, (o.flags & kSyn) != 0) << "frame " << o.frame;
    followed += o.followed ? 1 : 0;
  }
  EXPECT_EQ(followed, 6u);  // three connections: SYN and SYN-ACK each
}

TEST(EpanReaderFollow, NoFollowFilterMarksNothing) {
  for (const auto& o : read(kSampleClient).observations) EXPECT_FALSE(o.followed);
}

TEST(EpanReaderFollow, ErrorsNameTheFollowFilter) {
  try {
    read_following(kSampleClient, "tcp", "tcp.stream ==");
    FAIL() << "an invalid follow filter was accepted";
  } catch (const ReadError& e) {
    EXPECT_EQ(std::string(e.what()), kSampleClient +
                                         ": invalid follow filter 'tcp.stream ==': Unexpected "
                                         "end of filter expression.");
  }
  try {
    read_following(kSampleClient, "tcp.stream == 0", "tcp.stream == 2");
    FAIL() << "a follow filter matching nothing was accepted";
  } catch (const ReadError& e) {
    EXPECT_EQ(std::string(e.what()),
              kSampleClient +
                  ": no TCP segments match the follow filter 'tcp.stream == 2' (12 TCP segments "
                  "read with the display filter 'tcp.stream == 0')");
  }
}

}  // namespace
}  // namespace packetseq
