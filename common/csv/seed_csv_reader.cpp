// Seed CSV input: Wireshark's seven default columns, absolute date-time format.
#include "csv/seed_csv_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "model/flags.h"
#include "model/names.h"

namespace packetseq {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool parse_absolute_time(const std::string& text, std::int64_t& ns) {
  static const std::regex kTime(
      R"(^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, kTime)) return false;
  const unsigned month = std::stoul(m[2]), day = std::stoul(m[3]);
  const unsigned hour = std::stoul(m[4]), minute = std::stoul(m[5]), second = std::stoul(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return false;
  std::string frac = m[7].matched ? m[7].str() : "";
  frac.resize(9, '0');
  const std::int64_t days = days_from_civil(std::stoll(m[1]), month, day);
  ns = ((days * 86400 + hour * 3600 + minute * 60 + second) * 1000000000LL) + std::stoll(frac);
  return true;
}

std::uint32_t field_u32(const std::string& info, const char* name, bool& found) {
  const std::regex re(std::string(R"((?:^|\s))") + name + R"(=(\d+))");
  std::smatch m;
  found = std::regex_search(info, m, re);
  if (!found) return 0;
  try {
    return static_cast<std::uint32_t>(std::stoull(m[1]));
  } catch (const std::exception&) {
    found = false;
    return 0;
  }
}

void parse_info(Observation& obs) {
  static const std::regex kPorts(R"((\d{1,5})\s*(?:>|\xE2\x86\x92)\s*(\d{1,5})\s)");
  static const std::regex kFlags(
      R"(\[((?:(?:FIN|SYN|RST|PSH|ACK|URG|ECE|CWR|NS|AE|<None>)(?:, )?)+)\])");
  std::smatch m;
  obs.has_ports = std::regex_search(obs.info, m, kPorts);
  if (obs.has_ports) {
    const unsigned long sport = std::stoul(m[1]), dport = std::stoul(m[2]);
    obs.has_ports = sport <= 65535 && dport <= 65535;
    obs.src_port = static_cast<std::uint16_t>(sport);
    obs.dst_port = static_cast<std::uint16_t>(dport);
  }
  obs.has_flags = std::regex_search(obs.info, m, kFlags);
  if (obs.has_flags) obs.flags = parse_flags_list(m[1]);
  bool found = false;
  obs.seq_rel = obs.seq_raw = field_u32(obs.info, "Seq", found);
  obs.ack_rel = obs.ack_raw = field_u32(obs.info, "Ack", found);
  obs.payload_len = field_u32(obs.info, "Len", found);
  obs.window = field_u32(obs.info, "Win", found);
  bool tsval = false, tsecr = false;
  obs.tsval = field_u32(obs.info, "TSval", tsval);
  obs.tsecr = field_u32(obs.info, "TSecr", tsecr);
  obs.has_tsopt = tsval && tsecr;
  if (obs.info.find("Retransmission") != std::string::npos) obs.analysis |= kRetransmission;
  if (obs.info.find("Dup ACK") != std::string::npos) obs.analysis |= kDuplicateAck;
  if (obs.info.find("ZeroWindow]") != std::string::npos) obs.analysis |= kZeroWindow;
}

}  // namespace

std::vector<std::string> split_csv_record(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

bool looks_like_seed_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  std::string start(head, static_cast<std::size_t>(in.gcount()));
  if (start.rfind("\xEF\xBB\xBF", 0) == 0) start.erase(0, 3);
  return start.rfind("\"No.\"", 0) == 0;
}

void read_seed_csv(const std::string& path, std::size_t point_index, CapturePoint& point) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CsvError(path + ": cannot open: " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  read_seed_csv_text(buffer.str(), path, point_index, point);
}

void read_seed_csv_text(const std::string& text, const std::string& path, std::size_t point_index,
                        CapturePoint& point) {
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line)) throw CsvError(path + ": empty file, expected a CSV header");
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  const auto header = split_csv_record(line);
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column.emplace(header[i], i);
  for (const char* required : {"No.", "Time", "Source", "Destination", "Protocol", "Info"})
    if (!column.count(required))
      throw CsvError(path + ":1: not a Wireshark CSV export: no \"" + std::string(required) +
                     "\" column");

  std::map<std::pair<std::string, std::string>, std::pair<std::uint16_t, std::uint16_t>> ports;
  std::vector<Observation> rows;
  for (int number = 2; std::getline(lines, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const auto f = split_csv_record(line);
    if (f.size() < header.size())
      throw CsvError(path + ":" + std::to_string(number) + ": expected " +
                     std::to_string(header.size()) + " fields, found " + std::to_string(f.size()));
    auto at = [&](const char* name) -> const std::string& { return f[column.at(name)]; };
    Observation obs;
    obs.point = point_index;
    try {
      obs.frame = std::stoull(at("No."));
    } catch (const std::exception&) {
      throw CsvError(path + ":" + std::to_string(number) + ": bad frame number '" + at("No.") +
                     "'");
    }
    if (!parse_absolute_time(at("Time"), obs.time_ns))
      throw CsvError(path + ":" + std::to_string(number) + ": time '" + at("Time") +
                     "' is not an absolute date and time (export with View > Time Display "
                     "Format > Date and Time of Day)");
    obs.src = canonical_address(at("Source"));
    obs.dst = canonical_address(at("Destination"));
    if (obs.src.empty() || obs.dst.empty())
      throw CsvError(path + ":" + std::to_string(number) + ": source/destination '" + at("Source") +
                     "' / '" + at("Destination") + "' are not IP addresses");
    obs.ip_version = obs.src.find(':') != std::string::npos ? 6 : 4;
    obs.protocol = at("Protocol");
    obs.info = at("Info");
    while (!obs.info.empty() && obs.info.back() == ' ') obs.info.pop_back();
    parse_info(obs);
    const auto pair = std::make_pair(obs.src, obs.dst);
    if (obs.has_ports) {
      ports[pair] = {obs.src_port, obs.dst_port};
    } else if (auto it = ports.find(pair); it != ports.end()) {
      std::tie(obs.src_port, obs.dst_port) = it->second;
    }
    rows.push_back(std::move(obs));
  }
  if (rows.empty()) throw CsvError(path + ": no packets (the CSV has only a header)");
  point.format = "csv";
  for (auto& r : rows) point.observations.push_back(std::move(r));
}

}  // namespace packetseq
