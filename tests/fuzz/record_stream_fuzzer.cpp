// Fuzz harness: the record stream decoder, i.e. what the plugin reads from each
// "packetseq --observations-stream" child's pipe (common/pipeline/record_stream.h).
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_support.h"
#include "pipeline/record_stream.h"

namespace {

// Decodes `bytes` fed in chunks of `chunk` bytes; returns the error message, or "" and `point`.
std::string decode(const std::string& bytes, std::size_t chunk, packetseq::CapturePoint& point) {
  packetseq::RecordStreamLimits limits;
  limits.max_record = 1u << 16;  // small limits: the checks are reached with small inputs
  limits.max_string = 1u << 12;
  limits.max_observations = 5000;
  limits.max_warnings = 100;
  packetseq::RecordStreamDecoder decoder("fuzz.bin", 3, limits);
  try {
    for (std::size_t at = 0; at < bytes.size(); at += chunk)
      decoder.feed(bytes.data() + at, std::min(chunk, bytes.size() - at));
    decoder.finish();
  } catch (const packetseq::RecordStreamError& e) {
    const std::string message = e.what();
    PACKETSEQ_FUZZ_CHECK(message.rfind("fuzz.bin: ", 0) == 0);
    PACKETSEQ_FUZZ_CHECK(message.size() <= 256);  // messages never quote the stream's data
    return message;
  }
  point = std::move(decoder.point());
  return {};
}

void check(const std::string& bytes) {
  packetseq::CapturePoint whole, split;
  const std::string error = decode(bytes, bytes.size() + 1, whole);
  // Any split of the input gives the same outcome.
  PACKETSEQ_FUZZ_CHECK(decode(bytes, 1 + bytes.size() % 7, split) == error);
  if (!error.empty()) return;
  for (const auto& o : whole.observations) PACKETSEQ_FUZZ_CHECK(o.point == 3);
  // The decoder is strict: an accepted stream is exactly what the encoder writes for it.
  PACKETSEQ_FUZZ_CHECK(packetseq::encode_record_stream(whole) == bytes);
  PACKETSEQ_FUZZ_CHECK(packetseq::encode_record_stream(split) == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes = packetseq_fuzz::as_text(data, size);
  check(bytes);
  // Mutations rarely keep the XXH3 checksum right: also try the input with its last 8 bytes
  // replaced by the checksum of everything before them, so the rest of the decoder (records,
  // count, end) is explored too.
  if (bytes.size() >= 8) {
    const std::uint64_t sum = XXH3_64bits(bytes.data(), bytes.size() - 8);
    for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + i] = static_cast<char>(sum >> (8 * i));
    check(bytes);
  }
  return 0;
}
