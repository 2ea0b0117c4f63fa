// Tap listener side of the plugin: the only place (with registration) that touches epan taps.
#include "plugin/observation_tap.h"

#include <epan/dfilter/dfilter.h>
#include <epan/epan_dissect.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <wiretap/wtap.h>

#include <stdexcept>

#include "reader/dissection_fields.h"
#include "reader/epan_reader.h"

namespace packetseq {
namespace plugin {

struct ObservationTap::Fields {
  DissectionFields fields;
};

struct ObservationTap::Callbacks {
  static void reset(void* data) noexcept {
    try {
      static_cast<ObservationTap*>(data)->clear();
    } catch (...) {
    }
  }

  static void draw(void* data) noexcept {
    try {
      auto* self = static_cast<ObservationTap*>(data);
      if (self->on_draw_) self->on_draw_();
    } catch (...) {
    }
  }

  // TL_IGNORE_DISPLAY_FILTER (needed so Wireshark retaps every frame, not only the displayed
  // ones) also delivers the frames that fail *our own* filter, flagged
  // TL_DISPLAY_FILTER_IGNORED: they only count as read.
  static tap_packet_status packet(void* data, packet_info* pinfo, epan_dissect_t* edt, const void*,
                                  tap_flags_t flags) noexcept {
    try {
      auto* self = static_cast<ObservationTap*>(data);
      ++self->frames_;
      if (flags & TL_DISPLAY_FILTER_IGNORED) return TAP_PACKET_DONT_REDRAW;
      ++self->matched_;
      Observation obs;
      const ExtractResult result =
          self->fields_->fields.extract(edt, pinfo ? pinfo->cinfo : nullptr, obs);
      switch (result.outcome) {
        case ExtractOutcome::kObservation:
          obs.point = self->point_index_;
          self->point_.observations.push_back(std::move(obs));
          break;
        case ExtractOutcome::kTcpHeaderTruncated:
          ++self->truncated_;
          break;
        case ExtractOutcome::kTcpInIcmpError:
          ++self->icmp_quoted_;
          break;
        default:
          break;
      }
      return TAP_PACKET_DONT_REDRAW;
    } catch (...) {
      // Out of memory or similar: stop feeding this listener rather than unwind into epan.
      return TAP_PACKET_FAILED;
    }
  }

  // The follow listener (tapdata: &followed_frames_): notes the frames matching the follow
  // filter; finish() marks their observations.
  static tap_packet_status follow_packet(void* data, packet_info* pinfo, epan_dissect_t*,
                                         const void*, tap_flags_t flags) noexcept {
    try {
      if ((flags & TL_DISPLAY_FILTER_IGNORED) || pinfo == nullptr) return TAP_PACKET_DONT_REDRAW;
      static_cast<std::unordered_set<std::uint64_t>*>(data)->insert(pinfo->num);
      return TAP_PACKET_DONT_REDRAW;
    } catch (...) {
      return TAP_PACKET_FAILED;
    }
  }

  static void follow_reset(void* data) noexcept {
    static_cast<std::unordered_set<std::uint64_t>*>(data)->clear();
  }
};

namespace {

// Compiles a filter on its own, so the message shows it and not our field list.
void check_filter(const std::string& filter, const char* what) {
  dfilter_t* compiled = nullptr;
  gchar* message = nullptr;
  if (!dfilter_compile(filter.c_str(), &compiled, &message)) {
    const std::string cause = message ? message : "does not compile";
    g_free(message);
    throw std::runtime_error(std::string("invalid ") + what + " '" + filter + "': " + cause);
  }
  if (compiled) dfilter_free(compiled);
}

}  // namespace

ObservationTap::ObservationTap(std::string user_filter, std::size_t point_index,
                               std::string follow_filter)
    : user_filter_(std::move(user_filter)),
      follow_filter_(std::move(follow_filter)),
      point_index_(point_index),
      fields_(std::make_unique<Fields>()) {
  // Naming the fields in the filter makes Wireshark prime them in the tree it builds for us.
  std::string wanted = "tcp";
  for (int id : fields_->fields.wanted_hfids()) {
    const char* abbrev = proto_registrar_get_abbrev(id);
    if (abbrev && *abbrev) wanted += std::string(" || ") + abbrev;
  }
  const bool has_user = user_filter_.find_first_not_of(" \t") != std::string::npos;
  listener_filter_ = has_user ? "(" + user_filter_ + ") && (" + wanted + ")" : "(" + wanted + ")";
  point_.filter = user_filter_;
}

ObservationTap::~ObservationTap() { stop(); }

void ObservationTap::start() {
  if (registered_) return;
  check_filter(user_filter_, "display filter");
  const bool follow = !follow_filter_.empty();
  if (follow) {
    if (follow_filter_.find_first_not_of(" \t") == std::string::npos)
      throw std::runtime_error("the follow filter is empty");
    check_filter(follow_filter_, "follow filter");
  }
  GString* error =
      register_tap_listener("frame", this, listener_filter_.c_str(),
                            TL_REQUIRES_PROTO_TREE | TL_REQUIRES_COLUMNS | TL_IGNORE_DISPLAY_FILTER,
                            Callbacks::reset, Callbacks::packet, Callbacks::draw, nullptr);
  if (error) {
    std::string message = error->str;
    g_string_free(error, TRUE);
    // Report the user's filter, not the one with our field list appended.
    throw std::runtime_error("invalid display filter '" + user_filter_ + "': " + message);
  }
  registered_ = true;
  if (follow) {
    // A second listener: Wireshark primes its filter's fields and evaluates it for us.
    error =
        register_tap_listener("frame", &followed_frames_, follow_filter_.c_str(),
                              TL_REQUIRES_PROTO_TREE | TL_IGNORE_DISPLAY_FILTER,
                              Callbacks::follow_reset, Callbacks::follow_packet, nullptr, nullptr);
    if (error) {
      std::string message = error->str;
      g_string_free(error, TRUE);
      stop();
      throw std::runtime_error("invalid follow filter '" + follow_filter_ + "': " + message);
    }
    follow_registered_ = true;
  }
}

void ObservationTap::stop() {
  if (follow_registered_) {
    remove_tap_listener(&followed_frames_);
    follow_registered_ = false;
  }
  if (!registered_) return;
  remove_tap_listener(this);
  registered_ = false;
}

CapturePoint ObservationTap::finish(const std::string& path) {
  CapturePoint point = std::move(point_);
  point_ = CapturePoint{};
  point.path = path;
  point.filter = user_filter_;
  point.format = capture_file_format(path);
  std::uint64_t followed = 0;
  if (!follow_filter_.empty()) {
    for (auto& o : point.observations) {
      o.followed = followed_frames_.count(o.frame) > 0;
      followed += o.followed ? 1 : 0;
    }
  }
  if (truncated_ > 0)
    point.warnings.push_back(std::to_string(truncated_) +
                             " TCP segment(s) with a truncated or malformed TCP header skipped");
  // The CLI reader's checks and messages: an empty file or a filter matching nothing fails.
  check_read_counts(path, user_filter_, follow_filter_,
                    ReadCounts{frames_, matched_, point.observations.size(), followed});
  return point;
}

void TapSource::read(const SourceRequest& request, CapturePoint& point) {
  if (request.follow_filter != tap_.follow_filter())
    throw std::runtime_error(point.path + ": the open capture was read with another follow filter");
  const std::string name = point.name;
  point = tap_.finish(point.path);
  point.name = name;
  for (auto& o : point.observations) o.point = request.index;
}

void ObservationTap::clear() {
  point_.observations.clear();
  frames_ = 0;
  matched_ = 0;
  followed_frames_.clear();
  truncated_ = 0;
  icmp_quoted_ = 0;
}

std::string capture_file_format(const std::string& path) {
  int err = 0;
  gchar* err_info = nullptr;
  // Only wiretap's header probe: no dissection, so no second epan session.
  wtap* wth = wtap_open_offline(path.c_str(), WTAP_TYPE_AUTO, &err, &err_info, FALSE);
  g_free(err_info);
  if (!wth) return {};
  const char* name = wtap_file_type_subtype_name(wtap_file_type_subtype(wth));
  std::string format = name ? name : "";
  wtap_close(wth);
  return format;
}

}  // namespace plugin
}  // namespace packetseq
