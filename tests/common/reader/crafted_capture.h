// Builds small raw-IP pcap files (tunnels, ICMP errors) byte by byte for reader tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace packetseq::testing {

using Bytes = std::vector<std::uint8_t>;

struct TcpSegment {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t flags = 0;  // TcpFlag bits
  std::uint16_t window = 0;
  bool timestamps = false;  // add NOP NOP TS option
  std::uint32_t tsval = 0;
  std::uint32_t tsecr = 0;
  std::string payload;
};

Bytes tcp_bytes(const TcpSegment& segment);
// IPv4 header (with checksum) + payload; addresses in dotted text.
Bytes ipv4_bytes(const std::string& src, const std::string& dst, std::uint8_t protocol,
                 std::uint16_t id, std::uint8_t ttl, const Bytes& payload);
Bytes ipv6_bytes(const std::string& src, const std::string& dst, std::uint8_t next_header,
                 std::uint8_t hop_limit, const Bytes& payload);
Bytes gre_bytes(std::uint16_t ethertype, const Bytes& payload);
// ICMPv4 destination unreachable (fragmentation needed) quoting `quoted`.
Bytes icmp_unreachable_bytes(const Bytes& quoted);

// Writes a microsecond pcap with link type raw IP; packet i is stamped base_secs + i seconds.
// Returns false on I/O error.
bool write_raw_ip_pcap(const std::string& path, const std::vector<Bytes>& packets,
                       std::uint32_t base_secs);

}  // namespace packetseq::testing
