// Record stream codec: every field round-trips, and corrupt streams (truncated at any byte, wrong
// magic/version, oversized lengths, bad count/checksum, garbage) give one clear error, no crash.
#include "pipeline/record_stream.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <limits>
#include <string>

namespace packetseq {
namespace {

Observation odd_observation() {
  Observation o;
  o.frame = std::numeric_limits<std::uint64_t>::max();
  o.time_ns = std::numeric_limits<std::int64_t>::min();
  o.ip_version = 6;
  o.src = "2001:db8::1";
  o.dst = std::string("a\0b\n\xff\xfe", 6);  // NUL, newline, invalid UTF-8
  o.src_port = 65535;
  o.dst_port = 1;
  o.has_ports = false;
  o.has_ip_id = true;
  o.ip_id = 0xfffe;
  o.ttl = 255;
  o.seq_raw = 0xffffffffu;
  o.ack_raw = 0x80000000u;
  o.seq_rel = 1;
  o.ack_rel = 0xfffffffeu;
  o.has_flags = false;
  o.flags = 0x1ff;
  o.window = 0xffffffffu;
  o.payload_len = 0xfffffff0u;
  o.has_digest = true;
  o.payload_digest = 0x0123456789abcdefULL;
  o.digest_len = 7;
  o.has_tsopt = true;
  o.tsval = 0xdeadbeefu;
  o.tsecr = 0;
  o.followed = true;
  o.stream = 0xffffffffu;
  o.analysis = 0x3ff;
  o.protocol = "";
  o.info = std::string(70000, 'x') + "\xe2\x86\x92 [SYN]";
  return o;
}

CapturePoint sample_point() {
  CapturePoint p;
  p.path = "/data/fw \xd0\x96.pcapng";
  p.name = "fw";
  p.format = "pcapng";
  p.filter = "tcp && ip.addr == 10.0.0.1";
  p.warnings = {"first warning", "", std::string("bin\0ary", 7)};
  Observation a;
  a.frame = 1;
  a.time_ns = 1700000000123456789LL;
  a.src = "10.0.0.1";
  a.dst = "10.0.0.2";
  a.src_port = 52964;
  a.dst_port = 80;
  a.flags = kSyn;
  a.info = "52964 \xe2\x86\x92 80 [SYN] Seq=0";
  a.protocol = "TCP";
  p.observations = {a, odd_observation(), Observation{}};
  return p;
}

void expect_same(const Observation& a, const Observation& b) {
  EXPECT_EQ(a.frame, b.frame);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.ip_version, b.ip_version);
  EXPECT_EQ(a.src, b.src);
  EXPECT_EQ(a.dst, b.dst);
  EXPECT_EQ(a.src_port, b.src_port);
  EXPECT_EQ(a.dst_port, b.dst_port);
  EXPECT_EQ(a.has_ports, b.has_ports);
  EXPECT_EQ(a.has_ip_id, b.has_ip_id);
  EXPECT_EQ(a.ip_id, b.ip_id);
  EXPECT_EQ(a.ttl, b.ttl);
  EXPECT_EQ(a.seq_raw, b.seq_raw);
  EXPECT_EQ(a.ack_raw, b.ack_raw);
  EXPECT_EQ(a.seq_rel, b.seq_rel);
  EXPECT_EQ(a.ack_rel, b.ack_rel);
  EXPECT_EQ(a.has_flags, b.has_flags);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.window, b.window);
  EXPECT_EQ(a.payload_len, b.payload_len);
  EXPECT_EQ(a.has_digest, b.has_digest);
  EXPECT_EQ(a.payload_digest, b.payload_digest);
  EXPECT_EQ(a.digest_len, b.digest_len);
  EXPECT_EQ(a.has_tsopt, b.has_tsopt);
  EXPECT_EQ(a.tsval, b.tsval);
  EXPECT_EQ(a.tsecr, b.tsecr);
  EXPECT_EQ(a.followed, b.followed);
  EXPECT_EQ(a.stream, b.stream);
  EXPECT_EQ(a.analysis, b.analysis);
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.info, b.info);
}

std::string error_of(const std::string& bytes, const RecordStreamLimits& limits = {}) {
  try {
    decode_record_stream(bytes, "fw.pcap", 0, limits);
  } catch (const RecordStreamError& e) {
    return e.what();
  }
  return "no error";
}

void put32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put64(std::string& s, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint32_t get_len(const std::string& s, std::size_t record) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= std::uint32_t(static_cast<unsigned char>(s[record + 1 + i])) << (8 * i);
  return v;
}
// Recomputes the end record's checksum after a deliberate edit.
void reseal(std::string& s) { put64(s, s.size() - 8, XXH3_64bits(s.data(), s.size() - 8)); }

TEST(RecordStream, RoundTripsEveryField) {
  const CapturePoint in = sample_point();
  const CapturePoint out = decode_record_stream(encode_record_stream(in), "fw.pcap", 4);
  EXPECT_EQ(out.path, in.path);
  EXPECT_EQ(out.name, in.name);
  EXPECT_EQ(out.format, in.format);
  EXPECT_EQ(out.filter, in.filter);
  EXPECT_EQ(out.warnings, in.warnings);
  ASSERT_EQ(out.observations.size(), in.observations.size());
  for (std::size_t i = 0; i < in.observations.size(); ++i) {
    SCOPED_TRACE(i);
    expect_same(out.observations[i], in.observations[i]);
    EXPECT_EQ(out.observations[i].point, 4u);  // the reader's index, not the child's
  }
}

TEST(RecordStream, EmptyPointRoundTrips) {
  const CapturePoint out = decode_record_stream(encode_record_stream(CapturePoint{}), "x", 0);
  EXPECT_TRUE(out.observations.empty());
  EXPECT_TRUE(out.warnings.empty());
}

TEST(RecordStream, ByteAtATimeFeedingGivesTheSameResult) {
  const std::string bytes = encode_record_stream(sample_point());
  RecordStreamDecoder decoder("fw.pcap", 1);
  for (char c : bytes) decoder.feed(&c, 1);
  decoder.finish();
  EXPECT_TRUE(decoder.complete());
  ASSERT_EQ(decoder.point().observations.size(), 3u);
  expect_same(decoder.point().observations[1], odd_observation());
}

TEST(RecordStream, EncoderStreamsInChunks) {
  CapturePoint p;
  p.observations.resize(5000);
  std::size_t calls = 0, total = 0;
  RecordStreamEncoder encoder([&](const char*, std::size_t n) {
    ++calls;
    total += n;
  });
  encoder.begin(p);
  for (const auto& o : p.observations) encoder.add(o);
  EXPECT_GT(calls, 1u);  // flushed while observations were added, not all at the end
  encoder.end();
  EXPECT_EQ(total, encode_record_stream(p).size());
}

TEST(RecordStream, TruncationAtEveryOffsetIsACleanError) {
  CapturePoint p = sample_point();
  p.observations[1].info = "short";  // a small stream: every offset is tried
  const std::string bytes = encode_record_stream(p);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    SCOPED_TRACE(n);
    const std::string message = error_of(bytes.substr(0, n));
    ASSERT_EQ(message.rfind("fw.pcap: reader stream truncated after ", 0), 0u) << message;
  }
  EXPECT_EQ(error_of(bytes.substr(0, bytes.size() - 1)),
            "fw.pcap: reader stream truncated after 3 observations");
  EXPECT_EQ(error_of(""), "fw.pcap: reader stream truncated after 0 observations");
}

TEST(RecordStream, WrongMagicIsRejected) {
  std::string bytes = encode_record_stream(sample_point());
  bytes[1] = 'X';
  EXPECT_EQ(error_of(bytes), "fw.pcap: reader output is not a packetseq record stream (bad magic)");
  // Early: the first wrong byte is enough, even before the whole magic arrived.
  EXPECT_EQ(error_of("{\"points\""),
            "fw.pcap: reader output is not a packetseq record stream (bad magic)");
}

TEST(RecordStream, WrongVersionIsRejected) {
  std::string bytes = encode_record_stream(sample_point());
  put32(bytes, 8, 7);
  EXPECT_EQ(error_of(bytes),
            "fw.pcap: unsupported record stream version 7 (this packetseq reads version 1)");
}

TEST(RecordStream, OversizedRecordLengthIsRejectedBeforeBuffering) {
  std::string bytes = encode_record_stream(sample_point());
  put32(bytes, 13, 0xffffffffu);  // the header record's length
  EXPECT_EQ(error_of(bytes.substr(0, 17)),
            "fw.pcap: record length 4294967295 exceeds the limit (4194304 bytes)");
}

TEST(RecordStream, OversizedStringLengthIsRejected) {
  CapturePoint p;
  p.path = "abc";
  std::string bytes = encode_record_stream(p);
  put32(bytes, 17, 0x7fffffffu);  // the path's length, inside a normal-sized record
  EXPECT_EQ(error_of(bytes),
            "fw.pcap: malformed header record: path: string length 2147483647 exceeds the limit "
            "(1048576 bytes)");
  // A string longer than its record (but under the limit) is caught too.
  put32(bytes, 17, 1000);
  EXPECT_EQ(error_of(bytes),
            "fw.pcap: malformed header record: path runs past the end of the record");
}

TEST(RecordStream, LimitsAreEnforced) {
  const std::string bytes = encode_record_stream(sample_point());
  RecordStreamLimits limits;
  limits.max_observations = 2;
  EXPECT_EQ(error_of(bytes, limits), "fw.pcap: more than 2 observations");
  limits = {};
  limits.max_warnings = 2;
  EXPECT_EQ(error_of(bytes, limits),
            "fw.pcap: malformed header record: warning count 3 exceeds the limit (2)");
  limits = {};
  limits.max_string = 1000;  // the odd observation's Info has 70,000 bytes
  EXPECT_EQ(error_of(bytes, limits),
            "fw.pcap: malformed observation record 2: info: string length 70009 exceeds the "
            "limit (1000 bytes)");
}

TEST(RecordStream, CountMismatchIsRejected) {
  std::string bytes = encode_record_stream(sample_point());
  put64(bytes, bytes.size() - 16, 5);
  reseal(bytes);
  EXPECT_EQ(error_of(bytes),
            "fw.pcap: record stream count mismatch: the end record says 5 observations, the "
            "stream holds 3");
}

TEST(RecordStream, ChecksumMismatchIsRejected) {
  CapturePoint p = sample_point();
  std::string bytes = encode_record_stream(p);
  const std::size_t at = bytes.find("52964 \xe2\x86\x92");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = '6';  // one flipped byte inside a string: still well-formed, wrong checksum
  EXPECT_EQ(error_of(bytes),
            "fw.pcap: record stream checksum mismatch after 3 observations (corrupt data)");
  bytes = encode_record_stream(p);
  bytes[bytes.size() - 1] ^= 1;
  EXPECT_EQ(error_of(bytes),
            "fw.pcap: record stream checksum mismatch after 3 observations (corrupt data)");
}

TEST(RecordStream, StructuralErrorsAreRejected) {
  const std::string good = encode_record_stream(sample_point());
  EXPECT_EQ(error_of(good + "x"),
            "fw.pcap: unexpected data after the end of the record stream (byte " +
                std::to_string(good.size()) + ")");
  std::string bytes = good;
  bytes[12] = 9;  // header record type
  EXPECT_EQ(error_of(bytes), "fw.pcap: unknown record type 9 at byte 12");
  bytes = good;
  bytes[12] = 2;  // an observation first
  EXPECT_EQ(error_of(bytes), "fw.pcap: the record stream does not start with a header record");
  // A second header after the first one.
  CapturePoint empty;
  std::string two = encode_record_stream(empty);
  const std::string header = two.substr(12, two.size() - 12 - 21);
  two.insert(12 + header.size(), header);
  EXPECT_EQ(error_of(two),
            "fw.pcap: a second header record at byte " + std::to_string(12 + header.size()));
  // Unknown flag bits in an observation.
  CapturePoint one;
  one.observations = {Observation{}};
  bytes = encode_record_stream(one);
  const std::size_t obs = 12 + 5 + 20;  // after the empty header record (4 strings + count)
  ASSERT_EQ(bytes[obs], 2);
  bytes[obs + 5 + 17] = '\x80';
  reseal(bytes);
  EXPECT_EQ(error_of(bytes), "fw.pcap: malformed observation record 1: unknown flag bits 128");
  // A record longer than its fields.
  bytes = encode_record_stream(one);
  std::string longer = bytes;
  put32(longer, obs + 1, get_len(bytes, obs) + 1);
  longer.insert(obs + 5 + get_len(bytes, obs), 1, 'z');
  reseal(longer);
  EXPECT_EQ(error_of(longer),
            "fw.pcap: malformed observation record 1: 1 unexpected bytes at its end");
  bytes = good;
  put32(bytes, bytes.size() - 20, 15);  // end record length
  EXPECT_EQ(error_of(bytes), "fw.pcap: malformed end record (length 15, expected 16)");
}

TEST(RecordStream, RandomGarbageNeverCrashes) {
  const std::string good = encode_record_stream(sample_point());
  std::uint64_t seed = 42;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(seed >> 33);
  };
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = good;
    const int flips = 1 + next() % 4;
    for (int f = 0; f < flips; ++f) bytes[next() % bytes.size()] = static_cast<char>(next());
    if (next() % 3 == 0) bytes.resize(next() % bytes.size());
    const std::string message = error_of(bytes);
    if (bytes != good) {
      EXPECT_EQ(message.rfind("fw.pcap: ", 0), 0u) << message;
    }
  }
}

}  // namespace
}  // namespace packetseq
