// Wireshark side of the dialog: the menu callback, the Qt probe, dlopen of the Qt module and
// the Host services (retap, go to frame) it calls back into.
#include <cfile.h>
#include <dlfcn.h>
#include <epan/funnel.h>
#include <epan/plugin_if.h>
#include <glib.h>

#include <cstdio>
#include <memory>

#include "plugin/host_api.h"
#include "plugin/observation_tap.h"
#include "plugin/plugin_glue.h"

namespace packetseq {
namespace plugin {
namespace {

struct OpenFile {
  bool open = false;
  bool busy = false;
  std::string path;
  std::string filter;
};

void* copy_open_file(capture_file* cf, void* data) {
  auto* out = static_cast<OpenFile*>(data);
  if (cf == nullptr || cf->filename == nullptr || cf->state == FILE_CLOSED) return nullptr;
  out->open = true;
  out->busy = cf->read_lock;
  out->path = cf->filename;
  if (cf->dfilter) out->filter = cf->dfilter;
  return out;
}

void* stop_processing(capture_file* cf, void*) {
  if (cf) cf->stop_flag = TRUE;  // Wireshark's own Stop: ends the running retap loop
  return nullptr;
}

class WiresharkHost : public Host {
 public:
  bool open_capture(std::string& path, std::string& display_filter) override {
    OpenFile file;
    plugin_if_get_capture_file(copy_open_file, &file);
    if (!file.open) return false;
    path = file.path;
    display_filter = file.filter;
    return true;
  }

  bool read_open_capture(const std::string& filter, const std::string& follow_filter,
                         CapturePoint& point, std::string& error) override {
    try {
      if (reading_) {
        error = "already reading the open capture";
        return false;
      }
      const funnel_ops_t* ops = funnel_get_funnel_ops();
      if (!ops || !ops->retap_packets) {
        error = "this Wireshark offers no retap";
        return false;
      }
      OpenFile file;
      plugin_if_get_capture_file(copy_open_file, &file);
      if (!file.open) {
        error = "no capture file is open";
        return false;
      }
      if (file.busy) {
        error = file.path + ": Wireshark is still busy with this file; try again when it is done";
        return false;
      }
      ObservationTap tap(filter, 0, follow_filter);
      tap.start();  // throws for a filter that does not compile
      cancelled_ = false;
      reading_ = true;
      ops->retap_packets(ops->ops_id);  // synchronous; Wireshark pumps events meanwhile
      reading_ = false;
      tap.stop();
      if (cancelled_) {
        error = "cancelled";
        return false;
      }
      point = tap.finish(file.path);  // the CLI's checks: no packets, filter matching nothing
      return true;
    } catch (const std::exception& e) {
      reading_ = false;
      error = e.what();
      return false;
    } catch (...) {
      reading_ = false;
      error = "unexpected error while reading the open capture";
      return false;
    }
  }

  void cancel_read() override {
    if (!reading_) return;
    cancelled_ = true;
    plugin_if_get_capture_file(stop_processing, nullptr);
  }

  bool reading() const override { return reading_; }

  void goto_frame(std::uint32_t frame) override { plugin_if_goto_frame(frame); }

  std::string plugin_directory() const override {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&open_dialog_from_menu), &info) == 0 || !info.dli_fname)
      return {};
    gchar* dir = g_path_get_dirname(info.dli_fname);
    std::string result = dir;
    g_free(dir);
    return result;
  }

 private:
  bool reading_ = false;
  bool cancelled_ = false;
};

// Is a Qt application object alive in this process? Asked without linking Qt: tshark has no Qt
// loaded, so the symbol is not even found there.
bool qt_application_exists() {
  void* self = dlsym(RTLD_DEFAULT, "_ZN16QCoreApplication4selfE");  // QCoreApplication::self
  return self != nullptr && *static_cast<void**>(self) != nullptr;
}

}  // namespace

void open_dialog_from_menu(void*) noexcept {
  try {
    if (!qt_application_exists()) {
      std::fprintf(stderr,
                   "packetseq: no Qt application in this process; the dialog needs "
                   "Wireshark's GUI\n");
      return;
    }
    static WiresharkHost host;  // lives as long as the process; the dialog keeps a pointer
    static packetseq_qt_open_fn open_fn = nullptr;
    if (!open_fn) {
      const std::string module = host.plugin_directory() + "/" + PACKETSEQ_QT_MODULE;
      // Never dlclose()d: Qt objects of the module may outlive any call.
      void* handle = dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        std::fprintf(stderr, "packetseq: cannot load %s: %s\n", module.c_str(), dlerror());
        return;
      }
      open_fn = reinterpret_cast<packetseq_qt_open_fn>(dlsym(handle, PACKETSEQ_QT_ENTRY));
      if (!open_fn) {
        std::fprintf(stderr, "packetseq: %s has no %s\n", module.c_str(), PACKETSEQ_QT_ENTRY);
        return;
      }
    }
    const int result = open_fn(&host, kHostApiVersion);
    if (result != kQtOpened)
      std::fprintf(stderr, "packetseq: the dialog could not be opened (code %d)\n", result);
  } catch (...) {
    std::fprintf(stderr, "packetseq: the dialog could not be opened\n");
  }
}

}  // namespace plugin
}  // namespace packetseq
