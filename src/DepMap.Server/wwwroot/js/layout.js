// Lays DOT out as SVG text in a Web Worker (layout-worker.js), started when this module loads so
// Graphviz compiles while the page's other modules and its first /graph.json are still loading.
// Should the worker fail to start, layouts run on the main thread as before: slower, still drawn.

let worker = null;
let nextId = 0;
const pending = new Map();
let mainThreadViz = null;

function fallBack(reason) {
  worker?.terminate();
  worker = null;
  for (const [id, { dot, engine, resolve, reject }] of pending) {
    pending.delete(id);
    onMainThread(dot, engine).then(resolve, reject);
  }
  console.warn(`layout worker unavailable (${reason}); laying out on the main thread`);
}

async function onMainThread(dot, engine) {
  mainThreadViz ??= import("../vendor/viz-js/viz.js").then((m) => m.instance());
  return (await mainThreadViz).renderString(dot, { format: "svg", engine });
}

try {
  worker = new Worker(new URL("./layout-worker.js", import.meta.url), { type: "module", name: "graphviz" });
  worker.onmessage = ({ data: { id, svg, error, ready } }) => {
    if (ready) return void performance.mark("depmap:graphviz-ready");
    const job = pending.get(id);
    if (!job) return;
    pending.delete(id);
    if (error === undefined) job.resolve(svg);
    else job.reject(new Error(error));
  };
  worker.onerror = (event) => fallBack(event.message || "worker error");
} catch (error) {
  worker = null;
  console.warn(`layout worker unavailable (${error.message}); laying out on the main thread`);
}

/** The SVG text of `dot` laid out by Graphviz's `engine` (dot or sfdp). */
export function layoutSvg(dot, engine) {
  if (!worker) return onMainThread(dot, engine);
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { dot, engine, resolve, reject });
    worker.postMessage({ id, dot, engine });
  });
}
