// Reader for the seed's input: Wireshark "Export Packet Dissections > As CSV" files.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/model.h"

namespace packetseq {

// Longest CSV field accepted (a Wireshark Info column is far shorter); longer is an error.
inline constexpr std::size_t kMaxCsvFieldBytes = 64 * 1024;

class CsvError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True if the file starts like a Wireshark CSV export (a quoted "No." header).
bool looks_like_seed_csv(const std::string& path);

// Reads a CSV with the columns "No.","Time","Source","Destination","Protocol","Length","Info"
// (any order, extra columns ignored) and Time as absolute "YYYY-MM-DD HH:MM:SS.ffffff" (UTC
// assumed: clock offsets are estimated anyway). Ports, flags, Seq/Ack/Len/Win and TSval/TSecr
// come from Info; rows without ports in Info inherit them from the last row of the same
// address pair. Appends to point.observations; throws CsvError "PATH:LINE: cause".
void read_seed_csv(const std::string& path, std::size_t point_index, CapturePoint& point);
void read_seed_csv_text(const std::string& text, const std::string& path, std::size_t point_index,
                        CapturePoint& point);

// Parses one CSV record (RFC 4180 quoting); exposed for tests.
std::vector<std::string> split_csv_record(const std::string& line);

}  // namespace packetseq
