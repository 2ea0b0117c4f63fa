// Builds small raw-IP pcap files (tunnels, ICMP errors) byte by byte for reader tests.
#include "crafted_capture.h"

#include <arpa/inet.h>

#include <cstdio>
#include <memory>

namespace packetseq::testing {
namespace {

void put16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void put32(Bytes& out, std::uint32_t value) {
  put16(out, static_cast<std::uint16_t>(value >> 16));
  put16(out, static_cast<std::uint16_t>(value));
}

void put32_le(Bytes& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

std::uint16_t checksum(const Bytes& data, std::size_t begin, std::size_t end) {
  std::uint32_t sum = 0;
  for (std::size_t i = begin; i + 1 < end; i += 2) sum += (data[i] << 8) | data[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace

Bytes tcp_bytes(const TcpSegment& s) {
  Bytes out;
  put16(out, s.src_port);
  put16(out, s.dst_port);
  put32(out, s.seq);
  put32(out, s.ack);
  const std::uint8_t header_words = s.timestamps ? 8 : 5;
  put16(out, static_cast<std::uint16_t>((header_words << 12) | (s.flags & 0x1ff)));
  put16(out, s.window);
  put16(out, 0);  // checksum: Wireshark does not verify it by default
  put16(out, 0);  // urgent pointer
  if (s.timestamps) {
    out.insert(out.end(), {1, 1, 8, 10});
    put32(out, s.tsval);
    put32(out, s.tsecr);
  }
  out.insert(out.end(), s.payload.begin(), s.payload.end());
  return out;
}

Bytes ipv4_bytes(const std::string& src, const std::string& dst, std::uint8_t protocol,
                 std::uint16_t id, std::uint8_t ttl, const Bytes& payload) {
  Bytes out = {0x45, 0};
  put16(out, static_cast<std::uint16_t>(20 + payload.size()));
  put16(out, id);
  put16(out, 0x4000);  // DF
  out.push_back(ttl);
  out.push_back(protocol);
  put16(out, 0);
  std::uint8_t address[4];
  inet_pton(AF_INET, src.c_str(), address);
  out.insert(out.end(), address, address + 4);
  inet_pton(AF_INET, dst.c_str(), address);
  out.insert(out.end(), address, address + 4);
  const std::uint16_t sum = checksum(out, 0, 20);
  out[10] = static_cast<std::uint8_t>(sum >> 8);
  out[11] = static_cast<std::uint8_t>(sum);
  append(out, payload);
  return out;
}

Bytes ipv6_bytes(const std::string& src, const std::string& dst, std::uint8_t next_header,
                 std::uint8_t hop_limit, const Bytes& payload) {
  Bytes out;
  put32(out, 0x60000000);
  put16(out, static_cast<std::uint16_t>(payload.size()));
  out.push_back(next_header);
  out.push_back(hop_limit);
  std::uint8_t address[16];
  inet_pton(AF_INET6, src.c_str(), address);
  out.insert(out.end(), address, address + 16);
  inet_pton(AF_INET6, dst.c_str(), address);
  out.insert(out.end(), address, address + 16);
  append(out, payload);
  return out;
}

Bytes gre_bytes(std::uint16_t ethertype, const Bytes& payload) {
  Bytes out;
  put16(out, 0);  // no checksum, key or sequence number; version 0
  put16(out, ethertype);
  append(out, payload);
  return out;
}

Bytes icmp_unreachable_bytes(const Bytes& quoted) {
  Bytes out = {3, 4, 0, 0, 0, 0};
  put16(out, 1400);  // next-hop MTU
  append(out, quoted);
  const std::uint16_t sum = checksum(out, 0, out.size() & ~std::size_t{1});
  out[2] = static_cast<std::uint8_t>(sum >> 8);
  out[3] = static_cast<std::uint8_t>(sum);
  return out;
}

bool write_raw_ip_pcap(const std::string& path, const std::vector<Bytes>& packets,
                       std::uint32_t base_secs) {
  Bytes file;
  put32_le(file, 0xa1b2c3d4);
  file.insert(file.end(), {2, 0, 4, 0});  // version 2.4
  put32_le(file, 0);                      // thiszone
  put32_le(file, 0);                      // sigfigs
  put32_le(file, 65535);                  // snaplen
  put32_le(file, 101);                    // LINKTYPE_RAW
  std::uint32_t index = 0;
  for (const Bytes& packet : packets) {
    put32_le(file, base_secs + index++);
    put32_le(file, 250000);
    put32_le(file, static_cast<std::uint32_t>(packet.size()));
    put32_le(file, static_cast<std::uint32_t>(packet.size()));
    append(file, packet);
  }
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(path.c_str(), "wb"), &std::fclose);
  return out != nullptr && std::fwrite(file.data(), 1, file.size(), out.get()) == file.size();
}

}  // namespace packetseq::testing
