// Record stream: one capture point's observations as a compact, versioned, length-prefixed and
// checksummed binary stream (the reader child's stdout; docs/architecture.md, "Record stream").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "model/model.h"

namespace packetseq {

// Layout (all integers little-endian):
//   magic "\x89PSQOBS\n" (8 bytes), u32 version
//   records: u8 type, u32 payload length, payload
//     1 header:      path, name, format, filter (strings), u32 warning count, warnings
//     2 observation: the fields of one Observation (not `point`: the reader sets it)
//     3 end:         u64 observation count, u64 XXH3-64 of every stream byte before it
//   strings: u32 byte length, bytes (no terminator)
// Exactly one header first, then observations, then one end record; nothing after it.
constexpr std::uint32_t kRecordStreamVersion = 1;

// Hard limits the decoder enforces before it allocates anything (a corrupt length cannot make
// it buffer gigabytes).
struct RecordStreamLimits {
  std::uint32_t max_string = 1u << 20;         // bytes in one string
  std::uint32_t max_record = 4u << 20;         // payload bytes of one record
  std::uint64_t max_observations = 200000000;  // observation records in one stream
  std::uint32_t max_warnings = 100000;         // warnings in the header
};

// A stream that is not a valid record stream; what() is "LABEL: cause".
class RecordStreamError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes a stream incrementally: begin(), add() per observation, end(). Bytes go to `sink` in
// chunks of about 64 KB (and the rest at end()); the sink throws on write errors.
class RecordStreamEncoder {
 public:
  using Sink = std::function<void(const char* data, std::size_t size)>;
  explicit RecordStreamEncoder(Sink sink);
  ~RecordStreamEncoder();
  RecordStreamEncoder(const RecordStreamEncoder&) = delete;
  RecordStreamEncoder& operator=(const RecordStreamEncoder&) = delete;

  // Magic, version and the header record (path, name, format, filter, warnings of `point`).
  void begin(const CapturePoint& point);
  void add(const Observation& observation);
  // End record with the count and checksum, then flushes.
  void end();

 private:
  void record(std::uint8_t type, const std::string& payload);
  void flush();

  Sink sink_;
  std::string buffer_;
  struct Hash;
  std::unique_ptr<Hash> hash_;
  std::uint64_t count_ = 0;
};

// The whole stream of `point` as bytes (tests, small points).
std::string encode_record_stream(const CapturePoint& point);
// Streams `point` to `fd`; throws std::runtime_error "LABEL: write failed: ..." on errors.
void write_record_stream(int fd, const CapturePoint& point, const std::string& label = "stdout");

// Push decoder: feed() bytes as they arrive (any split), finish() at end of input. Errors throw
// RecordStreamError "LABEL: cause", e.g. "fw.pcap: reader stream truncated after 12
// observations", "...: unsupported record stream version 7", "...: record length 4294967295
// exceeds the limit (4194304 bytes)". After an error the decoder must not be used again.
class RecordStreamDecoder {
 public:
  // Decoded observations get Observation::point = index. `label` names the capture in messages.
  RecordStreamDecoder(std::string label, std::size_t index, RecordStreamLimits limits = {});
  ~RecordStreamDecoder();
  RecordStreamDecoder(const RecordStreamDecoder&) = delete;
  RecordStreamDecoder& operator=(const RecordStreamDecoder&) = delete;

  void feed(const char* data, std::size_t size);
  // Throws unless the end record was seen (truncated stream).
  void finish();
  bool complete() const { return state_ == State::kDone; }
  std::uint64_t observations_read() const { return count_; }
  // What was decoded so far: path, name, format, filter, warnings, observations.
  CapturePoint& point() { return point_; }

 private:
  enum class State { kMagic, kHeader, kBody, kDone };
  [[noreturn]] void fail(const std::string& cause) const;
  void parse_record(std::uint8_t type, const char* payload, std::uint32_t size);

  std::string label_;
  std::size_t index_;
  RecordStreamLimits limits_;
  State state_ = State::kMagic;
  std::string buffer_;        // unconsumed input: at most one record (limits bound it)
  std::size_t start_ = 0;     // first unconsumed byte of buffer_
  std::uint64_t offset_ = 0;  // stream offset of buffer_[start_]
  std::uint64_t count_ = 0;
  struct Hash;
  std::unique_ptr<Hash> hash_;
  CapturePoint point_;
};

// Decodes a whole stream held in memory (tests, fuzzing). Throws RecordStreamError.
CapturePoint decode_record_stream(const std::string& bytes, const std::string& label,
                                  std::size_t index, const RecordStreamLimits& limits = {});

}  // namespace packetseq
