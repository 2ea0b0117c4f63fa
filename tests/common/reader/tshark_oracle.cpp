// Test oracle: runs the real tshark on a capture and parses its per-field TCP output.
#include "tshark_oracle.h"

#include <glib.h>

#include <cstdlib>
#include <sstream>

namespace packetseq::testing {
namespace {

// The -e fields, in output column order.
const char* const kFields[] = {
    "frame.number",
    "frame.time_epoch",
    "frame.protocols",
    "ip.src",
    "ip.dst",
    "ip.id",
    "ip.ttl",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.hlim",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq",
    "tcp.seq_raw",
    "tcp.ack",
    "tcp.ack_raw",
    "tcp.flags",
    "tcp.window_size",
    "tcp.window_size_value",
    "tcp.len",
    "tcp.stream",
    "tcp.options.timestamp.tsval",
    "tcp.options.timestamp.tsecr",
    "tcp.payload",
    "_ws.col.Protocol",
    "_ws.col.Info",
    // The analysis fields, in AnalysisFlag bit order.
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.keep_alive",
    "tcp.analysis.window_full",
    "tcp.analysis.zero_window_probe",
};
constexpr std::size_t kFieldCount = sizeof(kFields) / sizeof(kFields[0]);
constexpr std::size_t kFirstAnalysis = 26;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

std::vector<std::string> occurrences(const std::string& column) {
  return column.empty() ? std::vector<std::string>{} : split(column, ',');
}

}  // namespace

std::string tshark_path() {
  gchar* path = g_find_program_in_path("tshark");
  std::string result = path != nullptr ? path : "";
  g_free(path);
  return result;
}

std::optional<std::vector<TsharkFrame>> run_tshark(const std::string& file,
                                                   const std::string& filter, std::string* error) {
  std::vector<std::string> args = {tshark_path(), "-r",
                                   file,          "-n",
                                   "-Y",          filter,
                                   "-o",          "tcp.desegment_tcp_streams:FALSE",
                                   "-o",          "tcp.relative_sequence_numbers:TRUE",
                                   "-o",          "tcp.analyze_sequence_numbers:TRUE",
                                   "-T",          "fields",
                                   "-E",          "header=n",
                                   "-E",          "separator=/t",
                                   "-E",          "occurrence=a",
                                   "-E",          "aggregator=,"};
  for (const char* field : kFields) {
    args.push_back("-e");
    args.push_back(field);
  }
  std::vector<gchar*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  gchar* out = nullptr;
  gchar* err = nullptr;
  gint status = 0;
  GError* spawn_error = nullptr;
  if (!g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err,
                    &status, &spawn_error)) {
    *error = spawn_error->message;
    g_error_free(spawn_error);
    return std::nullopt;
  }
  const std::string output = out != nullptr ? out : "";
  const std::string messages = err != nullptr ? err : "";
  g_free(out);
  g_free(err);
  if (!g_spawn_check_wait_status(status, nullptr)) {
    *error = "tshark failed: " + messages;
    return std::nullopt;
  }

  std::vector<TsharkFrame> frames;
  for (const std::string& line : split(output, '\n')) {
    if (line.empty()) continue;
    const std::vector<std::string> c = split(line, '\t');
    if (c.size() != kFieldCount) {
      *error = "unexpected tshark line (" + std::to_string(c.size()) + " columns): " + line;
      return std::nullopt;
    }
    TsharkFrame f;
    f.frame = std::strtoull(c[0].c_str(), nullptr, 10);
    f.time_epoch = c[1];
    f.protocols = c[2];
    f.ip_src = occurrences(c[3]);
    f.ip_dst = occurrences(c[4]);
    f.ip_id = occurrences(c[5]);
    f.ip_ttl = occurrences(c[6]);
    f.ipv6_src = occurrences(c[7]);
    f.ipv6_dst = occurrences(c[8]);
    f.ipv6_hlim = occurrences(c[9]);
    f.srcport = occurrences(c[10]);
    f.dstport = occurrences(c[11]);
    f.seq = occurrences(c[12]);
    f.seq_raw = occurrences(c[13]);
    f.ack = occurrences(c[14]);
    f.ack_raw = occurrences(c[15]);
    f.flags = occurrences(c[16]);
    f.window_size = occurrences(c[17]);
    f.window_size_value = occurrences(c[18]);
    f.len = occurrences(c[19]);
    f.stream = occurrences(c[20]);
    f.tsval = occurrences(c[21]);
    f.tsecr = occurrences(c[22]);
    f.payload = occurrences(c[23]);
    f.col_protocol = c[24];
    f.col_info = c[25];
    for (std::size_t i = kFirstAnalysis; i < kFieldCount; ++i) {
      if (!c[i].empty()) f.analysis |= 1u << (i - kFirstAnalysis);
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

std::vector<std::uint8_t> hex_bytes(const std::string& hex) {
  std::vector<std::uint8_t> bytes;
  if (hex.size() % 2 != 0) return {};
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = g_ascii_xdigit_value(hex[i]);
    const int low = g_ascii_xdigit_value(hex[i + 1]);
    if (high < 0 || low < 0) return {};
    bytes.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  return bytes;
}

}  // namespace packetseq::testing
