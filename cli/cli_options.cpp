// GOption-based parsing of the packetseq command line.
#include "cli/cli_options.h"

#include <glib.h>
#include <langinfo.h>

#include <clocale>
#include <cstdlib>
#include <memory>
#include <optional>

#include "util/capture_spec.h"
#include "util/text_safety.h"

namespace packetseq {
namespace {

struct GStrvDeleter {
  void operator()(gchar** v) const { g_strfreev(v); }
};

// The encoding of the user's locale. The CLI itself stays in the "C" locale (numbers in the
// outputs must not depend on it), so switch LC_CTYPE only for this look-up. When the locale is
// not installed, the codeset named in LC_ALL/LC_CTYPE/LANG ("en_US.ISO-8859-1") still counts.
std::string locale_charset() {
  const char* current = std::setlocale(LC_CTYPE, nullptr);
  const std::string saved = current ? current : "C";
  std::string charset;
  if (std::setlocale(LC_CTYPE, "")) charset = nl_langinfo(CODESET);
  std::setlocale(LC_CTYPE, saved.c_str());
  if (!charset.empty() && charset != "ANSI_X3.4-1968") return charset;
  for (const char* variable : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(variable);
    if (!value || !*value) continue;
    std::string locale = value;
    const auto dot = locale.find('.');
    if (dot == std::string::npos) break;
    return locale.substr(dot + 1, locale.find('@', dot) - dot - 1);
  }
  return charset.empty() ? "ANSI_X3.4-1968" : charset;
}

}  // namespace

std::string option_text(const std::string& value, const std::string& option) {
  // GOption would convert every STRING option from the locale (and fails on UTF-8 under
  // LANG=C); take the bytes as UTF-8 when they are, else convert from the locale's encoding.
  if (g_utf8_validate(value.data(), static_cast<gssize>(value.size()), nullptr)) return value;
  const std::string charset = locale_charset();
  gsize written = 0;
  gchar* converted = g_convert(value.data(), static_cast<gssize>(value.size()), "UTF-8",
                               charset.c_str(), nullptr, &written, nullptr);
  if (!converted)
    throw UsageError(option + ": '" + util::quote_excerpt(value) +
                     "' is neither UTF-8 nor text in the locale's encoding (" +
                     (charset == "ANSI_X3.4-1968" ? "ASCII" : charset) + ")");
  std::string text(converted, written);
  g_free(converted);
  return text;
}

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
  gchar* title = nullptr;
  gint width = 100;
  gchar** names = nullptr;
  gchar** names_files = nullptr;
  gboolean no_prompt = FALSE;
  gboolean version = FALSE;
  gchar** offsets = nullptr;
  gchar** same_clock = nullptr;
  gboolean stats = FALSE;
  gboolean no_match = FALSE;
  gboolean each_connection = FALSE;
  gboolean observations_json = FALSE;
  gboolean observations_stream = FALSE;
  gchar** rest = nullptr;

  GOptionEntry entries[] = {
      {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
       "Output file, or base name without extension (default: out)", "NAME"},
      {"type", 't', 0, G_OPTION_ARG_FILENAME, &type,
       "Output type: png, svg, pdf, diag, csv, json, mermaid (.mmd), plantuml (.puml), txt; "
       "comma-separated for several (default: from the -o extension, else png)",
       "TYPE"},
      {"title", 0, 0, G_OPTION_ARG_FILENAME, &title, "Title of the diagram (default: packetseq)",
       "TEXT"},
      {"width", 0, 0, G_OPTION_ARG_INT, &width, "Columns of the txt diagram (default: 100)", "N"},
      {"info", 'i', 0, G_OPTION_ARG_FILENAME, &info,
       "Arrow labels: summary (flags), default (Info without ports), info (whole Info column)",
       "MODE"},
      {"filter", 'f', 0, G_OPTION_ARG_FILENAME, &filter,
       "Wireshark display filter applied to every capture (default: tcp; '' for none)", "FILTER"},
      {"follow", 0, 0, G_OPTION_ARG_FILENAME, &follow,
       "Follow the connections this display filter selects in the first capture (e.g. "
       "tcp.stream==3) at every other capture point, through NAT and proxies",
       "FILTER"},
      {"each-connection", 0, 0, G_OPTION_ARG_NONE, &each_connection,
       "Follow every connection (tcp.stream) of the first capture on its own: one diagram per "
       "connection, OUT-N.EXT, plus the index OUT-index.csv",
       nullptr},
      {"name", 'n', 0, G_OPTION_ARG_FILENAME_ARRAY, &names,
       "Name an address; applies in every capture (repeatable)", "ADDR=NAME"},
      {"names", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &names_files,
       "Read names from a file in Wireshark hosts syntax (ADDR NAME per line)", "FILE"},
      {"no-prompt", 0, 0, G_OPTION_ARG_NONE, &no_prompt,
       "Never ask for names on the terminal (batch use)", nullptr},
      {"time", 0, 0, G_OPTION_ARG_FILENAME, &time_mode,
       "Vertical axis: rows (one row per event, default) or proportional (real time, idle gaps "
       "collapsed)",
       "MODE"},
      {"offset", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &offsets,
       "Pin a capture point's clock offset to the reference (e.g. client=+9h, fw=-0.35s); "
       "repeatable",
       "POINT=OFFSET"},
      {"same-clock", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &same_clock,
       "Capture points taken on the same host share one clock (e.g. fw-in,fw-out); repeatable",
       "A,B[,...]"},
      {"stats", 0, 0, G_OPTION_ARG_NONE, &stats,
       "Print clock offsets, per-hop transit, loss, dwell and NAT bindings on stdout", nullptr},
      {"no-match", 0, 0, G_OPTION_ARG_NONE, &no_match,
       "Do not match packets across capture points: draw every observation on its own", nullptr},
      {"observations-json", 0, 0, G_OPTION_ARG_NONE, &observations_json,
       "Only read the captures and print their observations as JSON on stdout (the reader the "
       "Wireshark plugin ran before the record stream)",
       nullptr},
      {"observations-stream", 0, 0, G_OPTION_ARG_NONE, &observations_stream,
       "Only read one capture and write its observations as a binary record stream on stdout "
       "(the reader the Wireshark plugin runs for extra capture files)",
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
      "  packetseq --each-connection -o run -t svg client.pcapng fw.pcap server.pcap\n"
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
  // Values as given (nullopt: option absent); all strings are raw bytes (G_OPTION_ARG_FILENAME).
  auto take = [](gchar*& s) {
    std::optional<std::string> v;
    if (s) v = s;
    g_free(s);
    s = nullptr;
    return v;
  };
  const auto out_v = take(out), type_v = take(type), info_v = take(info), filter_v = take(filter),
             time_v = take(time_mode), title_v = take(title), follow_v = take(follow);
  if (!ok) {
    // GOption echoes the offending argument whole ("Unknown option --…"): keep it short.
    std::string message = util::quote_excerpt(error->message, 300);
    g_error_free(error);
    throw UsageError(message);
  }
  // An empty value has no meaning for these options: refuse it rather than silently using the
  // default (-t '' used to write a PNG). -f '' is the exception, see below.
  auto non_empty = [](const std::optional<std::string>& v, const char* option) {
    if (v && v->empty()) throw UsageError(std::string(option) + ": empty value");
    return v;
  };
  auto text = [&](const std::optional<std::string>& v, const char* option) {
    return non_empty(v, option) ? std::optional<std::string>(option_text(*v, option)) : v;
  };
  auto text_list = [&](gchar** values, const char* option) {
    std::vector<std::string> list;
    for (gchar** v = values; v && *v; ++v) list.push_back(*text(std::string(*v), option));
    return list;
  };
  const auto out_s = non_empty(out_v, "-o/--out");  // a file name: bytes kept as they are
  const auto type_s = text(type_v, "-t/--type"), info_s = text(info_v, "-i/--info"),
             time_s = text(time_v, "--time"), title_s = text(title_v, "--title");
  // -f '' means no display filter (every packet is read, TCP segments over IP are kept): the
  // Wireshark dialog passes its filter field to the reader subprocess, and may pass it empty.
  const auto filter_s =
      filter_v ? std::optional<std::string>(option_text(*filter_v, "-f/--filter")) : filter_v;
  options.show_version = version;
  options.no_prompt = no_prompt;
  options.stats = stats;
  options.no_match = no_match;
  options.each_connection = each_connection;
  options.observations_json = observations_json;
  options.observations_stream = observations_stream;
  options.offsets = text_list(offsets, "--offset");
  options.same_clock = text_list(same_clock, "--same-clock");
  if (filter_s) options.filter = *filter_s;
  options.name_assignments = text_list(names, "-n/--name");
  for (gchar** n = names_files; n && *n; ++n)
    options.names_files.push_back(*non_empty(std::string(*n), "--names"));
  for (gchar** r = rest; r && *r; ++r) {
    if (!**r) throw UsageError("empty capture file name");
    CaptureArg capture = parse_capture_arg(*r);
    if (capture.named) capture.name = option_text(capture.name, "capture name");
    options.captures.push_back(std::move(capture));
  }
  if (follow_v && follow_v->find_first_not_of(" \t") == std::string::npos)
    throw UsageError("--follow needs a display filter, e.g. --follow 'tcp.stream==0'");
  if (const auto follow_s = text(follow_v, "--follow")) options.follow = *follow_s;
  if (options.each_connection && !options.follow.empty())
    throw UsageError("--each-connection follows every connection itself: not with --follow");
  if (options.each_connection && options.no_match)
    throw UsageError("--each-connection needs cross-point matching: not with --no-match");
  if (options.each_connection && observations_json)
    throw UsageError("--each-connection draws diagrams: not with --observations-json");

  // The keyword parsers echo the value; a huge one is shortened to an excerpt.
  auto keyword = [](const std::string& value, const char* option, auto parse) {
    try {
      return parse(value);
    } catch (const std::invalid_argument& e) {
      std::string message = e.what();
      if (const auto at = message.find(value); at != std::string::npos)
        message.replace(at, value.size(), util::quote_excerpt(value));
      throw UsageError(std::string(option) + ": " + message);
    }
  };
  if (info_s) options.output.layout.labels = keyword(*info_s, "-i/--info", parse_label_mode);
  if (time_s) options.output.layout.time_mode = keyword(*time_s, "--time", parse_time_mode);
  if (out_s) options.output.out = *out_s;
  if (title_s) options.output.layout.title = *title_s;
  if (width < 20 || width > 100000)
    throw UsageError("--width: " + std::to_string(width) + " is out of range (20 to 100000)");
  options.output.text_width = static_cast<std::size_t>(width);
  if (type_s) {
    options.output.types.clear();
    for (const auto& t : split_string(*type_s, ','))
      options.output.types.push_back(keyword(t, "-t/--type", parse_output_type));
  } else {
    OutputType implied;
    if (output_type_from_path(options.output.out, implied)) {
      options.output.types = {implied};
    } else if (output_has_extension(options.output.out)) {
      // "-o x.gif" would silently write x.gif.png: say what the types are instead.
      throw UsageError("cannot tell the output type from '" +
                       util::quote_excerpt(options.output.out) +
                       "': use -t png, svg, pdf, diag, csv, json, mermaid, plantuml or txt, or "
                       "one of their extensions");
    }
  }
  try {
    check_stdout_output(options.output);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  options.output.layout.filter = options.filter;
  if (!options.show_version && options.captures.empty()) throw UsageError("no capture files given");
  return options;
}

}  // namespace packetseq
