// packetseq CLI: options -> one pipeline request (common/pipeline/run.h) -> messages, exit code.
#include <glib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/cli_options.h"
#include "cli/name_prompt.h"
#include "export/json_model.h"
#include "pipeline/record_stream.h"
#include "pipeline/run.h"
#include "reader/epan_source.h"
#include "util/atomic_output.h"
#include "util/capture_spec.h"
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

// The CLI's read step: checks the file, then reads it as a seed CSV or with libwireshark.
class CliFileSource : public CaptureSource {
 public:
  void read(const SourceRequest& request, CapturePoint& point) override {
    read_point(request, point);
  }

 private:
  static void read_point(const SourceRequest& request, CapturePoint& point) {
    const std::string& path = point.path;
    util::check_regular_input(path, "capture file");  // before anything opens it (FIFOs hang)
    if (is_seed_csv_path(path)) {
      SeedCsvSource().read(request, point);
      return;
    }
    ProgressLine progress(path);
    EpanFileSource([&](std::uint64_t done, std::uint64_t total) {
      progress.update(done, total);
    }).read(request, point);
  }
};

void print_usage_error(const std::string& message) {
  std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", kProgram, message.c_str(),
               kProgram);
}

int run(int argc, char** argv) {
  CliOptions options;
  try {
    options = parse_cli_options(argc, argv);
  } catch (const UsageError& e) {
    print_usage_error(e.what());
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

  // One request for the engine (common/pipeline/run.h); the first capture is the anchor.
  PipelineRequest request;
  auto source = std::make_shared<CliFileSource>();
  for (const auto& c : options.captures)
    request.points.push_back(PointRequest{c.path, c.name, c.named, options.filter, source});
  request.names_files = options.names_files;
  request.offsets = options.offsets;
  request.no_match = options.no_match;
  request.follow_filter = options.follow;
  request.each_connection = options.each_connection;
  request.stats = options.stats;
  request.output = options.output;
  try {
    for (const auto& a : options.name_assignments) request.names.add_assignment(a);
    for (const auto& group : options.same_clock) {
      std::vector<std::string> names;
      for (const auto& n : split_string(group, ','))
        if (!n.empty()) names.push_back(n);
      if (names.size() < 2)
        throw std::invalid_argument("invalid --same-clock '" + util::quote_excerpt(group) +
                                    "' (expected A,B[,...])");
      request.same_clock.push_back(names);
    }
    check_request(request);
    std::vector<std::string> inputs(options.names_files);  // -o must not name any of them
    for (const auto& c : options.captures) inputs.push_back(c.path);
    if (options.observations_json && options.observations_stream)
      throw std::invalid_argument(
          "--observations-json and --observations-stream cannot be combined");
    if (options.observations_stream && options.captures.size() != 1)
      throw std::invalid_argument("--observations-stream reads exactly one capture file");
    if (options.each_connection) {
      // The index now; the per-connection files once the connections are known.
      OutputRequest index;
      index.out = connection_index_path(options.output);
      index.types = {OutputType::kCsv};
      check_outputs_distinct(index, inputs);
    } else if (!options.observations_json && !options.observations_stream) {
      check_outputs_distinct(options.output, inputs);
    }
  } catch (const std::invalid_argument& e) {
    print_usage_error(e.what());
    return 2;
  }

  if (options.observations_json) {
    // Reader mode (the Wireshark plugin's subprocess): observations only, no names or matching.
    const std::string text = model_to_json(read_capture_points(request));
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
      throw std::runtime_error(std::string("stdout: write failed: ") + g_strerror(errno));
    return 0;
  }

  if (options.observations_stream) {
    // The plugin's reader child: one point as a record stream (common/pipeline/record_stream.h)
    // on stdout, read by the parent through a pipe while it is written.
    const Model read = read_capture_points(request);
    write_record_stream(1, read.points.at(0), "stdout");
    return 0;
  }

  request.on_warning = [](const std::string& w) {
    std::fprintf(stderr, "%s: warning: %s\n", kProgram, w.c_str());
  };
  if (!options.no_prompt && isatty(0)) {
    request.before_nodes = [](Model& model, NameTable& names) {
      if (!prompt_for_names(model, names, std::cin, std::cout))
        std::fprintf(stderr, "%s: end of input; remaining addresses keep their numbers\n",
                     kProgram);
    };
  }
  request.on_stats = [](const std::string& table) { std::fputs(table.c_str(), stdout); };
  const PipelineResult result = run_pipeline(request);
  for (const auto& path : result.written)
    std::fprintf(stderr, "%s: wrote %s\n", kProgram, path.c_str());
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
