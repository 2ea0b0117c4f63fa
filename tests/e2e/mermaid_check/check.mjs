// Parses Mermaid files with Mermaid's own parser (under jsdom): prints one line per file,
// exits 1 if any file does not parse. Usage: node check.mjs FILE...
import { JSDOM } from "jsdom";
import { readFileSync } from "fs";

const dom = new JSDOM("<!DOCTYPE html><body></body>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
const mermaid = (await import("mermaid")).default;
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const result = await mermaid.parse(text);
    console.log(`${file}: ok (${result.diagramType}, ${text.length} characters)`);
  } catch (e) {
    console.log(`${file}: ${String(e.message || e).slice(0, 600)}`);
    failed = 1;
  }
}
process.exit(failed);
