// Output stage shared by every front end: model -> layout -> back ends -> files, atomically.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "layout/layout.h"
#include "model/model.h"

namespace packetseq {

class AtomicOutputSet;

enum class OutputType { kPng, kSvg, kPdf, kDiag, kCsv, kJson, kMermaid, kPlantuml, kTxt };

// "png" | "svg" | "pdf" | "diag" | "csv" | "json" | "mermaid" (or "mmd") | "plantuml" (or
// "puml") | "txt"; throws std::invalid_argument naming the bad value and listing the types.
OutputType parse_output_type(const std::string& text);
const char* output_extension(OutputType type);
// True when the file name (after its last '/') has an extension, known or not.
bool output_has_extension(const std::string& path);
// The type implied by a file name's extension, if it has a known one.
bool output_type_from_path(const std::string& path, OutputType& type);

struct OutputRequest {
  // "-o" as given: a base name ("out" -> out.png) or a path with a known extension (diag.svg).
  std::string out = "out";
  std::vector<OutputType> types{OutputType::kPng};
  LayoutOptions layout;
  double png_page_height = 30000;  // cairo's image limit is 32767 px; longer flows are paginated
  double pdf_page_height = 1600;   // points per PDF page
  std::size_t text_width = 100;    // txt: columns of the text ladder (--width)
};

// An output path that names one of the inputs: a usage error (the CLI exits 2 on
// std::invalid_argument).
class OutputConflictError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws OutputConflictError "OUTPUT is the input file INPUT ..." when a file the request
// would write is one of `input_paths` (same device and inode, so also through a symlink or a
// hard link, or the same real path). PNG page files OUT-N.png count too. Call it before
// reading, so a run never overwrites what it reads.
void check_outputs_distinct(const OutputRequest& request,
                            const std::vector<std::string>& input_paths);

// "-o -": the output goes to standard output. Only one type, and only one that is text (or
// SVG), can go there; throws std::invalid_argument saying so for any other request.
bool output_is_stdout(const OutputRequest& request);
void check_stdout_output(const OutputRequest& request);

// Writes every requested file. All files appear together or none does (existing files are
// left untouched on error, temp files are removed, and an error names the user's path,
// never a temp file). Returns the paths written. Throws std::runtime_error "PATH: cause".
// A PNG taller than one page is written as OUT-1.png ... OUT-N.png (zero-padded); so is a
// Mermaid diagram longer than Mermaid's 50,000-character limit (OUT-1.mmd ..., "part K of N").
// With "-o -" the single text output is written to stdout instead and "(standard output)" is
// returned; a Mermaid diagram that needs several parts is refused there (std::runtime_error).
std::vector<std::string> write_outputs(const Model& model, const OutputRequest& request);

// Several models' files that appear together or not at all (--each-connection): add() writes
// temporaries, commit() moves every file of the batch into place; a batch destroyed without
// commit leaves no file behind and existing files untouched. Errors as write_outputs.
class OutputBatch {
 public:
  OutputBatch();
  ~OutputBatch();
  OutputBatch(const OutputBatch&) = delete;
  OutputBatch& operator=(const OutputBatch&) = delete;
  // The files write_outputs would write for `model`; returns their final paths.
  std::vector<std::string> add(const Model& model, const OutputRequest& request);
  // One text file (e.g. the index CSV).
  void add_text(const std::string& path, const std::string& content);
  // Returns every path written, in the order added.
  std::vector<std::string> commit();

 private:
  std::unique_ptr<AtomicOutputSet> files_;
};

// --each-connection names: `request.out` without a known extension is the stem; connection N
// writes STEM-N.EXT for each requested type, the index is STEM-index.csv.
OutputRequest connection_output(const OutputRequest& request, std::uint32_t stream);
std::string connection_index_path(const OutputRequest& request);

}  // namespace packetseq
