// Statistics ▸ Multi-Point Sequence…: capture points, node names, Build (in the background),
// the diagram, the per-hop table and Export.
#pragma once

#include <QDialog>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QTimer>
#include <memory>
#include <string>
#include <vector>

#include "plugin/host_api.h"
#include "plugin/qt/build_job.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace packetseq {
namespace plugin {

class DiagramView;

struct BuildOutcome {
  BuildResult result;
  std::string error;
};

class SequenceDialog : public QDialog {
  Q_OBJECT

 public:
  explicit SequenceDialog(Host* host, QWidget* parent = nullptr);
  ~SequenceDialog() override;
  // Called when the menu raises the existing dialog: picks up the open file and, unless the
  // user edited it, Wireshark's current display filter as the follow filter.
  void reopened();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private slots:
  void addFiles();
  void addTypedPath();
  void removePoint();
  void movePointUp();
  void movePointDown();
  void addNodeRow();
  void loadNames();
  void build();
  void cancel();
  void pollReaders();
  void assemblyFinished();
  void exportAs(const QString& type, const QString& label);
  void showTooltip(const packetseq::Tag& tag, const QPoint& global_pos);
  void goToPacket(const packetseq::Tag& tag);

 private:
  enum class Stage { kIdle, kReadingOpen, kReadingExtra, kAssembling };

  void buildUi();
  void refreshOpenFile();
  void addPoint(const QString& path);
  void setNodeName(const QString& address, const QString& name);
  void setStage(Stage stage, const QString& status);
  void finishWithError(const QString& message);
  void cancelReaders();
  void startAssembly();
  void showResult(const BuildResult& result);
  std::string inputSignature() const;
  std::string followFilter() const;  // "" when follow mode is off or its filter is blank
  std::vector<ExtraPoint> extraPoints() const;
  std::string pointName(int row) const;
  std::string pointOffset(int row) const;
  QString describeTag(const Tag& tag) const;
  long openFileFrame(const Tag& tag) const;

  Host* host_;
  Stage stage_ = Stage::kIdle;
  bool close_pending_ = false;
  unsigned generation_ = 0;

  // Reading state of the current Build.
  std::vector<std::shared_ptr<CaptureSubprocess>> readers_;
  std::vector<std::string> reader_names_;
  CapturePoint open_point_;
  QTimer poll_timer_;
  QElapsedTimer elapsed_;
  QFutureWatcher<BuildOutcome> watcher_;

  // Last good read, reused when only names or display options changed.
  std::string cached_signature_;
  std::vector<CapturePoint> cached_points_;

  // Last result.
  std::shared_ptr<const Model> model_;
  LayoutOptions layout_;

  QString open_path_;
  QTableWidget* points_ = nullptr;
  QLineEdit* path_edit_ = nullptr;
  QLineEdit* filter_edit_ = nullptr;
  QCheckBox* follow_ = nullptr;       // follow mode on/off
  QLineEdit* follow_edit_ = nullptr;  // the follow filter (pre-filled: Wireshark's filter)
  bool follow_prefilled_ = false;     // pre-filled from Wireshark's filter at least once
  QString follow_from_wireshark_;     // the filter last pre-filled (a user edit stops updates)
  QTableWidget* nodes_ = nullptr;
  QComboBox* labels_ = nullptr;
  QComboBox* time_mode_ = nullptr;
  QCheckBox* match_ = nullptr;
  QPushButton* build_button_ = nullptr;
  QPushButton* cancel_button_ = nullptr;
  QPushButton* export_button_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  DiagramView* view_ = nullptr;
  QTableWidget* hops_ = nullptr;
  QPlainTextEdit* report_ = nullptr;
  QTabWidget* tabs_ = nullptr;
};

}  // namespace plugin
}  // namespace packetseq
