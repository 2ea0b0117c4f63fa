// Fuzz harness: the JSON model import (packetseq --observations-json output and exported models;
// the plugin's children now send the binary record stream, fuzzed by record_stream_fuzzer).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "export/json_model.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = packetseq_fuzz::as_text(data, size);
  packetseq::Model model;
  model.points.resize(1);  // appended points are renumbered after the ones already there
  std::size_t added = 0;
  try {
    added = packetseq::append_points_from_json(text, "fuzz.json", model);
  } catch (const packetseq::JsonImportError& e) {
    PACKETSEQ_FUZZ_CHECK(model.points.size() == 1);  // "on error model is left unchanged"
    // Messages quote a bounded excerpt of the offending text, never all of it.
    PACKETSEQ_FUZZ_CHECK(std::strlen(e.what()) <= 1024);
    return 0;
  }
  PACKETSEQ_FUZZ_CHECK(model.points.size() == 1 + added);
  for (std::size_t p = 0; p < model.points.size(); ++p)
    for (const auto& obs : model.points[p].observations) PACKETSEQ_FUZZ_CHECK(obs.point == p);

  // What was imported exports and imports again to the same document.
  model.points.erase(model.points.begin());
  for (auto& point : model.points)
    for (auto& obs : point.observations) --obs.point;
  const std::string first = packetseq::model_to_json(model);
  packetseq::Model again;
  PACKETSEQ_FUZZ_CHECK(packetseq::append_points_from_json(first, "again.json", again) == added);
  PACKETSEQ_FUZZ_CHECK(packetseq::model_to_json(again) == first);
  return 0;
}
