// The details panel: a node's or an edge's numbers from /graph.json (the same figures the picture
// is drawn from), the node's reliability facts from /services/{name}, its ranking position, exemplar
// trace links built from Ui:TraceUrlTemplate, and a small chart from the series endpoints.

import { getJson, enc } from "./api.js";
import { seriesCharts } from "./chart.js";
import { count, percent, ms, rate, el } from "./format.js";
import { windowQuery, windowSeconds } from "./state.js";

export function createDetailsPanel(section) {
  let token = 0;

  function reset(message = "Click a service or an edge.") {
    section.replaceChildren(el("h2", {}, "Details"), el("p", { class: "empty" }, message));
  }

  function figures(pairs) {
    return el("dl", { class: "figures" }, pairs.flatMap(([label, value, field]) => [el("dt", {}, label), el("dd", { "data-field": field }, value)]));
  }

  function traceLinks(exemplars, template) {
    if (exemplars.length === 0) return el("p", { class: "empty" }, "No exemplar traces in this window.");
    return el("ul", { class: "exemplars" }, exemplars.map(({ kind, traceId }) => el("li", {},
      `${kind}: `,
      template
        // The id is hex from the aggregation; encoded anyway, and the template is the operator's own setting.
        ? el("a", { href: template.replaceAll("{traceId}", enc(traceId)), target: "_blank", rel: "noopener", "data-trace": traceId }, traceId)
        : el("code", { "data-trace": traceId }, traceId))));
  }

  function exemplarsOf(edges) {
    const seen = new Set();
    const list = [];
    for (const edge of edges) {
      const ex = edge.exemplars ?? {};
      for (const [kind, value] of [["slowest", ex.slowest], ["latest failure", ex.latestFailure]]) {
        if (value && !seen.has(value.traceId)) { seen.add(value.traceId); list.push({ kind: `${kind} (${edge.source} → ${edge.target})`, traceId: value.traceId }); }
      }
    }
    return list.slice(0, 8);
  }

  function peerTable(caption, edges, peerOf, onPeer) {
    if (edges.length === 0) return el("p", { class: "empty" }, `No ${caption.toLowerCase()} in this view.`);
    return el("table", {},
      el("caption", { class: "visually-hidden" }, caption),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, caption), el("th", { scope: "col", class: "num" }, "calls"), el("th", { scope: "col", class: "num" }, "errors"), el("th", { scope: "col", class: "num" }, "p99"))),
      el("tbody", {}, edges.map((e) => el("tr", {},
        el("td", { class: "name" }, el("button", { type: "button", class: "link-button", onclick: () => onPeer(e) }, peerOf(e))),
        el("td", { class: "num" }, count(e.callCount)),
        el("td", { class: "num" }, percent(e.errorRate)),
        el("td", { class: "num" }, ms((e.clientLatency ?? e.serverLatency)?.p99))))));
  }

  function operationsTable(operations) {
    if (operations.length === 0) return el("p", { class: "empty" }, "No operations recorded.");
    return el("table", { class: "operations" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "operation"), el("th", { scope: "col", class: "num" }, "calls"), el("th", { scope: "col", class: "num" }, "errors"), el("th", { scope: "col", class: "num" }, "p99"))),
      el("tbody", {}, operations.map((op) => el("tr", {},
        el("td", { class: "name" }, op.other ? "(other operations)" : op.name || "(unnamed)"),
        el("td", { class: "num" }, count(op.callCount)),
        el("td", { class: "num" }, count(op.errorCount)),
        el("td", { class: "num" }, ms(op.p99))))));
  }

  async function chart(url, mine) {
    const holder = el("div", { class: "chart-holder" }, el("p", { class: "empty" }, "Loading the series…"));
    getJson(url).then((series) => {
      if (mine === token) holder.replaceChildren(el("h3", {}, `Per ${series.step}`), seriesCharts(series, Math.max(240, section.clientWidth - 30)));
    }, (error) => {
      if (mine === token) holder.replaceChildren(el("p", { class: "empty" }, `Series unavailable: ${error.message}`));
    });
    return holder;
  }

  async function showNode(name, { graph, view, ranking, settings, onSelectNode, onSelectEdge }) {
    const mine = ++token;
    const node = graph.nodes.find((n) => n.name === name);
    if (!node) return reset(`${name} is not in this view.`);
    const seconds = windowSeconds(view);
    const incoming = graph.edges.filter((e) => e.target === name);
    const outgoing = graph.edges.filter((e) => e.source === name);
    const position = ranking.find((r) => r.service === name);
    const latency = node.stats.latency;
    const operations = new Map();
    for (const edge of incoming) for (const op of edge.operations) {
      const key = op.other ? "\u0000other" : op.name;
      const sum = operations.get(key) ?? { ...op, callCount: 0, errorCount: 0, p99: null };
      sum.callCount += op.callCount;
      sum.errorCount += op.errorCount;
      sum.p99 = Math.max(sum.p99 ?? 0, op.p99 ?? 0) || op.p99;
      operations.set(key, sum);
    }
    const busiest = [...operations.values()].sort((a, b) => b.callCount - a.callCount).slice(0, 8);
    const reliability = el("div", { class: "reliability" });
    const charted = await chart(`/services/${enc(name)}/series?${windowQuery(view)}`, mine);
    section.replaceChildren(
      el("h2", {}, "Details"),
      el("h3", { class: "name", "data-field": "name" }, name),
      el("p", {}, `${node.type}${node.namespace ? ` in ${node.namespace}` : ""} · `,
        node.health ? el("span", { class: `health health-${node.health}`, "data-field": "health" }, node.health) : "not assessed",
        position ? ` · rank ${position.rank} of ${ranking.length}` : ""),
      figures([
        ["requests", count(node.stats.requestsServed), "requests"],
        ["rate", rate(node.stats.requestsServed, seconds), "rate"],
        ["errors", `${count(node.stats.errorCount)} (${percent(node.stats.errorRate)})`, "errors"],
        ["p50", ms(latency?.p50), "p50"],
        ["p95", ms(latency?.p95), "p95"],
        ["p99", ms(latency?.p99), "p99"],
        ["calls made", count(node.stats.callsMade), "callsMade"],
        ["ranking", position ? `#${position.rank} (score ${position.score})` : "–", "rank"],
      ]),
      reliability,
      charted,
      el("h3", {}, "Callers"), peerTable("Callers", incoming, (e) => e.source, (e) => onSelectEdge(e.source, e.target)),
      el("h3", {}, "Callees"), peerTable("Callees", outgoing, (e) => e.target, (e) => onSelectEdge(e.source, e.target)),
      el("h3", {}, "Busiest operations"), operationsTable(busiest),
      el("h3", {}, "Exemplar traces"), traceLinks(exemplarsOf([...incoming, ...outgoing]), settings.traceUrlTemplate));
    if (view.group) return;
    getJson(`/services/${enc(name)}?${windowQuery(view)}`).then((detail) => {
      const r = detail.service.reliability;
      if (mine !== token || !r) return;
      reliability.replaceChildren(figures([
        ["originated errors", `${count(r.originatedErrors)} (${percent(r.originatedErrorRate)})`, "originated"],
        ["passed on", count(r.passedOnErrors), "passedOn"],
        ["own time", percent(r.selfTimeShare), "selfTime"],
      ]));
    }, () => { /* a node without spans of its own (a database) has no reliability facts */ });
  }

  async function showEdge(source, target, { graph, view, settings, onSelectNode }) {
    const mine = ++token;
    const edges = graph.edges.filter((e) => e.source === source && e.target === target);
    if (edges.length === 0) return reset(`${source} → ${target} is not in this view.`);
    const seconds = windowSeconds(view);
    const charted = await chart(`/edges/series?source=${enc(source)}&target=${enc(target)}&${windowQuery(view)}`, mine);
    const parts = edges.flatMap((edge) => [
      el("p", {}, edge.connectionType ? `over ${edge.connectionType}` : "request/response",
        edge.broker || edge.destination ? ` via ${[edge.broker, edge.destination].filter(Boolean).join(" / ")}` : ""),
      figures([
        ["calls", count(edge.callCount), "calls"],
        ["rate", rate(edge.callCount, seconds), "rate"],
        ["errors", `${count(edge.errorCount)} (${percent(edge.errorRate)})`, "errors"],
        ["client p50 / p95 / p99", `${ms(edge.clientLatency?.p50)} / ${ms(edge.clientLatency?.p95)} / ${ms(edge.clientLatency?.p99)}`, "client"],
        ["server p50 / p95 / p99", `${ms(edge.serverLatency?.p50)} / ${ms(edge.serverLatency?.p95)} / ${ms(edge.serverLatency?.p99)}`, "server"],
        ...(edge.queueDelay ? [["queue delay p50 / p99", `${ms(edge.queueDelay.p50)} / ${ms(edge.queueDelay.p99)}`, "queue"]] : []),
      ]),
      el("h3", {}, "Operations"), operationsTable(edge.operations),
    ]);
    section.replaceChildren(
      el("h2", {}, "Details"),
      el("h3", { class: "name", "data-field": "name" },
        el("button", { type: "button", class: "link-button", onclick: () => onSelectNode(source) }, source), " → ",
        el("button", { type: "button", class: "link-button", onclick: () => onSelectNode(target) }, target)),
      ...parts,
      charted,
      el("h3", {}, "Exemplar traces"), traceLinks(exemplarsOf(edges), settings.traceUrlTemplate));
  }

  reset();
  return { showNode, showEdge, reset };
}
