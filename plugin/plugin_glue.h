// Callbacks that plugin_main.cpp registers with libwireshark (C linkage-compatible signatures).
#pragma once

namespace packetseq {
namespace plugin {

// stat_tap_ui init: the whole "-z packetseq,..." string. Exits tshark (status 1) on bad options.
void tshark_stat_init(const char* argument, void* user_data) noexcept;

// Funnel menu callback: opens the Qt dialog when a QApplication runs in this process.
void open_dialog_from_menu(void* user_data) noexcept;

}  // namespace plugin
}  // namespace packetseq
