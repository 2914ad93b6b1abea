// Wires the panels to the view in the URL and to the server's /events stream.
import { getJson } from "./api.js";
import { takeEarly } from "./boot.js";
import { createGraphPanel, MAX_DRAWN_NODES } from "./graph.js";
import { createDetailsPanel } from "./details.js";
import { createRankingPanel } from "./ranking.js";
import { createSnapshotsPanel } from "./snapshots.js";
import { createTimeBar } from "./timebar.js";
import { createConformance } from "./conformance.js";
import { readView, writeView, graphQuery, windowQuery } from "./state.js";

const graphBox = document.getElementById("graph");
const notice = document.getElementById("graph-notice");
let view = readView();
let settings = { traceUrlTemplate: "" };
let ranking = [];
let loading = null;
let seenVersion = null;
let pendingVersion = null;
// What tests and the benchmark read: renders so far, whether the last one re-laid the graph out.
const page = (window.depmap = { renders: 0, loading: false, lastRender: null, version: null, events: 0, eventVersion: null });

const timebar = createTimeBar({
  onChange: (patch) => change(patch),
  onSearch: (text, focusFirst) => {
    const matches = graph.highlight(text);
    view.q = text || undefined;
    writeView(view, true);
    if (focusFirst && matches.length > 0) change({ focus: matches[0], sel: `node:${matches[0]}` });
  },
  onLive: (on) => {
    view.live = on ? undefined : "0";
    writeView(view, true);
    if (on && pendingVersion !== null) load();
  },
});
const graph = createGraphPanel(graphBox, { onSelectNode: selectNode, onSelectEdge: selectEdge });
const details = createDetailsPanel(document.getElementById("details"));
const rankingPanel = createRankingPanel(document.getElementById("ranking"), { onFocus: (service) => change({ focus: service, sel: `node:${service}`, group: undefined }) });
const conformance = createConformance({ toggle: document.getElementById("conformance"), legend: document.getElementById("conformance-legend"), graphBox, onToggle: (on) => change({ conf: on ? "1" : undefined }) });
const snapshots = createSnapshotsPanel(document.getElementById("snapshots"), { onDiff: (diff) => change({ diff: diff ?? undefined }, false) });

document.getElementById("fit").addEventListener("click", () => graph.fit());
document.getElementById("zoom-in").addEventListener("click", () => graph.zoomIn());
document.getElementById("zoom-out").addEventListener("click", () => graph.zoomOut());
window.addEventListener("popstate", () => { view = readView(); timebar.show(view); load(); snapshots.show(view.diff, view.lookback); });

function change(patch, reload = true) {
  view = { ...view, ...patch };
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key];
  if (!view.lookback && !view.from) view.lookback = "1h";
  writeView(view);
  timebar.show(view);
  if (reload) load();
  snapshots.show(view.diff, view.lookback);
}

function selectNode(name) {
  view.sel = `node:${name}`;
  writeView(view);
  graph.select({ node: name });
  showSelection();
}

function selectEdge(source, target) {
  view.sel = `edge:${JSON.stringify([source, target])}`;
  writeView(view);
  graph.select({ edge: [source, target] });
  showSelection();
}

function selection() {
  if (!view.sel) return null;
  if (view.sel.startsWith("node:")) return { node: view.sel.slice(5) };
  try {
    const edge = JSON.parse(view.sel.slice(5));
    return Array.isArray(edge) && edge.length === 2 ? { edge } : null;
  } catch {
    return null;
  }
}

function showSelection() {
  const chosen = selection();
  const current = graph.graph;
  if (!chosen || !current) return details.reset();
  const context = { graph: current, view, ranking, settings, onSelectNode: selectNode, onSelectEdge: selectEdge };
  const shown = chosen.node ? details.showNode(chosen.node, context) : details.showEdge(chosen.edge[0], chosen.edge[1], context);
  const sel = view.sel;
  shown.then(() => { if (view.sel === sel) conformance.describe(chosen, document.getElementById("details"), settings.traceUrlTemplate); });
}

// One load at a time; a change during a load is picked up by one more load after it.
async function load() {
  if (loading) {
    loading.again = true;
    return loading.promise;
  }
  loading = { again: false };
  page.loading = true;
  loading.promise = (async () => {
    try {
      do {
        loading.again = false;
        await loadOnce();
      } while (loading.again);
    } finally {
      loading = null;
      page.loading = false;
    }
  })();
  return loading.promise;
}

async function loadOnce() {
  const version = pendingVersion;
  timebar.status("Loading…");
  graphBox.dataset.state = "loading";
  try {
    const graphUrl = `/graph.json?${graphQuery(view)}`;
    const rankingUrl = `/services/ranking?${windowQuery(view)}`;
    const early = takeEarly(graphUrl, rankingUrl);
    const [data, ranked] = await Promise.all([early?.graph ?? getJson(graphUrl), early?.ranking ?? getJson(rankingUrl), conformance.load(view)]);
    performance.mark("depmap:graph-read");
    ranking = ranked;
    rankingPanel.render(ranking);
    timebar.names(data.nodes.map((n) => n.name));
    if (data.nodes.length > MAX_DRAWN_NODES) {
      graph.clear();
      notice.hidden = false;
      notice.textContent = `${data.nodes.length} nodes are more than the page lays out at once (${MAX_DRAWN_NODES}). `
        + "Group by namespace, focus on a service (type its name in Focus, or choose it in the ranking), or raise Min calls.";
      graphBox.dataset.state = "too-large";
      page.lastRender = { relaid: false, tooLarge: true, at: performance.now() };
      timebar.status(`${data.nodes.length} nodes, ${data.edges.length} edges: too many to draw; group or focus.`);
    } else {
      notice.hidden = data.nodes.length > 0;
      notice.textContent = data.nodes.length > 0 ? "" : "No traffic in this window. Choose a longer range, or send spans (see the README).";
      const result = await graph.render(data, { grouped: Boolean(view.group), extraEdges: conformance.extraEdges(data) });
      graph.highlight(view.q ?? "", false);
      graph.select(selection());
      page.lastRender = { ...result, at: performance.now() };
      graphBox.dataset.state = "drawn";
      const added = result.added?.length ? ` New: ${result.added.slice(0, 5).join(", ")}${result.added.length > 5 ? "…" : ""}.` : "";
      timebar.status(`${data.nodes.length} nodes, ${data.edges.length} edges · drawn in ${Math.round(result.ms)} ms${result.relaid ? "" : " (same layout)"}.${added}`);
    }
    if (version !== null) {
      page.version = version;
      seenVersion = version;
    }
    if (pendingVersion === version) pendingVersion = null;
    conformance.paint();
    page.renders += 1;
    graphBox.dataset.renders = String(page.renders);
    showSelection();
  } catch (error) {
    graphBox.dataset.state = "error";
    timebar.status(`Could not load the graph: ${error.message}`);
  }
}

// Live refresh: /events says when an aggregation run changed the statistics; only then is the graph read again.
function listen() {
  let firstEvent = true;
  const events = new EventSource("/events");
  events.addEventListener("aggregated", (event) => {
    const { version } = JSON.parse(event.data);
    page.events += 1;
    page.eventVersion = version;
    if (firstEvent) {
      firstEvent = false;
      // The first event names the version current when the stream opened: what the page has just drawn.
      if (page.renders > 0 && !loading) {
        seenVersion = version;
        return;
      }
    }
    if (version === seenVersion) return;
    pendingVersion = version;
    if (view.live !== "0") load();
    else timebar.status("New data arrived; live refresh is paused.");
  });
}

timebar.show(view);
writeView(view, true);
const settingsRead = getJson("/ui/settings.json").then((s) => { settings = s; }, () => { /* trace ids shown without links */ });
await Promise.all([load(), settingsRead]);
snapshots.load();
snapshots.show(view.diff, view.lookback);
listen();
