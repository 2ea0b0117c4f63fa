// Drives layout and the back ends for the requested output files.
#include "pipeline/outputs.h"

#include <glib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "export/diag_writer.h"
#include "export/journey_csv.h"
#include "export/json_model.h"
#include "export/mermaid_writer.h"
#include "export/plantuml_writer.h"
#include "export/text_ladder.h"
#include "render/cairo_renderer.h"
#include "render/render_error.h"
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
  if (f == nullptr)
    throw std::runtime_error(set.final_path(index) + ": cannot write: " + g_strerror(errno));
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const int write_error = errno;
  const bool closed = std::fclose(f) == 0;
  if (written && closed) return;
  throw std::runtime_error(set.final_path(index) +
                           ": write failed: " + g_strerror(written ? errno : write_error));
}

std::string real_path(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return "";
  std::string result = resolved;
  std::free(resolved);
  return result;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa;
  struct stat sb;
  if (stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  const std::string ra = real_path(a);
  return !ra.empty() && ra == real_path(b);
}

// True when `input` (or what it resolves to) could be page file STEM-N.EXT of PNG `out`.
bool is_png_page_of(const std::string& out, const std::string& input) {
  gchar* out_base = g_path_get_basename(out.c_str());
  gchar* out_dir = g_path_get_dirname(out.c_str());
  const std::string base = out_base;
  const std::string dir = out_dir;
  g_free(out_base);
  g_free(out_dir);
  const auto dot = base.rfind('.');
  const std::string stem = dot == std::string::npos ? base : base.substr(0, dot);
  const std::string ext = dot == std::string::npos ? "" : base.substr(dot);
  for (const std::string& candidate : {input, real_path(input)}) {
    if (candidate.empty()) continue;
    gchar* in_base = g_path_get_basename(candidate.c_str());
    gchar* in_dir = g_path_get_dirname(candidate.c_str());
    const std::string name = in_base;
    const std::string in_directory = in_dir;
    g_free(in_base);
    g_free(in_dir);
    if (name.size() <= stem.size() + 1 + ext.size() || name.compare(0, stem.size(), stem) != 0 ||
        name[stem.size()] != '-' || name.compare(name.size() - ext.size(), ext.size(), ext) != 0)
      continue;
    const std::string number =
        name.substr(stem.size() + 1, name.size() - stem.size() - 1 - ext.size());
    if (number.find_first_not_of("0123456789") != std::string::npos) continue;
    if (same_file(dir, in_directory)) return true;
  }
  return false;
}

TextDiagramOptions text_options(const OutputRequest& request) {
  TextDiagramOptions options;
  options.labels = request.layout.labels;
  options.title = request.layout.title;
  options.width = request.text_width;
  return options;
}

}  // namespace

void check_outputs_distinct(const OutputRequest& request,
                            const std::vector<std::string>& input_paths) {
  if (output_is_stdout(request)) return;
  for (OutputType type : request.types) {
    const std::string out = path_for(request, type);
    for (const auto& input : input_paths) {
      if (same_file(out, input) || (type == OutputType::kPng && is_png_page_of(out, input)))
        throw OutputConflictError(out + ": output would overwrite the input file " + input +
                                  " (choose another -o)");
    }
  }
}

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

namespace {

// Writes every file of `request` into `files` (temporaries, not committed); returns their final
// paths.
std::vector<std::string> add_into(AtomicOutputSet& files, const Model& model,
                                  const OutputRequest& request) {
  const std::size_t first = files.size();
  PangoTextMeasurer measurer;
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
  std::vector<std::string> written;
  for (std::size_t i = first; i < files.size(); ++i) written.push_back(files.final_path(i));
  return written;
}

}  // namespace

bool output_is_stdout(const OutputRequest& request) { return request.out == "-"; }

void check_stdout_output(const OutputRequest& request) {
  if (!output_is_stdout(request)) return;
  const bool text = request.types.size() == 1 && request.types[0] != OutputType::kPng &&
                    request.types[0] != OutputType::kPdf;
  if (!text)
    throw std::invalid_argument(
        "-o - writes one text format or SVG to standard output: choose it with -t (txt, svg, "
        "mermaid, plantuml, diag, csv or json)");
}

namespace {

std::string text_output(const Model& model, const OutputRequest& request, OutputType type) {
  switch (type) {
    case OutputType::kDiag:
      return write_seqdiag(model, request.layout.labels);
    case OutputType::kJson:
      return model_to_json(model);
    case OutputType::kCsv:
      return write_journey_csv(model);
    case OutputType::kTxt:
      return write_text_ladder(model, text_options(request));
    case OutputType::kPlantuml:
      return write_plantuml(model, text_options(request));
    case OutputType::kMermaid: {
      auto parts = write_mermaid(model, text_options(request));
      if (parts.size() > 1)
        throw std::runtime_error("the Mermaid diagram needs " + std::to_string(parts.size()) +
                                 " parts (Mermaid's 50,000-character limit): write it to a file "
                                 "with -o NAME.mmd");
      return parts.front();
    }
    case OutputType::kSvg: {
      PangoTextMeasurer measurer;
      LayoutOptions options = request.layout;
      options.max_page_height = 0;
      return svg_document(layout_diagram(model, options, measurer).pages.at(0));
    }
    case OutputType::kPng:
    case OutputType::kPdf:
      break;
  }
  throw std::invalid_argument("-o - cannot write binary output");
}

}  // namespace

namespace {

// Runs `step`; an error from a writer that was given temp paths names the user's file instead.
template <typename Step>
auto with_user_paths(const AtomicOutputSet& files, Step step) -> decltype(step()) {
  try {
    return step();
  } catch (const RenderError& e) {
    throw RenderError(files.user_message(e.what()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(files.user_message(e.what()));
  }
}

}  // namespace

std::vector<std::string> write_outputs(const Model& model, const OutputRequest& request) {
  if (output_is_stdout(request)) {
    check_stdout_output(request);
    const std::string text = text_output(model, request, request.types.front());
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
      throw std::runtime_error(std::string("standard output: write failed: ") +
                               std::strerror(errno));
    return {"(standard output)"};
  }
  OutputBatch batch;
  batch.add(model, request);
  return batch.commit();
}

OutputBatch::OutputBatch() : files_(std::make_unique<AtomicOutputSet>()) {}
OutputBatch::~OutputBatch() = default;

std::vector<std::string> OutputBatch::add(const Model& model, const OutputRequest& request) {
  return with_user_paths(*files_, [&] { return add_into(*files_, model, request); });
}

void OutputBatch::add_text(const std::string& path, const std::string& content) {
  with_user_paths(*files_, [&] { write_text(*files_, files_->add(path), content); });
}

std::vector<std::string> OutputBatch::commit() {
  return with_user_paths(*files_, [&] {
    files_->commit();
    std::vector<std::string> written;
    for (std::size_t i = 0; i < files_->size(); ++i) written.push_back(files_->final_path(i));
    return written;
  });
}

namespace {

// `out` without a known output extension ("diag.svg" -> "diag", "run" -> "run").
std::string output_stem(const std::string& out) {
  OutputType type;
  if (!output_type_from_path(out, type)) return out;
  return out.substr(0, out.rfind('.'));
}

}  // namespace

OutputRequest connection_output(const OutputRequest& request, std::uint32_t stream) {
  OutputRequest result = request;
  result.out = output_stem(request.out) + "-" + std::to_string(stream);
  return result;
}

std::string connection_index_path(const OutputRequest& request) {
  return output_stem(request.out) + "-index.csv";
}

}  // namespace packetseq
