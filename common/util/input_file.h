// Input files must be regular files: refuse FIFOs, devices, sockets and directories up front.
#pragma once

#include <cstddef>
#include <string>

namespace packetseq::util {

// Throws std::runtime_error "PATH: cause" unless `path` names a readable regular file (after
// symbolic links): "PATH: no such file", "PATH: is a FIFO, not a WHAT" (also device, socket,
// directory), "PATH: cannot read: ...". `what` is e.g. "capture file" or "names file".
// A FIFO or device is never opened for reading, so the check cannot hang or read forever.
void check_regular_input(const std::string& path, const std::string& what);

// check_regular_input, then the whole file (at most max_bytes, else "PATH: WHAT larger than
// N MB (the limit)", or N bytes). Reads through the descriptor it checked, so a file swapped for a
// FIFO after the check is still refused.
std::string read_regular_input(const std::string& path, const std::string& what,
                               std::size_t max_bytes);

}  // namespace packetseq::util
