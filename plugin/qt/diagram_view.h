// Scrollable, zoomable view of a laid-out diagram page, drawn with the project's cairo renderer
// (same look as the PNG/PDF output); hover and click report the packet under the mouse.
#pragma once

#include <QAbstractScrollArea>
#include <memory>
#include <vector>

#include "display/display_list.h"

namespace packetseq {
namespace plugin {

class DiagramView : public QAbstractScrollArea {
  Q_OBJECT

 public:
  explicit DiagramView(QWidget* parent = nullptr);

  void setDocument(std::shared_ptr<const Document> document);
  void clear();
  double zoom() const { return zoom_; }
  void setZoom(double zoom);  // keeps the centre of the view in place
  void zoomIn() { setZoom(zoom_ * 1.25); }
  void zoomOut() { setZoom(zoom_ / 1.25); }
  void fitWidth();
  // The tagged primitive at a viewport position, or a Tag with arrow < 0.
  Tag tagAt(const QPoint& viewport_pos) const;

 signals:
  void hovered(const packetseq::Tag& tag, const QPoint& global_pos);
  void clicked(const packetseq::Tag& tag);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void scrollContentsBy(int dx, int dy) override;

 private:
  struct Box {
    double x0, y0, x1, y1;
  };
  void updateScrollBars();
  const Page* page() const;

  std::shared_ptr<const Document> document_;
  std::vector<Box> boxes_;  // bounding box of each primitive of page 0 (for culling)
  double zoom_ = 1.0;
};

}  // namespace plugin
}  // namespace packetseq
