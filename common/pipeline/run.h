// The one engine entry point behind the CLI, tshark and the Wireshark dialog:
// read every capture point -> names -> match (follow selection) -> model -> outputs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "matcher/matcher.h"
#include "model/model.h"
#include "model/names.h"
#include "pipeline/capture_source.h"
#include "pipeline/outputs.h"

namespace packetseq {

// One capture point as the user asked for it.
struct PointRequest {
  std::string path;
  std::string name;            // FILE@NAME, else the file's base name
  bool named = false;          // name given by the user: the point sits at the node of that name
  std::string filter = "tcp";  // display filter at this point (-f / filter=)
  std::shared_ptr<CaptureSource> source;
};

struct PipelineRequest {
  std::vector<PointRequest> points;      // points[0] is the anchor and the clock reference
  NameTable names;                       // -n / name= / the dialog's table (win over names files)
  std::vector<std::string> names_files;  // Wireshark hosts syntax
  std::vector<std::string> offsets;      // "POINT=OFFSET", e.g. "server=+9h"
  std::vector<std::vector<std::string>> same_clock;  // groups of point names
  bool no_match = false;      // every observation on its own (seed look), no matching
  std::string follow_filter;  // follow mode: connections selected by this filter in the anchor
  // Batch per connection (--each-connection / each=1): every connection (tcp.stream) of the
  // anchor is followed on its own, as follow_filter "tcp.stream==N" would; its files are
  // connection_output(output, N), plus the index connection_index_path(output). Read once; all
  // files of the batch appear together or none does. Not with follow_filter or no_match.
  bool each_connection = false;
  bool stats = false;             // per-hop table into PipelineResult::hop_table (and on_stats)
  bool write_outputs = true;      // false: build the model only (the dialog lays it out itself)
  OutputRequest output;           // layout.filter: the header text (follow filter appended here)
  bool keep_read_points = false;  // copy the points as read into PipelineResult::read_points

  // Optional hooks, called on the calling thread in this order.
  std::function<void(const std::string& warning)> on_warning;  // each warning as it arises
  std::function<void(Model&, NameTable&)> before_nodes;        // e.g. the CLI's interactive prompt
  std::function<void(const std::string& hop_table)> on_stats;  // before outputs are written
};

struct PipelineResult {
  Model model;  // matched; with each_connection the model as read (each connection used a copy)
  std::vector<CapturePoint> read_points;   // as read (keep_read_points), for a later re-run
  std::vector<std::string> warnings;       // point and matcher warnings, in order
  std::string hop_table;                   // when stats
  std::vector<std::string> written;        // output files written
  std::vector<std::uint32_t> connections;  // each_connection: the anchor's tcp.stream values
};

// Match options from "POINT=OFFSET" texts and same-clock groups. Throws std::invalid_argument
// naming the bad text.
MatchOptions make_match_options(const std::vector<std::string>& offsets,
                                const std::vector<std::vector<std::string>>& same_clock);

// The filter text the diagram header shows ("filter: ..."): the display filter, plus the follow
// filter in follow mode ("tcp, follow: tcp.stream==1").
std::string header_filter(const std::string& filter, const std::string& follow_filter);

// Checks what can be checked before any capture is read (points and sources present, offsets,
// option combinations). Throws std::invalid_argument with a message for the user. run_pipeline
// calls it too; front ends call it early to fail before minutes of reading.
void check_request(const PipelineRequest& request);

// Reads every point through its source (points[i].source->read), in order, and returns them:
// path, name, filter and clock source set, observations numbered by point. The follow filter
// goes to the anchor only. Throws what the sources throw ("PATH: cause").
Model read_capture_points(const PipelineRequest& request);

// The whole run. Throws std::invalid_argument (bad request), std::runtime_error ("PATH: cause")
// for unreadable captures, names files or outputs; no output file is written on error.
PipelineResult run_pipeline(const PipelineRequest& request);

}  // namespace packetseq
