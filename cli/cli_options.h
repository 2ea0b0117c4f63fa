// Command-line options of the packetseq CLI (GOption, GNU conventions).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "layout/layout.h"
#include "pipeline/outputs.h"

namespace packetseq {

// A usage error: the message is printed with a hint to --help, exit status 2.
class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CaptureArg {
  std::string path;
  std::string name;  // from FILE@NAME, else the file's base name
  bool named = false;
};

struct CliOptions {
  std::vector<CaptureArg> captures;
  std::string filter = "tcp";
  std::string follow;  // --follow FILTER: connections selected in the first capture (anchor)
  bool each_connection = false;  // --each-connection: one diagram per anchor connection + index
  std::vector<std::string> name_assignments;  // -n ADDR=NAME
  std::vector<std::string> names_files;       // --names FILE
  bool no_prompt = false;
  std::vector<std::string> offsets;     // --offset POINT=+9h
  std::vector<std::string> same_clock;  // --same-clock A,B
  bool stats = false;                   // --stats: per-hop table on stdout
  bool no_match = false;                // --no-match: draw every observation on its own (seed)
  bool observations_json = false;       // --observations-json: reader mode, JSON document
  bool observations_stream = false;     // --observations-stream: the plugin's reader mode
  bool show_version = false;
  bool help_requested = false;
  std::string help_text;
  OutputRequest output;
};

// Splits "FILE@NAME"; a path containing '@' that exists as a file is taken whole.
CaptureArg parse_capture_arg(const std::string& arg);

// An option value as UTF-8 text: kept when it is valid UTF-8 (in any locale), else converted
// from the locale's encoding; neither: UsageError "OPTION: 'excerpt' is neither UTF-8 nor ...".
std::string option_text(const std::string& value, const std::string& option);

// Parses argv (not modified). Text options are UTF-8 (option_text); file names stay raw bytes.
// An empty value is a UsageError naming the option, except -f '' (no display filter).
// Throws UsageError.
CliOptions parse_cli_options(int argc, char** argv);

}  // namespace packetseq
