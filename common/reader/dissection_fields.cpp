// Extracts an Observation from a libwireshark dissection by reading primed protocol-tree fields.
#include "reader/dissection_fields.h"

#include <epan/column-info.h>
#include <epan/column-utils.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/proto.h>
#include <xxhash.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

namespace packetseq {
namespace {

int field_id(const char* abbrev) {
  const int id = proto_registrar_get_id_byname(abbrev);
  if (id < 0) {
    throw std::runtime_error(std::string("libwireshark has no field '") + abbrev + "'");
  }
  return id;
}

// Occurrences of one field in the dissection, in the order the dissectors added them.
class Occurrences {
 public:
  Occurrences(proto_tree* tree, int hfid)
      : array_(tree != nullptr && hfid >= 0 ? proto_get_finfo_ptr_array(tree, hfid) : nullptr) {}
  guint size() const { return array_ != nullptr ? array_->len : 0; }
  field_info* at(guint i) const { return static_cast<field_info*>(g_ptr_array_index(array_, i)); }

  // The first occurrence added while a protocol layer in [low, high) was being dissected.
  field_info* first_in(int low, int high) const {
    for (guint i = 0; i < size(); ++i) {
      field_info* fi = at(i);
      if (fi != nullptr && fi->total_layer_num >= low && fi->total_layer_num < high) return fi;
    }
    return nullptr;
  }

 private:
  GPtrArray* array_;
};

// Layer numbers of the protocol items `proto` added; ascending, since layers only grow.
std::vector<int> layers_of(proto_tree* tree, int proto) {
  std::vector<int> layers;
  const Occurrences items(tree, proto);
  for (guint i = 0; i < items.size(); ++i) {
    if (items.at(i) != nullptr) layers.push_back(items.at(i)->total_layer_num);
  }
  return layers;
}

bool read_uint(const field_info* fi, std::uint32_t* value) {
  if (fi == nullptr) return false;
  guint32 v = 0;
  if (fvalue_to_uinteger(&fi->value, &v) != FT_OK) return false;
  *value = v;
  return true;
}

// Address text as Wireshark displays it with name resolution off.
std::string address_text(packet_info* pinfo, const field_info* fi) {
  if (fi == nullptr) return {};
  char* repr = fvalue_to_string_repr(pinfo->pool, &fi->value, FTREPR_DISPLAY, BASE_NONE);
  return repr != nullptr ? std::string(repr) : std::string();
}

// Digest of the TCP payload bytes present in the frame, located from the TCP header item.
void digest_payload(const field_info* tcp_item, std::uint32_t header_len, Observation& out) {
  if (out.payload_len == 0 || tcp_item == nullptr || tcp_item->ds_tvb == nullptr ||
      header_len < 20 || tcp_item->start < 0) {
    return;
  }
  tvbuff_t* ds = tcp_item->ds_tvb;
  const std::int64_t offset = static_cast<std::int64_t>(tcp_item->start) + header_len;
  const std::int64_t available = static_cast<std::int64_t>(tvb_captured_length(ds)) - offset;
  if (available <= 0) return;
  const std::int64_t count = std::min<std::int64_t>(available, out.payload_len);
  // Bounds checked above, so tvb_get_ptr cannot throw a dissector exception here.
  const guint8* bytes = tvb_get_ptr(ds, static_cast<gint>(offset), static_cast<gint>(count));
  if (bytes == nullptr) return;
  out.has_digest = true;
  out.digest_len = static_cast<std::uint32_t>(count);
  out.payload_digest = XXH3_64bits(bytes, static_cast<std::size_t>(count));
}

}  // namespace

DissectionFields::DissectionFields() {
  Ids& f = ids_;
  f.ip = field_id("ip");
  f.ip_src = field_id("ip.src");
  f.ip_dst = field_id("ip.dst");
  f.ip_id = field_id("ip.id");
  f.ip_ttl = field_id("ip.ttl");
  f.ipv6 = field_id("ipv6");
  f.ipv6_src = field_id("ipv6.src");
  f.ipv6_dst = field_id("ipv6.dst");
  f.ipv6_hlim = field_id("ipv6.hlim");
  f.icmp = field_id("icmp");
  f.icmpv6 = field_id("icmpv6");
  f.tcp = field_id("tcp");
  f.srcport = field_id("tcp.srcport");
  f.dstport = field_id("tcp.dstport");
  f.stream = field_id("tcp.stream");
  f.len = field_id("tcp.len");
  f.hdr_len = field_id("tcp.hdr_len");
  f.seq = field_id("tcp.seq");
  f.seq_raw = field_id("tcp.seq_raw");
  f.ack = field_id("tcp.ack");
  f.ack_raw = field_id("tcp.ack_raw");
  f.flags = field_id("tcp.flags");
  f.window_size = field_id("tcp.window_size");
  f.window_size_value = field_id("tcp.window_size_value");
  f.tsval = field_id("tcp.options.timestamp.tsval");
  f.tsecr = field_id("tcp.options.timestamp.tsecr");

  analysis_ = {
      {field_id("tcp.analysis.retransmission"), kRetransmission},
      {field_id("tcp.analysis.fast_retransmission"), kFastRetransmission},
      {field_id("tcp.analysis.spurious_retransmission"), kSpuriousRetransmission},
      {field_id("tcp.analysis.duplicate_ack"), kDuplicateAck},
      {field_id("tcp.analysis.zero_window"), kZeroWindow},
      {field_id("tcp.analysis.out_of_order"), kOutOfOrder},
      {field_id("tcp.analysis.lost_segment"), kPreviousSegmentLost},
      {field_id("tcp.analysis.keep_alive"), kKeepAlive},
      {field_id("tcp.analysis.window_full"), kWindowFull},
      {field_id("tcp.analysis.zero_window_probe"), kZeroWindowProbe},
  };

  wanted_ = {f.ip,       f.ip_src,   f.ip_dst,    f.ip_id, f.ip_ttl,      f.ipv6,
             f.ipv6_src, f.ipv6_dst, f.ipv6_hlim, f.icmp,  f.icmpv6,      f.tcp,
             f.srcport,  f.dstport,  f.stream,    f.len,   f.hdr_len,     f.seq,
             f.seq_raw,  f.ack,      f.ack_raw,   f.flags, f.window_size, f.window_size_value,
             f.tsval,    f.tsecr};
  for (const AnalysisId& a : analysis_) wanted_.push_back(a.hfid);
}

void DissectionFields::prime(epan_dissect* edt) const {
  for (int id : wanted_) epan_dissect_prime_with_hfid(edt, id);
}

std::int64_t DissectionFields::to_ns(std::int64_t secs, int nsecs, bool* clamped) {
  constexpr std::int64_t kNsPerSec = 1000000000;
  *clamped = false;
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(secs, kNsPerSec, &ns) || __builtin_add_overflow(ns, nsecs, &ns)) {
    *clamped = true;
    return secs < 0 ? INT64_MIN : INT64_MAX;
  }
  return ns;
}

ExtractResult DissectionFields::extract(epan_dissect* edt, epan_column_info* cinfo,
                                        Observation& out) const {
  ExtractResult result;
  proto_tree* tree = edt != nullptr ? edt->tree : nullptr;
  if (tree == nullptr) return result;
  const Ids& f = ids_;

  // The TCP header: the first one not preceded by an ICMP layer (whose quoted packet it would be).
  const std::vector<int> tcp_layers = layers_of(tree, f.tcp);
  if (tcp_layers.empty()) return result;
  int first_icmp = INT_MAX;
  for (int proto : {f.icmp, f.icmpv6}) {
    const std::vector<int> layers = layers_of(tree, proto);
    if (!layers.empty() && layers.front() < first_icmp) first_icmp = layers.front();
  }
  const int tcp_layer = tcp_layers.front();
  if (tcp_layer > first_icmp) {
    result.outcome = ExtractOutcome::kTcpInIcmpError;
    return result;
  }
  const int tcp_end = tcp_layers.size() > 1 ? tcp_layers[1] : INT_MAX;

  // The IP header carrying it: the innermost IPv4/IPv6 layer below the TCP layer.
  int ip_layer = -1;
  bool ipv6 = false;
  for (int layer : layers_of(tree, f.ip)) {
    if (layer < tcp_layer && layer > ip_layer) ip_layer = layer, ipv6 = false;
  }
  for (int layer : layers_of(tree, f.ipv6)) {
    if (layer < tcp_layer && layer > ip_layer) ip_layer = layer, ipv6 = true;
  }
  if (ip_layer < 0) {
    result.outcome = ExtractOutcome::kNoIpLayer;
    return result;
  }

  auto tcp_field = [&](int hfid) { return Occurrences(tree, hfid).first_in(tcp_layer, tcp_end); };
  auto ip_field = [&](int hfid) { return Occurrences(tree, hfid).first_in(ip_layer, tcp_layer); };

  Observation obs;
  std::uint32_t src_port = 0, dst_port = 0, flags = 0;
  if (!read_uint(tcp_field(f.srcport), &src_port) || !read_uint(tcp_field(f.dstport), &dst_port) ||
      !read_uint(tcp_field(f.seq_raw), &obs.seq_raw) || !read_uint(tcp_field(f.flags), &flags)) {
    result.outcome = ExtractOutcome::kTcpHeaderTruncated;
    return result;
  }
  obs.src_port = static_cast<std::uint16_t>(src_port);
  obs.dst_port = static_cast<std::uint16_t>(dst_port);
  obs.flags = static_cast<std::uint16_t>(flags);
  if (!read_uint(tcp_field(f.seq), &obs.seq_rel)) obs.seq_rel = obs.seq_raw;
  // Wireshark shows no acknowledgement number without the ACK flag; both stay 0 then.
  read_uint(tcp_field(f.ack_raw), &obs.ack_raw);
  if (!read_uint(tcp_field(f.ack), &obs.ack_rel)) obs.ack_rel = obs.ack_raw;
  if (!read_uint(tcp_field(f.window_size), &obs.window)) {
    read_uint(tcp_field(f.window_size_value), &obs.window);
  }
  read_uint(tcp_field(f.len), &obs.payload_len);
  read_uint(tcp_field(f.stream), &obs.stream);
  obs.has_tsopt = read_uint(tcp_field(f.tsval), &obs.tsval);
  if (obs.has_tsopt) read_uint(tcp_field(f.tsecr), &obs.tsecr);
  for (const AnalysisId& a : analysis_) {
    if (tcp_field(a.hfid) != nullptr) obs.analysis |= a.flag;
  }
  std::uint32_t header_len = 0;
  read_uint(tcp_field(f.hdr_len), &header_len);
  digest_payload(Occurrences(tree, f.tcp).first_in(tcp_layer, tcp_layer + 1), header_len, obs);

  packet_info* pinfo = &edt->pi;
  std::uint32_t value = 0;
  if (ipv6) {
    obs.ip_version = 6;
    obs.src = address_text(pinfo, ip_field(f.ipv6_src));
    obs.dst = address_text(pinfo, ip_field(f.ipv6_dst));
    if (read_uint(ip_field(f.ipv6_hlim), &value)) obs.ttl = static_cast<std::uint8_t>(value);
  } else {
    obs.ip_version = 4;
    obs.src = address_text(pinfo, ip_field(f.ip_src));
    obs.dst = address_text(pinfo, ip_field(f.ip_dst));
    if (read_uint(ip_field(f.ip_ttl), &value)) obs.ttl = static_cast<std::uint8_t>(value);
    obs.has_ip_id = read_uint(ip_field(f.ip_id), &value);
    if (obs.has_ip_id) obs.ip_id = static_cast<std::uint16_t>(value);
  }

  if (const frame_data* fd = pinfo->fd) {
    obs.frame = fd->num;
    result.no_timestamp = !fd->has_ts;
    obs.time_ns =
        to_ns(static_cast<std::int64_t>(fd->abs_ts.secs), fd->abs_ts.nsecs, &result.time_clamped);
  }
  if (cinfo != nullptr) {
    if (const char* text = col_get_text(cinfo, COL_PROTOCOL)) obs.protocol = text;
    if (const char* text = col_get_text(cinfo, COL_INFO)) obs.info = text;
  }

  obs.point = out.point;
  out = std::move(obs);
  result.outcome = ExtractOutcome::kObservation;
  return result;
}

}  // namespace packetseq
