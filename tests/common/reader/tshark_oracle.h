// Test oracle: runs the real tshark on a capture and parses its per-field TCP output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace packetseq::testing {

// One frame as tshark prints it with -T fields (all occurrences of each field, comma-joined).
struct TsharkFrame {
  std::uint64_t frame = 0;
  std::string time_epoch;  // "secs.nanoseconds"
  std::string protocols;   // frame.protocols, e.g. "eth:ethertype:ip:tcp:http"
  std::vector<std::string> ip_src, ip_dst, ip_id, ip_ttl;
  std::vector<std::string> ipv6_src, ipv6_dst, ipv6_hlim;
  std::vector<std::string> srcport, dstport, seq, seq_raw, ack, ack_raw, flags;
  std::vector<std::string> window_size, window_size_value, len, stream, tsval, tsecr, payload;
  std::string col_protocol, col_info;
  std::uint32_t analysis = 0;  // AnalysisFlag bits of the tcp.analysis.* fields present
};

// Path of tshark, or empty if it is not installed.
std::string tshark_path();

// Runs `tshark -r FILE -n -Y FILTER` with TCP reassembly off (as the reader reads) and returns
// the frames; nullopt (and `error` set) if tshark fails.
std::optional<std::vector<TsharkFrame>> run_tshark(const std::string& file,
                                                   const std::string& filter, std::string* error);

// Decodes tshark's hex byte output ("4745..."); empty on malformed input.
std::vector<std::uint8_t> hex_bytes(const std::string& hex);

}  // namespace packetseq::testing
