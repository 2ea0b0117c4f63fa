// The one exception type the drawing back ends throw.
#pragma once

#include <stdexcept>

namespace packetseq {

// A page could not be drawn or written; what() is "PATH: cause".
class RenderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace packetseq
