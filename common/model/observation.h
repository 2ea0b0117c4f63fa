// Observation: one TCP packet seen at one capture point, as plain data.
#pragma once

#include <cstdint>
#include <string>

namespace packetseq {

// TCP header flag bits, same values as on the wire (and as Wireshark's tcp.flags).
enum TcpFlag : std::uint16_t {
  kFin = 0x001,
  kSyn = 0x002,
  kRst = 0x004,
  kPsh = 0x008,
  kAck = 0x010,
  kUrg = 0x020,
  kEce = 0x040,
  kCwr = 0x080,
  kAe = 0x100,  // formerly NS; Wireshark 4.0 calls it AE (Accurate ECN)
};

// Wireshark's TCP expert analysis, reduced to the conditions the diagram marks.
enum AnalysisFlag : std::uint32_t {
  kRetransmission = 0x001,
  kFastRetransmission = 0x002,
  kSpuriousRetransmission = 0x004,
  kDuplicateAck = 0x008,
  kZeroWindow = 0x010,
  kOutOfOrder = 0x020,
  kPreviousSegmentLost = 0x040,
  kKeepAlive = 0x080,
  kWindowFull = 0x100,
  kZeroWindowProbe = 0x200,
};

struct Observation {
  std::size_t point = 0;    // index of the capture point in Model::points
  std::uint64_t frame = 0;  // frame number in that capture (1-based, as Wireshark shows it)
  std::int64_t time_ns =
      0;  // capture timestamp, ns since the Unix epoch, on the capture host's clock

  std::uint8_t ip_version = 4;  // 4 or 6
  std::string src;              // address text: dotted IPv4 or RFC 5952 IPv6
  std::string dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  bool has_ports = true;  // false only for seed CSV rows whose Info carries no ports

  bool has_ip_id = false;  // IPv6 has none
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 0;  // TTL or hop limit

  std::uint32_t seq_raw = 0;
  std::uint32_t ack_raw = 0;
  std::uint32_t seq_rel = 0;
  std::uint32_t ack_rel = 0;
  bool has_flags = true;  // false only for seed CSV rows whose Info has no [FLAGS]
  std::uint16_t flags = 0;
  std::uint32_t window = 0;  // calculated window (scaled) when known, else the raw field
  std::uint32_t payload_len = 0;

  bool has_digest = false;
  std::uint64_t payload_digest = 0;  // XXH3-64 of the captured TCP payload bytes
  std::uint32_t digest_len =
      0;  // bytes that went into the digest (less than payload_len if snapped)

  bool has_tsopt = false;
  std::uint32_t tsval = 0;
  std::uint32_t tsecr = 0;

  // Anchor point only: the packet matches the follow filter (--follow), so its connection and
  // everything reachable from it at other points is kept (docs/matching.md, "Follow mode").
  bool followed = false;

  std::uint32_t stream = 0;    // Wireshark tcp.stream within this capture
  std::uint32_t analysis = 0;  // AnalysisFlag bits
  std::string protocol;        // Protocol column (top protocol), e.g. "TCP", "HTTP"
  std::string info;            // Info column text
};

}  // namespace packetseq
