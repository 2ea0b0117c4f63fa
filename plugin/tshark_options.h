// The "-z packetseq,key=value,..." option string of tshark, parsed into plain settings.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/outputs.h"

namespace packetseq {
namespace plugin {

// An extra capture point: FILE[@NAME].
struct ExtraCapture {
  std::string path;
  std::string name;  // NAME, else the file's base name
  bool named = false;
};

// What one "-z packetseq,..." asks for; mirrors the CLI's options.
struct TsharkOptions {
  std::string point_name;                            // point=NAME: name of the file tshark reads
  std::vector<ExtraCapture> captures;                // capture=FILE[@NAME], in order
  std::vector<std::string> name_assignments;         // name=ADDR=NAME
  std::vector<std::string> names_files;              // names=FILE
  std::vector<std::string> offsets;                  // offset=POINT=+9h
  std::vector<std::vector<std::string>> same_clock;  // same_clock=A+B[+C...]
  bool no_match = false;                             // match=0
  bool stats = false;                                // stats=1: per-hop table on stdout
  bool each_connection = false;                      // each=1: one diagram per connection
  std::string filter = "tcp";  // filter=...: up to ",follow=" or the end (last keys)
  std::string follow;          // follow=...: follow mode, anchor = the file tshark reads
  OutputRequest output;        // out=, type=, info=, time=
};

// Parses the whole -z argument ("packetseq" or "packetseq,k=v,..."). Throws std::invalid_argument
// naming the offending key or value. Files are not checked here.
TsharkOptions parse_tshark_options(const std::string& argument);

// One-paragraph syntax summary for error messages and "-z packetseq,help".
const char* tshark_options_usage();

}  // namespace plugin
}  // namespace packetseq
