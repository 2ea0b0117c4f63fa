// "-z packetseq,...": the file tshark reads is the first capture point (through a tap), extra
// captures come from packetseq subprocesses, and the outputs are written when tshark draws.
#include <epan/funnel.h>
#include <glib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "pipeline/run.h"
#include "plugin/capture_subprocess.h"
#include "plugin/observation_tap.h"
#include "plugin/plugin_glue.h"
#include "plugin/tshark_options.h"
#include "util/input_file.h"

namespace packetseq {
namespace plugin {
namespace {

constexpr const char* kTag = "tshark: packetseq";

// tshark does not tell taps which file it reads: take it from our own command line.
std::string tshark_read_file() {
  gchar* contents = nullptr;
  gsize length = 0;
  if (!g_file_get_contents("/proc/self/cmdline", &contents, &length, nullptr)) return {};
  std::vector<std::string> args;
  for (gsize start = 0, i = 0; i < length; ++i) {
    if (contents[i] == '\0') {
      args.emplace_back(contents + start, i - start);
      start = i + 1;
    }
  }
  g_free(contents);
  std::string file;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if ((a == "-r" || a == "--read-file") && i + 1 < args.size()) {
      file = args[++i];
    } else if (a.rfind("--read-file=", 0) == 0) {
      file = a.substr(12);
    } else if (a.size() > 2 && a[0] == '-' && a[1] == 'r') {
      file = a.substr(2);
    }
  }
  return file;
}

std::string base_name(const std::string& path) {
  gchar* base = g_path_get_basename(path.c_str());
  std::string name = base;
  g_free(base);
  return name;
}

// One "-z packetseq,..." request. Owned by g_runs below: its destructor (at tshark's exit at the
// latest) stops and reaps the reader children and removes their temporary files.
struct TsharkRun {
  TsharkOptions options;
  PipelineRequest request;  // the engine request; point 0 is tshark's own file (through the tap)
  std::string first_path;
  std::unique_ptr<ObservationTap> tap;
  bool drawn = false;
  ~TsharkRun() {
    request.points.clear();  // the readers: children stopped, temporary files removed
    // Never remove a tap listener at exit (epan may be gone already): leave it to the process.
    static_cast<void>(tap.release());
  }
};

// Every -z packetseq of this tshark (usually one). Static: destroyed at exit at the latest.
std::vector<std::unique_ptr<TsharkRun>> g_runs;

// Frees the readers (their temp files go) before tshark exits with `status`.
[[noreturn]] void exit_tshark(int status) {
  std::fflush(stdout);
  g_runs.clear();
  std::exit(status);  // the only way to give tshark a non-zero status from a tap
}

// Syntax errors show the key list; other errors (a missing file, a bad filter) only a hint.
[[noreturn]] void fail_option(const std::string& message, bool show_usage) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: %s\n", kTag, message.c_str());
  if (show_usage)
    std::fputs(tshark_options_usage(), stderr);
  else
    std::fputs("(tshark -z packetseq,help lists the keys)\n", stderr);
  exit_tshark(1);  // tshark's own exit status for an invalid -z argument
}

// As the CLI: no FIFO, device or directory (reading one could block or never end).
void draw(void* data) noexcept {
  auto* run = static_cast<TsharkRun*>(data);
  if (run->drawn) return;  // tshark draws once at the end; never build twice
  run->drawn = true;
  int status = 0;
  try {
    // Not stopped here: removing a listener from inside its own draw callback is not safe.
    run->request.on_warning = [](const std::string& w) {
      std::fprintf(stderr, "%s: warning: %s\n", kTag, w.c_str());
    };
    run->request.on_stats = [](const std::string& table) {
      std::fputs(table.c_str(), stdout);
      std::fflush(stdout);
    };
    const PipelineResult result = run_pipeline(run->request);
    for (const auto& path : result.written)
      std::fprintf(stderr, "packetseq: wrote %s\n", path.c_str());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %s\n", kTag, e.what());
    status = 1;  // as the CLI: bad input or output error
  } catch (...) {
    std::fprintf(stderr, "%s: unexpected error\n", kTag);
    status = 1;
  }
  run->request.points.clear();  // reading is over: children reaped, temporary files removed
  if (status != 0) exit_tshark(status);  // make the failure visible to scripts
}

}  // namespace

void tshark_stat_init(const char* argument, void*) noexcept {
  try {
    if (const funnel_ops_t* ops = funnel_get_funnel_ops(); ops && ops->retap_packets) {
      std::fprintf(stderr,
                   "packetseq: -z packetseq is for tshark; in Wireshark use Statistics > "
                   "Multi-Point Sequence...\n");
      return;
    }
    const std::string arg = argument ? argument : "packetseq";
    if (arg == "packetseq,help") {
      std::fputs(tshark_options_usage(), stdout);
      std::exit(0);
    }
    g_runs.push_back(std::make_unique<TsharkRun>());
    TsharkRun* run = g_runs.back().get();
    try {
      run->options = parse_tshark_options(arg);
    } catch (const std::exception& e) {
      fail_option(e.what(), true);
    }
    const TsharkOptions& o = run->options;
    run->first_path = tshark_read_file();
    if (run->first_path.empty())
      fail_option("needs a capture file: use tshark -r FILE (live captures are not supported)",
                  false);
    PipelineRequest& request = run->request;
    try {
      for (const auto& a : o.name_assignments) request.names.add_assignment(a);
      for (const auto& f : o.names_files) {
        util::check_regular_input(f, "names file");  // the CLI's check and message
        request.names.load_hosts_file(f);            // now, so a bad file fails before tshark reads
      }
      request.offsets = o.offsets;
      request.same_clock = o.same_clock;
      request.no_match = o.no_match;
      request.follow_filter = o.follow;
      request.each_connection = o.each_connection;
      request.stats = o.stats;
      request.output = o.output;
      for (const auto& c : o.captures) util::check_regular_input(c.path, "capture file");
      run->tap = std::make_unique<ObservationTap>(o.filter, 0, o.follow);
      request.points.push_back(PointRequest{
          run->first_path, o.point_name.empty() ? base_name(run->first_path) : o.point_name,
          !o.point_name.empty(), o.filter, std::make_shared<TapSource>(*run->tap)});
      // The extra captures are read by children in parallel with tshark's own pass over its
      // file (on an error below, exit_tshark stops them again).
      const std::string program = find_packetseq_program();
      for (const auto& c : o.captures)
        request.points.push_back(
            PointRequest{c.path, c.name, c.named, o.filter,
                         std::make_shared<SubprocessSource>(
                             std::make_shared<CaptureSubprocess>(program, c.path, o.filter))});
      check_request(request);
      run->tap->set_draw_callback([run] { draw(run); });
      run->tap->start();
    } catch (const std::exception& e) {
      fail_option(e.what(), false);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", kTag, e.what());
    exit_tshark(1);
  } catch (...) {
    std::fprintf(stderr, "%s: unexpected error\n", kTag);
    exit_tshark(1);
  }
}

}  // namespace plugin
}  // namespace packetseq
