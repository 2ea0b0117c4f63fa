// The dialog's widgets and its Build state machine: subprocess readers start first, then
// Wireshark retaps the open file, then assembly and layout run on a worker thread.
#include "plugin/qt/sequence_dialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <functional>

#include "model/labels.h"
#include "model/names.h"
#include "plugin/qt/diagram_view.h"
#include "util/time_format.h"

namespace packetseq {
namespace plugin {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.trimmed().toStdString(); }

// Exceptions never leave a slot: Qt's event loop (and Wireshark behind it) must not see them.
void guarded(QLabel* status, const std::function<void()>& body) {
  try {
    body();
  } catch (const std::exception& e) {
    if (status) status->setText(QObject::tr("Error: %1").arg(QString::fromUtf8(e.what())));
  } catch (...) {
    if (status) status->setText(QObject::tr("Unexpected error"));
  }
}

QTableWidgetItem* fixed_item(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(item->flags() & ~Qt::ItemIsEditable);
  return item;
}

}  // namespace

SequenceDialog::SequenceDialog(Host* host, QWidget* parent) : QDialog(parent), host_(host) {
  setWindowTitle(tr("Multi-Point Sequence"));
  setAttribute(Qt::WA_DeleteOnClose);
  setModal(false);
  setSizeGripEnabled(true);
  buildUi();
  refreshOpenFile();
  poll_timer_.setInterval(100);
  connect(&poll_timer_, &QTimer::timeout, this, &SequenceDialog::pollReaders);
  connect(&watcher_, &QFutureWatcher<BuildOutcome>::finished, this,
          &SequenceDialog::assemblyFinished);
  // Wireshark quitting while we build: stop the readers before the process goes.
  connect(qApp, &QCoreApplication::aboutToQuit, this, [this] { cancelReaders(); });
  resize(1100, 800);
}

SequenceDialog::~SequenceDialog() {
  try {
    cancelReaders();
  } catch (...) {
  }
}

void SequenceDialog::buildUi() {
  auto* top = new QVBoxLayout(this);

  auto* points_box =
      new QGroupBox(tr("Capture points (the open file is the first; others are "
                       "read by a packetseq process)"));
  auto* points_layout = new QVBoxLayout(points_box);
  points_ = new QTableWidget(0, 3);
  points_->setObjectName("capturePoints");
  points_->setHorizontalHeaderLabels({tr("Capture file"), tr("Name"), tr("Clock offset")});
  points_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  points_->verticalHeader()->setVisible(false);
  points_->setSelectionBehavior(QAbstractItemView::SelectRows);
  points_->setMaximumHeight(190);
  points_->setToolTip(
      tr("Name: shown in the header and usable in offsets. Clock offset: pin this "
         "point's clock to the reference, e.g. +9h or -0.35s (empty: estimated)."));
  points_layout->addWidget(points_);
  auto* point_buttons = new QHBoxLayout;
  auto* add_files = new QPushButton(tr("Add files…"));
  path_edit_ = new QLineEdit;
  path_edit_->setPlaceholderText(tr("or type a capture file path and press Add"));
  auto* add_path = new QPushButton(tr("Add"));
  auto* remove = new QPushButton(tr("Remove"));
  auto* up = new QPushButton(tr("Up"));
  auto* down = new QPushButton(tr("Down"));
  point_buttons->addWidget(add_files);
  point_buttons->addWidget(path_edit_, 1);
  point_buttons->addWidget(add_path);
  point_buttons->addWidget(remove);
  point_buttons->addWidget(up);
  point_buttons->addWidget(down);
  points_layout->addLayout(point_buttons);
  connect(add_files, &QPushButton::clicked, this, &SequenceDialog::addFiles);
  connect(add_path, &QPushButton::clicked, this, &SequenceDialog::addTypedPath);
  connect(path_edit_, &QLineEdit::returnPressed, this, &SequenceDialog::addTypedPath);
  connect(remove, &QPushButton::clicked, this, &SequenceDialog::removePoint);
  connect(up, &QPushButton::clicked, this, &SequenceDialog::movePointUp);
  connect(down, &QPushButton::clicked, this, &SequenceDialog::movePointDown);

  auto* settings = new QHBoxLayout;
  auto* form = new QFormLayout;
  filter_edit_ = new QLineEdit;
  filter_edit_->setToolTip(tr("Applied to every capture point (like packetseq -f)."));
  form->addRow(tr("Display filter:"), filter_edit_);
  // Follow mode: the filter selects connections in the open capture only; the other points
  // contribute the same connections as the matcher finds them there (NAT, proxies).
  auto* follow_row = new QHBoxLayout;
  follow_ = new QCheckBox(tr("Follow the filtered connections across points"));
  follow_->setToolTip(
      tr("Select connections with this filter in the open capture (e.g. from Conversation "
         "Filter or Follow TCP Stream) and show the same connections at every other capture "
         "point, through NAT and proxies (like packetseq --follow)."));
  follow_edit_ = new QLineEdit;
  follow_edit_->setPlaceholderText(tr("e.g. tcp.stream eq 0"));
  follow_edit_->setEnabled(false);
  connect(follow_, &QCheckBox::toggled, follow_edit_, &QLineEdit::setEnabled);
  follow_row->addWidget(follow_);
  follow_row->addWidget(follow_edit_, 1);
  form->addRow(follow_row);
  auto* modes = new QHBoxLayout;
  labels_ = new QComboBox;
  labels_->addItem(tr("Info without ports"), "default");
  labels_->addItem(tr("Flags only"), "summary");
  labels_->addItem(tr("Whole Info column"), "info");
  time_mode_ = new QComboBox;
  time_mode_->addItem(tr("One row per packet"), "rows");
  time_mode_->addItem(tr("Proportional to time"), "proportional");
  match_ = new QCheckBox(tr("Match packets across points"));
  match_->setChecked(true);
  modes->addWidget(new QLabel(tr("Labels:")));
  modes->addWidget(labels_);
  modes->addWidget(new QLabel(tr("Time:")));
  modes->addWidget(time_mode_);
  modes->addWidget(match_);
  modes->addStretch(1);
  form->addRow(modes);
  settings->addLayout(form, 3);

  auto* nodes_box = new QGroupBox(tr("Node names"));
  auto* nodes_layout = new QVBoxLayout(nodes_box);
  nodes_ = new QTableWidget(0, 2);
  nodes_->setHorizontalHeaderLabels({tr("Address"), tr("Name")});
  nodes_->horizontalHeader()->setStretchLastSection(true);
  nodes_->verticalHeader()->setVisible(false);
  nodes_->setMaximumHeight(100);
  nodes_layout->addWidget(nodes_);
  auto* node_buttons = new QHBoxLayout;
  auto* add_node = new QPushButton(tr("Add address"));
  auto* load_names = new QPushButton(tr("Load hosts file…"));
  load_names->setToolTip(tr("Names in Wireshark hosts syntax: ADDRESS NAME per line"));
  node_buttons->addWidget(add_node);
  node_buttons->addWidget(load_names);
  nodes_layout->addLayout(node_buttons);
  connect(add_node, &QPushButton::clicked, this, &SequenceDialog::addNodeRow);
  connect(load_names, &QPushButton::clicked, this, &SequenceDialog::loadNames);
  settings->addWidget(nodes_box, 2);

  auto* actions = new QHBoxLayout;
  build_button_ = new QPushButton(tr("Build"));
  cancel_button_ = new QPushButton(tr("Cancel"));
  cancel_button_->setEnabled(false);
  progress_ = new QProgressBar;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setTextVisible(false);
  progress_->setMaximumWidth(160);
  status_ = new QLabel(tr("Ready."));
  status_->setObjectName("status");
  // Long messages must not widen the dialog: the label takes the room that is left.
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  status_->setMinimumWidth(120);
  auto* zoom_out = new QPushButton(tr("−"));
  auto* zoom_in = new QPushButton(tr("+"));
  auto* fit = new QPushButton(tr("Fit"));
  zoom_out->setMaximumWidth(32);
  zoom_in->setMaximumWidth(32);
  export_button_ = new QPushButton(tr("Export…"));
  export_button_->setEnabled(false);
  auto* export_menu = new QMenu(export_button_);
  struct ExportChoice {
    const char* label;
    const char* type;  // as -t takes it; its extension comes from output_extension()
  };
  for (const ExportChoice& c :
       {ExportChoice{"PNG", "png"}, ExportChoice{"SVG", "svg"}, ExportChoice{"PDF", "pdf"},
        ExportChoice{"DIAG", "diag"}, ExportChoice{"CSV", "csv"}, ExportChoice{"JSON", "json"},
        ExportChoice{"Mermaid", "mermaid"}, ExportChoice{"PlantUML", "plantuml"},
        ExportChoice{"Text", "txt"}}) {
    const QString label = c.label, type = c.type;
    export_menu->addAction(label, this, [this, label, type] { exportAs(type, label); });
  }
  export_button_->setMenu(export_menu);
  actions->addWidget(build_button_);
  actions->addWidget(cancel_button_);
  actions->addWidget(progress_);
  actions->addWidget(status_, 1);
  actions->addWidget(zoom_out);
  actions->addWidget(zoom_in);
  actions->addWidget(fit);
  actions->addWidget(export_button_);
  auto* close_button = new QPushButton(tr("Close"));
  actions->addWidget(close_button);
  connect(close_button, &QPushButton::clicked, this, &QDialog::close);
  connect(build_button_, &QPushButton::clicked, this, &SequenceDialog::build);
  connect(cancel_button_, &QPushButton::clicked, this, &SequenceDialog::cancel);

  view_ = new DiagramView;
  connect(zoom_in, &QPushButton::clicked, view_, &DiagramView::zoomIn);
  connect(zoom_out, &QPushButton::clicked, view_, &DiagramView::zoomOut);
  connect(fit, &QPushButton::clicked, view_, &DiagramView::fitWidth);
  connect(view_, &DiagramView::hovered, this, &SequenceDialog::showTooltip);
  connect(view_, &DiagramView::clicked, this, &SequenceDialog::goToPacket);

  tabs_ = new QTabWidget;
  hops_ = new QTableWidget(0, 8);
  hops_->setHorizontalHeaderLabels({tr("From"), tr("To"), tr("Packets"), tr("Min"), tr("Median"),
                                    tr("p95"), tr("Lost"), tr("Retransmissions")});
  hops_->verticalHeader()->setVisible(false);
  hops_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  report_ = new QPlainTextEdit;
  report_->setReadOnly(true);
  report_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  tabs_->addTab(hops_, tr("Per-hop"));
  tabs_->addTab(report_, tr("Report"));

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(view_);
  splitter->addWidget(tabs_);
  splitter->setStretchFactor(0, 4);
  splitter->setStretchFactor(1, 1);

  top->addWidget(points_box);
  top->addLayout(settings);
  top->addLayout(actions);
  top->addWidget(splitter, 1);
  // Enter belongs to the line edits (Add a path): no button of this dialog is a default one.
  for (QPushButton* button : findChildren<QPushButton*>()) {
    button->setAutoDefault(false);
    button->setDefault(false);
  }
}

void SequenceDialog::reopened() {
  guarded(status_, [this] {
    if (stage_ == Stage::kIdle) refreshOpenFile();
  });
}

void SequenceDialog::refreshOpenFile() {
  std::string path, filter;
  const bool open = host_->open_capture(path, filter);
  open_path_ = open ? qs(path) : QString();
  if (points_->rowCount() == 0) points_->insertRow(0);
  points_->setItem(0, 0, fixed_item(open ? qs(path) : tr("(no capture file open in Wireshark)")));
  if (!points_->item(0, 1) || points_->item(0, 1)->text().isEmpty())
    points_->setItem(0, 1, new QTableWidgetItem(open ? QFileInfo(qs(path)).fileName() : ""));
  if (!points_->item(0, 2)) points_->setItem(0, 2, new QTableWidgetItem(""));
  if (filter_edit_->text().isEmpty()) filter_edit_->setText("tcp");
  // Wireshark's display filter selects what to follow (on by default when one is applied); it is
  // not applied as such to the other captures, where addresses and stream numbers differ.
  // Kept in step with Wireshark's filter (e.g. a new Follow TCP Stream) until the user edits it.
  if (open && (!follow_prefilled_ || follow_edit_->text() == follow_from_wireshark_)) {
    const bool has_filter = filter.find_first_not_of(" \t") != std::string::npos;
    const QString text = has_filter ? qs(filter) : QString();
    if (!follow_prefilled_ || text != follow_from_wireshark_) {
      follow_edit_->setText(text);
      follow_->setChecked(has_filter);
    }
    follow_prefilled_ = true;
    follow_from_wireshark_ = text;
  }
  points_->resizeColumnToContents(1);
}

void SequenceDialog::addPoint(const QString& path) {
  const int row = points_->rowCount();
  points_->insertRow(row);
  points_->setItem(row, 0, fixed_item(path));
  points_->setItem(row, 1, new QTableWidgetItem(QFileInfo(path).fileName()));
  points_->setItem(row, 2, new QTableWidgetItem(""));
  points_->resizeColumnToContents(1);
}

void SequenceDialog::addFiles() {
  guarded(status_, [this] {
    const QString dir = open_path_.isEmpty() ? QDir::homePath() : QFileInfo(open_path_).path();
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add capture points"), dir,
        tr("Capture files (*.pcap *.pcapng *.cap *.pcap.gz *.pcapng.gz *.snoop *.erf *.csv);;"
           "All files (*)"),
        nullptr, QFileDialog::DontUseNativeDialog);
    for (const QString& f : files) addPoint(f);
  });
}

void SequenceDialog::addTypedPath() {
  guarded(status_, [this] {
    const QString path = path_edit_->text().trimmed();
    if (path.isEmpty()) return;
    if (!QFileInfo(path).isFile()) {
      status_->setText(tr("%1: no such file").arg(path));
      return;
    }
    addPoint(QFileInfo(path).absoluteFilePath());
    path_edit_->clear();
  });
}

void SequenceDialog::removePoint() {
  const int row = points_->currentRow();
  if (row > 0) points_->removeRow(row);  // the open file stays
}

void SequenceDialog::movePointUp() {
  const int row = points_->currentRow();
  if (row <= 1) return;
  for (int c = 0; c < 3; ++c) {
    QTableWidgetItem* a = points_->takeItem(row, c);
    QTableWidgetItem* b = points_->takeItem(row - 1, c);
    points_->setItem(row - 1, c, a);
    points_->setItem(row, c, b);
  }
  points_->setCurrentCell(row - 1, 0);
}

void SequenceDialog::movePointDown() {
  const int row = points_->currentRow();
  if (row < 1 || row + 1 >= points_->rowCount()) return;
  points_->setCurrentCell(row + 1, 0);
  movePointUp();
  points_->setCurrentCell(row + 1, 0);
}

void SequenceDialog::addNodeRow() {
  const int row = nodes_->rowCount();
  nodes_->insertRow(row);
  nodes_->setItem(row, 0, new QTableWidgetItem(""));
  nodes_->setItem(row, 1, new QTableWidgetItem(""));
  nodes_->editItem(nodes_->item(row, 0));
}

void SequenceDialog::setNodeName(const QString& address, const QString& name) {
  for (int row = 0; row < nodes_->rowCount(); ++row) {
    if (nodes_->item(row, 0) && nodes_->item(row, 0)->text() == address) {
      nodes_->setItem(row, 1, new QTableWidgetItem(name));
      return;
    }
  }
  const int row = nodes_->rowCount();
  nodes_->insertRow(row);
  nodes_->setItem(row, 0, fixed_item(address));
  nodes_->setItem(row, 1, new QTableWidgetItem(name));
}

void SequenceDialog::loadNames() {
  guarded(status_, [this] {
    const QString dir = open_path_.isEmpty() ? QDir::homePath() : QFileInfo(open_path_).path();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load node names"), dir, tr("Hosts files (hosts *.txt);;All files (*)"), nullptr,
        QFileDialog::DontUseNativeDialog);
    if (path.isEmpty()) return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
      status_->setText(tr("%1: %2").arg(path, file.errorString()));
      return;
    }
    int loaded = 0, skipped = 0;
    while (!file.atEnd()) {
      QString line = QString::fromUtf8(file.readLine());
      line = line.left(line.indexOf('#')).trimmed();  // '#' starts a comment
      if (line.isEmpty()) continue;
      const QStringList fields = line.split(QRegularExpression("\\s+"), Qt::SkipEmptyParts);
      const std::string address = canonical_address(ss(fields.value(0)));
      if (fields.size() < 2 || address.empty()) {
        ++skipped;
        continue;
      }
      setNodeName(qs(address), fields[1]);
      ++loaded;
    }
    status_->setText(tr("%1 names loaded from %2%3 (used by the next Build).")
                         .arg(loaded)
                         .arg(QFileInfo(path).fileName())
                         .arg(skipped ? tr(", %1 lines skipped").arg(skipped) : QString()));
  });
}

std::string SequenceDialog::pointName(int row) const {
  const QTableWidgetItem* item = points_->item(row, 1);
  std::string name = item ? ss(item->text()) : "";
  if (name.empty() && points_->item(row, 0))
    name = ss(QFileInfo(points_->item(row, 0)->text()).fileName());
  return name;
}

std::string SequenceDialog::pointOffset(int row) const {
  const QTableWidgetItem* item = points_->item(row, 2);
  return item ? ss(item->text()) : "";
}

std::vector<ExtraPoint> SequenceDialog::extraPoints() const {
  std::vector<ExtraPoint> extras;
  for (int row = 1; row < points_->rowCount(); ++row)
    extras.push_back(
        ExtraPoint{ss(points_->item(row, 0)->text()), pointName(row), pointOffset(row)});
  return extras;
}

std::string SequenceDialog::followFilter() const {
  if (!follow_->isChecked()) return {};
  const std::string text = ss(follow_edit_->text());
  return text.find_first_not_of(" \t") == std::string::npos ? std::string() : text;
}

std::string SequenceDialog::inputSignature() const {
  std::string signature =
      ss(open_path_) + '\n' + ss(filter_edit_->text()) + "\nfollow:" + followFilter();
  for (const auto& e : extraPoints()) signature += '\n' + e.path;
  return signature;
}

void SequenceDialog::setStage(Stage stage, const QString& status) {
  stage_ = stage;
  const bool busy = stage != Stage::kIdle;
  build_button_->setEnabled(!busy);
  cancel_button_->setEnabled(busy);
  export_button_->setEnabled(!busy && model_ != nullptr);
  points_->setEnabled(!busy);
  filter_edit_->setEnabled(!busy);
  follow_->setEnabled(!busy);
  follow_edit_->setEnabled(!busy && follow_->isChecked());
  if (busy) {
    progress_->setRange(0, 0);  // busy indicator
  } else {
    poll_timer_.stop();
    progress_->setRange(0, 1);
    progress_->setValue(0);
  }
  status_->setText(status);
  status_->setToolTip(status);
}

void SequenceDialog::finishWithError(const QString& message) {
  cancelReaders();
  setStage(Stage::kIdle, message);
}

void SequenceDialog::cancelReaders() {
  poll_timer_.stop();
  for (auto& r : readers_) r->cancel();
  readers_.clear();
  reader_names_.clear();
}

void SequenceDialog::build() {
  guarded(status_, [this] {
    if (stage_ != Stage::kIdle) return;
    ++generation_;
    refreshOpenFile();
    if (open_path_.isEmpty()) {
      status_->setText(tr("Open a capture file in Wireshark first."));
      return;
    }
    // Check offsets now, before minutes of reading.
    std::vector<std::string> offsets;
    for (int row = 0; row < points_->rowCount(); ++row)
      if (!pointOffset(row).empty()) offsets.push_back(pointName(row) + "=" + pointOffset(row));
    make_match_options(offsets, {});
    if (!followFilter().empty() && !match_->isChecked()) {
      status_->setText(tr("Following connections needs \"Match packets across points\"."));
      return;
    }
    if (follow_->isChecked() && followFilter().empty()) {
      status_->setText(tr("Enter the filter that selects the connections to follow."));
      return;
    }
    elapsed_.start();

    const std::string signature = inputSignature();
    if (signature == cached_signature_ && !cached_points_.empty()) {
      startAssembly();
      return;
    }
    cached_signature_.clear();
    cached_points_.clear();
    const std::string filter = ss(filter_edit_->text());
    // Children first: they read their files while Wireshark retaps the open one.
    const std::string program = find_packetseq_program();
    for (const auto& extra : extraPoints()) {
      readers_.push_back(std::make_shared<CaptureSubprocess>(program, extra.path, filter));
      reader_names_.push_back(extra.name);
    }
    setStage(Stage::kReadingOpen,
             tr("Reading the open capture (progress in Wireshark's status bar)…"));
    CapturePoint first;
    std::string error;
    const unsigned generation = generation_;
    const bool ok = host_->read_open_capture(filter, followFilter(), first, error);  // pumps events
    if (close_pending_) {
      cancelReaders();
      deleteLater();
      return;
    }
    if (generation != generation_) return;  // cancelled meanwhile
    if (!ok) {
      finishWithError(error == "cancelled" ? tr("Cancelled.") : tr("Error: %1").arg(qs(error)));
      return;
    }
    first.name = pointName(0);
    first.clock.source = ClockOffset::Source::kReference;
    open_point_ = std::move(first);
    setStage(Stage::kReadingExtra, tr("Reading capture points…"));
    pollReaders();
    if (stage_ == Stage::kReadingExtra) poll_timer_.start();
  });
}

void SequenceDialog::pollReaders() {
  guarded(status_, [this] {
    const double seconds = elapsed_.elapsed() / 1000.0;
    if (stage_ == Stage::kAssembling) {
      status_->setText(
          tr("Matching packets and laying out the diagram… (%1 s)").arg(seconds, 0, 'f', 1));
      return;
    }
    if (stage_ != Stage::kReadingExtra) return;
    std::size_t done = 0;
    for (auto& r : readers_) done += r->finished() ? 1 : 0;
    if (done < readers_.size()) {
      status_->setText(tr("Reading capture points: %1 of %2 done (%3 s)…")
                           .arg(done)
                           .arg(readers_.size())
                           .arg(seconds, 0, 'f', 1));
      return;
    }
    startAssembly();  // the timer keeps running: it shows the elapsed time meanwhile
  });
}

void SequenceDialog::startAssembly() {
  // One engine request (common/pipeline/run.h), as the CLI and tshark make it; point 0 is the
  // open capture (the anchor in follow mode).
  auto input = std::make_shared<BuildInput>();
  PipelineRequest& request = input->request;
  const std::string filter = ss(filter_edit_->text());
  const std::string follow = followFilter();
  const bool fresh = !readers_.empty() || cached_points_.empty();
  for (int row = 0; row < points_->rowCount(); ++row) {
    PointRequest point;
    point.path = row == 0 ? ss(open_path_) : ss(points_->item(row, 0)->text());
    point.name = pointName(row);
    const QTableWidgetItem* name = points_->item(row, 1);
    point.named = name && !name->text().trimmed().isEmpty();
    point.filter = filter;
    if (fresh) {
      if (row == 0)
        point.source = std::make_shared<PreparedSource>(open_point_, follow);
      else if (std::size_t(row - 1) < readers_.size())
        point.source = std::make_shared<SubprocessSource>(readers_[row - 1]);
    } else if (std::size_t(row) < cached_points_.size()) {
      point.source = std::make_shared<PreparedSource>(cached_points_[row], row == 0 ? follow : "");
    }
    request.points.push_back(std::move(point));
    if (!pointOffset(row).empty())
      request.offsets.push_back(pointName(row) + "=" + pointOffset(row));
  }
  readers_.clear();  // the worker owns them now (they have exited)
  reader_names_.clear();
  for (int row = 0; row < nodes_->rowCount(); ++row) {
    const QTableWidgetItem* a = nodes_->item(row, 0);
    const QTableWidgetItem* n = nodes_->item(row, 1);
    if (a && n && !a->text().trimmed().isEmpty() && !n->text().trimmed().isEmpty())
      input->table_names.emplace_back(ss(a->text()), ss(n->text()));
  }
  request.no_match = !match_->isChecked();
  request.follow_filter = follow;
  input->layout.labels = parse_label_mode(ss(labels_->currentData().toString()));
  input->layout.time_mode = parse_time_mode(ss(time_mode_->currentData().toString()));
  input->layout.filter = header_filter(filter, follow);
  layout_ = input->layout;
  const std::string signature = inputSignature();
  setStage(Stage::kAssembling, tr("Matching packets and laying out the diagram…"));
  poll_timer_.start();
  watcher_.setFuture(QtConcurrent::run([input, signature]() -> BuildOutcome {
    BuildOutcome outcome;
    try {
      outcome.result = run_build(std::move(*input));
    } catch (const std::exception& e) {
      outcome.error = e.what();
    } catch (...) {
      outcome.error = "unexpected error while building";
    }
    return outcome;
  }));
  cached_signature_ = signature;  // confirmed (or cleared) in assemblyFinished
}

void SequenceDialog::assemblyFinished() {
  guarded(status_, [this] {
    if (stage_ != Stage::kAssembling) return;  // cancelled: drop the result
    const BuildOutcome outcome = watcher_.result();
    if (!outcome.error.empty()) {
      cached_signature_.clear();
      setStage(Stage::kIdle, tr("Error: %1").arg(qs(outcome.error)));
      return;
    }
    cached_points_ = outcome.result.read_points;
    showResult(outcome.result);
  });
}

void SequenceDialog::showResult(const BuildResult& result) {
  model_ = result.model;
  view_->setDocument(result.document);
  const Model& m = *model_;

  nodes_->setRowCount(0);
  for (const Node& node : m.nodes)
    for (const std::string& address : node.addresses)
      setNodeName(qs(address), node.name == address ? QString() : qs(node.name));

  hops_->setRowCount(0);
  for (const HopStats& h : m.match.hops) {
    const int row = hops_->rowCount();
    hops_->insertRow(row);
    auto point_label = [&](std::size_t p, const std::string& node) {
      QString text = p < m.points.size() ? qs(m.points[p].name) : QString::number(p);
      if (!node.empty()) text += " (" + qs(node) + ")";
      return text;
    };
    hops_->setItem(row, 0, new QTableWidgetItem(point_label(h.from_point, h.from_node)));
    hops_->setItem(row, 1, new QTableWidgetItem(point_label(h.to_point, h.to_node)));
    hops_->setItem(row, 2, new QTableWidgetItem(QString::number(h.packets)));
    const bool valid = h.packets > 0;
    hops_->setItem(row, 3,
                   new QTableWidgetItem(valid ? qs(format_duration(h.transit_min_ns)) : "-"));
    hops_->setItem(row, 4,
                   new QTableWidgetItem(valid ? qs(format_duration(h.transit_median_ns)) : "-"));
    hops_->setItem(row, 5,
                   new QTableWidgetItem(valid ? qs(format_duration(h.transit_p95_ns)) : "-"));
    hops_->setItem(row, 6, new QTableWidgetItem(QString::number(h.lost)));
    hops_->setItem(row, 7, new QTableWidgetItem(QString::number(h.retransmissions)));
  }
  hops_->resizeColumnsToContents();

  QString report = qs(result.report);
  for (const auto& w : result.warnings) report += "\nwarning: " + qs(w);
  report_->setPlainText(report);

  std::size_t observations = 0;
  for (const auto& p : m.points) observations += p.observations.size();
  setStage(Stage::kIdle, tr("%1 capture points, %2 packets, %3 arrows, %4 nodes (%5 s). "
                            "Click an arrow to select its packet.")
                             .arg(m.points.size())
                             .arg(observations)
                             .arg(m.arrows.size())
                             .arg(m.nodes.size())
                             .arg(elapsed_.elapsed() / 1000.0, 0, 'f', 1));
}

void SequenceDialog::cancel() {
  guarded(status_, [this] {
    switch (stage_) {
      case Stage::kIdle:
        return;
      case Stage::kReadingOpen:
        ++generation_;
        host_->cancel_read();  // read_open_capture returns "cancelled" soon
        finishWithError(tr("Cancelled."));
        return;
      case Stage::kReadingExtra:
        ++generation_;
        finishWithError(tr("Cancelled."));
        return;
      case Stage::kAssembling:
        ++generation_;
        cached_signature_.clear();
        setStage(Stage::kIdle, tr("Cancelled."));  // the worker's result will be dropped
        return;
    }
  });
}

void SequenceDialog::keyPressEvent(QKeyEvent* event) {
  // QDialog would click a default button on Enter; here Enter only confirms the focused field.
  if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
    event->accept();
    return;
  }
  QDialog::keyPressEvent(event);
}

void SequenceDialog::closeEvent(QCloseEvent* event) {
  if (stage_ == Stage::kReadingOpen) {
    // We are inside Wireshark's retap further down the stack: delete only after it returns.
    close_pending_ = true;
    host_->cancel_read();
    hide();
    event->ignore();
    return;
  }
  cancel();
  cancelReaders();
  QDialog::closeEvent(event);
}

void SequenceDialog::exportAs(const QString& type, const QString& label) {
  guarded(status_, [this, type, label] {
    if (!model_) return;
    const OutputType output_type = parse_output_type(ss(type));
    const QString ext = output_extension(output_type);
    const QString dir = open_path_.isEmpty() ? QDir::homePath() : QFileInfo(open_path_).path();
    const QString suggestion =
        QDir(dir).filePath(QFileInfo(open_path_).completeBaseName() + "-packetseq." + ext);
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export %1").arg(label), suggestion,
                                     tr("%1 files (*.%2);;All files (*)").arg(label, ext), nullptr,
                                     QFileDialog::DontUseNativeDialog);
    if (path.isEmpty()) return;
    OutputRequest request;
    request.out = ss(path);
    request.layout = layout_;
    request.types = {output_type};
    QApplication::setOverrideCursor(Qt::WaitCursor);
    std::vector<std::string> written;
    try {
      written = write_outputs(*model_, request);
    } catch (...) {
      QApplication::restoreOverrideCursor();
      throw;
    }
    QApplication::restoreOverrideCursor();
    QStringList names;
    for (const auto& w : written) names << qs(w);
    status_->setText(tr("Wrote %1").arg(names.join(", ")));
  });
}

long SequenceDialog::openFileFrame(const Tag& tag) const {
  if (!model_) return -1;
  if (tag.point == 0 && tag.frame > 0) return static_cast<long>(tag.frame);
  if (tag.journey >= 0 && static_cast<std::size_t>(tag.journey) < model_->journeys.size())
    for (const Sighting& s : model_->journeys[tag.journey].sightings)
      if (s.observation.point == 0) return static_cast<long>(model_->at(s.observation).frame);
  return -1;
}

QString SequenceDialog::describeTag(const Tag& tag) const {
  if (!model_ || tag.arrow < 0 || static_cast<std::size_t>(tag.arrow) >= model_->arrows.size())
    return {};
  const Model& m = *model_;
  const Arrow& a = m.arrows[tag.arrow];
  const Observation& o = m.at(a.observation);
  const std::int64_t t0 = m.arrows.empty() ? 0 : m.arrows.front().from_ns;
  QString text = qs(arrow_label(o, layout_.labels));
  auto node_name = [&](std::size_t n) { return n < m.nodes.size() ? qs(m.nodes[n].name) : "?"; };
  text += "\n" + node_name(a.from_node) + " → " + node_name(a.to_node);
  if (a.kind == ArrowKind::kLost) text += tr("  (lost)");
  if (a.kind == ArrowKind::kRelay) text += tr("  (relay)");
  text += tr("\nsent %1 s, received %2 s (transit %3)")
              .arg(qs(format_relative(a.from_ns - t0)), qs(format_relative(a.to_ns - t0)),
                   qs(format_duration(a.to_ns - a.from_ns)));
  if (a.journey >= 0 && static_cast<std::size_t>(a.journey) < m.journeys.size()) {
    for (const Sighting& s : m.journeys[a.journey].sightings) {
      const Observation& seen = m.at(s.observation);
      text += tr("\n  %1 frame %2 at %3 (local %4)")
                  .arg(qs(m.points[s.observation.point].name))
                  .arg(seen.frame)
                  .arg(qs(format_time_of_day(s.time_ns)), qs(format_time_of_day(seen.time_ns)));
    }
  } else {
    text += tr("\n  %1 frame %2 at %3")
                .arg(qs(m.points[a.observation.point].name))
                .arg(o.frame)
                .arg(qs(format_time_of_day(o.time_ns)));
  }
  if (!a.note.empty()) text += "\n" + qs(a.note);
  if (openFileFrame(tag) > 0)
    text += tr("\nClick to select frame %1 in Wireshark.").arg(openFileFrame(tag));
  return text;
}

void SequenceDialog::showTooltip(const Tag& tag, const QPoint& global_pos) {
  guarded(status_, [&] {
    if (tag.arrow < 0) {
      QToolTip::hideText();
      return;
    }
    QToolTip::showText(global_pos, describeTag(tag), view_);
  });
}

void SequenceDialog::goToPacket(const Tag& tag) {
  guarded(status_, [&] {
    std::string path, filter;
    if (!host_->open_capture(path, filter) || !model_ || model_->points.empty() ||
        path != model_->points[0].path) {
      status_->setText(tr("The diagram was built from another file than the one now open."));
      return;
    }
    const long frame = openFileFrame(tag);
    if (frame <= 0) {
      status_->setText(tr("That packet was not seen in the open capture file."));
      return;
    }
    host_->goto_frame(static_cast<std::uint32_t>(frame));
    status_->setText(tr("Selected frame %1 in Wireshark.").arg(frame));
  });
}

}  // namespace plugin
}  // namespace packetseq
