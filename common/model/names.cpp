// Name table parsing and lifeline (node) construction.
#include "model/names.h"

#include <gio/gio.h>

#include <set>
#include <sstream>
#include <stdexcept>

#include "model/observation.h"
#include "util/input_file.h"
#include "util/text_safety.h"

namespace packetseq {

std::string canonical_address(const std::string& text) {
  GInetAddress* addr = g_inet_address_new_from_string(text.c_str());
  if (!addr) return {};
  gchar* s = g_inet_address_to_string(addr);
  std::string out = s;
  g_free(s);
  g_object_unref(addr);
  return out;
}

bool NameTable::set(const std::string& address, const std::string& name) {
  const std::string canon = canonical_address(address);
  if (canon.empty() || name.empty()) return false;
  names_[canon] = name;
  return true;
}

std::optional<std::string> NameTable::lookup(const std::string& address) const {
  auto it = names_.find(address);
  if (it == names_.end()) {
    const std::string canon = canonical_address(address);
    it = names_.find(canon);
  }
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

void NameTable::add_assignment(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == assignment.size())
    throw std::invalid_argument("invalid name assignment '" + util::quote_excerpt(assignment) +
                                "' (expected ADDRESS=NAME)");
  const std::string address = assignment.substr(0, eq);
  if (!set(address, util::valid_utf8(assignment.substr(eq + 1))))
    throw std::invalid_argument("invalid name assignment '" + util::quote_excerpt(assignment) +
                                "': '" + util::quote_excerpt(address) +
                                "' is not an IPv4 or IPv6 address");
}

void NameTable::load_hosts_file(const std::string& path) {
  // A FIFO, device or directory is refused unopened; the size cap keeps memory bounded.
  load_hosts_text(util::read_regular_input(path, "names file", kMaxNamesFileBytes), path);
}

void NameTable::load_hosts_text(const std::string& text, const std::string& source_name) {
  std::istringstream lines(text);
  std::string line;
  std::set<std::string> seen_here;  // first entry of this file wins, like Wireshark's hosts
  for (int number = 1; std::getline(lines, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string address, name;
    if (!(words >> address)) continue;
    if (!(words >> name))
      throw std::runtime_error(source_name + ":" + std::to_string(number) + ": address '" +
                               util::quote_excerpt(address) + "' has no name");
    const std::string canon = canonical_address(address);
    if (canon.empty())
      throw std::runtime_error(source_name + ":" + std::to_string(number) + ": '" +
                               util::quote_excerpt(address) + "' is not an IPv4 or IPv6 address");
    if (seen_here.count(canon) || names_.count(canon)) continue;
    seen_here.insert(canon);
    names_[canon] = util::valid_utf8(name);  // names reach every text output
  }
}

std::optional<std::pair<std::string, std::string>> detect_endpoints(const CapturePoint& point,
                                                                    bool* from_syn) {
  if (from_syn) *from_syn = true;
  for (const auto& obs : point.observations)
    if (obs.has_flags && (obs.flags & kSyn) && !(obs.flags & kAck))
      return std::make_pair(obs.src, obs.dst);
  if (point.observations.empty()) return std::nullopt;
  if (from_syn) *from_syn = false;
  const auto& first = point.observations.front();
  return std::make_pair(first.src, first.dst);
}

long find_node(const Model& model, const std::string& address) {
  for (std::size_t i = 0; i < model.nodes.size(); ++i)
    for (const auto& a : model.nodes[i].addresses)
      if (a == address) return static_cast<long>(i);
  return -1;
}

long find_node_by_name(const Model& model, const std::string& name) {
  for (std::size_t i = 0; i < model.nodes.size(); ++i)
    if (model.nodes[i].name == name) return static_cast<long>(i);
  return -1;
}

void build_nodes(Model& model, const NameTable& names) {
  std::vector<std::string> order;
  std::set<std::string> seen;
  auto note = [&](const std::string& address) {
    if (seen.insert(address).second) order.push_back(address);
  };
  for (const auto& point : model.points)
    if (auto ends = detect_endpoints(point)) {
      note(ends->first);
      note(ends->second);
    }
  for (const auto& point : model.points)
    for (const auto& obs : point.observations) {
      note(obs.src);
      note(obs.dst);
    }

  model.nodes.clear();
  std::map<std::string, std::size_t> by_name;
  for (const auto& address : order) {
    const std::string name = names.lookup(address).value_or(address);
    auto [it, inserted] = by_name.emplace(name, model.nodes.size());
    if (inserted) model.nodes.push_back(Node{name, {}});
    model.nodes[it->second].addresses.push_back(address);
  }
}

}  // namespace packetseq
