// Fuzz harness: "FILE@NAME" capture arguments and separated lists (util/capture_spec).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "util/capture_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = packetseq_fuzz::as_text(data, size);

  // Nothing is lost: a named spec splits the argument at one '@', otherwise the path is it all.
  const packetseq::CaptureSpec spec = packetseq::parse_capture_spec(text);
  if (spec.named) {
    PACKETSEQ_FUZZ_CHECK(spec.path + "@" + spec.name == text);
    PACKETSEQ_FUZZ_CHECK(!spec.path.empty() && !spec.name.empty());
  } else {
    PACKETSEQ_FUZZ_CHECK(spec.path == text);
  }

  // split_string then joining with the separator gives the text back.
  for (char separator : {',', '+'}) {
    const auto parts = packetseq::split_string(text, separator);
    PACKETSEQ_FUZZ_CHECK(!parts.empty());
    std::string joined = parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) joined += separator + parts[i];
    PACKETSEQ_FUZZ_CHECK(joined == text);
  }
  return 0;
}
