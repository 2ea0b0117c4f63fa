// Header text shared by every diagram format: what was captured where, and on which clock.
#pragma once

#include <string>

#include "model/model.h"

namespace packetseq {

// "client (client.pcapng, pcapng, 68 packets) at client, clock +0 s (reference)". Only the
// file's base name: headers end up in tickets, absolute paths are noise there.
std::string describe_capture_point(const CapturePoint& point);

}  // namespace packetseq
