// The engine entry point (run_pipeline) as every front end calls it: sources, names, point
// nodes, matching or plain arrows, the follow filter handed to the anchor only, outputs.
#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "model/flags.h"
#include "pipeline/run.h"

namespace packetseq {
namespace {

Observation packet(std::uint64_t frame, std::int64_t t, const char* src, const char* dst,
                   std::uint16_t flags) {
  Observation o;
  o.frame = frame;
  o.time_ns = t;
  o.src = src;
  o.dst = dst;
  o.src_port = src[7] == '1' ? 40000 : 80;
  o.dst_port = src[7] == '1' ? 80 : 40000;
  o.flags = flags;
  o.info = "x";
  return o;
}

CapturePoint handshake_without_syn() {
  CapturePoint p;
  p.observations = {packet(1, 100, "10.0.0.1", "10.0.0.2", kAck),
                    packet(2, 200, "10.0.0.2", "10.0.0.1", kAck)};
  return p;
}

// Records what the pipeline asked of it, then hands out a fixed point.
class RecordingSource : public CaptureSource {
 public:
  explicit RecordingSource(CapturePoint point) : point_(std::move(point)) {}
  void read(const SourceRequest& request, CapturePoint& point) override {
    requests.push_back(request);
    point.observations = point_.observations;
    for (auto& o : point.observations) o.point = request.index;
  }
  std::vector<SourceRequest> requests;

 private:
  CapturePoint point_;
};

PointRequest point(const std::string& path, std::shared_ptr<CaptureSource> source,
                   const std::string& name = "") {
  PointRequest p;
  p.path = path;
  p.name = name.empty() ? path : name;
  p.named = !name.empty();
  p.source = std::move(source);
  return p;
}

TEST(Pipeline, WarnsAboutMissingSynAndNamesNodes) {
  PipelineRequest request;
  request.points = {point("a.pcap", std::make_shared<PreparedSource>(handshake_without_syn()))};
  request.names.set("10.0.0.1", "Client");
  request.no_match = true;
  request.write_outputs = false;
  std::vector<std::string> seen;
  request.on_warning = [&](const std::string& w) { seen.push_back(w); };
  const PipelineResult result = run_pipeline(request);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(seen, result.warnings);
  EXPECT_NE(result.warnings[0].find("a.pcap: no SYN seen"), std::string::npos);
  const Model& m = result.model;
  ASSERT_EQ(m.points[0].warnings.size(), 1u);
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].name, "Client");
  EXPECT_EQ(m.arrows.size(), 2u);
  EXPECT_TRUE(m.journeys.empty());
  EXPECT_TRUE(result.written.empty());
  EXPECT_EQ(m.points[0].clock.source, ClockOffset::Source::kReference);
}

TEST(Pipeline, NamedPointSitsAtTheNodeOfThatName) {
  PipelineRequest request;
  request.points = {
      point("a.pcap", std::make_shared<PreparedSource>(handshake_without_syn()), "Client")};
  request.names.set("10.0.0.1", "Client");
  request.no_match = true;
  request.write_outputs = false;
  EXPECT_EQ(run_pipeline(request).model.points[0].node, "Client");
}

TEST(Pipeline, MatchingFillsJourneysAndStatsGoToTheHook) {
  PipelineRequest request;
  request.points = {point("a.pcap", std::make_shared<PreparedSource>(handshake_without_syn()))};
  request.write_outputs = false;
  request.stats = true;
  std::string table;
  request.on_stats = [&](const std::string& t) { table = t; };
  const PipelineResult result = run_pipeline(request);
  EXPECT_FALSE(result.model.journeys.empty());
  EXPECT_FALSE(result.model.arrows.empty());
  EXPECT_FALSE(table.empty());
  EXPECT_EQ(table, result.hop_table);
}

TEST(Pipeline, EveryPointIsReadWithItsFilterAndTheFollowFilterGoesToTheAnchorOnly) {
  auto anchor = std::make_shared<RecordingSource>(handshake_without_syn());
  auto other = std::make_shared<RecordingSource>(handshake_without_syn());
  PipelineRequest request;
  request.points = {point("a.pcap", anchor), point("b.pcap", other)};
  request.points[0].filter = "tcp.port==80";
  request.points[1].filter = "tcp.port==80";
  request.follow_filter = "tcp.stream==0";
  request.write_outputs = false;
  request.keep_read_points = true;
  const PipelineResult result = run_pipeline(request);
  ASSERT_EQ(anchor->requests.size(), 1u);
  ASSERT_EQ(other->requests.size(), 1u);
  EXPECT_EQ(anchor->requests[0].index, 0u);
  EXPECT_EQ(anchor->requests[0].filter, "tcp.port==80");
  EXPECT_EQ(anchor->requests[0].follow_filter, "tcp.stream==0");
  EXPECT_EQ(other->requests[0].index, 1u);
  EXPECT_EQ(other->requests[0].follow_filter, "");
  ASSERT_EQ(result.read_points.size(), 2u);
  EXPECT_EQ(result.read_points[1].path, "b.pcap");
  EXPECT_EQ(result.read_points[1].filter, "tcp.port==80");
  for (const auto& o : result.read_points[1].observations) EXPECT_EQ(o.point, 1u);
}

TEST(Pipeline, ReadCapturePointsReadsWithoutMatching) {
  PipelineRequest request;
  request.points = {point("a.pcap", std::make_shared<PreparedSource>(handshake_without_syn())),
                    point("b.pcap", std::make_shared<PreparedSource>(handshake_without_syn()))};
  const Model m = read_capture_points(request);
  ASSERT_EQ(m.points.size(), 2u);
  EXPECT_EQ(m.points[1].observations.at(0).point, 1u);
  EXPECT_EQ(m.points[1].clock.source, ClockOffset::Source::kNone);
  EXPECT_TRUE(m.nodes.empty());
  EXPECT_TRUE(m.arrows.empty());
}

TEST(Pipeline, RequestChecks) {
  PipelineRequest request;
  EXPECT_THROW(check_request(request), std::invalid_argument);  // no point
  request.points = {point("a.pcap", nullptr)};
  EXPECT_THROW(check_request(request), std::invalid_argument);  // no source
  request.points[0].source = std::make_shared<PreparedSource>(handshake_without_syn());
  EXPECT_NO_THROW(check_request(request));
  request.offsets = {"a.pcap=soon"};
  EXPECT_THROW(check_request(request), std::invalid_argument);
  request.offsets.clear();
  request.follow_filter = "tcp.stream==0";
  request.no_match = true;
  try {
    check_request(request);
    FAIL() << "follow with --no-match accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--no-match"), std::string::npos);
  }
  request.no_match = false;
  request.follow_filter = "  ";
  EXPECT_THROW(check_request(request), std::invalid_argument);
}

// Two connections (tcp.stream 0 and 1) from 10.0.0.1 to 10.0.0.2:80, seen at two points.
CapturePoint two_connections() {
  CapturePoint p;
  for (std::uint32_t s = 0; s < 2; ++s) {
    const std::uint16_t port = static_cast<std::uint16_t>(40000 + s);
    const std::int64_t t = 1000000 * (s + 1);
    Observation syn = packet(1 + 3 * s, t, "10.0.0.1", "10.0.0.2", kSyn);
    Observation syn_ack = packet(2 + 3 * s, t + 100, "10.0.0.2", "10.0.0.1", kSyn | kAck);
    Observation ack = packet(3 + 3 * s, t + 200, "10.0.0.1", "10.0.0.2", kAck);
    for (Observation* o : {&syn, &syn_ack, &ack}) {
      o->stream = s;
      o->seq_raw = 1000 * (s + 1) + static_cast<std::uint32_t>(o->frame);
      (o->src == "10.0.0.1" ? o->src_port : o->dst_port) = port;
      p.observations.push_back(*o);
    }
  }
  return p;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream text;
  text << f.rdbuf();
  return text.str();
}

TEST(Pipeline, EachConnectionReadsOnceAndWritesOneFilePerConnectionAndTheIndex) {
  gchar* dir = g_dir_make_tmp("psq-each-XXXXXX", nullptr);
  ASSERT_NE(dir, nullptr);
  const std::string base = std::string(dir) + "/run";
  auto anchor = std::make_shared<RecordingSource>(two_connections());
  auto other = std::make_shared<RecordingSource>(two_connections());
  PipelineRequest request;
  request.points = {point("a.pcap", anchor, "A"), point("b.pcap", other, "B")};
  request.each_connection = true;
  request.output.out = base + ".csv";  // a known extension is dropped: run-N.csv
  request.output.types = {OutputType::kCsv};
  const PipelineResult result = run_pipeline(request);
  EXPECT_EQ(anchor->requests.size(), 1u);  // every point read once for the whole batch
  EXPECT_EQ(other->requests.size(), 1u);
  EXPECT_EQ(anchor->requests[0].follow_filter, "");
  EXPECT_EQ(result.connections, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(result.written,
            (std::vector<std::string>{base + "-0.csv", base + "-1.csv", base + "-index.csv"}));
  // Each connection's file holds its own three packets only.
  for (int s = 0; s < 2; ++s) {
    std::istringstream lines(slurp(base + "-" + std::to_string(s) + ".csv"));
    std::string line;
    int rows = -1;
    while (std::getline(lines, line)) ++rows;
    EXPECT_EQ(rows, 3) << s;
  }
  const std::string index = slurp(base + "-index.csv");
  EXPECT_EQ(index.substr(0, index.find('\n')),
            "connection,A endpoints,B endpoints,packets,observations,lost,first,last,span,files");
  EXPECT_NE(index.find("\n0,10.0.0.1:40000 > 10.0.0.2:80,10.0.0.1:40000 > 10.0.0.2:80,3,6,0,"),
            std::string::npos)
      << index;
  EXPECT_NE(index.find("\n1,10.0.0.1:40001 > 10.0.0.2:80,10.0.0.1:40001 > 10.0.0.2:80,3,6,0,"),
            std::string::npos)
      << index;
  EXPECT_NE(index.find(",run-1.csv\n"), std::string::npos) << index;
  for (const auto& f : result.written) g_remove(f.c_str());
  g_rmdir(dir);
  g_free(dir);
}

TEST(Pipeline, EachConnectionRequestChecks) {
  PipelineRequest request;
  request.points = {point("a.pcap", std::make_shared<PreparedSource>(handshake_without_syn()))};
  request.each_connection = true;
  EXPECT_NO_THROW(check_request(request));
  request.follow_filter = "tcp.stream==0";
  EXPECT_THROW(check_request(request), std::invalid_argument);
  request.follow_filter.clear();
  request.no_match = true;
  EXPECT_THROW(check_request(request), std::invalid_argument);
  request.no_match = false;
  request.output.out = "-";
  EXPECT_THROW(check_request(request), std::invalid_argument);
}

TEST(Pipeline, EachConnectionFileNames) {
  OutputRequest output;
  output.out = "dir/diag.svg";
  EXPECT_EQ(connection_output(output, 7).out, "dir/diag-7");
  EXPECT_EQ(connection_index_path(output), "dir/diag-index.csv");
  output.out = "run.v2";  // not a known extension: kept
  EXPECT_EQ(connection_output(output, 0).out, "run.v2-0");
  EXPECT_EQ(connection_index_path(output), "run.v2-index.csv");
}

TEST(Pipeline, HeaderShowsTheFollowFilter) {
  EXPECT_EQ(header_filter("tcp", ""), "tcp");
  EXPECT_EQ(header_filter("tcp", "tcp.stream==1"), "tcp, follow: tcp.stream==1");
  EXPECT_EQ(header_filter("", "tcp.stream==1"), "follow: tcp.stream==1");
}

TEST(Pipeline, MatchOptionsFromTexts) {
  const MatchOptions match = make_match_options({"server=+9h", "fw=-0.5s"}, {{"a", "b"}});
  ASSERT_EQ(match.offsets.size(), 2u);
  EXPECT_EQ(match.offsets[0].point, "server");
  EXPECT_EQ(match.offsets[0].offset_ns, 9LL * 3600 * 1000000000);
  EXPECT_EQ(match.offsets[1].offset_ns, -500000000);
  EXPECT_EQ(match.same_clock.size(), 1u);
  EXPECT_THROW(make_match_options({"server"}, {}), std::invalid_argument);
  EXPECT_THROW(make_match_options({"server=soon"}, {}), std::invalid_argument);
  EXPECT_THROW(make_match_options({}, {{"a"}}), std::invalid_argument);
}

TEST(CaptureSources, SeedCsvCannotBeTheFollowAnchor) {
  const std::string path = ::testing::TempDir() + "pipeline_anchor.csv";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "\"No.\",\"Time\",\"Source\",\"Destination\",\"Protocol\",\"Length\",\"Info\"\n"
        "\"1\",\"2024-01-01 00:00:00.000001\",\"10.0.0.1\",\"10.0.0.2\",\"TCP\",\"74\","
        "\"40000 > 80 [SYN] Seq=0 Win=64240 Len=0\"\n",
        f);
    std::fclose(f);
  }
  EXPECT_TRUE(is_seed_csv_path(path));
  CapturePoint p;
  p.path = path;
  SeedCsvSource csv;
  SourceRequest request;
  request.follow_filter = "tcp.stream==0";
  try {
    csv.read(request, p);
    FAIL() << "a CSV anchor accepted a follow filter";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": follow mode needs a capture file"),
              std::string::npos)
        << e.what();
  }
  request.follow_filter.clear();
  request.index = 3;
  csv.read(request, p);
  ASSERT_EQ(p.observations.size(), 1u);
  EXPECT_EQ(p.observations[0].point, 3u);
  EXPECT_EQ(p.filter, "(CSV export)");
  std::remove(path.c_str());
}

TEST(CaptureSources, PreparedSourceRefusesAnotherFollowFilter) {
  CapturePoint read = handshake_without_syn();
  read.observations[0].followed = true;
  PreparedSource source(read, "tcp.stream==0");
  CapturePoint p;
  p.path = "open.pcapng";
  SourceRequest request;
  EXPECT_THROW(source.read(request, p), std::runtime_error);  // read with a follow filter
  request.follow_filter = "tcp.stream==0";
  request.index = 2;
  source.read(request, p);
  EXPECT_EQ(p.path, "open.pcapng");
  ASSERT_EQ(p.observations.size(), 2u);
  EXPECT_TRUE(p.observations[0].followed);
  EXPECT_EQ(p.observations[1].point, 2u);
}

}  // namespace
}  // namespace packetseq
