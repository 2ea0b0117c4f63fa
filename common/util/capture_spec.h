// Parsing shared by every front end: "FILE@NAME" capture arguments and separated lists.
#pragma once

#include <string>
#include <vector>

namespace packetseq {

struct CaptureSpec {
  std::string path;
  std::string name;  // NAME from FILE@NAME, else the file's base name
  bool named = false;
};

// Splits "FILE@NAME" at the last '@'; an '@' inside a directory name, or a path that exists
// as a file with its '@', is part of the path.
CaptureSpec parse_capture_spec(const std::string& arg);

// "a,b,,c" -> {"a", "b", "", "c"}.
std::vector<std::string> split_string(const std::string& text, char separator);

}  // namespace packetseq
