// Writes the model as JSON (nlohmann, insertion-ordered keys) and reads capture points back.
#include "export/json_model.h"

#include <cinttypes>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "util/text_safety.h"

namespace packetseq {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSchema = "packetseq-model";
constexpr int kVersion = 1;

const char* clock_source_name(ClockOffset::Source source) {
  switch (source) {
    case ClockOffset::Source::kNone:
      return "none";
    case ClockOffset::Source::kReference:
      return "reference";
    case ClockOffset::Source::kEstimated:
      return "estimated";
    case ClockOffset::Source::kUser:
      return "user";
    case ClockOffset::Source::kSameClock:
      return "same_clock";
  }
  return "none";
}

const char* arrow_kind_name(ArrowKind kind) {
  switch (kind) {
    case ArrowKind::kPacket:
      return "packet";
    case ArrowKind::kLost:
      return "lost";
    case ArrowKind::kRelay:
      return "relay";
  }
  return "packet";
}

std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, value);
  return text;
}

Json ref_json(const ObservationRef& ref) {
  return Json{{"point", ref.point}, {"index", ref.index}};
}

Json observation_json(const Observation& o) {
  Json j;
  j["point"] = o.point;
  j["frame"] = o.frame;
  j["time_ns"] = o.time_ns;
  j["ip_version"] = o.ip_version;
  j["src"] = o.src;
  j["dst"] = o.dst;
  j["src_port"] = o.has_ports ? Json(o.src_port) : Json(nullptr);
  j["dst_port"] = o.has_ports ? Json(o.dst_port) : Json(nullptr);
  j["ip_id"] = o.has_ip_id ? Json(o.ip_id) : Json(nullptr);
  j["ttl"] = o.ttl;
  j["seq_raw"] = o.seq_raw;
  j["ack_raw"] = o.ack_raw;
  j["seq_rel"] = o.seq_rel;
  j["ack_rel"] = o.ack_rel;
  j["flags"] = o.has_flags ? Json(o.flags) : Json(nullptr);
  j["window"] = o.window;
  j["payload_len"] = o.payload_len;
  j["payload_digest"] = o.has_digest ? Json(hex64(o.payload_digest)) : Json(nullptr);
  j["digest_len"] = o.digest_len;
  j["tsval"] = o.has_tsopt ? Json(o.tsval) : Json(nullptr);
  j["tsecr"] = o.has_tsopt ? Json(o.tsecr) : Json(nullptr);
  j["stream"] = o.stream;
  if (o.followed) j["followed"] = true;  // follow mode only: other models stay byte-identical
  j["analysis"] = o.analysis;
  j["protocol"] = o.protocol;
  j["info"] = o.info;
  return j;
}

Json point_json(const CapturePoint& p, const JsonOptions& options) {
  Json j;
  j["path"] = p.path;
  j["name"] = p.name;
  j["format"] = p.format;
  j["filter"] = p.filter;
  j["node"] = p.node;
  j["clock"] = Json{{"source", clock_source_name(p.clock.source)},
                    {"offset_ns", p.clock.offset_ns},
                    {"low_ns", p.clock.low_ns},
                    {"high_ns", p.clock.high_ns}};
  j["warnings"] = p.warnings;
  j["observation_count"] = p.observations.size();
  if (options.observations) {
    Json list = Json::array();
    for (const auto& o : p.observations) list.push_back(observation_json(o));
    j["observations"] = std::move(list);
  }
  return j;
}

Json match_json(const MatchResults& m) {
  Json hops = Json::array();
  for (const auto& h : m.hops)
    hops.push_back(Json{{"from_point", h.from_point},
                        {"to_point", h.to_point},
                        {"from_node", h.from_node},
                        {"to_node", h.to_node},
                        {"packets", h.packets},
                        {"transit_min_ns", h.transit_min_ns},
                        {"transit_median_ns", h.transit_median_ns},
                        {"transit_p95_ns", h.transit_p95_ns},
                        {"lost", h.lost},
                        {"retransmissions", h.retransmissions}});
  Json dwell = Json::array();
  for (const auto& d : m.dwell)
    dwell.push_back(Json{{"node", d.node},
                         {"links", d.links},
                         {"min_ns", d.min_ns},
                         {"median_ns", d.median_ns},
                         {"p95_ns", d.p95_ns}});
  Json offsets = Json::array();
  for (const auto& o : m.offsets)
    offsets.push_back(
        Json{{"low_bounded", o.low_bounded},
             {"high_bounded", o.high_bounded},
             {"via_point",
              o.via_point == static_cast<std::size_t>(-1) ? Json(nullptr) : Json(o.via_point)},
             {"journeys", o.journeys},
             {"method", o.method}});
  Json duplicates = Json::array();
  for (const auto& d : m.duplicates)
    duplicates.push_back(
        Json{{"duplicate", ref_json(d.duplicate)}, {"original", ref_json(d.original)}});
  const MatchCounters& c = m.counters;
  Json counters{{"observations", c.observations},
                {"duplicates", c.duplicates},
                {"connection_pairs", c.connection_pairs},
                {"journeys", c.journeys},
                {"multi_point_journeys", c.multi_point_journeys},
                {"single_point_journeys", c.single_point_journeys},
                {"ambiguous_keys", c.ambiguous_keys},
                {"ambiguous_observations", c.ambiguous_observations},
                {"tie_broken", c.tie_broken},
                {"lost", c.lost},
                {"relay_links", c.relay_links},
                {"nat_bindings", c.nat_bindings},
                {"followed_connections", c.followed_connections},
                {"kept_connections", c.kept_connections},
                {"kept_observations", c.kept_observations}};
  return Json{{"hops", hops},         {"dwell", dwell},
              {"offsets", offsets},   {"duplicates", duplicates},
              {"counters", counters}, {"warnings", m.warnings}};
}

// ---- import ----------------------------------------------------------------------------------

// Checked access to untrusted JSON: every failure names the JSON path.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& cause) const {
    throw JsonImportError(source_ + ": " + where + ": " + cause);
  }

  const Json& member(const Json& object, const std::string& where, const char* key) const {
    if (!object.is_object()) fail(where, "expected an object");
    const auto it = object.find(key);
    if (it == object.end()) fail(where + "." + key, "missing");
    return *it;
  }
  bool has_non_null(const Json& object, const char* key) const {
    const auto it = object.find(key);
    return it != object.end() && !it->is_null();
  }

  template <typename T>
  T integer(const Json& object, const std::string& where, const char* key) const {
    const Json& v = member(object, where, key);
    const std::string path = where + "." + key;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
        fail(path, "value " + std::to_string(u) + " out of range");
      return static_cast<T>(u);
    }
    if (v.is_number_integer()) {
      const auto s = v.get<std::int64_t>();
      if (s < 0 && !std::numeric_limits<T>::is_signed)
        fail(path, "value " + std::to_string(s) + " out of range");
      if (std::numeric_limits<T>::is_signed &&
          (s < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
           s > static_cast<std::int64_t>(std::numeric_limits<T>::max())))
        fail(path, "value " + std::to_string(s) + " out of range");
      return static_cast<T>(s);
    }
    fail(path, "expected an integer");
  }

  std::string string(const Json& object, const std::string& where, const char* key) const {
    const Json& v = member(object, where, key);
    if (!v.is_string()) fail(where + "." + key, "expected a string");
    return v.get<std::string>();
  }

  bool boolean(const Json& object, const std::string& where, const char* key) const {
    const Json& v = member(object, where, key);
    if (!v.is_boolean()) fail(where + "." + key, "expected true or false");
    return v.get<bool>();
  }

  std::uint64_t hex(const Json& object, const std::string& where, const char* key) const {
    const std::string text = string(object, where, key);
    if (text.empty() || text.size() > 16) fail(where + "." + key, "expected 1 to 16 hex digits");
    std::uint64_t value = 0;
    for (char c : text) {
      int digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        fail(where + "." + key, "expected hex digits, got '" + text + "'");
      value = value << 4 | static_cast<std::uint64_t>(digit);
    }
    return value;
  }

  Observation observation(const Json& j, const std::string& where) const {
    if (!j.is_object()) fail(where, "expected an object");
    Observation o;
    o.frame = integer<std::uint64_t>(j, where, "frame");
    o.time_ns = integer<std::int64_t>(j, where, "time_ns");
    o.ip_version = integer<std::uint8_t>(j, where, "ip_version");
    if (o.ip_version != 4 && o.ip_version != 6) fail(where + ".ip_version", "expected 4 or 6");
    o.src = string(j, where, "src");
    o.dst = string(j, where, "dst");
    o.has_ports = has_non_null(j, "src_port") || has_non_null(j, "dst_port");
    if (o.has_ports) {
      o.src_port = integer<std::uint16_t>(j, where, "src_port");
      o.dst_port = integer<std::uint16_t>(j, where, "dst_port");
    }
    o.has_ip_id = has_non_null(j, "ip_id");
    if (o.has_ip_id) o.ip_id = integer<std::uint16_t>(j, where, "ip_id");
    o.ttl = integer<std::uint8_t>(j, where, "ttl");
    o.seq_raw = integer<std::uint32_t>(j, where, "seq_raw");
    o.ack_raw = integer<std::uint32_t>(j, where, "ack_raw");
    o.seq_rel = integer<std::uint32_t>(j, where, "seq_rel");
    o.ack_rel = integer<std::uint32_t>(j, where, "ack_rel");
    o.has_flags = has_non_null(j, "flags");
    if (o.has_flags) {
      o.flags = integer<std::uint16_t>(j, where, "flags");
      if (o.flags > 0x1ff) fail(where + ".flags", "value out of range (9 TCP flag bits)");
    }
    o.window = integer<std::uint32_t>(j, where, "window");
    o.payload_len = integer<std::uint32_t>(j, where, "payload_len");
    o.has_digest = has_non_null(j, "payload_digest");
    if (o.has_digest) o.payload_digest = hex(j, where, "payload_digest");
    o.digest_len = integer<std::uint32_t>(j, where, "digest_len");
    o.has_tsopt = has_non_null(j, "tsval");
    if (o.has_tsopt) {
      o.tsval = integer<std::uint32_t>(j, where, "tsval");
      o.tsecr = integer<std::uint32_t>(j, where, "tsecr");
    }
    o.stream = integer<std::uint32_t>(j, where, "stream");
    if (has_non_null(j, "followed")) {
      const Json& f = member(j, where, "followed");
      if (!f.is_boolean()) fail(where + ".followed", "expected true or false");
      o.followed = f.get<bool>();
    }
    o.analysis = integer<std::uint32_t>(j, where, "analysis");
    o.protocol = string(j, where, "protocol");
    o.info = string(j, where, "info");
    return o;
  }

  ClockOffset::Source clock_source(const std::string& text, const std::string& where) const {
    if (text == "none") return ClockOffset::Source::kNone;
    if (text == "reference") return ClockOffset::Source::kReference;
    if (text == "estimated") return ClockOffset::Source::kEstimated;
    if (text == "user") return ClockOffset::Source::kUser;
    if (text == "same_clock") return ClockOffset::Source::kSameClock;
    fail(where, "unknown clock source '" + util::quote_excerpt(text) + "'");
  }

  CapturePoint point(const Json& j, const std::string& where, std::size_t new_index) const {
    if (!j.is_object()) fail(where, "expected an object");
    CapturePoint p;
    p.path = string(j, where, "path");
    p.name = string(j, where, "name");
    p.format = string(j, where, "format");
    p.filter = string(j, where, "filter");
    p.node = string(j, where, "node");
    const Json& clock = member(j, where, "clock");
    const std::string cw = where + ".clock";
    p.clock.source = clock_source(string(clock, cw, "source"), cw + ".source");
    p.clock.offset_ns = integer<std::int64_t>(clock, cw, "offset_ns");
    p.clock.low_ns = integer<std::int64_t>(clock, cw, "low_ns");
    p.clock.high_ns = integer<std::int64_t>(clock, cw, "high_ns");
    const Json& warnings = member(j, where, "warnings");
    if (!warnings.is_array()) fail(where + ".warnings", "expected an array");
    for (std::size_t i = 0; i < warnings.size(); ++i) {
      if (!warnings[i].is_string())
        fail(where + ".warnings[" + std::to_string(i) + "]", "expected a string");
      p.warnings.push_back(warnings[i].get<std::string>());
    }
    const Json& observations = member(j, where, "observations");
    if (!observations.is_array()) fail(where + ".observations", "expected an array");
    p.observations.reserve(observations.size());
    for (std::size_t i = 0; i < observations.size(); ++i) {
      p.observations.push_back(
          observation(observations[i], where + ".observations[" + std::to_string(i) + "]"));
      p.observations.back().point = new_index;
    }
    return p;
  }

 private:
  std::string source_;
};

}  // namespace

std::string model_to_json(const Model& model, const JsonOptions& options) {
  Json doc;
  doc["schema"] = kSchema;
  doc["version"] = kVersion;
  Json points = Json::array();
  for (const auto& p : model.points) points.push_back(point_json(p, options));
  doc["points"] = std::move(points);

  Json nodes = Json::array();
  for (const auto& n : model.nodes)
    nodes.push_back(Json{{"name", n.name}, {"addresses", n.addresses}});
  doc["nodes"] = std::move(nodes);

  Json journeys = Json::array();
  for (const auto& jn : model.journeys) {
    Json sightings = Json::array();
    for (const auto& s : jn.sightings)
      sightings.push_back(Json{
          {"point", s.observation.point}, {"index", s.observation.index}, {"time_ns", s.time_ns}});
    journeys.push_back(Json{{"sightings", sightings},
                            {"ambiguous", jn.ambiguous},
                            {"lost", jn.lost},
                            {"lost_after", jn.lost ? Json(jn.lost_after) : Json(nullptr)},
                            {"lost_at_point", jn.lost ? Json(jn.lost_at_point) : Json(nullptr)}});
  }
  doc["journeys"] = std::move(journeys);

  Json relays = Json::array();
  for (const auto& r : model.relay_links)
    relays.push_back(Json{{"in", ref_json(r.in)},
                          {"out", ref_json(r.out)},
                          {"node", r.node},
                          {"dwell_ns", r.dwell_ns}});
  doc["relay_links"] = std::move(relays);

  Json nat = Json::array();
  for (const auto& b : model.nat_bindings)
    nat.push_back(Json{{"inside_point", b.inside_point},
                       {"outside_point", b.outside_point},
                       {"inside", b.inside},
                       {"outside", b.outside}});
  doc["nat_bindings"] = std::move(nat);

  Json arrows = Json::array();
  for (const auto& a : model.arrows)
    arrows.push_back(Json{{"kind", arrow_kind_name(a.kind)},
                          {"from_node", a.from_node},
                          {"to_node", a.to_node},
                          {"from_ns", a.from_ns},
                          {"to_ns", a.to_ns},
                          {"observation", ref_json(a.observation)},
                          {"journey", a.journey < 0 ? Json(nullptr) : Json(a.journey)},
                          {"ambiguous", a.ambiguous},
                          {"note", a.note}});
  doc["arrows"] = std::move(arrows);
  doc["match"] = match_json(model.match);

  // Invalid UTF-8 (e.g. odd bytes in an Info column) becomes U+FFFD instead of throwing.
  std::string text = doc.dump(options.pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace);
  text += '\n';
  return text;
}

std::size_t append_points_from_json(const std::string& text, const std::string& source,
                                    Model& model) {
  const Reader reader(source);
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::exception& e) {
    // Not only parse_error: a number too large for a double throws out_of_range.406 (found by
    // tests/fuzz/json_model_fuzzer). e.what() reads "[json.exception.parse_error.101] parse
    // error at line 1, column 2: ..." and may quote a long token, so it is cut.
    std::string cause = e.what();
    const auto bracket = cause.find("] ");
    if (bracket != std::string::npos) cause = cause.substr(bracket + 2);
    throw JsonImportError(source + ": not valid JSON: " + util::quote_excerpt(cause, 300));
  }
  if (!doc.is_object()) reader.fail("$", "expected a JSON object");
  if (reader.string(doc, "$", "schema") != kSchema)
    reader.fail("$.schema", std::string("expected \"") + kSchema + "\"");
  const int version = reader.integer<int>(doc, "$", "version");
  if (version != kVersion)
    reader.fail("$.version", "unsupported version " + std::to_string(version) + " (expected " +
                                 std::to_string(kVersion) + ")");
  const Json& points = reader.member(doc, "$", "points");
  if (!points.is_array()) reader.fail("$.points", "expected an array");

  std::vector<CapturePoint> read;
  read.reserve(points.size());
  for (std::size_t i = 0; i < points.size(); ++i)
    read.push_back(
        reader.point(points[i], "$.points[" + std::to_string(i) + "]", model.points.size() + i));
  for (auto& p : read) model.points.push_back(std::move(p));
  return read.size();
}

}  // namespace packetseq
