// Fuzz harness: names files (Wireshark hosts syntax), -n ADDR=NAME assignments, address text.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.h"
#include "model/names.h"
#include "util/text_safety.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = packetseq_fuzz::as_text(data, size);

  // canonical_address is idempotent: the canonical text canonicalises to itself.
  const std::string canon = packetseq::canonical_address(text);
  if (!canon.empty()) PACKETSEQ_FUZZ_CHECK(packetseq::canonical_address(canon) == canon);

  packetseq::NameTable table;
  try {
    table.load_hosts_text(text, "fuzz.hosts");
  } catch (const std::runtime_error&) {
  }

  // The whole input as one -n value; a success must be visible through lookup().
  packetseq::NameTable assigned;
  try {
    assigned.add_assignment(text);
    const auto eq = text.find('=');
    PACKETSEQ_FUZZ_CHECK(eq != std::string::npos);
    // Names reach every text output, so invalid UTF-8 in them is repaired (U+FFFD).
    PACKETSEQ_FUZZ_CHECK(assigned.lookup(text.substr(0, eq)) ==
                         packetseq::util::valid_utf8(text.substr(eq + 1)));
  } catch (const std::invalid_argument&) {
    PACKETSEQ_FUZZ_CHECK(assigned.empty());
  }
  return 0;
}
