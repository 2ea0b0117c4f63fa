// The seed's interactive naming prompt, for endpoint addresses still unnamed.
#pragma once

#include <istream>
#include <ostream>

#include "model/model.h"
#include "model/names.h"

namespace packetseq {

// For each capture point, shows its endpoints (from the first SYN) in the seed's format and
// reads a name for each address that has none yet; an empty answer keeps the address. A name
// given once is reused for that address in every later capture. Returns false on end of input.
bool prompt_for_names(Model& model, NameTable& names, std::istream& in, std::ostream& out);

}  // namespace packetseq
