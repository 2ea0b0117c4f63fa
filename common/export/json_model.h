// JSON back end: the whole model as JSON, and capture points (observations) read back from it.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "model/model.h"

namespace packetseq {

// A JSON document that cannot be imported; what() = "SOURCE: json.path: cause".
class JsonImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct JsonOptions {
  bool pretty = true;        // two-space indentation, one value per line; else one line
  bool observations = true;  // include every observation of every capture point
};

// The model as one JSON object (schema "packetseq-model", version 1, documented in
// docs/user-guide.md): points (with their observations), nodes, journeys, relay_links,
// nat_bindings, arrows and match. 64-bit hashes are hex strings; times are integer ns since
// the Unix epoch; absent optional values are null. Output is deterministic (key order fixed).
std::string model_to_json(const Model& model, const JsonOptions& options = {});

// Appends the capture points of a document written by model_to_json (path, name, format,
// filter, node, clock, warnings, observations; everything else is ignored) to model.points and
// renumbers Observation::point to the new indexes. Returns how many points were appended.
// The text is untrusted: every value is type- and range-checked. Throws JsonImportError naming
// `source`, the JSON path and the cause; on error `model` is left unchanged.
std::size_t append_points_from_json(const std::string& text, const std::string& source,
                                    Model& model);

}  // namespace packetseq
