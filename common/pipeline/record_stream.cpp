// Record stream encoder and bounded push decoder (format in record_stream.h).
#include "pipeline/record_stream.h"

#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>

namespace packetseq {

namespace {

constexpr char kMagic[8] = {'\x89', 'P', 'S', 'Q', 'O', 'B', 'S', '\n'};
constexpr std::size_t kPrologue = 12;   // magic + version
constexpr std::size_t kRecordHead = 5;  // type + length
constexpr std::size_t kFlushAt = 64 * 1024;

enum RecordType : std::uint8_t { kHeader = 1, kObservation = 2, kEnd = 3 };

// Observation booleans, packed in one byte; other bits are an error.
enum Bits : std::uint8_t {
  kHasPorts = 0x01,
  kHasIpId = 0x02,
  kHasFlags = 0x04,
  kHasDigest = 0x08,
  kHasTsopt = 0x10,
  kFollowed = 0x20,
  kAllBits = 0x3f,
};

template <typename T>
void put(std::string& out, T value) {
  auto v = static_cast<std::uint64_t>(value);
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_string(std::string& out, const std::string& s) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

template <typename T>
T get(const char* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return static_cast<T>(v);
}

// Reads one record's payload with bounds checks; errors go to `fail` with the field's name.
class Cursor {
 public:
  Cursor(const char* p, std::uint32_t size, std::uint32_t max_string,
         std::function<void(const std::string&)> fail)
      : p_(p), left_(size), max_string_(max_string), fail_(std::move(fail)) {}
  template <typename T>
  T num(const char* field) {
    need(sizeof(T), field);
    T v = get<T>(p_);
    p_ += sizeof(T);
    left_ -= sizeof(T);
    return v;
  }
  std::string str(const char* field) {
    const auto n = num<std::uint32_t>(field);
    if (n > max_string_)
      fail_(std::string(field) + ": string length " + std::to_string(n) + " exceeds the limit (" +
            std::to_string(max_string_) + " bytes)");
    need(n, field);
    std::string s(p_, n);
    p_ += n;
    left_ -= n;
    return s;
  }
  void done() {
    if (left_ != 0) fail_(std::to_string(left_) + " unexpected bytes at its end");
  }

 private:
  void need(std::uint64_t n, const char* field) {
    if (n > left_) fail_(std::string(field) + " runs past the end of the record");
  }
  const char* p_;
  std::uint32_t left_;
  std::uint32_t max_string_;
  std::function<void(const std::string&)> fail_;
};

}  // namespace

struct RecordStreamEncoder::Hash {
  XXH3_state_t* state = XXH3_createState();
  Hash() {
    if (!state) throw std::bad_alloc();
    XXH3_64bits_reset(state);
  }
  ~Hash() { XXH3_freeState(state); }
};

struct RecordStreamDecoder::Hash {
  XXH3_state_t* state = XXH3_createState();
  Hash() {
    if (!state) throw std::bad_alloc();
    XXH3_64bits_reset(state);
  }
  ~Hash() { XXH3_freeState(state); }
};

// ---- encoder ----

RecordStreamEncoder::RecordStreamEncoder(Sink sink)
    : sink_(std::move(sink)), hash_(std::make_unique<Hash>()) {}

RecordStreamEncoder::~RecordStreamEncoder() = default;

void RecordStreamEncoder::flush() {
  if (buffer_.empty()) return;
  XXH3_64bits_update(hash_->state, buffer_.data(), buffer_.size());
  sink_(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void RecordStreamEncoder::record(std::uint8_t type, const std::string& payload) {
  buffer_.push_back(static_cast<char>(type));
  put<std::uint32_t>(buffer_, static_cast<std::uint32_t>(payload.size()));
  buffer_.append(payload);
  if (buffer_.size() >= kFlushAt) flush();
}

void RecordStreamEncoder::begin(const CapturePoint& point) {
  buffer_.append(kMagic, sizeof kMagic);
  put<std::uint32_t>(buffer_, kRecordStreamVersion);
  std::string payload;
  put_string(payload, point.path);
  put_string(payload, point.name);
  put_string(payload, point.format);
  put_string(payload, point.filter);
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(point.warnings.size()));
  for (const auto& w : point.warnings) put_string(payload, w);
  record(kHeader, payload);
}

void RecordStreamEncoder::add(const Observation& o) {
  std::string p;
  p.reserve(96 + o.src.size() + o.dst.size() + o.protocol.size() + o.info.size());
  put<std::uint64_t>(p, o.frame);
  put<std::uint64_t>(p, static_cast<std::uint64_t>(o.time_ns));
  put<std::uint8_t>(p, o.ip_version);
  put<std::uint8_t>(p, (o.has_ports ? kHasPorts : 0) | (o.has_ip_id ? kHasIpId : 0) |
                           (o.has_flags ? kHasFlags : 0) | (o.has_digest ? kHasDigest : 0) |
                           (o.has_tsopt ? kHasTsopt : 0) | (o.followed ? kFollowed : 0));
  put<std::uint16_t>(p, o.src_port);
  put<std::uint16_t>(p, o.dst_port);
  put<std::uint16_t>(p, o.ip_id);
  put<std::uint8_t>(p, o.ttl);
  put<std::uint16_t>(p, o.flags);
  put<std::uint32_t>(p, o.seq_raw);
  put<std::uint32_t>(p, o.ack_raw);
  put<std::uint32_t>(p, o.seq_rel);
  put<std::uint32_t>(p, o.ack_rel);
  put<std::uint32_t>(p, o.window);
  put<std::uint32_t>(p, o.payload_len);
  put<std::uint64_t>(p, o.payload_digest);
  put<std::uint32_t>(p, o.digest_len);
  put<std::uint32_t>(p, o.tsval);
  put<std::uint32_t>(p, o.tsecr);
  put<std::uint32_t>(p, o.stream);
  put<std::uint32_t>(p, o.analysis);
  put_string(p, o.src);
  put_string(p, o.dst);
  put_string(p, o.protocol);
  put_string(p, o.info);
  record(kObservation, p);
  ++count_;
}

void RecordStreamEncoder::end() {
  buffer_.push_back(static_cast<char>(kEnd));
  put<std::uint32_t>(buffer_, 16);
  put<std::uint64_t>(buffer_, count_);
  flush();  // the checksum covers everything up to here
  put<std::uint64_t>(buffer_, XXH3_64bits_digest(hash_->state));
  sink_(buffer_.data(), buffer_.size());
  buffer_.clear();
}

std::string encode_record_stream(const CapturePoint& point) {
  std::string out;
  RecordStreamEncoder encoder([&](const char* d, std::size_t n) { out.append(d, n); });
  encoder.begin(point);
  for (const auto& o : point.observations) encoder.add(o);
  encoder.end();
  return out;
}

void write_record_stream(int fd, const CapturePoint& point, const std::string& label) {
  RecordStreamEncoder encoder([&](const char* d, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd, d, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw std::runtime_error(label + ": write failed: " + std::strerror(errno));
      d += w;
      n -= static_cast<std::size_t>(w);
    }
  });
  encoder.begin(point);
  for (const auto& o : point.observations) encoder.add(o);
  encoder.end();
}

// ---- decoder ----

RecordStreamDecoder::RecordStreamDecoder(std::string label, std::size_t index,
                                         RecordStreamLimits limits)
    : label_(std::move(label)), index_(index), limits_(limits), hash_(std::make_unique<Hash>()) {}

RecordStreamDecoder::~RecordStreamDecoder() = default;

void RecordStreamDecoder::fail(const std::string& cause) const {
  throw RecordStreamError(label_ + ": " + cause);
}

void RecordStreamDecoder::feed(const char* data, std::size_t size) {
  buffer_.append(data, size);
  for (;;) {
    const std::size_t avail = buffer_.size() - start_;
    const char* p = buffer_.data() + start_;
    if (state_ == State::kDone) {
      if (avail > 0)
        fail("unexpected data after the end of the record stream (byte " + std::to_string(offset_) +
             ")");
      break;
    }
    if (state_ == State::kMagic) {
      if (std::memcmp(p, kMagic, std::min(avail, sizeof kMagic)) != 0)
        fail("reader output is not a packetseq record stream (bad magic)");
      if (avail < kPrologue) break;
      const auto version = get<std::uint32_t>(p + sizeof kMagic);
      if (version != kRecordStreamVersion)
        fail("unsupported record stream version " + std::to_string(version) +
             " (this packetseq reads version " + std::to_string(kRecordStreamVersion) + ")");
      XXH3_64bits_update(hash_->state, p, kPrologue);
      start_ += kPrologue;
      offset_ += kPrologue;
      state_ = State::kHeader;
      continue;
    }
    if (avail < kRecordHead) break;
    const auto type = static_cast<std::uint8_t>(p[0]);
    const auto length = get<std::uint32_t>(p + 1);
    if (type != kHeader && type != kObservation && type != kEnd)
      fail("unknown record type " + std::to_string(type) + " at byte " + std::to_string(offset_));
    if (length > limits_.max_record)
      fail("record length " + std::to_string(length) + " exceeds the limit (" +
           std::to_string(limits_.max_record) + " bytes)");
    if (state_ == State::kHeader && type != kHeader)
      fail("the record stream does not start with a header record");
    if (state_ == State::kBody && type == kHeader)
      fail("a second header record at byte " + std::to_string(offset_));
    if (type == kObservation && count_ >= limits_.max_observations)
      fail("more than " + std::to_string(limits_.max_observations) + " observations");
    if (type == kEnd && length != 16)
      fail("malformed end record (length " + std::to_string(length) + ", expected 16)");
    if (avail < kRecordHead + length) break;
    // The checksum covers every byte before the end record's own checksum field.
    XXH3_64bits_update(hash_->state, p, kRecordHead + length - (type == kEnd ? 8 : 0));
    parse_record(type, p + kRecordHead, length);
    start_ += kRecordHead + length;
    offset_ += kRecordHead + length;
  }
  // Keep the buffer at about one record: drop what was consumed.
  if (start_ > 0 && (start_ == buffer_.size() || start_ >= 64 * 1024)) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
}

void RecordStreamDecoder::parse_record(std::uint8_t type, const char* payload, std::uint32_t size) {
  std::string what;
  if (type == kHeader)
    what = "malformed header record: ";
  else if (type == kObservation)
    what = "malformed observation record " + std::to_string(count_ + 1) + ": ";
  Cursor c(payload, size, limits_.max_string, [&](const std::string& m) { fail(what + m); });

  if (type == kHeader) {
    point_.path = c.str("path");
    point_.name = c.str("name");
    point_.format = c.str("format");
    point_.filter = c.str("filter");
    const auto n = c.num<std::uint32_t>("warning count");
    if (n > limits_.max_warnings)
      fail(what + "warning count " + std::to_string(n) + " exceeds the limit (" +
           std::to_string(limits_.max_warnings) + ")");
    for (std::uint32_t i = 0; i < n; ++i) point_.warnings.push_back(c.str("warning"));
    c.done();
    state_ = State::kBody;
    return;
  }
  if (type == kEnd) {
    const auto count = c.num<std::uint64_t>("count");
    const auto checksum = c.num<std::uint64_t>("checksum");
    if (count != count_)
      fail("record stream count mismatch: the end record says " + std::to_string(count) +
           " observations, the stream holds " + std::to_string(count_));
    if (checksum != XXH3_64bits_digest(hash_->state))
      fail("record stream checksum mismatch after " + std::to_string(count_) +
           " observations (corrupt data)");
    state_ = State::kDone;
    return;
  }
  Observation o;
  o.point = index_;
  o.frame = c.num<std::uint64_t>("frame");
  o.time_ns = static_cast<std::int64_t>(c.num<std::uint64_t>("time"));
  o.ip_version = c.num<std::uint8_t>("IP version");
  const auto bits = c.num<std::uint8_t>("flags byte");
  if (bits & ~kAllBits) fail(what + "unknown flag bits " + std::to_string(bits));
  o.has_ports = bits & kHasPorts;
  o.has_ip_id = bits & kHasIpId;
  o.has_flags = bits & kHasFlags;
  o.has_digest = bits & kHasDigest;
  o.has_tsopt = bits & kHasTsopt;
  o.followed = bits & kFollowed;
  o.src_port = c.num<std::uint16_t>("source port");
  o.dst_port = c.num<std::uint16_t>("destination port");
  o.ip_id = c.num<std::uint16_t>("IP ID");
  o.ttl = c.num<std::uint8_t>("TTL");
  o.flags = c.num<std::uint16_t>("TCP flags");
  o.seq_raw = c.num<std::uint32_t>("seq");
  o.ack_raw = c.num<std::uint32_t>("ack");
  o.seq_rel = c.num<std::uint32_t>("relative seq");
  o.ack_rel = c.num<std::uint32_t>("relative ack");
  o.window = c.num<std::uint32_t>("window");
  o.payload_len = c.num<std::uint32_t>("payload length");
  o.payload_digest = c.num<std::uint64_t>("payload digest");
  o.digest_len = c.num<std::uint32_t>("digest length");
  o.tsval = c.num<std::uint32_t>("TSval");
  o.tsecr = c.num<std::uint32_t>("TSecr");
  o.stream = c.num<std::uint32_t>("stream");
  o.analysis = c.num<std::uint32_t>("analysis");
  o.src = c.str("source address");
  o.dst = c.str("destination address");
  o.protocol = c.str("protocol");
  o.info = c.str("info");
  c.done();
  point_.observations.push_back(std::move(o));
  ++count_;
}

void RecordStreamDecoder::finish() {
  if (state_ == State::kDone) return;
  fail("reader stream truncated after " + std::to_string(count_) + " observations");
}

CapturePoint decode_record_stream(const std::string& bytes, const std::string& label,
                                  std::size_t index, const RecordStreamLimits& limits) {
  RecordStreamDecoder decoder(label, index, limits);
  decoder.feed(bytes.data(), bytes.size());
  decoder.finish();
  return std::move(decoder.point());
}

}  // namespace packetseq
