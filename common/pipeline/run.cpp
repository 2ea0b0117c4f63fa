// The pipeline's stages in one place, so every front end behaves the same.
#include "pipeline/run.h"

#include <set>
#include <stdexcept>

#include "export/hop_table.h"
#include "model/arrows.h"
#include "pipeline/connection_index.h"
#include "util/text_safety.h"

namespace packetseq {

namespace {

// Reads point i through its source; the anchor (i == 0) gets the follow filter and the reference
// clock.
CapturePoint read_one(const PipelineRequest& request, std::size_t i) {
  const PointRequest& p = request.points[i];
  CapturePoint point;
  point.path = p.path;
  point.name = p.name;
  point.filter = p.filter;
  SourceRequest source_request;
  source_request.index = i;
  source_request.filter = p.filter;
  if (i == 0) source_request.follow_filter = request.follow_filter;
  p.source->read(source_request, point);
  point.path = p.path;  // sources name their files in messages; the model keeps the request's
  point.name = p.name;
  point.clock = ClockOffset{};
  point.clock.source = i == 0 ? ClockOffset::Source::kReference : ClockOffset::Source::kNone;
  return point;
}

}  // namespace

MatchOptions make_match_options(const std::vector<std::string>& offsets,
                                const std::vector<std::vector<std::string>>& same_clock) {
  MatchOptions match;
  for (const auto& o : offsets) {
    const auto eq = o.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == o.size())
      throw std::invalid_argument("invalid offset '" + util::quote_excerpt(o) +
                                  "' (expected POINT=OFFSET, e.g. server=+9h)");
    match.offsets.push_back(OffsetOverride{o.substr(0, eq), parse_offset(o.substr(eq + 1))});
  }
  for (const auto& group : same_clock)
    if (group.size() < 2)
      throw std::invalid_argument("a same-clock group needs at least two capture points");
  match.same_clock = same_clock;
  return match;
}

std::string header_filter(const std::string& filter, const std::string& follow_filter) {
  if (follow_filter.empty()) return filter;
  return (filter.empty() ? std::string() : filter + ", ") + "follow: " + follow_filter;
}

void check_request(const PipelineRequest& request) {
  if (request.points.empty()) throw std::invalid_argument("no capture point given");
  for (const auto& p : request.points)
    if (!p.source) throw std::invalid_argument(p.path + ": no reader for this capture point");
  make_match_options(request.offsets, request.same_clock);
  const bool follow = request.follow_filter.find_first_not_of(" \t") != std::string::npos;
  if (!request.follow_filter.empty() && !follow)
    throw std::invalid_argument("the follow filter is empty");
  if (follow && request.no_match)
    throw std::invalid_argument(
        "follow mode needs cross-point matching: it cannot be combined with --no-match "
        "(match=0)");
  if (request.each_connection) {
    if (!request.follow_filter.empty())
      throw std::invalid_argument(
          "--each-connection (each=1) follows every connection itself: it cannot be combined "
          "with --follow (follow=)");
    if (request.no_match)
      throw std::invalid_argument(
          "--each-connection (each=1) needs cross-point matching: it cannot be combined with "
          "--no-match (match=0)");
    if (!request.write_outputs)
      throw std::invalid_argument("--each-connection (each=1) writes files: outputs are needed");
    if (request.output.out == "-")
      throw std::invalid_argument(
          "--each-connection (each=1) writes one file per connection: -o - (stdout) is not "
          "possible");
  }
}

Model read_capture_points(const PipelineRequest& request) {
  check_request(request);
  Model model;
  for (std::size_t i = 0; i < request.points.size(); ++i)
    model.points.push_back(read_one(request, i));
  return model;
}

namespace {

// Read, endpoints, names and nodes: the model as read, ready for matching.
void prepare_model(const PipelineRequest& request, NameTable& names, PipelineResult& result,
                   const std::function<void(const std::string&)>& warn) {
  Model& model = result.model;
  // Read: one point after the other, warnings as they come (a long read shows its notes early).
  for (std::size_t i = 0; i < request.points.size(); ++i) {
    CapturePoint point = read_one(request, i);
    if (request.keep_read_points) result.read_points.push_back(point);
    bool from_syn = true;
    detect_endpoints(point, &from_syn);
    if (!from_syn) {
      point.warnings.push_back("no SYN seen; endpoints taken from the first packet");
      warn(point.path + ": no SYN seen; endpoints taken from the first packet");
    }
    model.points.push_back(std::move(point));
  }

  // Names, then the points named by the user sit at the node of that name.
  if (request.before_nodes) request.before_nodes(model, names);
  build_nodes(model, names);
  for (std::size_t i = 0; i < model.points.size(); ++i)
    if (request.points[i].named && find_node_by_name(model, request.points[i].name) >= 0)
      model.points[i].node = request.points[i].name;
}

// --each-connection: follow each tcp.stream of the anchor, exactly as --follow 'tcp.stream==N'
// would, and write every file of the batch together.
void run_each_connection(const PipelineRequest& request, MatchOptions match, PipelineResult& result,
                         const std::function<void(const std::string&)>& warn) {
  const Model& as_read = result.model;
  if (as_read.points[0].format == "csv")
    throw std::runtime_error(request.points[0].path +
                             ": --each-connection needs a capture file as the first capture "
                             "point: a CSV export carries no tcp.stream");
  std::set<std::uint32_t> streams;
  for (const auto& o : as_read.points[0].observations) streams.insert(o.stream);
  if (streams.empty())
    throw std::runtime_error(request.points[0].path + ": no TCP connection to follow");

  std::vector<std::string> inputs = request.names_files;  // outputs must not overwrite them
  for (const auto& p : request.points) inputs.push_back(p.path);
  OutputRequest index;
  index.out = connection_index_path(request.output);
  index.types = {OutputType::kCsv};
  check_outputs_distinct(index, inputs);

  // The matching that does not depend on the selection runs once (it is most of the cost: on
  // 1,000 connections matching everything per connection took minutes); each connection then
  // gets exactly what match_model in follow mode would give.
  const FollowBatch matched(as_read, match);
  OutputBatch batch;
  std::vector<ConnectionSummary> rows;
  for (std::uint32_t stream : streams) {
    const std::string follow = "tcp.stream==" + std::to_string(stream);
    Model model = matched.select([stream](const Observation& o) { return o.stream == stream; });
    for (const auto& w : model.match.warnings) warn(follow + ": " + w);
    if (request.stats) {
      const std::string table = follow + ":\n" + format_hop_table(model);
      result.hop_table += table;
      if (request.on_stats) request.on_stats(table);
    }
    OutputRequest output = connection_output(request.output, stream);
    output.layout.filter = header_filter(output.layout.filter, follow);
    check_outputs_distinct(output, inputs);
    rows.push_back(summarize_connection(model, stream, batch.add(model, output)));
    result.connections.push_back(stream);
  }
  std::vector<std::string> point_names;
  for (const auto& p : as_read.points) point_names.push_back(p.name);
  batch.add_text(index.out, format_connection_index(point_names, rows));
  result.written = batch.commit();
}

}  // namespace

PipelineResult run_pipeline(const PipelineRequest& request) {
  check_request(request);
  MatchOptions match = make_match_options(request.offsets, request.same_clock);
  match.reference_point = 0;
  match.follow = !request.follow_filter.empty();
  NameTable names = request.names;
  for (const auto& f : request.names_files) names.load_hosts_file(f);

  PipelineResult result;
  const std::function<void(const std::string&)> warn = [&](const std::string& text) {
    result.warnings.push_back(text);
    if (request.on_warning) request.on_warning(text);
  };
  prepare_model(request, names, result, warn);
  if (request.each_connection) {
    run_each_connection(request, match, result, warn);
    return result;
  }

  // Match (follow mode: the matcher keeps what is reachable from the anchor's followed packets).
  Model& model = result.model;
  if (request.no_match) {
    build_observation_arrows(model);
  } else {
    match_model(model, match);
    for (const auto& w : model.match.warnings) warn(w);
  }

  if (request.stats) {
    result.hop_table = format_hop_table(model);
    if (request.on_stats) request.on_stats(result.hop_table);
  }
  if (request.write_outputs) {
    OutputRequest output = request.output;
    output.layout.filter = header_filter(output.layout.filter, request.follow_filter);
    result.written = write_outputs(model, output);
  }
  return result;
}

}  // namespace packetseq
