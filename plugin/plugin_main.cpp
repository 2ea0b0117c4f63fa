// Wireshark/tshark 4.0 plugin entry: version symbols and registration of "-z packetseq" and
// Statistics ▸ Multi-Point Sequence…
#include <epan/funnel.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/stat_tap_ui.h>
#include <ws_version.h>

#include "plugin/plugin_glue.h"

#define PACKETSEQ_EXPORT __attribute__((visibility("default")))

extern "C" PACKETSEQ_EXPORT const gchar plugin_version[] = PACKETSEQ_VERSION;
extern "C" PACKETSEQ_EXPORT const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
extern "C" PACKETSEQ_EXPORT const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
extern "C" PACKETSEQ_EXPORT void plugin_register(void);

namespace {

stat_tap_ui packetseq_stat_ui = {
    REGISTER_STAT_GROUP_GENERIC,  // -z only; the menu item comes from the funnel below
    "Multi-Point Sequence",       // title
    "packetseq",                  // -z packetseq[,...]
    packetseq::plugin::tshark_stat_init,
    0,
    nullptr,
};

// Called by libwireshark while it registers protocols (tshark and Wireshark alike).
void register_packetseq() noexcept {
  register_stat_tap_ui(&packetseq_stat_ui, nullptr);
  // Straight under Statistics; menus are read once at start-up (see docs/user-guide.md).
  funnel_register_menu("Multi-Point Sequence…", REGISTER_PACKET_STAT_GROUP_UNSORTED,
                       packetseq::plugin::open_dialog_from_menu, nullptr, nullptr, FALSE);
}

}  // namespace

void plugin_register(void) {
  static proto_plugin plugin;
  plugin.register_protoinfo = register_packetseq;
  plugin.register_handoff = nullptr;
  proto_register_plugin(&plugin);
}
