// Fuzz harness: the seed CSV reader (Wireshark "Export Packet Dissections > As CSV").
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "csv/seed_csv_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = packetseq_fuzz::as_text(data, size);
  // A single record, as the reader's tests use it.
  try {
    (void)packetseq::split_csv_record(text);
  } catch (const packetseq::CsvError&) {
  }
  // The whole file; CsvError is the documented refusal, anything else escapes and crashes.
  packetseq::CapturePoint point;
  try {
    packetseq::read_seed_csv_text(text, "fuzz.csv", 0, point);
  } catch (const packetseq::CsvError& e) {
    // Messages quote a bounded excerpt of the offending field, never all of it.
    PACKETSEQ_FUZZ_CHECK(std::strlen(e.what()) <= 1024);
    return 0;
  }
  PACKETSEQ_FUZZ_CHECK(!point.observations.empty());
  for (const auto& obs : point.observations) {
    PACKETSEQ_FUZZ_CHECK(obs.point == 0);
    PACKETSEQ_FUZZ_CHECK(obs.info.size() <= packetseq::kMaxCsvFieldBytes * 3);
  }
  return 0;
}
