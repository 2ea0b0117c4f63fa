// FILE@NAME and list splitting, one rule for the CLI and the tshark -z options.
#include "util/capture_spec.h"

#include <glib.h>

namespace packetseq {

CaptureSpec parse_capture_spec(const std::string& arg) {
  CaptureSpec capture;
  const auto at = arg.rfind('@');
  if (at != std::string::npos && at > 0 && at + 1 < arg.size() &&
      arg.find('/', at) == std::string::npos && !g_file_test(arg.c_str(), G_FILE_TEST_EXISTS)) {
    capture.path = arg.substr(0, at);
    capture.name = arg.substr(at + 1);
    capture.named = true;
  } else {
    capture.path = arg;
    gchar* base = g_path_get_basename(arg.c_str());
    capture.name = base;
    g_free(base);
  }
  return capture;
}

std::vector<std::string> split_string(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == separator) {
      parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  parts.push_back(part);
  return parts;
}

}  // namespace packetseq
