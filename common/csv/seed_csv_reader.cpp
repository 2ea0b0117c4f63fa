// Seed CSV input: Wireshark's seven default columns, absolute date-time format.
#include "csv/seed_csv_reader.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "model/flags.h"
#include "model/labels.h"
#include "model/names.h"
#include "util/text_safety.h"

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

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Offending text in a message: quoted, valid UTF-8, at most max_bytes of it.
std::string quoted(std::string_view text, std::size_t max_bytes = 200) {
  return "'" + util::quote_excerpt(text, max_bytes) + "'";
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Reads exactly `count` digits at `pos` (advancing it) into `value`.
bool take_digits(std::string_view text, std::size_t& pos, std::size_t count, std::int64_t& value) {
  if (text.size() - pos < count) return false;
  value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!is_digit(text[pos + i])) return false;
    value = value * 10 + (text[pos + i] - '0');
  }
  pos += count;
  return true;
}

bool take_char(std::string_view text, std::size_t& pos, char expected) {
  if (pos >= text.size() || text[pos] != expected) return false;
  ++pos;
  return true;
}

enum class TimeParse { kOk, kBadFormat, kOutOfRange };

// "YYYY-MM-DD HH:MM:SS[.fffffffff]" (or 'T' between date and time), surrounding blanks allowed.
TimeParse parse_absolute_time(std::string_view text, std::int64_t& ns) {
  std::size_t pos = 0;
  while (pos < text.size() && is_space(text[pos])) ++pos;
  std::int64_t year, month, day, hour, minute, second;
  if (!take_digits(text, pos, 4, year) || !take_char(text, pos, '-') ||
      !take_digits(text, pos, 2, month) || !take_char(text, pos, '-') ||
      !take_digits(text, pos, 2, day))
    return TimeParse::kBadFormat;
  if (pos >= text.size() || (text[pos] != ' ' && text[pos] != 'T')) return TimeParse::kBadFormat;
  ++pos;
  if (!take_digits(text, pos, 2, hour) || !take_char(text, pos, ':') ||
      !take_digits(text, pos, 2, minute) || !take_char(text, pos, ':') ||
      !take_digits(text, pos, 2, second))
    return TimeParse::kBadFormat;
  std::int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && is_digit(text[pos]) && digits < 9) {
      fraction = fraction * 10 + (text[pos++] - '0');
      ++digits;
    }
    if (digits == 0) return TimeParse::kBadFormat;
    for (; digits < 9; ++digits) fraction *= 10;
  }
  while (pos < text.size() && is_space(text[pos])) ++pos;
  if (pos != text.size()) return TimeParse::kBadFormat;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return TimeParse::kBadFormat;
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  // Nanoseconds since 1970 fit in int64 only between 1677 and 2262: refuse rather than wrap.
  const __int128 total = static_cast<__int128>(seconds) * 1000000000 + fraction;
  if (total > INT64_MAX || total < INT64_MIN) return TimeParse::kOutOfRange;
  ns = static_cast<std::int64_t>(total);
  return TimeParse::kOk;
}

// The number after " NAME=" (or "NAME=" at the start) in Info; linear scan.
std::uint32_t field_u32(std::string_view info, std::string_view name, bool& found) {
  found = false;
  for (std::size_t at = info.find(name); at != std::string_view::npos;
       at = info.find(name, at + 1)) {
    if (at > 0 && !is_space(info[at - 1])) continue;
    std::size_t pos = at + name.size();
    if (pos >= info.size() || info[pos] != '=') continue;
    ++pos;
    const std::size_t digits_begin = pos;
    std::uint64_t value = 0;
    while (pos < info.size() && is_digit(info[pos])) {
      value = value * 10 + static_cast<std::uint64_t>(info[pos] - '0');
      if (value > 0xFFFFFFFFull) return 0;  // not a 32-bit field: treat as absent
      ++pos;
    }
    if (pos == digits_begin) continue;
    found = true;
    return static_cast<std::uint32_t>(value);
  }
  return 0;
}

// The first "[FLAG, FLAG...]" list in Info whose every item is a TCP flag name.
bool find_flags_list(std::string_view info, std::string& list) {
  static constexpr std::string_view kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK",   "URG",
                                                "ECE", "CWR", "NS",  "AE",  "<None>"};
  for (std::size_t open = info.find('['); open != std::string_view::npos;
       open = info.find('[', open + 1)) {
    std::size_t pos = open + 1;
    bool any = false;
    for (;;) {
      bool matched = false;
      for (std::string_view name : kNames)
        if (info.compare(pos, name.size(), name) == 0) {
          pos += name.size();
          matched = true;
          break;
        }
      if (!matched) break;
      any = true;
      if (info.compare(pos, 2, ", ") == 0) pos += 2;
    }
    if (any && pos < info.size() && info[pos] == ']') {
      list.assign(info.substr(open + 1, pos - open - 1));
      return true;
    }
  }
  return false;
}

void parse_info(Observation& obs) {
  PortPair ports;
  obs.has_ports = find_port_pair(obs.info, ports);
  if (obs.has_ports) {
    obs.has_ports = ports.src <= 65535 && ports.dst <= 65535;
    obs.src_port = static_cast<std::uint16_t>(ports.src);
    obs.dst_port = static_cast<std::uint16_t>(ports.dst);
  }
  std::string flags;
  obs.has_flags = find_flags_list(obs.info, flags);
  if (obs.has_flags) obs.flags = parse_flags_list(flags);
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

// RFC 4180 records from a whole file: quoted fields may hold commas, doubled quotes and line
// breaks. One pass, no backtracking; fields longer than kMaxCsvFieldBytes are refused.
class CsvRecordReader {
 public:
  CsvRecordReader(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  // Next record into `fields`; false at the end. `line` is the line the record starts on.
  bool next(std::vector<std::string>& fields, int& line) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    line = line_;
    std::string field;
    bool quoted = false;
    for (; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (quoted) {
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            append(field, '"', line);
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line_;
          append(field, c, line);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        break;
      } else if (c != '\r') {
        append(field, c, line);
      }
    }
    if (quoted)
      throw CsvError(path_ + ":" + std::to_string(line) +
                     ": quoted field not closed before the end of the file");
    fields.push_back(std::move(field));
    return true;
  }

 private:
  void append(std::string& field, char c, int line) {
    if (field.size() >= kMaxCsvFieldBytes)
      throw CsvError(path_ + ":" + std::to_string(line) + ": field longer than " +
                     std::to_string(kMaxCsvFieldBytes) + " bytes (starts " + quoted(field, 60) +
                     ")");
    field += c;
  }

  std::string_view text_;
  const std::string& path_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

bool blank_record(const std::vector<std::string>& fields) {
  return fields.size() == 1 && fields[0].empty();
}

}  // namespace

std::vector<std::string> split_csv_record(const std::string& line) {
  const std::string path = "(record)";
  CsvRecordReader reader(line, path);
  std::vector<std::string> fields;
  int number = 0;
  if (!reader.next(fields, number)) fields.assign(1, std::string());
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
  std::string_view body = text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  CsvRecordReader records(body, path);
  std::vector<std::string> f;
  int number = 0;
  if (!records.next(f, number) || blank_record(f))
    throw CsvError(path + ": empty file, expected a CSV header");
  const auto header = f;
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column.emplace(header[i], i);
  for (const char* required : {"No.", "Time", "Source", "Destination", "Protocol", "Info"})
    if (!column.count(required))
      throw CsvError(path + ":1: not a Wireshark CSV export: no \"" + std::string(required) +
                     "\" column");

  std::map<std::pair<std::string, std::string>, std::pair<std::uint16_t, std::uint16_t>> ports;
  std::vector<Observation> rows;
  while (records.next(f, number)) {
    if (blank_record(f)) continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (f.size() < header.size())
      throw CsvError(where + "expected " + std::to_string(header.size()) + " fields, found " +
                     std::to_string(f.size()));
    auto at = [&](const char* name) -> const std::string& { return f[column.at(name)]; };
    Observation obs;
    obs.point = point_index;
    const std::string& frame = at("No.");
    std::uint64_t frame_number = 0;
    bool frame_ok = !frame.empty() && frame.size() <= 19;
    for (char c : frame) {
      if (!is_digit(c)) frame_ok = false;
      if (frame_ok) frame_number = frame_number * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!frame_ok) throw CsvError(where + "bad frame number " + quoted(frame));
    obs.frame = frame_number;
    switch (parse_absolute_time(at("Time"), obs.time_ns)) {
      case TimeParse::kOk:
        break;
      case TimeParse::kOutOfRange:
        throw CsvError(where + "time " + quoted(at("Time")) +
                       " is outside the representable range (years 1677 to 2262)");
      case TimeParse::kBadFormat:
        throw CsvError(where + "time " + quoted(at("Time")) +
                       " is not an absolute date and time (export with View > Time Display "
                       "Format > Date and Time of Day)");
    }
    obs.src = canonical_address(at("Source"));
    obs.dst = canonical_address(at("Destination"));
    if (obs.src.empty() || obs.dst.empty())
      throw CsvError(where + "source/destination " + quoted(at("Source")) + " / " +
                     quoted(at("Destination")) + " are not IP addresses");
    obs.ip_version = obs.src.find(':') != std::string::npos ? 6 : 4;
    obs.protocol = util::valid_utf8(at("Protocol"));
    obs.info = util::valid_utf8(at("Info"));
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
