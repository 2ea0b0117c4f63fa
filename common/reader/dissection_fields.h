// Turns one libwireshark dissection (epan_dissect_t + columns) into an Observation; reusable by
// taps.
#pragma once

#include <cstdint>
#include <vector>

#include "model/observation.h"

// Forward declarations so this header does not drag libwireshark's C headers into every user.
struct epan_dissect;
struct epan_column_info;

namespace packetseq {

// What extract() found in a dissected frame.
enum class ExtractOutcome {
  kObservation,        // `out` holds a TCP segment
  kNotTcp,             // no TCP header in the frame
  kTcpInIcmpError,     // the only TCP header is the one an ICMP/ICMPv6 error quotes
  kNoIpLayer,          // TCP not carried by IPv4/IPv6 (nothing to match on)
  kTcpHeaderTruncated  // ports, sequence number or flags missing (snapped or malformed)
};

struct ExtractResult {
  ExtractOutcome outcome = ExtractOutcome::kNotTcp;
  bool time_clamped = false;  // the timestamp did not fit in int64 ns and was clamped
  bool no_timestamp = false;  // the record carries no timestamp (time_ns is 0)
};

// The header fields packetseq reads, looked up by name once libwireshark's protocols are
// registered.
//
// Usage: construct after epan_init(); before each dissection call prime(edt) (or, inside
// Wireshark/tshark, hand wanted_hfids() to set_postdissector_wanted_hfids() of a postdissector
// so the GUI/tshark primes them); after the dissection call extract().
//
// Fields are only present in a non-visible tree when primed, and a frame may carry several IP
// or TCP headers (tunnels, ICMP errors quoting a packet), so every value is picked by its
// protocol layer number (field_info::total_layer_num): the TCP header is the first one not
// quoted inside an ICMP error, and its IP header is the innermost IPv4/IPv6 layer below it.
class DissectionFields {
 public:
  // Throws std::runtime_error if a field is unknown (a libwireshark without TCP/IP dissectors).
  DissectionFields();

  // Every hf id extract() needs, protocols included.
  const std::vector<int>& wanted_hfids() const { return wanted_; }

  // Marks the wanted fields as interesting for the next dissection with `edt`.
  void prime(epan_dissect* edt) const;

  // Fills `out` (all fields but `point`) from a dissected frame. `cinfo` may be null (then
  // protocol/info stay empty). Never throws; touches nothing outside `out`.
  ExtractResult extract(epan_dissect* edt, epan_column_info* cinfo, Observation& out) const;

  // Exposed for tests: nanoseconds since the epoch, clamped to the int64 range.
  static std::int64_t to_ns(std::int64_t secs, int nsecs, bool* clamped);

 private:
  struct Ids {
    int ip = -1, ip_src = -1, ip_dst = -1, ip_id = -1, ip_ttl = -1;
    int ipv6 = -1, ipv6_src = -1, ipv6_dst = -1, ipv6_hlim = -1;
    int icmp = -1, icmpv6 = -1;
    int tcp = -1, srcport = -1, dstport = -1, stream = -1, len = -1, hdr_len = -1;
    int seq = -1, seq_raw = -1, ack = -1, ack_raw = -1, flags = -1;
    int window_size = -1, window_size_value = -1, tsval = -1, tsecr = -1;
  };
  struct AnalysisId {
    int hfid;
    AnalysisFlag flag;
  };

  Ids ids_;
  std::vector<AnalysisId> analysis_;
  std::vector<int> wanted_;
};

}  // namespace packetseq
