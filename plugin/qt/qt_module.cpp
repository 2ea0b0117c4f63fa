// Entry point of packetseq-qt.so: opens (or raises) the one Multi-Point Sequence dialog, but
// only inside a real QApplication (Wireshark's GUI).
#include <QApplication>
#include <QPointer>
#include <cstdio>

#include "plugin/host_api.h"
#include "plugin/qt/sequence_dialog.h"

namespace {
QPointer<packetseq::plugin::SequenceDialog> g_dialog;
}

extern "C" __attribute__((visibility("default"))) int packetseq_qt_open_dialog(
    packetseq::plugin::Host* host, int api_version) {
  try {
    if (api_version != packetseq::plugin::kHostApiVersion || host == nullptr)
      return kQtVersionMismatch;
    if (qobject_cast<QApplication*>(QCoreApplication::instance()) == nullptr)
      return kQtNoApplication;
    if (g_dialog.isNull()) {
      g_dialog = new packetseq::plugin::SequenceDialog(host, QApplication::activeWindow());
    } else {
      g_dialog->reopened();
    }
    g_dialog->show();
    g_dialog->raise();
    g_dialog->activateWindow();
    return kQtOpened;
  } catch (...) {
    std::fputs("packetseq: the dialog could not be created\n", stderr);
    return kQtFailed;
  }
}
