// Worker-thread part of a Build: the same assembly as the CLI, then layout for the screen.
#include "plugin/qt/build_job.h"

#include <stdexcept>

#include "export/hop_table.h"
#include "text/pango_text_measurer.h"

namespace packetseq {
namespace plugin {

BuildResult run_build(BuildInput input) {
  Model model;
  model.points = std::move(input.points);
  for (std::size_t i = 0; i < input.readers.size(); ++i)
    input.readers[i]->append_to(model, input.reader_names.at(i));
  input.readers.clear();  // removes the temporary files now

  BuildResult result;
  result.read_points = model.points;  // before assembly adds warnings and nodes

  AssemblyOptions options;
  for (const auto& [address, name] : input.names) {
    if (name.empty()) continue;
    if (!options.names.set(address, name))
      throw std::invalid_argument("'" + address + "' in the node table is not an IP address");
  }
  options.match = make_match_options(input.offsets, {});
  options.no_match = input.no_match;
  options.named = input.named;
  result.warnings = assemble_model(model, options);
  result.report = format_hop_table(model);

  PangoTextMeasurer measurer;
  LayoutOptions layout = input.layout;
  layout.max_page_height = 0;  // the view draws only what is visible: no need for pages
  auto document = std::make_shared<Document>(layout_diagram(model, layout, measurer));
  if (document->pages.empty()) throw std::runtime_error("the layout produced no page");
  result.document = std::move(document);
  result.model = std::make_shared<Model>(std::move(model));
  return result;
}

}  // namespace plugin
}  // namespace packetseq
