// Test-only capture loader: runs `tshark -T fields` and turns its rows into observations.
// The product reads captures through libwireshark (common/reader); this keeps the matcher's
// real-data tests free of that dependency. Skips (returns false) when tshark is missing.
#pragma once

#include <glib.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "model/model.h"

namespace packetseq::testing {

inline bool tshark_available() {
  gchar* path = g_find_program_in_path("tshark");
  const bool found = path != nullptr;
  g_free(path);
  return found;
}

inline std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

// "1253479381.409437000" -> ns, exactly.
inline std::int64_t epoch_ns(const std::string& text) {
  const std::size_t dot = text.find('.');
  std::int64_t sec = std::strtoll(text.substr(0, dot).c_str(), nullptr, 10);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  frac.resize(9, '0');
  return sec * 1000000000LL + std::strtoll(frac.c_str(), nullptr, 10);
}

inline std::uint32_t number(const std::string& text) {
  if (text.empty()) return 0;
  return static_cast<std::uint32_t>(std::strtoul(text.c_str(), nullptr, 0));
}

// FNV-1a over the payload bytes (the real reader uses XXH3; any stable digest will do here).
inline std::uint64_t digest_hex(const std::string& hex) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    h ^= static_cast<std::uint64_t>(std::strtoul(hex.substr(i, 2).c_str(), nullptr, 16));
    h *= 1099511628211ULL;
  }
  return h;
}

// Appends a capture point read from `path`; false if tshark could not read it.
inline bool load_with_tshark(Model& model, const std::string& path, const std::string& name) {
  const char* fields[] = {"frame.number",
                          "frame.time_epoch",
                          "ip.version",
                          "ip.src",
                          "ip.dst",
                          "ipv6.src",
                          "ipv6.dst",
                          "tcp.srcport",
                          "tcp.dstport",
                          "ip.id",
                          "ip.ttl",
                          "ipv6.hlim",
                          "tcp.seq_raw",
                          "tcp.ack_raw",
                          "tcp.seq",
                          "tcp.ack",
                          "tcp.flags",
                          "tcp.window_size",
                          "tcp.len",
                          "tcp.options.timestamp.tsval",
                          "tcp.options.timestamp.tsecr",
                          "tcp.stream",
                          "tcp.analysis.retransmission",
                          "tcp.analysis.fast_retransmission",
                          "tcp.analysis.duplicate_ack",
                          "tcp.analysis.zero_window",
                          "_ws.col.Protocol",
                          "_ws.col.Info",
                          "tcp.payload"};
  std::vector<std::string> args{"tshark", "-n",     "-r", path,           "-Y", "tcp",
                                "-T",     "fields", "-E", "separator=/t", "-E", "occurrence=f"};
  for (const char* f : fields) {
    args.push_back("-e");
    args.push_back(f);
  }
  std::vector<gchar*> argv;
  for (auto& a : args) argv.push_back(const_cast<gchar*>(a.c_str()));
  argv.push_back(nullptr);
  gchar* out = nullptr;
  gint status = 0;
  GError* error = nullptr;
  const gboolean ok =
      g_spawn_sync(nullptr, argv.data(), nullptr,
                   static_cast<GSpawnFlags>(G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL),
                   nullptr, nullptr, &out, nullptr, &status, &error);
  if (!ok) {
    g_clear_error(&error);
    return false;
  }
  std::string text(out ? out : "");
  g_free(out);
  if (!g_spawn_check_wait_status(status, nullptr)) return false;

  CapturePoint point;
  point.path = path;
  point.name = name;
  point.format = "pcap";
  const std::size_t index = model.points.size();
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto f = split_tabs(line);
    if (f.size() < 29) continue;
    Observation o;
    o.point = index;
    o.frame = number(f[0]);
    o.time_ns = epoch_ns(f[1]);
    o.ip_version = f[2] == "4" ? 4 : 6;
    o.src = o.ip_version == 4 ? f[3] : f[5];
    o.dst = o.ip_version == 4 ? f[4] : f[6];
    o.src_port = static_cast<std::uint16_t>(number(f[7]));
    o.dst_port = static_cast<std::uint16_t>(number(f[8]));
    o.has_ip_id = o.ip_version == 4 && !f[9].empty();
    o.ip_id = static_cast<std::uint16_t>(number(f[9]));
    o.ttl = static_cast<std::uint8_t>(number(o.ip_version == 4 ? f[10] : f[11]));
    o.seq_raw = number(f[12]);
    o.ack_raw = number(f[13]);
    o.seq_rel = number(f[14]);
    o.ack_rel = number(f[15]);
    o.flags = static_cast<std::uint16_t>(number(f[16]));
    o.window = number(f[17]);
    o.payload_len = number(f[18]);
    o.has_tsopt = !f[19].empty();
    o.tsval = number(f[19]);
    o.tsecr = number(f[20]);
    o.stream = number(f[21]);
    if (!f[22].empty()) o.analysis |= kRetransmission;
    if (!f[23].empty()) o.analysis |= kFastRetransmission;
    if (!f[24].empty()) o.analysis |= kDuplicateAck;
    if (!f[25].empty()) o.analysis |= kZeroWindow;
    o.protocol = f[26];
    o.info = f[27];
    if (!f[28].empty()) {
      o.has_digest = true;
      o.payload_digest = digest_hex(f[28]);
      o.digest_len = static_cast<std::uint32_t>(f[28].size() / 2);
    }
    point.observations.push_back(std::move(o));
  }
  model.points.push_back(std::move(point));
  return true;
}

}  // namespace packetseq::testing
