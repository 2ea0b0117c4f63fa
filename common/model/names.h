// Address-to-name table (command line, Wireshark hosts files, prompt) and node building.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/model.h"

namespace packetseq {

// Canonical text of an IPv4/IPv6 address ("2001:DB8::0001" -> "2001:db8::1"); empty if invalid.
std::string canonical_address(const std::string& text);

// A names file larger than this is refused (a hosts file is a few KB; /dev/zero is endless).
constexpr std::size_t kMaxNamesFileBytes = 16 * 1024 * 1024;

class NameTable {
 public:
  // Adds or replaces a name; returns false (and adds nothing) if `address` is not an IP address.
  bool set(const std::string& address, const std::string& name);
  std::optional<std::string> lookup(const std::string& address) const;
  bool empty() const { return names_.empty(); }

  // "ADDR=NAME" from -n; throws std::invalid_argument with the cause.
  void add_assignment(const std::string& assignment);

  // Wireshark "hosts" syntax: "ADDR NAME [ALIAS...]", '#' starts a comment, blank lines ignored.
  // Earlier entries win over later ones, but never over names already set.
  // Throws std::runtime_error "PATH: cause" for a missing, unreadable or non-regular file (FIFO,
  // device, directory) or one over kMaxNamesFileBytes, "PATH:LINE: cause" for malformed lines.
  void load_hosts_file(const std::string& path);
  void load_hosts_text(const std::string& text, const std::string& source_name);

 private:
  std::map<std::string, std::string> names_;  // canonical address -> name
};

// The two endpoints of a capture point: from its first SYN (without ACK); failing that, from
// the first packet (*from_syn set to false: callers warn). Empty if there are no packets.
std::optional<std::pair<std::string, std::string>> detect_endpoints(const CapturePoint& point,
                                                                    bool* from_syn = nullptr);

// Lifelines: every address seen, named from the table (else the address itself); addresses
// sharing a name share one node. Order: SYN client then server of each capture point, then
// the remaining addresses in order of first appearance.
void build_nodes(Model& model, const NameTable& names);

// Index of the node owning `address`, or -1.
long find_node(const Model& model, const std::string& address);
// Index of the node called `name`, or -1.
long find_node_by_name(const Model& model, const std::string& name);

}  // namespace packetseq
