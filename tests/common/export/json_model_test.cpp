// JSON back end: model export shape, observation round trip, and rejection of bad documents.
#include "export/json_model.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

namespace packetseq {
namespace {

Observation full_observation() {
  Observation o;
  o.point = 0;
  o.frame = 42;
  o.time_ns = 1700000000123456789;
  o.ip_version = 4;
  o.src = "10.0.0.1";
  o.dst = "10.0.0.2";
  o.src_port = 40000;
  o.dst_port = 80;
  o.has_ip_id = true;
  o.ip_id = 0xbeef;
  o.ttl = 63;
  o.seq_raw = 4000000000u;
  o.ack_raw = 17;
  o.seq_rel = 1;
  o.ack_rel = 2;
  o.flags = kPsh | kAck;
  o.window = 65535;
  o.payload_len = 100;
  o.has_digest = true;
  o.payload_digest = 0xfedcba9876543210ull;
  o.digest_len = 100;
  o.has_tsopt = true;
  o.tsval = 123;
  o.tsecr = 456;
  o.stream = 3;
  o.analysis = kRetransmission;
  o.protocol = "HTTP";
  o.info = "GET / HTTP/1.1";
  return o;
}

Model two_point_model() {
  Model m;
  CapturePoint a;
  a.path = "/tmp/client.pcapng";
  a.name = "client";
  a.format = "pcapng";
  a.filter = "tcp";
  a.node = "Client";
  a.clock.source = ClockOffset::Source::kReference;
  a.warnings = {"no SYN seen"};
  a.observations = {full_observation()};
  CapturePoint b = a;
  b.name = "server";
  b.clock.source = ClockOffset::Source::kUser;
  b.clock.offset_ns = -32400000000000;
  b.observations[0].point = 1;
  b.observations[0].has_ip_id = false;
  b.observations[0].has_tsopt = false;
  b.observations[0].has_digest = false;
  b.observations[0].has_ports = false;
  b.observations[0].has_flags = false;
  m.points = {a, b};
  m.nodes = {{"Client", {"10.0.0.1"}}, {"Server", {"10.0.0.2"}}};
  Journey j;
  j.sightings = {{{0, 0}, 5}, {{1, 0}, 9}};
  m.journeys = {j};
  Arrow arrow;
  arrow.from_node = 0;
  arrow.to_node = 1;
  arrow.journey = 0;
  m.arrows = {arrow};
  HopStats hop;
  hop.packets = 1;
  hop.transit_min_ns = 4;
  m.match.hops = {hop};
  return m;
}

TEST(JsonModel, ExportsEveryTopLevelSectionWithSchemaAndVersion) {
  const auto doc = nlohmann::json::parse(model_to_json(two_point_model()));
  EXPECT_EQ(doc["schema"], "packetseq-model");
  EXPECT_EQ(doc["version"], 1);
  for (const char* key :
       {"points", "nodes", "journeys", "relay_links", "nat_bindings", "arrows", "match"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_EQ(doc["points"][1]["clock"]["source"], "user");
  EXPECT_EQ(doc["points"][1]["clock"]["offset_ns"], -32400000000000);
  EXPECT_EQ(doc["nodes"][1]["name"], "Server");
  EXPECT_EQ(doc["journeys"][0]["sightings"][1]["time_ns"], 9);
  EXPECT_EQ(doc["journeys"][0]["lost_after"], nullptr);
  EXPECT_EQ(doc["arrows"][0]["kind"], "packet");
  EXPECT_EQ(doc["match"]["hops"][0]["transit_min_ns"], 4);
}

TEST(JsonModel, ExportsTheFollowCounters) {
  Model m = two_point_model();
  m.match.counters.followed_connections = 1;
  m.match.counters.kept_connections = 2;
  m.match.counters.kept_observations = 7;
  const auto doc = nlohmann::json::parse(model_to_json(m));
  const auto& counters = doc["match"]["counters"];
  EXPECT_EQ(counters["followed_connections"], 1);
  EXPECT_EQ(counters["kept_connections"], 2);
  EXPECT_EQ(counters["kept_observations"], 7);
  EXPECT_EQ(counters["nat_bindings"], 0);
}

TEST(JsonModel, WritesDigestAsHexAndAbsentValuesAsNull) {
  const auto doc = nlohmann::json::parse(model_to_json(two_point_model()));
  EXPECT_EQ(doc["points"][0]["observations"][0]["payload_digest"], "fedcba9876543210");
  const auto& bare = doc["points"][1]["observations"][0];
  EXPECT_TRUE(bare["payload_digest"].is_null());
  EXPECT_TRUE(bare["ip_id"].is_null());
  EXPECT_TRUE(bare["tsval"].is_null());
  EXPECT_TRUE(bare["src_port"].is_null());
  EXPECT_TRUE(bare["flags"].is_null());
}

TEST(JsonModel, OutputIsDeterministicAndCompactOnRequest) {
  const Model m = two_point_model();
  EXPECT_EQ(model_to_json(m), model_to_json(m));
  JsonOptions compact;
  compact.pretty = false;
  const std::string line = model_to_json(m, compact);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(JsonModel, CanLeaveObservationsOut) {
  JsonOptions options;
  options.observations = false;
  const auto doc = nlohmann::json::parse(model_to_json(two_point_model(), options));
  EXPECT_FALSE(doc["points"][0].contains("observations"));
  EXPECT_EQ(doc["points"][0]["observation_count"], 1);
}

TEST(JsonModel, ReplacesInvalidUtf8InsteadOfFailing) {
  Model m = two_point_model();
  m.points[0].observations[0].info = "bad \xff byte";
  const auto doc = nlohmann::json::parse(model_to_json(m));
  EXPECT_EQ(doc["points"][0]["observations"][0]["info"], "bad \xef\xbf\xbd byte");
}

void expect_same_observation(const Observation& a, const Observation& b) {
  EXPECT_EQ(a.frame, b.frame);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.ip_version, b.ip_version);
  EXPECT_EQ(a.src, b.src);
  EXPECT_EQ(a.dst, b.dst);
  EXPECT_EQ(a.has_ports, b.has_ports);
  if (a.has_ports) {
    EXPECT_EQ(a.src_port, b.src_port);
    EXPECT_EQ(a.dst_port, b.dst_port);
  }
  EXPECT_EQ(a.has_ip_id, b.has_ip_id);
  if (a.has_ip_id) {
    EXPECT_EQ(a.ip_id, b.ip_id);
  }
  EXPECT_EQ(a.ttl, b.ttl);
  EXPECT_EQ(a.seq_raw, b.seq_raw);
  EXPECT_EQ(a.ack_raw, b.ack_raw);
  EXPECT_EQ(a.seq_rel, b.seq_rel);
  EXPECT_EQ(a.ack_rel, b.ack_rel);
  EXPECT_EQ(a.has_flags, b.has_flags);
  if (a.has_flags) {
    EXPECT_EQ(a.flags, b.flags);
  }
  EXPECT_EQ(a.window, b.window);
  EXPECT_EQ(a.payload_len, b.payload_len);
  EXPECT_EQ(a.has_digest, b.has_digest);
  if (a.has_digest) {
    EXPECT_EQ(a.payload_digest, b.payload_digest);
  }
  EXPECT_EQ(a.digest_len, b.digest_len);
  EXPECT_EQ(a.has_tsopt, b.has_tsopt);
  if (a.has_tsopt) {
    EXPECT_EQ(a.tsval, b.tsval);
    EXPECT_EQ(a.tsecr, b.tsecr);
  }
  EXPECT_EQ(a.stream, b.stream);
  EXPECT_EQ(a.analysis, b.analysis);
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.info, b.info);
}

TEST(JsonModel, PointsRoundTripAndAreRenumberedOnAppend) {
  const Model source = two_point_model();
  Model target;
  target.points.resize(1);  // an existing point (e.g. the file open in Wireshark)
  ASSERT_EQ(append_points_from_json(model_to_json(source), "sub", target), 2u);
  ASSERT_EQ(target.points.size(), 3u);
  for (std::size_t i = 0; i < 2; ++i) {
    const CapturePoint& a = source.points[i];
    const CapturePoint& b = target.points[i + 1];
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.format, b.format);
    EXPECT_EQ(a.filter, b.filter);
    EXPECT_EQ(a.node, b.node);
    EXPECT_EQ(a.clock.source, b.clock.source);
    EXPECT_EQ(a.clock.offset_ns, b.clock.offset_ns);
    EXPECT_EQ(a.warnings, b.warnings);
    ASSERT_EQ(b.observations.size(), 1u);
    expect_same_observation(a.observations[0], b.observations[0]);
    EXPECT_EQ(b.observations[0].point, i + 1);
  }
}

TEST(JsonModel, FollowedMarkIsWrittenOnlyWhenSetAndRoundTrips) {
  Model source = two_point_model();
  EXPECT_EQ(model_to_json(source).find("\"followed\""), std::string::npos);
  source.points[0].observations[0].followed = true;
  const std::string text = model_to_json(source);
  EXPECT_NE(text.find("\"followed\": true"), std::string::npos);
  Model target;
  append_points_from_json(text, "sub", target);
  EXPECT_TRUE(target.points[0].observations[0].followed);
  EXPECT_FALSE(target.points[1].observations[0].followed);
}

std::string valid_doc_with(const std::function<void(nlohmann::json&)>& edit) {
  auto doc = nlohmann::json::parse(model_to_json(two_point_model()));
  edit(doc);
  return doc.dump();
}

void expect_rejected(const std::string& text, const std::string& fragment) {
  Model m;
  m.points.resize(1);
  try {
    append_points_from_json(text, "reader.json", m);
    FAIL() << "accepted: " << text.substr(0, 200);
  } catch (const JsonImportError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("reader.json: ", 0), 0u) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
  EXPECT_EQ(m.points.size(), 1u) << "model changed on error";
}

TEST(JsonModel, RejectsSyntaxErrorsNamingTheSource) {
  expect_rejected("{\"schema\": ", "not valid JSON");
  expect_rejected("", "not valid JSON");
  expect_rejected("[1,2]", "expected a JSON object");
}

// Found by tests/fuzz/json_model_fuzzer (regressions/json_model): nlohmann's out_of_range for a
// number beyond a double escaped as a non-JsonImportError; long tokens were quoted whole.
TEST(JsonModel, RejectsNumberOverflowAndQuotesOnlyAnExcerpt) {
  expect_rejected("{\"schema\": 1e400}", "not valid JSON: number overflow parsing '1e400'");
  Model m;
  try {
    append_points_from_json("{\"a\": \"" + std::string(100000, 'x'), "reader.json", m);
    FAIL() << "accepted an unterminated string";
  } catch (const JsonImportError& e) {
    EXPECT_LT(std::string(e.what()).size(), 600u);
    EXPECT_NE(std::string(e.what()).find("more bytes)"), std::string::npos) << e.what();
  }
  const std::string long_source(50000, 's');
  try {
    append_points_from_json(
        valid_doc_with([&](auto& d) { d["points"][0]["clock"]["source"] = long_source; }),
        "reader.json", m);
    FAIL() << "accepted an unknown clock source";
  } catch (const JsonImportError& e) {
    EXPECT_LT(std::string(e.what()).size(), 600u);
    EXPECT_NE(std::string(e.what()).find("unknown clock source 'sss"), std::string::npos);
  }
  EXPECT_TRUE(m.points.empty());
}

TEST(JsonModel, RejectsWrongSchemaOrVersion) {
  expect_rejected(valid_doc_with([](auto& d) { d["schema"] = "other"; }), "$.schema");
  expect_rejected(valid_doc_with([](auto& d) { d["version"] = 99; }), "unsupported version 99");
  expect_rejected(valid_doc_with([](auto& d) { d.erase("points"); }), "$.points: missing");
}

TEST(JsonModel, RejectsOutOfRangeAndMistypedFieldsWithTheirPath) {
  expect_rejected(
      valid_doc_with([](auto& d) { d["points"][0]["observations"][0]["src_port"] = 70000; }),
      "$.points[0].observations[0].src_port: value 70000 out of range");
  expect_rejected(
      valid_doc_with([](auto& d) { d["points"][0]["observations"][0]["seq_raw"] = -1; }),
      "seq_raw: value -1 out of range");
  expect_rejected(valid_doc_with([](auto& d) { d["points"][1]["observations"][0]["frame"] = "7"; }),
                  "$.points[1].observations[0].frame: expected an integer");
  expect_rejected(
      valid_doc_with([](auto& d) { d["points"][0]["observations"][0]["time_ns"] = 1.5; }),
      "time_ns: expected an integer");
  expect_rejected(
      valid_doc_with([](auto& d) { d["points"][0]["observations"][0]["ip_version"] = 5; }),
      "expected 4 or 6");
  expect_rejected(
      valid_doc_with([](auto& d) { d["points"][0]["observations"][0]["flags"] = 0x400; }),
      "flags: value out of range");
  expect_rejected(
      valid_doc_with([](auto& d) { d["points"][0]["observations"][0]["payload_digest"] = "xyz"; }),
      "expected hex digits");
  expect_rejected(valid_doc_with([](auto& d) { d["points"][0]["clock"]["source"] = "sundial"; }),
                  "unknown clock source 'sundial'");
  expect_rejected(valid_doc_with([](auto& d) { d["points"][0]["warnings"] = {1}; }),
                  "warnings[0]: expected a string");
  expect_rejected(valid_doc_with([](auto& d) { d["points"][0]["observations"] = 3; }),
                  "observations: expected an array");
}

}  // namespace
}  // namespace packetseq
