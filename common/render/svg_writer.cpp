// Hand-written SVG 1.1: cairo's SVG surface would turn text into glyph outlines.
#include "render/svg_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "render/draw_style.h"
#include "render/output_file.h"
#include "text/pango_text_layout.h"
#include "text/pango_text_measurer.h"

namespace packetseq {
namespace {

// Locale-independent number: at most 3 decimals, no trailing zeros, never "-0".
std::string num(double v) {
  if (std::fabs(v) < 0.0005) return "0";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  std::string s(buf, result.ptr);
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

int channel(double v) {
  if (!(v > 0)) return 0;  // also NaN
  return static_cast<int>(std::lround(std::min(v, 1.0) * 255));
}

std::string hex(const Color& c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", channel(c.r), channel(c.g), channel(c.b));
  return buf;
}

double alpha(const Color& c) { return std::isfinite(c.a) ? std::clamp(c.a, 0.0, 1.0) : 1.0; }

// ` fill="#rrggbb"` plus the opacity when not opaque; `what` is "fill" or "stroke".
std::string paint(const char* what, const Color& c) {
  std::string s = std::string(" ") + what + "=\"" + hex(c) + "\"";
  if (alpha(c) < 1) s += std::string(" ") + what + "-opacity=\"" + num(alpha(c)) + "\"";
  return s;
}

// Text and attribute values; input is already sanitize_text()ed (valid XML characters).
std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string point_list(std::initializer_list<Point> points) {
  std::string s;
  for (const Point& p : points) {
    if (!s.empty()) s += ' ';
    s += num(p.x) + "," + num(p.y);
  }
  return s;
}

class SvgBuilder {
 public:
  explicit SvgBuilder(std::string& out) : out_(out) {}

  void add(const LinePrim& line) {
    const ArrowGeometry arrow = arrow_geometry(line);
    if (arrow.has_shaft) {
      out_ += "<line x1=\"" + num(line.from.x) + "\" y1=\"" + num(line.from.y) + "\" x2=\"" +
              num(arrow.shaft_end.x) + "\" y2=\"" + num(arrow.shaft_end.y) + "\"" +
              paint("stroke", line.color) + " stroke-width=\"" + num(line.width) +
              "\" stroke-linecap=\"round\"";
      if (line.dashed) {
        const DashPattern dash = dash_pattern(line.width);
        out_ += " stroke-dasharray=\"" + num(dash.on) + "," + num(dash.off) + "\"";
      }
      out_ += "/>\n";
    }
    if (arrow.has_head) {
      out_ += "<polygon points=\"" + point_list({arrow.tip, arrow.left, arrow.right}) + "\"" +
              paint("fill", line.color) + "/>\n";
    }
  }

  void add(const RectPrim& rect) {
    // SVG forbids negative sizes; cairo draws them mirrored, so normalise.
    const double x = std::min(rect.x, rect.x + rect.w);
    const double y = std::min(rect.y, rect.y + rect.h);
    out_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::fabs(rect.w)) +
            "\" height=\"" + num(std::fabs(rect.h)) + "\"";
    out_ += rect.has_fill ? paint("fill", rect.fill) : std::string(" fill=\"none\"");
    if (rect.stroke_width > 0) {
      out_ += paint("stroke", rect.stroke) + " stroke-width=\"" + num(rect.stroke_width) + "\"";
    }
    out_ += "/>\n";
  }

  void add(const TextPrim& text) {
    const std::vector<TextLine> lines = measurer_.lines(text.text, text.font);
    std::string family = font_family(text.font);
    family += text.font.monospace ? ", monospace" : ", sans-serif";
    std::string open = "<text xml:space=\"preserve\" font-family=\"" + family + "\" font-size=\"" +
                       num(effective_font_size(text.font)) + "\"";
    if (text.font.bold) open += " font-weight=\"bold\"";
    open += paint("fill", text.color);
    if (lines.size() == 1) {
      out_ += open + " x=\"" + num(text.x + lines[0].x) + "\" y=\"" +
              num(text.y + lines[0].baseline) + "\">" + escape(lines[0].text) + "</text>\n";
      return;
    }
    out_ += open + ">";
    for (const TextLine& line : lines) {
      out_ += "<tspan x=\"" + num(text.x + line.x) + "\" y=\"" + num(text.y + line.baseline) +
              "\">" + escape(line.text) + "</tspan>";
    }
    out_ += "</text>\n";
  }

  void add(const MarkerPrim& marker) {
    const double x = marker.center.x;
    const double y = marker.center.y;
    const double r = marker.radius;
    switch (marker.shape) {
      case MarkerShape::kCross:
        out_ += "<path d=\"M" + point_list({{x - r, y - r}}) + " L" + point_list({{x + r, y + r}}) +
                " M" + point_list({{x - r, y + r}}) + " L" + point_list({{x + r, y - r}}) +
                "\" fill=\"none\"" + paint("stroke", marker.color) + " stroke-width=\"" +
                num(marker_stroke_width(marker)) + "\" stroke-linecap=\"round\"/>\n";
        break;
      case MarkerShape::kDot:
        out_ += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\"" +
                paint("fill", marker.color) + "/>\n";
        break;
      case MarkerShape::kDiamond:
        out_ += "<path d=\"M" + point_list({{x, y - r}}) + " L" + point_list({{x + r, y}}) + " L" +
                point_list({{x, y + r}}) + " L" + point_list({{x - r, y}}) + " Z\"" +
                paint("fill", marker.color) + "/>\n";
        break;
    }
  }

  void open_group(const Tag& tag) {
    out_ += tag.arrow >= 0 ? "<g class=\"arrow\"" : "<g class=\"journey\"";
    if (tag.arrow >= 0) out_ += " data-arrow=\"" + std::to_string(tag.arrow) + "\"";
    if (tag.journey >= 0) out_ += " data-journey=\"" + std::to_string(tag.journey) + "\"";
    if (tag.point >= 0) out_ += " data-point=\"" + std::to_string(tag.point) + "\"";
    if (tag.frame >= 0) out_ += " data-frame=\"" + std::to_string(tag.frame) + "\"";
    out_ += ">\n";
  }

  void close_group() { out_ += "</g>\n"; }

 private:
  std::string& out_;
  PangoTextMeasurer measurer_;  // baselines, exactly as the PNG back end lays text out
};

}  // namespace

std::string svg_document(const Page& page) {
  std::string out;
  const std::string w = num(page.width);
  const std::string h = num(page.height);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + w + "\" height=\"" +
         h + "\" viewBox=\"0 0 " + w + " " + h + "\">\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
  SvgBuilder builder(out);
  const Tag* open_tag = nullptr;  // tag of the open <g>, if any
  for (const Primitive& item : page.items) {
    if (!is_drawable(item)) continue;
    const Tag& tag = tag_of(item);
    if (open_tag != nullptr && !(has_tag(tag) && same_tag(tag, *open_tag))) {
      builder.close_group();
      open_tag = nullptr;
    }
    if (open_tag == nullptr && has_tag(tag)) {
      builder.open_group(tag);
      open_tag = &tag;
    }
    std::visit([&](const auto& p) { builder.add(p); }, item);
  }
  if (open_tag != nullptr) builder.close_group();
  out += "</svg>\n";
  return out;
}

void render_svg(const Page& page, const std::string& path) {
  if (!std::isfinite(page.width) || !std::isfinite(page.height) || page.width <= 0 ||
      page.height <= 0) {
    throw RenderError(path + ": page size " + std::to_string(page.width) + "x" +
                      std::to_string(page.height) + " is not positive");
  }
  const std::string document = svg_document(page);
  OutputFile out(path);
  if (!out.write(document.data(), document.size())) throw RenderError(path + ": " + out.error());
  out.commit();
}

}  // namespace packetseq
