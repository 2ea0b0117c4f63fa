// The interface between the Wireshark plugin (packetseq.so) and its Qt dialog module
// (packetseq/packetseq-qt.so): plain C++, no Wireshark or Qt types, no exceptions across it.
#pragma once

#include <cstdint>
#include <string>

#include "model/model.h"

namespace packetseq {
namespace plugin {

inline constexpr int kHostApiVersion = 2;  // 2: read_open_capture takes a follow filter

// Services of the Wireshark side; every call is made on Wireshark's GUI thread.
class Host {
 public:
  virtual ~Host() = default;
  // The capture file open in Wireshark and its applied display filter; false if none is open.
  virtual bool open_capture(std::string& path, std::string& display_filter) = 0;
  // Reads the open file through a tap while Wireshark retaps it (every frame, whatever the
  // main window displays): packets matching `filter`, with Observation::followed set on those
  // matching `follow_filter` (if not empty). Blocks, but Wireshark keeps processing events and
  // shows its own progress bar meanwhile. Returns false with `error` set when a filter is
  // invalid or matches nothing (the CLI's messages), Wireshark is busy, no file is open, or
  // cancel_read() was called.
  virtual bool read_open_capture(const std::string& filter, const std::string& follow_filter,
                                 CapturePoint& point, std::string& error) = 0;
  virtual void cancel_read() = 0;  // stops a running read_open_capture (from an event handler)
  virtual bool reading() const = 0;
  virtual void goto_frame(std::uint32_t frame) = 0;  // selects a frame of the open file
  virtual std::string plugin_directory() const = 0;  // where packetseq.so was loaded from
};

}  // namespace plugin
}  // namespace packetseq

// Entry point of the Qt module: opens (or raises) the dialog. Returns kQtOpened, or the reason
// it did not: no QApplication in this process, an API version mismatch, or an error.
enum PacketseqQtResult {
  kQtOpened = 0,
  kQtNoApplication = 1,
  kQtVersionMismatch = 2,
  kQtFailed = 3
};
extern "C" typedef int (*packetseq_qt_open_fn)(packetseq::plugin::Host* host, int api_version);
#define PACKETSEQ_QT_ENTRY "packetseq_qt_open_dialog"
#define PACKETSEQ_QT_MODULE "packetseq/packetseq-qt.so"
