// Seed-format prompt: "src ip:ADDR -> src name: ???" / " input src name> ".
#include "cli/name_prompt.h"

#include <string>

#include "cli/cli_options.h"
#include "util/text_safety.h"

namespace packetseq {

bool prompt_for_names(Model& model, NameTable& names, std::istream& in, std::ostream& out) {
  for (auto& point : model.points) {
    auto ends = detect_endpoints(point);
    if (!ends) continue;
    const bool src_named = names.lookup(ends->first).has_value();
    const bool dst_named = names.lookup(ends->second).has_value() || ends->second == ends->first;
    if (src_named && dst_named) continue;
    out << "########################################\n"
        << "file_name:" << point.path << "\n"
        << "########################################\n";
    const std::pair<const char*, const std::string*> roles[] = {{"src", &ends->first},
                                                                {"dst", &ends->second}};
    for (const auto& [role, address] : roles) {
      if (names.lookup(*address)) continue;
      out << role << " ip:" << *address << " -> " << role << " name: ???\n"
          << " input " << role << " name> " << std::flush;
      std::string answer;
      if (!std::getline(in, answer)) {
        out << "\n";
        return false;
      }
      while (!answer.empty() && (answer.back() == ' ' || answer.back() == '\r')) answer.pop_back();
      while (!answer.empty() && answer.front() == ' ') answer.erase(0, 1);
      if (answer.empty()) continue;
      // Typed in the terminal's encoding: UTF-8, else the locale's, else repaired (U+FFFD).
      try {
        answer = option_text(answer, "name");
      } catch (const UsageError&) {
        answer = util::valid_utf8(answer);
      }
      names.set(*address, answer);
    }
  }
  return true;
}

}  // namespace packetseq
