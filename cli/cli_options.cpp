// GOption-based parsing of the packetseq command line.
#include "cli/cli_options.h"

#include <glib.h>

#include <memory>

#include "util/capture_spec.h"

namespace packetseq {
namespace {

struct GStrvDeleter {
  void operator()(gchar** v) const { g_strfreev(v); }
};

}  // namespace

CaptureArg parse_capture_arg(const std::string& arg) {
  const CaptureSpec spec = parse_capture_spec(arg);
  return CaptureArg{spec.path, spec.name, spec.named};
}

CliOptions parse_cli_options(int argc, char** argv) {
  gchar* out = nullptr;
  gchar* type = nullptr;
  gchar* info = nullptr;
  gchar* filter = nullptr;
  gchar* follow = nullptr;
  gchar* time_mode = nullptr;
  gchar** names = nullptr;
  gchar** names_files = nullptr;
  gboolean no_prompt = FALSE;
  gboolean version = FALSE;
  gchar** offsets = nullptr;
  gchar** same_clock = nullptr;
  gboolean stats = FALSE;
  gboolean no_match = FALSE;
  gboolean observations_json = FALSE;
  gchar** rest = nullptr;

  GOptionEntry entries[] = {
      {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
       "Output file, or base name without extension (default: out)", "NAME"},
      {"type", 't', 0, G_OPTION_ARG_STRING, &type,
       "Output type: png, svg, pdf, diag, csv, json; comma-separated for several (default: from "
       "the -o "
       "extension, else png)",
       "TYPE"},
      {"info", 'i', 0, G_OPTION_ARG_STRING, &info,
       "Arrow labels: summary (flags), default (Info without ports), info (whole Info column)",
       "MODE"},
      {"filter", 'f', 0, G_OPTION_ARG_STRING, &filter,
       "Wireshark display filter applied to every capture (default: tcp)", "FILTER"},
      {"follow", 0, 0, G_OPTION_ARG_STRING, &follow,
       "Follow the connections this display filter selects in the first capture (e.g. "
       "tcp.stream==3) at every other capture point, through NAT and proxies",
       "FILTER"},
      {"name", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &names,
       "Name an address; applies in every capture (repeatable)", "ADDR=NAME"},
      {"names", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &names_files,
       "Read names from a file in Wireshark hosts syntax (ADDR NAME per line)", "FILE"},
      {"no-prompt", 0, 0, G_OPTION_ARG_NONE, &no_prompt,
       "Never ask for names on the terminal (batch use)", nullptr},
      {"time", 0, 0, G_OPTION_ARG_STRING, &time_mode,
       "Vertical axis: rows (one row per event, default) or proportional (real time, idle gaps "
       "collapsed)",
       "MODE"},
      {"offset", 0, 0, G_OPTION_ARG_STRING_ARRAY, &offsets,
       "Pin a capture point's clock offset to the reference (e.g. client=+9h, fw=-0.35s); "
       "repeatable",
       "POINT=OFFSET"},
      {"same-clock", 0, 0, G_OPTION_ARG_STRING_ARRAY, &same_clock,
       "Capture points taken on the same host share one clock (e.g. fw-in,fw-out); repeatable",
       "A,B[,...]"},
      {"stats", 0, 0, G_OPTION_ARG_NONE, &stats,
       "Print clock offsets, per-hop transit, loss, dwell and NAT bindings on stdout", nullptr},
      {"no-match", 0, 0, G_OPTION_ARG_NONE, &no_match,
       "Do not match packets across capture points: draw every observation on its own", nullptr},
      {"observations-json", 0, 0, G_OPTION_ARG_NONE, &observations_json,
       "Only read the captures and print their observations as JSON on stdout (the reader the "
       "Wireshark plugin runs for extra capture files)",
       nullptr},
      {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", nullptr},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, nullptr, nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};

  std::unique_ptr<GOptionContext, decltype(&g_option_context_free)> context(
      g_option_context_new("CAPTURE[@NAME]... - multi-point TCP sequence diagram"),
      g_option_context_free);
  g_option_context_add_main_entries(context.get(), entries, nullptr);
  g_option_context_set_summary(
      context.get(),
      "Reads captures of the same TCP traffic taken at several points of a path (any format\n"
      "Wireshark reads, or Wireshark CSV exports) and draws one sequence diagram.");
  g_option_context_set_description(
      context.get(),
      "Examples:\n"
      "  packetseq client.pcapng@Client server.pcap@Server -o flow.svg\n"
      "  packetseq -n 10.10.1.2=Client --names hosts -t pdf fw-inside.pcap fw-outside.pcap\n"
      "  packetseq --follow 'tcp.stream==0' client.pcapng fw.pcap proxy.pcap server.pcap\n"
      "  packetseq client.csv proxy.csv            (the seed's CSV exports)\n\n"
      "Exit status: 0 success, 1 bad input or output error, 2 usage error.\n"
      "Report bugs at the project's issue tracker.");
  g_option_context_set_help_enabled(context.get(), TRUE);

  CliOptions options;
  // Handle --help ourselves so it goes to stdout and returns instead of exiting.
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") break;
    if (a == "-h" || a == "--help" || a == "-?") {
      gchar* help = g_option_context_get_help(context.get(), TRUE, nullptr);
      options.help_requested = true;
      options.help_text = help;
      g_free(help);
      return options;
    }
  }

  // parse_strv frees the strings it removes from the copy (g_option_context_parse would not).
  std::vector<gchar*> args(argv, argv + argc);
  args.push_back(nullptr);
  gchar** argv_copy = g_strdupv(args.data());
  GError* error = nullptr;
  const bool ok = g_option_context_parse_strv(context.get(), &argv_copy, &error);
  std::unique_ptr<gchar*, GStrvDeleter> argv_owner(argv_copy);
  std::unique_ptr<gchar*, GStrvDeleter> names_owner(names), files_owner(names_files),
      rest_owner(rest), offsets_owner(offsets), same_clock_owner(same_clock);
  auto take = [](gchar*& s) {
    std::string v = s ? s : "";
    g_free(s);
    s = nullptr;
    return v;
  };
  const bool follow_given = follow != nullptr;
  const std::string out_s = take(out), type_s = take(type), info_s = take(info),
                    filter_s = take(filter), time_s = take(time_mode), follow_s = take(follow);
  if (!ok) {
    std::string message = error->message;
    g_error_free(error);
    throw UsageError(message);
  }
  options.show_version = version;
  options.no_prompt = no_prompt;
  options.stats = stats;
  options.no_match = no_match;
  options.observations_json = observations_json;
  for (gchar** o = offsets; o && *o; ++o) options.offsets.push_back(*o);
  for (gchar** o = same_clock; o && *o; ++o) options.same_clock.push_back(*o);
  if (!filter_s.empty()) options.filter = filter_s;
  if (follow_given && follow_s.find_first_not_of(" \t") == std::string::npos)
    throw UsageError("--follow needs a display filter, e.g. --follow 'tcp.stream==0'");
  options.follow = follow_s;
  for (gchar** n = names; n && *n; ++n) options.name_assignments.push_back(*n);
  for (gchar** n = names_files; n && *n; ++n) options.names_files.push_back(*n);
  for (gchar** r = rest; r && *r; ++r) options.captures.push_back(parse_capture_arg(*r));

  try {
    if (!info_s.empty()) options.output.layout.labels = parse_label_mode(info_s);
    if (!time_s.empty()) options.output.layout.time_mode = parse_time_mode(time_s);
    if (!out_s.empty()) options.output.out = out_s;
    if (!type_s.empty()) {
      options.output.types.clear();
      for (const auto& t : split_string(type_s, ','))
        options.output.types.push_back(parse_output_type(t));
    } else {
      OutputType implied;
      if (output_type_from_path(options.output.out, implied)) options.output.types = {implied};
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  options.output.layout.filter = options.filter;
  if (!options.show_version && options.captures.empty()) throw UsageError("no capture files given");
  return options;
}

}  // namespace packetseq
