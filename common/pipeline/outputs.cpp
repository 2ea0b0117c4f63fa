// Drives layout and the back ends for the requested output files.
#include "pipeline/outputs.h"

#include <cstdio>
#include <stdexcept>

#include "export/diag_writer.h"
#include "export/mermaid_writer.h"
#include "export/plantuml_writer.h"
#include "export/text_ladder.h"
#include "export/journey_csv.h"
#include "export/json_model.h"
#include "render/cairo_renderer.h"
#include "render/svg_writer.h"
#include "text/pango_text_measurer.h"
#include "util/atomic_output.h"

namespace packetseq {
namespace {

std::string path_for(const OutputRequest& request, OutputType type) {
  OutputType implied;
  if (output_type_from_path(request.out, implied) && implied == type) return request.out;
  if (request.types.size() == 1 && output_type_from_path(request.out, implied)) return request.out;
  return request.out + "." + output_extension(type);
}

std::string numbered(const std::string& path, std::size_t index, std::size_t count) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  const std::string stem = has_ext ? path.substr(0, dot) : path;
  const std::string ext = has_ext ? path.substr(dot) : "";
  const int width = static_cast<int>(std::to_string(count).size());
  char number[32];
  std::snprintf(number, sizeof number, "%0*zu", width, index + 1);
  return stem + "-" + number + ext;
}

void write_text(AtomicOutputSet& set, std::size_t index, const std::string& content) {
  std::FILE* f = std::fopen(set.temp_path(index).c_str(), "wb");
  const bool ok = f && std::fwrite(content.data(), 1, content.size(), f) == content.size();
  if (f && std::fclose(f) != 0) throw std::runtime_error(set.final_path(index) + ": write failed");
  if (!ok) throw std::runtime_error(set.final_path(index) + ": write failed");
}

TextDiagramOptions text_options(const OutputRequest& request) {
  TextDiagramOptions options;
  options.labels = request.layout.labels;
  options.title = request.layout.title;
  options.width = request.text_width;
  return options;
}

}  // namespace

OutputType parse_output_type(const std::string& text) {
  if (text == "png") return OutputType::kPng;
  if (text == "svg") return OutputType::kSvg;
  if (text == "pdf") return OutputType::kPdf;
  if (text == "diag") return OutputType::kDiag;
  if (text == "csv") return OutputType::kCsv;
  if (text == "json") return OutputType::kJson;
  if (text == "mermaid" || text == "mmd") return OutputType::kMermaid;
  if (text == "plantuml" || text == "puml") return OutputType::kPlantuml;
  if (text == "txt") return OutputType::kTxt;
  throw std::invalid_argument("invalid output type '" + text +
                              "' (expected png, svg, pdf, diag, csv, json, mermaid, plantuml or "
                              "txt)");
}

const char* output_extension(OutputType type) {
  switch (type) {
    case OutputType::kPng:
      return "png";
    case OutputType::kSvg:
      return "svg";
    case OutputType::kPdf:
      return "pdf";
    case OutputType::kDiag:
      return "diag";
    case OutputType::kCsv:
      return "csv";
    case OutputType::kJson:
      return "json";
    case OutputType::kMermaid:
      return "mmd";
    case OutputType::kPlantuml:
      return "puml";
    case OutputType::kTxt:
      return "txt";
  }
  return "png";
}

bool output_has_extension(const std::string& path) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  const std::size_t name = slash == std::string::npos ? 0 : slash + 1;
  return dot != std::string::npos && dot > name && dot + 1 < path.size();
}

bool output_type_from_path(const std::string& path, OutputType& type) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return false;
  try {
    type = parse_output_type(path.substr(dot + 1));
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

std::vector<std::string> write_outputs(const Model& model, const OutputRequest& request) {
  PangoTextMeasurer measurer;
  AtomicOutputSet files;
  for (OutputType type : request.types) {
    const std::string path = path_for(request, type);
    switch (type) {
      case OutputType::kDiag: {
        const std::size_t i = files.add(path);
        write_text(files, i, write_seqdiag(model, request.layout.labels));
        break;
      }
      case OutputType::kJson: {
        const std::size_t i = files.add(path);
        write_text(files, i, model_to_json(model));
        break;
      }
      case OutputType::kCsv: {
        const std::size_t i = files.add(path);
        write_text(files, i, write_journey_csv(model));
        break;
      }
      case OutputType::kMermaid: {
        const auto parts = write_mermaid(model, text_options(request));
        for (std::size_t p = 0; p < parts.size(); ++p) {
          const std::size_t i =
              files.add(parts.size() == 1 ? path : numbered(path, p, parts.size()));
          write_text(files, i, parts[p]);
        }
        break;
      }
      case OutputType::kPlantuml: {
        const std::size_t i = files.add(path);
        write_text(files, i, write_plantuml(model, text_options(request)));
        break;
      }
      case OutputType::kTxt: {
        const std::size_t i = files.add(path);
        write_text(files, i, write_text_ladder(model, text_options(request)));
        break;
      }
      case OutputType::kSvg: {
        LayoutOptions options = request.layout;
        options.max_page_height = 0;  // SVG has no size limit: one long page
        const Document doc = layout_diagram(model, options, measurer);
        const std::size_t i = files.add(path);
        render_svg(doc.pages.at(0), files.temp_path(i));
        break;
      }
      case OutputType::kPdf: {
        LayoutOptions options = request.layout;
        options.max_page_height = request.pdf_page_height;
        const Document doc = layout_diagram(model, options, measurer);
        const std::size_t i = files.add(path);
        render_pdf(doc, files.temp_path(i));
        break;
      }
      case OutputType::kPng: {
        LayoutOptions options = request.layout;
        options.max_page_height = request.png_page_height;
        const Document doc = layout_diagram(model, options, measurer);
        for (std::size_t p = 0; p < doc.pages.size(); ++p) {
          const std::string page_path =
              doc.pages.size() == 1 ? path : numbered(path, p, doc.pages.size());
          const std::size_t i = files.add(page_path);
          render_png(doc.pages[p], files.temp_path(i));
        }
        break;
      }
    }
  }
  files.commit();
  std::vector<std::string> written;
  for (std::size_t i = 0; i < files.size(); ++i) written.push_back(files.final_path(i));
  return written;
}

}  // namespace packetseq
