// Parse Mermaid diagrams with the real mermaid package, in node, without a browser.
// stdin: a JSON list of diagram texts. stdout: a JSON list with, per text, either
// {ok: false, error} or {ok: true, type, nodes: {id: [shape, text]}, edges: [[from, to, text]]}
// where the texts are the labels as a browser shows them (Mermaid's entity codes decoded).
// mermaid.parse() runs the diagram's grammar and its database (which sanitises labels with
// DOMPurify, so it needs a DOM window: jsdom's, set before mermaid is imported).
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });

// what mermaidAPI.decodeEntities does to a label after parsing (#quot; was stored as
// "ﬂ°quot¶ß", #35; as "ﬂ°°35¶ß"), then the browser's reading of the HTML entity
function shown(text) {
  const html = String(text ?? '').replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  const area = dom.window.document.createElement('textarea');
  area.innerHTML = html;
  return area.value;
}

const texts = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const text of texts) {
  try {
    const parsed = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const nodes = {};
    for (const vertex of diagram.db.getVertices().values()) {
      nodes[vertex.id] = [vertex.type, shown(vertex.text)];
    }
    const edges = diagram.db.getEdges().map((e) => [e.start, e.end, shown(e.text)]);
    results.push({ ok: true, type: parsed.diagramType, nodes, edges });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
