// Runs Graphviz (viz.js, WebAssembly) off the page's main thread: compiling the 1.2 MB module and
// laying out a few hundred nodes take hundreds of milliseconds each, during which the page would
// not paint or answer input. Takes { id, dot, engine }, answers { id, svg } or { id, error }.
import { instance } from "../vendor/viz-js/viz.js";

const vizReady = instance();
// The page marks when Graphviz is ready (the figures in docs/benchmarks.md say where the time goes).
vizReady.then(() => self.postMessage({ ready: true }), () => {});

// Graphviz's comments and <title>s name our ids (n0, n0->n1), which the page never shows; without
// them the main thread has less SVG to parse (about a tenth of a 500-node picture).
const unused = /<!--[^>]*-->\n?|<title>[^<]*<\/title>\n?/g;

self.onmessage = async ({ data: { id, dot, engine } }) => {
  try {
    const viz = await vizReady;
    self.postMessage({ id, svg: viz.renderString(dot, { format: "svg", engine }).replace(unused, "") });
  } catch (error) {
    self.postMessage({ id, error: error?.message ?? String(error) });
  }
};
