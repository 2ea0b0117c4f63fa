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

  static tap_packet_status packet(void* data, packet_info* pinfo, epan_dissect_t* edt, const void*,
                                  tap_flags_t) noexcept {
    try {
      auto* self = static_cast<ObservationTap*>(data);
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
};

ObservationTap::ObservationTap(std::string user_filter, std::size_t point_index)
    : user_filter_(std::move(user_filter)),
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
  // Check the user's filter on its own first, so the message shows it and not our field list.
  dfilter_t* compiled = nullptr;
  gchar* message = nullptr;
  if (!dfilter_compile(user_filter_.c_str(), &compiled, &message)) {
    const std::string cause = message ? message : "does not compile";
    g_free(message);
    throw std::runtime_error("invalid display filter '" + user_filter_ + "': " + cause);
  }
  if (compiled) dfilter_free(compiled);
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
}

void ObservationTap::stop() {
  if (!registered_) return;
  remove_tap_listener(this);
  registered_ = false;
}

void ObservationTap::clear() {
  point_.observations.clear();
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
