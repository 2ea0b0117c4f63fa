// "-z packetseq,...": the file tshark reads is the first capture point (through a tap), extra
// captures come from packetseq subprocesses, and the outputs are written when tshark draws.
#include <epan/funnel.h>
#include <glib.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "export/hop_table.h"
#include "plugin/capture_subprocess.h"
#include "plugin/model_assembly.h"
#include "plugin/observation_tap.h"
#include "plugin/plugin_glue.h"
#include "plugin/tshark_options.h"

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

// One "-z packetseq,..." request; lives until tshark exits.
struct TsharkRun {
  TsharkOptions options;
  AssemblyOptions assembly;
  std::string first_path;
  std::unique_ptr<ObservationTap> tap;
  std::vector<std::unique_ptr<CaptureSubprocess>> readers;
  bool drawn = false;
};

// Syntax errors show the key list; other errors (a missing file, a bad filter) only a hint.
[[noreturn]] void fail_option(const std::string& message, bool show_usage) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: %s\n", kTag, message.c_str());
  if (show_usage)
    std::fputs(tshark_options_usage(), stderr);
  else
    std::fputs("(tshark -z packetseq,help lists the keys)\n", stderr);
  std::exit(1);  // tshark's own exit status for an invalid -z argument
}

void check_readable(const std::string& path, const char* what) {
  if (!g_file_test(path.c_str(), G_FILE_TEST_EXISTS))
    throw std::invalid_argument(std::string(what) + " " + path + ": no such file");
  if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR))
    throw std::invalid_argument(std::string(what) + " " + path + ": is a directory");
}

void draw(void* data) noexcept {
  auto* run = static_cast<TsharkRun*>(data);
  if (run->drawn) return;  // tshark draws once at the end; never build twice
  run->drawn = true;
  try {
    // Not stopped here: removing a listener from inside its own draw callback is not safe.
    Model model;
    CapturePoint first = std::move(run->tap->point());
    first.path = run->first_path;
    first.name =
        run->options.point_name.empty() ? base_name(run->first_path) : run->options.point_name;
    first.filter = run->options.filter;
    first.format = capture_file_format(run->first_path);
    first.clock.source = ClockOffset::Source::kReference;
    if (run->tap->truncated() > 0)
      first.warnings.push_back(std::to_string(run->tap->truncated()) +
                               " TCP segment(s) with a truncated or malformed TCP header skipped");
    model.points.push_back(std::move(first));
    for (std::size_t i = 0; i < run->readers.size(); ++i) {
      const std::size_t index = run->readers[i]->append_to(model, run->options.captures[i].name);
      model.points[index].filter = run->options.filter;
    }
    for (const auto& w : assemble_model(model, run->assembly))
      std::fprintf(stderr, "%s: warning: %s\n", kTag, w.c_str());
    if (run->options.stats) std::fputs(format_hop_table(model).c_str(), stdout);
    std::fflush(stdout);
    for (const auto& path : write_outputs(model, run->options.output))
      std::fprintf(stderr, "packetseq: wrote %s\n", path.c_str());
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %s\n", kTag, e.what());
    std::exit(2);  // the diagram could not be made: make the failure visible to scripts
  } catch (...) {
    std::fprintf(stderr, "%s: unexpected error\n", kTag);
    std::exit(2);
  }
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
    auto run = std::make_unique<TsharkRun>();
    try {
      run->options = parse_tshark_options(arg);
    } catch (const std::exception& e) {
      fail_option(e.what(), true);
    }
    try {
      for (const auto& a : run->options.name_assignments) run->assembly.names.add_assignment(a);
      for (const auto& f : run->options.names_files) {
        check_readable(f, "names file");
        run->assembly.names.load_hosts_file(f);
      }
      run->assembly.match = make_match_options(run->options.offsets, run->options.same_clock);
      run->assembly.no_match = run->options.no_match;
      for (const auto& c : run->options.captures) check_readable(c.path, "capture");
    } catch (const std::exception& e) {
      fail_option(e.what(), false);
    }
    run->first_path = tshark_read_file();
    if (run->first_path.empty())
      fail_option("needs a capture file: use tshark -r FILE (live captures are not supported)",
                  false);
    run->assembly.named.push_back(!run->options.point_name.empty());
    for (const auto& c : run->options.captures) run->assembly.named.push_back(c.named);

    run->tap = std::make_unique<ObservationTap>(run->options.filter, 0);
    TsharkRun* raw = run.get();
    run->tap->set_draw_callback([raw] { draw(raw); });
    try {
      run->tap->start();
    } catch (const std::exception& e) {
      fail_option(e.what(), false);
    }
    // The extra captures are read in parallel with tshark's own pass over its file.
    const std::string program = find_packetseq_program();
    for (const auto& c : run->options.captures)
      run->readers.push_back(
          std::make_unique<CaptureSubprocess>(program, c.path, run->options.filter));
    run.release();  // lives until tshark exits, as tshark's own taps do
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", kTag, e.what());
    std::exit(2);
  } catch (...) {
    std::fprintf(stderr, "%s: unexpected error\n", kTag);
    std::exit(2);
  }
}

}  // namespace plugin
}  // namespace packetseq
