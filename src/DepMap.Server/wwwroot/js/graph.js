// The graph panel: lays out /graph.json with Graphviz in the browser and draws it as SVG.
//
// Why lay out in the browser (Graphviz in WebAssembly, @viz-js/viz) rather than show the server's
// /graph.svg: a live page refreshes after every aggregation run, and a fresh dot run moves nodes
// whenever a label's width changes (a count going from 999 to 1,000 is enough). Here the layout is
// keyed by the topology alone (nodes, edges, namespaces): while it is unchanged the drawn SVG is
// kept and only its labels and colours are rewritten, so nothing moves; a new or removed node or
// edge lays the graph out again and the newcomers are highlighted. The DOT below uses the same
// shapes, fills and colours as DotWriter, so the page and /graph.svg agree.

import { shortDuration } from "./format.js";
import { layoutSvg } from "./layout.js";

// Past this many nodes the page does not lay the whole graph out (dot takes seconds, the picture is
// unreadable): it says so and offers grouping by namespace or a focus instead of hanging.
export const MAX_DRAWN_NODES = 800;
// Edge labels are nodes to dot and cost most of its time on big graphs; above this many edges the
// numbers are in the details panel only.
const MAX_LABELLED_EDGES = 150;
// Past as many edges dot gets attributes that trade a few crossings for time: newrank ranks the
// clusters' nodes in one pass, mclimit=0.3 cuts the crossing-minimisation passes. On a 500-service
// graph of about 1,000 edges in 25 namespaces this took dot from about 1 s to 0.4 s (docs/benchmarks.md).
const FAST_DOT_EDGES = MAX_LABELLED_EDGES;
// Past this many edges with more than SFDP_EDGES_PER_NODE edges a node, force-directed sfdp draws
// instead of dot, as the server's renderer does past GraphvizOptions.DotMaxEdges: dot's time grows
// with the crossings of a dense graph, sfdp's hardly. Sparse, layered graphs stay with dot, which
// lays them out in well under a second and draws the left-to-right flow people read.
const SFDP_EDGES = 400;
const SFDP_EDGES_PER_NODE = 2;
const MAX_LABEL = 80;

const HEALTH_FILL = { healthy: "#d9f2d9", degraded: "#fff0c2", failing: "#f8c9c9" };
const ERROR_EDGE = "#d62728";
const CYCLE = "#7b3fa0";
const EDGE_GREY = "#555555";
const EDGE_TEXT = "#333333";
// As ConformanceDotWriter.UnusedColor: declared edges that carry no calls.
const DECLARED_EDGE = "#999999";

// A Graphviz quoted string for hostile input, as DotText.Quote: quotes and backslashes escaped,
// '&' as an entity (Graphviz expands entities in labels), control characters and lone surrogates
// replaced. The result is only ever DOT text; Graphviz escapes it again for the SVG.
export function quote(text) {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "&") out += "&amp;";
    else if (ch === "\n") out += " ";
    else if (ch === "\r") continue;
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0xd800 && c <= 0xdfff)) out += "\uFFFD";
    else out += ch;
  }
  return out + '"';
}

// Lines joined with Graphviz's centred line break, each quoted as above.
const quoteLines = (lines) => `"${lines.map((line) => quote(line).slice(1, -1)).join("\\n")}"`;

const truncate = (text) => {
  const chars = Array.from(text);
  return chars.length <= MAX_LABEL ? text : chars.slice(0, MAX_LABEL - 1).join("") + "…";
};

export function edgeLines(edge) {
  const calls = edge.callCount === 1 ? "1 call" : `${edge.callCount.toLocaleString("en-US")} calls`;
  const latency = edge.clientLatency ?? edge.serverLatency;
  // Always three lines, so a refresh can rewrite them in place whatever the numbers.
  return [calls, `${(edge.errorRate * 100).toFixed(1)}% errors`, latency ? `p99 ${shortDuration(latency.p99)}` : "p99 –"];
}

const edgeColour = (edge) => (edge.errorRate >= 0.05 ? ERROR_EDGE : edge.inCycle ? CYCLE : null);
const penWidth = (calls, maxCalls) => (maxCalls <= 1 ? 1 : 1 + (4 * Math.log10(1 + calls)) / Math.log10(1 + maxCalls));

function nodeAttributes(node) {
  const shape = { database: "shape=cylinder", broker: "shape=hexagon", external: "shape=ellipse", user: "shape=circle, width=0.6" }[node.type] ?? "shape=box";
  const fill = HEALTH_FILL[node.health];
  const styles = [node.type === "service" ? "rounded" : null, node.type === "external" ? "dashed" : null, fill ? "filled" : null].filter(Boolean);
  let text = `label=${quote(truncate(node.name))}, ${shape}`;
  if (styles.length) text += `, style="${styles.join(",")}"`;
  if (fill) text += `, fillcolor="${fill}"`;
  if (node.inCycle) text += `, color="${CYCLE}"`;
  return text;
}

export function topologyKey(graph, grouped) {
  return JSON.stringify([grouped, graph.nodes.map((n) => [n.name, n.type, n.namespace]), graph.edges.map((e) => [e.source, e.target, e.connectionType])]);
}

// The Graphviz engine and the graph attributes that keep its layout time down for this graph's size.
export function layoutFor(graph) {
  const edges = graph.edges.length;
  if (edges > SFDP_EDGES && edges > SFDP_EDGES_PER_NODE * graph.nodes.length) {
    // As the server's sfdp fallback (GraphvizRenderer.SfdpAttributes): prism overlap removal is most of sfdp's time.
    return { engine: "sfdp", attributes: ", overlap=scale, quadtree=fast" };
  }
  return { engine: "dot", attributes: edges > FAST_DOT_EDGES ? ", newrank=true, mclimit=0.3, remincross=false" : "" };
}

function toDot(graph, { clusters, labelled, attributes, extraEdges = [] }) {
  const ids = new Map(graph.nodes.map((n, i) => [n.name, `n${i}`]));
  const lines = ["digraph depmap {"];
  lines.push(`  graph [rankdir=LR, fontname="Helvetica", fontsize=10, nodesep=0.4, ranksep=0.8${labelled ? "" : ", splines=false"}${attributes}];`);
  lines.push('  node [fontname="Helvetica", fontsize=10];');
  lines.push(`  edge [fontname="Helvetica", fontsize=8, color="${EDGE_GREY}", fontcolor="${EDGE_TEXT}"];`);
  const nodeLine = (node, i, indent) => `${indent}n${i} [id="dm-n-${i}", class="node", ${nodeAttributes(node)}];`;
  const namespaces = new Map();
  graph.nodes.forEach((node, i) => {
    if (clusters && node.namespace) {
      if (!namespaces.has(node.namespace)) namespaces.set(node.namespace, []);
      namespaces.get(node.namespace).push([node, i]);
    } else {
      lines.push(nodeLine(node, i, "  "));
    }
  });
  [...namespaces.keys()].sort().forEach((namespace, c) => {
    lines.push(`  subgraph cluster_${c} {`);
    lines.push(`    graph [label=${quote(truncate(namespace))}, style="rounded,dashed", color="#999999"];`);
    for (const [node, i] of namespaces.get(namespace)) lines.push(nodeLine(node, i, "    "));
    lines.push("  }");
  });
  const maxCalls = Math.max(1, ...graph.edges.map((e) => e.callCount));
  graph.edges.forEach((edge, i) => {
    let text = `  ${ids.get(edge.source)} -> ${ids.get(edge.target)} [id="dm-e-${i}", class="edge"`;
    if (labelled) text += `, label=${quoteLines(edgeLines(edge))}`;
    text += `, penwidth=${penWidth(edge.callCount, maxCalls).toFixed(1)}`;
    const colour = edgeColour(edge);
    if (colour) text += `, color="${colour}", fontcolor="${colour}"`;
    if (edge.connectionType === "messaging_system") text += ', style="dashed"';
    lines.push(text + "];");
  });
  // Edges that are not in the data (conformance.js: declared but unused), drawn dashed and grey.
  extraEdges.forEach((edge, i) => {
    let text = `  ${ids.get(edge.source)} -> ${ids.get(edge.target)} [id="dm-x-${i}", class="edge declared", style="dashed", color="${DECLARED_EDGE}"`;
    if (labelled) text += `, label=${quote(edge.label)}, fontcolor="${DECLARED_EDGE}"`;
    lines.push(text + "];");
  });
  lines.push("}");
  return lines.join("\n");
}

export function createGraphPanel(container, { onSelectNode, onSelectEdge }) {
  let current = null; // { key, graph, svg, panZoom, nodeEls, edgeEls }
  let searchText = "";
  let selected = null;

  container.addEventListener("keydown", (event) => {
    const panZoom = current?.panZoom;
    if (!panZoom || event.target !== container) return;
    const step = 60;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[event.key]) panZoom.panBy({ x: moves[event.key][0], y: moves[event.key][1] });
    else if (event.key === "+" || event.key === "=") panZoom.zoomIn();
    else if (event.key === "-") panZoom.zoomOut();
    else if (event.key === "0") fit();
    else return;
    event.preventDefault();
  });

  function fit() {
    if (!current?.panZoom) return;
    current.panZoom.resize();
    current.panZoom.fit();
    current.panZoom.center();
  }

  function clear() {
    current?.panZoom?.destroy();
    container.replaceChildren();
    current = null;
  }

  // extraEdges: [{ source, target, label }] between drawn nodes, not part of the graph's data (see toDot).
  async function render(graph, { grouped, extraEdges = [] }) {
    const started = performance.now();
    const drawn = new Set(graph.nodes.map((n) => n.name));
    extraEdges = extraEdges.filter((e) => drawn.has(e.source) && drawn.has(e.target));
    const key = topologyKey(graph, grouped) + JSON.stringify(extraEdges);
    if (current && current.key === key) {
      updateInPlace(graph);
      current.graph = graph;
      return { relaid: false, ms: performance.now() - started };
    }
    const before = current?.graph;
    const labelled = graph.edges.length <= MAX_LABELLED_EDGES;
    const { engine, attributes } = layoutFor(graph);
    // sfdp ignores clusters.
    const clusters = engine === "dot" && !grouped && graph.nodes.some((n) => n.namespace);
    const dot = toDot(graph, { clusters, labelled, attributes, extraEdges });
    const text = await layoutSvg(dot, engine);
    performance.mark("depmap:laid-out");
    const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", `Service graph: ${graph.nodes.length} nodes, ${graph.edges.length} edges`);
    // Graphviz's <title> elements hold our ids (n0, n0->n1), not names: tooltips that say nothing.
    svg.querySelectorAll("title").forEach((t) => t.remove());
    const nodeEls = graph.nodes.map((node, i) => {
      const g = svg.getElementById(`dm-n-${i}`);
      g.dataset.name = node.name;
      return g;
    });
    const edgeEls = graph.edges.map((edge, i) => {
      const g = svg.getElementById(`dm-e-${i}`);
      g.dataset.source = edge.source;
      g.dataset.target = edge.target;
      return g;
    });
    const extraEls = extraEdges.map((edge, i) => {
      const g = svg.getElementById(`dm-x-${i}`);
      g.dataset.source = edge.source;
      g.dataset.target = edge.target;
      return g;
    });
    clear();
    container.append(svg);
    const panZoom = window.svgPanZoom(svg, { zoomScaleSensitivity: 0.3, minZoom: 0.05, maxZoom: 40, dblClickZoomEnabled: false, fit: true, center: true });
    current = { key, graph, svg, panZoom, nodeEls, edgeEls, extraEls };
    svg.addEventListener("click", (event) => {
      const node = event.target.closest(".node");
      const edge = event.target.closest(".edge");
      if (node) onSelectNode(node.dataset.name);
      else if (edge) onSelectEdge(edge.dataset.source, edge.dataset.target);
    });
    const added = markChanges(before, graph);
    highlight(searchText, false);
    select(selected);
    return { relaid: true, added, engine, ms: performance.now() - started };
  }

  // Newcomers since the last picture get a green outline for a while; removals are reported.
  function markChanges(before, graph) {
    if (!before) return [];
    const oldNodes = new Set(before.nodes.map((n) => n.name));
    const oldEdges = new Set(before.edges.map((e) => `${e.source}\u0000${e.target}\u0000${e.connectionType}`));
    const added = [];
    graph.nodes.forEach((n, i) => {
      if (!oldNodes.has(n.name)) { current.nodeEls[i].classList.add("changed"); added.push(n.name); }
    });
    graph.edges.forEach((e, i) => {
      if (!oldEdges.has(`${e.source}\u0000${e.target}\u0000${e.connectionType}`)) { current.edgeEls[i].classList.add("changed"); added.push(`${e.source} → ${e.target}`); }
    });
    const svg = current.svg;
    setTimeout(() => svg.querySelectorAll(".changed").forEach((g) => g.classList.remove("changed")), 15000);
    return added;
  }

  // Same topology: the same elements get the new numbers and colours; no coordinate changes.
  function updateInPlace(graph) {
    const maxCalls = Math.max(1, ...graph.edges.map((e) => e.callCount));
    graph.nodes.forEach((node, i) => {
      const shape = current.nodeEls[i].querySelector("polygon, path, ellipse");
      shape?.setAttribute("fill", HEALTH_FILL[node.health] ?? "none");
    });
    graph.edges.forEach((edge, i) => {
      const g = current.edgeEls[i];
      const colour = edgeColour(edge) ?? EDGE_GREY;
      const path = g.querySelector("path");
      path?.setAttribute("stroke", colour);
      path?.setAttribute("stroke-width", penWidth(edge.callCount, maxCalls).toFixed(1));
      g.querySelectorAll("polygon").forEach((p) => { p.setAttribute("fill", colour); p.setAttribute("stroke", colour); });
      const texts = g.querySelectorAll("text");
      const lines = edgeLines(edge);
      texts.forEach((t, k) => {
        if (k < lines.length) t.textContent = lines[k];
        t.setAttribute("fill", edgeColour(edge) ?? EDGE_TEXT);
      });
    });
  }

  function highlight(text, pan = true) {
    searchText = (text ?? "").trim().toLowerCase();
    if (!current) return [];
    container.classList.toggle("searching", searchText.length > 0);
    const matches = [];
    current.graph.nodes.forEach((node, i) => {
      const match = searchText.length > 0 && node.name.toLowerCase().includes(searchText);
      current.nodeEls[i].classList.toggle("match", match);
      if (match) matches.push(current.nodeEls[i]);
    });
    if (pan && matches.length > 0) panTo(matches[0]);
    return matches.map((g) => g.dataset.name);
  }

  function panTo(element) {
    const box = element.getBoundingClientRect();
    const frame = container.getBoundingClientRect();
    current.panZoom.panBy({ x: frame.left + frame.width / 2 - (box.left + box.width / 2), y: frame.top + frame.height / 2 - (box.top + box.height / 2) });
  }

  function select(selection) {
    selected = selection;
    if (!current) return;
    current.svg.querySelectorAll(".selected").forEach((g) => g.classList.remove("selected"));
    if (!selection) return;
    if (selection.node) current.nodeEls.find((g) => g.dataset.name === selection.node)?.classList.add("selected");
    if (selection.edge) [...current.edgeEls, ...current.extraEls].filter((g) => g.dataset.source === selection.edge[0] && g.dataset.target === selection.edge[1]).forEach((g) => g.classList.add("selected"));
  }

  return {
    render,
    clear,
    fit,
    highlight,
    select,
    zoomIn: () => current?.panZoom?.zoomIn(),
    zoomOut: () => current?.panZoom?.zoomOut(),
    get graph() { return current?.graph; },
  };
}
