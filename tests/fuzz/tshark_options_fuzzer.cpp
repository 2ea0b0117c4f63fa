// Fuzz harness: the tshark "-z packetseq,key=value,..." option string.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.h"
#include "plugin/tshark_options.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = packetseq_fuzz::as_text(data, size);
  try {
    const auto options = packetseq::plugin::parse_tshark_options(text);
    PACKETSEQ_FUZZ_CHECK(!options.output.types.empty());
    PACKETSEQ_FUZZ_CHECK(!options.filter.empty());
    for (const auto& capture : options.captures) PACKETSEQ_FUZZ_CHECK(!capture.path.empty());
    for (const auto& group : options.same_clock) PACKETSEQ_FUZZ_CHECK(group.size() >= 2);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
