// Paints only the visible part of the page: primitives outside the viewport are culled before
// the cairo renderer draws into a QImage of the viewport's size.
#include "plugin/qt/diagram_view.h"

#include <cairo.h>

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <variant>

#include "render/cairo_renderer.h"

namespace packetseq {
namespace plugin {
namespace {

constexpr double kMinZoom = 0.05;
constexpr double kMaxZoom = 8.0;

double distance_to_segment(double px, double py, const Point& a, const Point& b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double cx = a.x + t * dx - px, cy = a.y + t * dy - py;
  return std::sqrt(cx * cx + cy * cy);
}

}  // namespace

DiagramView::DiagramView(QWidget* parent) : QAbstractScrollArea(parent) {
  setMouseTracking(true);
  viewport()->setMouseTracking(true);
  viewport()->setAutoFillBackground(false);
  setMinimumSize(320, 240);
}

const Page* DiagramView::page() const {
  if (!document_ || document_->pages.empty()) return nullptr;
  return &document_->pages.front();
}

void DiagramView::setDocument(std::shared_ptr<const Document> document) {
  document_ = std::move(document);
  boxes_.clear();
  if (const Page* p = page()) {
    boxes_.reserve(p->items.size());
    for (const Primitive& item : p->items) {
      Box box{0, 0, 0, 0};
      if (const auto* l = std::get_if<LinePrim>(&item)) {
        const double pad = l->width + 8;  // arrow heads stick out of the line
        box = {std::min(l->from.x, l->to.x) - pad, std::min(l->from.y, l->to.y) - pad,
               std::max(l->from.x, l->to.x) + pad, std::max(l->from.y, l->to.y) + pad};
      } else if (const auto* r = std::get_if<RectPrim>(&item)) {
        const double pad = r->stroke_width;
        box = {r->x - pad, r->y - pad, r->x + r->w + pad, r->y + r->h + pad};
      } else if (const auto* t = std::get_if<TextPrim>(&item)) {
        box = {t->x - 4, t->y - 4, t->x + t->w + 4, t->y + t->h + 4};
      } else if (const auto* m = std::get_if<MarkerPrim>(&item)) {
        const double r = m->radius + 2;
        box = {m->center.x - r, m->center.y - r, m->center.x + r, m->center.y + r};
      }
      boxes_.push_back(box);
    }
  }
  updateScrollBars();
  viewport()->update();
}

void DiagramView::clear() { setDocument(nullptr); }

void DiagramView::setZoom(double zoom) {
  zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
  if (!std::isfinite(zoom) || zoom == zoom_) return;
  const double cx = (horizontalScrollBar()->value() + viewport()->width() / 2.0) / zoom_;
  const double cy = (verticalScrollBar()->value() + viewport()->height() / 2.0) / zoom_;
  zoom_ = zoom;
  updateScrollBars();
  horizontalScrollBar()->setValue(static_cast<int>(cx * zoom_ - viewport()->width() / 2.0));
  verticalScrollBar()->setValue(static_cast<int>(cy * zoom_ - viewport()->height() / 2.0));
  viewport()->update();
}

void DiagramView::fitWidth() {
  if (const Page* p = page(); p && p->width > 0) setZoom((viewport()->width() - 4) / p->width);
}

void DiagramView::updateScrollBars() {
  const Page* p = page();
  const int w = p ? static_cast<int>(std::ceil(p->width * zoom_)) : 0;
  const int h = p ? static_cast<int>(std::ceil(p->height * zoom_)) : 0;
  horizontalScrollBar()->setRange(0, std::max(0, w - viewport()->width()));
  verticalScrollBar()->setRange(0, std::max(0, h - viewport()->height()));
  horizontalScrollBar()->setPageStep(viewport()->width());
  verticalScrollBar()->setPageStep(viewport()->height());
  horizontalScrollBar()->setSingleStep(20);
  verticalScrollBar()->setSingleStep(20);
}

void DiagramView::resizeEvent(QResizeEvent* event) {
  QAbstractScrollArea::resizeEvent(event);
  updateScrollBars();
}

void DiagramView::scrollContentsBy(int, int) { viewport()->update(); }

void DiagramView::paintEvent(QPaintEvent*) {
  QPainter painter(viewport());
  const Page* p = page();
  if (!p) {
    painter.fillRect(viewport()->rect(), palette().window());
    painter.drawText(viewport()->rect(), Qt::AlignCenter,
                     tr("Press Build to draw the multi-point sequence diagram."));
    return;
  }
  try {
    const QSize size = viewport()->size();
    QImage image(size, QImage::Format_ARGB32_Premultiplied);  // cairo's ARGB32 layout
    if (image.isNull()) return;
    image.fill(Qt::white);
    const double x0 = horizontalScrollBar()->value() / zoom_;
    const double y0 = verticalScrollBar()->value() / zoom_;
    const double x1 = x0 + size.width() / zoom_, y1 = y0 + size.height() / zoom_;
    Page visible;
    visible.width = p->width;
    visible.height = p->height;
    for (std::size_t i = 0; i < p->items.size(); ++i) {
      const Box& b = boxes_[i];
      if (b.x1 >= x0 && b.x0 <= x1 && b.y1 >= y0 && b.y0 <= y1)
        visible.items.push_back(p->items[i]);
    }
    cairo_surface_t* surface = cairo_image_surface_create_for_data(
        image.bits(), CAIRO_FORMAT_ARGB32, image.width(), image.height(), image.bytesPerLine());
    cairo_t* cr = cairo_create(surface);
    cairo_scale(cr, zoom_, zoom_);
    cairo_translate(cr, -x0, -y0);
    try {
      draw_page(cr, visible);
    } catch (...) {
      // A primitive the renderer rejects must not take Wireshark down; show what was drawn.
    }
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    cairo_surface_destroy(surface);
    painter.drawImage(0, 0, image);
  } catch (...) {
    // Out of memory for a huge viewport: leave the area blank rather than unwind into Qt.
  }
}

Tag DiagramView::tagAt(const QPoint& pos) const {
  const Page* p = page();
  if (!p) return Tag{};
  const double x = (horizontalScrollBar()->value() + pos.x()) / zoom_;
  const double y = (verticalScrollBar()->value() + pos.y()) / zoom_;
  const double tolerance = 5.0 / zoom_;
  Tag best;
  double best_distance = tolerance;
  for (std::size_t i = 0; i < p->items.size(); ++i) {
    const Box& b = boxes_[i];
    if (x < b.x0 - tolerance || x > b.x1 + tolerance || y < b.y0 - tolerance ||
        y > b.y1 + tolerance)
      continue;
    const Primitive& item = p->items[i];
    double d = tolerance + 1;
    const Tag* tag = nullptr;
    if (const auto* l = std::get_if<LinePrim>(&item)) {
      d = distance_to_segment(x, y, l->from, l->to);
      tag = &l->tag;
    } else if (const auto* t = std::get_if<TextPrim>(&item)) {
      if (x >= t->x && x <= t->x + t->w && y >= t->y && y <= t->y + t->h) d = tolerance / 2;
      tag = &t->tag;
    } else if (const auto* m = std::get_if<MarkerPrim>(&item)) {
      d = std::max(0.0, std::hypot(x - m->center.x, y - m->center.y) - m->radius);
      tag = &m->tag;
    }
    if (tag && tag->arrow >= 0 && d <= best_distance) {
      best_distance = d;
      best = *tag;
    }
  }
  return best;
}

void DiagramView::mouseMoveEvent(QMouseEvent* event) {
  emit hovered(tagAt(event->pos()), event->globalPos());
  QAbstractScrollArea::mouseMoveEvent(event);
}

void DiagramView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    const Tag tag = tagAt(event->pos());
    if (tag.arrow >= 0) emit clicked(tag);
  }
  QAbstractScrollArea::mousePressEvent(event);
}

void DiagramView::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ControlModifier) {
    if (event->angleDelta().y() > 0) zoomIn();
    if (event->angleDelta().y() < 0) zoomOut();
    event->accept();
    return;
  }
  QAbstractScrollArea::wheelEvent(event);
}

}  // namespace plugin
}  // namespace packetseq
