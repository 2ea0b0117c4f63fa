// Worker-thread part of a Build: the engine's run_pipeline, then layout for the screen.
#include "plugin/qt/build_job.h"

#include <stdexcept>

#include "text/pango_text_measurer.h"

namespace packetseq {
namespace plugin {

void add_table_names(PipelineRequest& request,
                     const std::vector<std::pair<std::string, std::string>>& names) {
  for (const auto& [address, name] : names) {
    if (name.empty()) continue;
    if (!request.names.set(address, name))
      throw std::invalid_argument("'" + address + "' in the node table is not an IP address");
  }
}

BuildResult run_build(BuildInput input) {
  PipelineRequest& request = input.request;
  add_table_names(request, input.table_names);
  request.write_outputs = false;
  request.keep_read_points = true;
  request.stats = true;  // the Report tab
  PipelineResult run = run_pipeline(request);
  request.points.clear();  // the reader children: temporary files removed now

  BuildResult result;
  result.read_points = std::move(run.read_points);
  result.warnings = std::move(run.warnings);
  result.report = std::move(run.hop_table);

  PangoTextMeasurer measurer;
  LayoutOptions layout = input.layout;
  layout.max_page_height = 0;  // the view draws only what is visible: no need for pages
  auto document = std::make_shared<Document>(layout_diagram(run.model, layout, measurer));
  if (document->pages.empty()) throw std::runtime_error("the layout produced no page");
  result.document = std::move(document);
  result.model = std::make_shared<Model>(std::move(run.model));
  return result;
}

}  // namespace plugin
}  // namespace packetseq
