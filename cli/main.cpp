// packetseq CLI: read captures, name nodes, build the model, write the diagram files.
#include <glib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/cli_options.h"
#include "cli/name_prompt.h"
#include "csv/seed_csv_reader.h"
#include "export/hop_table.h"
#include "export/json_model.h"
#include "matcher/matcher.h"
#include "model/arrows.h"
#include "model/names.h"
#include "pipeline/outputs.h"
#include "reader/epan_reader.h"
#include "util/atomic_output.h"
#include "util/input_file.h"
#include "util/text_safety.h"

namespace {

using namespace packetseq;

constexpr const char* kProgram = "packetseq";

// Progress on stderr, only on a terminal and only once reading has taken more than a second.
class ProgressLine {
 public:
  explicit ProgressLine(const std::string& label)
      : label_(label), start_(std::chrono::steady_clock::now()), enabled_(isatty(2)) {}
  ~ProgressLine() {
    if (shown_) std::fprintf(stderr, "\r%*s\r", 79, "");
  }
  void update(std::uint64_t done, std::uint64_t total) {
    if (!enabled_ || total == 0) return;
    const auto elapsed = std::chrono::steady_clock::now() - start_;
    if (elapsed < std::chrono::seconds(1)) return;
    const int percent = static_cast<int>(done * 100 / total);
    if (shown_ && percent == last_percent_) return;
    last_percent_ = percent;
    shown_ = true;
    const int bar = percent * 30 / 100;
    std::fprintf(stderr, "\r%s: reading %.40s [%.*s%*s] %3d%%", kProgram, label_.c_str(), bar,
                 "##############################", 30 - bar, "", percent);
    std::fflush(stderr);
  }

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  bool enabled_;
  bool shown_ = false;
  int last_percent_ = -1;
};

bool is_csv_capture(const std::string& path) {
  if (looks_like_seed_csv(path)) return true;
  return g_str_has_suffix(path.c_str(), ".csv") || g_str_has_suffix(path.c_str(), ".CSV");
}

void read_point(const CliOptions& options, std::size_t index, CapturePoint& point) {
  const std::string& path = point.path;
  util::check_regular_input(path, "capture file");  // before anything opens it (FIFOs hang)
  if (is_csv_capture(path)) {
    read_seed_csv(path, index, point);
    point.filter = "(CSV export)";
    return;
  }
  epan_library_init();
  ProgressLine progress(path);
  ReadOptions read;
  read.display_filter = options.filter;
  read.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  read_capture_epan(path, read, index, point);
}

// --offset POINT=OFFSET and --same-clock A,B as matcher options (points checked by the matcher).
MatchOptions make_match_options(const CliOptions& options) {
  MatchOptions match;
  for (const auto& o : options.offsets) {
    const auto eq = o.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == o.size())
      throw std::invalid_argument("invalid --offset '" + util::quote_excerpt(o) +
                                  "' (expected POINT=OFFSET, e.g. proxy=+9h)");
    match.offsets.push_back(OffsetOverride{o.substr(0, eq), parse_offset(o.substr(eq + 1))});
  }
  for (const auto& group : options.same_clock) {
    std::vector<std::string> names;
    gchar** parts = g_strsplit(group.c_str(), ",", -1);
    for (gchar** p = parts; *p; ++p)
      if (**p) names.push_back(*p);
    g_strfreev(parts);
    if (names.size() < 2)
      throw std::invalid_argument("invalid --same-clock '" + util::quote_excerpt(group) +
                                  "' (expected A,B[,...])");
    match.same_clock.push_back(names);
  }
  return match;
}

int run(int argc, char** argv) {
  CliOptions options;
  try {
    options = parse_cli_options(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", kProgram, e.what(),
                 kProgram);
    return 2;
  }
  if (options.help_requested) {
    std::fputs(options.help_text.c_str(), stdout);
    return 0;
  }
  if (options.show_version) {
    std::printf("%s %s\n", kProgram, PACKETSEQ_VERSION);
    return 0;
  }

  NameTable names;
  for (const auto& a : options.name_assignments) {
    try {
      names.add_assignment(a);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", kProgram, e.what(),
                   kProgram);
      return 2;
    }
  }
  for (const auto& f : options.names_files) names.load_hosts_file(f);
  MatchOptions match_options;
  try {
    match_options = make_match_options(options);
    std::vector<std::string> inputs(options.names_files);  // -o must not name any of them
    for (const auto& c : options.captures) inputs.push_back(c.path);
    if (!options.observations_json) check_outputs_distinct(options.output, inputs);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", kProgram, e.what(),
                 kProgram);
    return 2;
  }

  if (options.observations_json) {
    // Reader mode (the Wireshark plugin's subprocess): observations only, no names or matching.
    Model read;
    for (std::size_t i = 0; i < options.captures.size(); ++i) {
      CapturePoint point;
      point.path = options.captures[i].path;
      point.name = options.captures[i].name;
      point.filter = options.filter;
      read_point(options, i, point);
      read.points.push_back(std::move(point));
    }
    const std::string text = model_to_json(read);
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
      throw std::runtime_error(std::string("stdout: write failed: ") + g_strerror(errno));
    return 0;
  }

  Model model;
  for (std::size_t i = 0; i < options.captures.size(); ++i) {
    CapturePoint point;
    point.path = options.captures[i].path;
    point.name = options.captures[i].name;
    point.filter = options.filter;
    point.clock.source = i == 0 ? ClockOffset::Source::kReference : ClockOffset::Source::kNone;
    read_point(options, i, point);
    bool from_syn = true;
    detect_endpoints(point, &from_syn);
    if (!from_syn) {
      point.warnings.push_back("no SYN seen; endpoints taken from the first packet");
      std::fprintf(stderr, "%s: warning: %s: no SYN seen; endpoints taken from the first packet\n",
                   kProgram, point.path.c_str());
    }
    model.points.push_back(std::move(point));
  }

  if (!options.no_prompt && isatty(0)) {
    if (!prompt_for_names(model, names, std::cin, std::cout))
      std::fprintf(stderr, "%s: end of input; remaining addresses keep their numbers\n", kProgram);
  }
  build_nodes(model, names);
  for (std::size_t i = 0; i < model.points.size(); ++i)
    if (options.captures[i].named && find_node_by_name(model, options.captures[i].name) >= 0)
      model.points[i].node = options.captures[i].name;
  if (options.no_match) {
    build_observation_arrows(model);
  } else {
    match_model(model, match_options);
    for (const auto& w : model.match.warnings)
      std::fprintf(stderr, "%s: warning: %s\n", kProgram, w.c_str());
  }
  if (options.stats) std::fputs(format_hop_table(model).c_str(), stdout);

  const auto written = write_outputs(model, options.output);
  for (const auto& path : written) std::fprintf(stderr, "%s: wrote %s\n", kProgram, path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  g_set_prgname(kProgram);          // GOption's --help shows it in the usage line
  install_output_signal_cleanup();  // SIGINT/SIGTERM/SIGHUP remove temp output files
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", kProgram, e.what());
    return 1;
  }
}
