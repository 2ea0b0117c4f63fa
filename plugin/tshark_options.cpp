// Parses "-z packetseq,key=value,...": comma-separated keys, "filter=" taking the rest.
#include "plugin/tshark_options.h"

#include <glib.h>

#include <algorithm>

#include "layout/layout.h"
#include "model/labels.h"
#include "util/capture_spec.h"
#include "util/text_safety.h"

namespace packetseq {
namespace plugin {
namespace {

constexpr const char kPrefix[] = "packetseq";

ExtraCapture parse_capture(const std::string& value) {
  if (value.empty()) throw std::invalid_argument("capture= needs a file name");
  const CaptureSpec spec = parse_capture_spec(value);  // the CLI's FILE@NAME rule
  return ExtraCapture{spec.path, spec.name, spec.named};
}

bool parse_flag(const std::string& key, const std::string& value) {
  if (value == "1" || value == "yes" || value == "true" || value == "on") return true;
  if (value == "0" || value == "no" || value == "false" || value == "off") return false;
  throw std::invalid_argument("invalid value '" + util::quote_excerpt(value) + "' for " + key +
                              "= (expected 1 or 0)");
}

}  // namespace

const char* tshark_options_usage() {
  return "usage: -z \"packetseq[,KEY=VALUE...]\" where KEY is one of\n"
         "  point=NAME            name of the capture point tshark reads (default: its base name)\n"
         "  capture=FILE[@NAME]   another capture point of the same traffic (repeatable)\n"
         "  name=ADDR=NAME        name an address (repeatable)\n"
         "  names=FILE            names in Wireshark hosts syntax (repeatable)\n"
         "  offset=POINT=OFFSET   pin a point's clock offset, e.g. offset=server=+9h (repeatable)\n"
         "  same_clock=A+B[+C]    capture points sharing one clock (repeatable)\n"
         "  match=0               draw every observation on its own (no cross-point matching)\n"
         "  out=NAME              output file or base name (default: out)\n"
         "  type=TYPE             png, svg, pdf, diag, csv, json, mermaid, plantuml or txt;\n"
         "                        repeat or join with '+'\n"
         "  info=MODE             arrow labels: summary, default or info\n"
         "  time=MODE             vertical axis: rows or proportional\n"
         "  stats=1               print the per-hop table on stdout\n"
         "  each=1                follow every connection of the file tshark reads on its own:\n"
         "                        OUT-N.EXT per connection (N = tcp.stream), index OUT-index.csv\n"
         "  filter=FILTER         display filter for every capture (default: tcp)\n"
         "  follow=FILTER         follow the connections FILTER selects in the file tshark reads\n"
         "                        at every other capture point (through NAT and proxies)\n"
         "filter= and follow= come after the other keys and may hold commas.\n";
}

TsharkOptions parse_tshark_options(const std::string& argument) {
  if (argument.compare(0, sizeof kPrefix - 1, kPrefix) != 0)
    throw std::invalid_argument("argument does not start with 'packetseq'");
  std::string rest = argument.substr(sizeof kPrefix - 1);
  TsharkOptions options;
  std::string out_value;
  std::vector<std::string> types;
  bool seen_filter = false, seen_follow = false;
  if (!rest.empty() && rest[0] != ',')
    throw std::invalid_argument("expected ',' after 'packetseq', got '" +
                                util::quote_excerpt(rest) + "'");
  std::size_t pos = rest.empty() ? std::string::npos : 1;
  while (pos != std::string::npos && pos <= rest.size()) {
    // filter= and follow= come last: each takes the text up to ",filter=" / ",follow=" or the
    // end (display filters may hold commas).
    if (rest.compare(pos, 7, "filter=") == 0 || rest.compare(pos, 7, "follow=") == 0) {
      const std::string key = rest.substr(pos, 6);
      std::size_t end = std::string::npos;
      for (const char* next : {",filter=", ",follow="}) end = std::min(end, rest.find(next, pos));
      const std::string value =
          rest.substr(pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
      if (value.find_first_not_of(" \t") == std::string::npos)
        throw std::invalid_argument(key + "= is empty");
      std::string& target = key == "filter" ? options.filter : options.follow;
      if (key == "filter" ? seen_filter : seen_follow)
        throw std::invalid_argument(key + "= given twice");
      (key == "filter" ? seen_filter : seen_follow) = true;
      target = value;
      pos = end == std::string::npos ? std::string::npos : end + 1;
      continue;
    }
    const auto comma = rest.find(',', pos);
    const std::string item =
        rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? std::string::npos : comma + 1;
    if (item.empty()) continue;  // tolerate "packetseq," and doubled commas
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("expected KEY=VALUE, got '" + util::quote_excerpt(item) + "'");
    const std::string key = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    if (key == "point") {
      if (value.empty()) throw std::invalid_argument("point= needs a name");
      options.point_name = value;
    } else if (key == "capture") {
      options.captures.push_back(parse_capture(value));
    } else if (key == "name") {
      if (value.find('=') == std::string::npos)
        throw std::invalid_argument("invalid name='" + util::quote_excerpt(value) +
                                    "' (expected name=ADDR=NAME)");
      options.name_assignments.push_back(value);
    } else if (key == "names") {
      if (value.empty()) throw std::invalid_argument("names= needs a file name");
      options.names_files.push_back(value);
    } else if (key == "offset") {
      const auto at = value.rfind('=');
      if (at == std::string::npos || at == 0 || at + 1 == value.size())
        throw std::invalid_argument("invalid offset='" + util::quote_excerpt(value) +
                                    "' (expected offset=POINT=OFFSET, e.g. offset=server=+9h)");
      options.offsets.push_back(value);
    } else if (key == "same_clock") {
      std::vector<std::string> names;
      for (const auto& n : split_string(value, '+'))
        if (!n.empty()) names.push_back(n);
      if (names.size() < 2)
        throw std::invalid_argument("invalid same_clock='" + util::quote_excerpt(value) +
                                    "' (expected A+B[+...])");
      options.same_clock.push_back(names);
    } else if (key == "match") {
      options.no_match = !parse_flag(key, value);
    } else if (key == "each") {
      options.each_connection = parse_flag(key, value);
    } else if (key == "stats") {
      options.stats = parse_flag(key, value);
    } else if (key == "out") {
      if (value.empty()) throw std::invalid_argument("out= needs a file name");
      out_value = value;
    } else if (key == "type") {
      for (const auto& t : split_string(value, '+')) types.push_back(t);
    } else if (key == "info") {
      options.output.layout.labels = parse_label_mode(value);
    } else if (key == "time") {
      options.output.layout.time_mode = parse_time_mode(value);
    } else {
      throw std::invalid_argument("unknown key '" + util::quote_excerpt(key) + "'");
    }
  }

  if (!out_value.empty()) options.output.out = out_value;
  if (!types.empty()) {
    options.output.types.clear();
    for (const auto& t : types) {
      const OutputType type = parse_output_type(t);  // throws invalid_argument naming t
      bool seen = false;
      for (OutputType have : options.output.types) seen = seen || have == type;
      if (!seen) options.output.types.push_back(type);
    }
  } else {
    // As the CLI: the type follows the out= extension, else PNG.
    OutputType implied;
    if (output_type_from_path(options.output.out, implied)) options.output.types = {implied};
  }
  options.output.layout.filter = options.filter;
  return options;
}

}  // namespace plugin
}  // namespace packetseq
