// The conformance toggle: the declared model (POST /models, or Conformance:ModelPath) judged by the
// window the graph shows, drawn as /conformance.svg draws it (docs/conformance.md): undeclared edges
// and unknown services red, violations bold, declared edges unused in the window added dashed grey,
// everything else grey, so colour means a finding only. The report is of the whole window; a
// focused view colours what it draws, a grouped one lifts each finding to its namespaces.

import { getJson, enc } from "./api.js";
import { count, el } from "./format.js";
import { windowQuery } from "./state.js";

const key = (source, target) => `${source}\u0000${target}`;

export function createConformance({ toggle, legend, graphBox, onToggle }) {
  let report = null;
  let problem = null;
  let edges = new Map(); // drawn source/target -> { undeclared: [], violations: [], unused: [] }
  let nodes = new Map(); // drawn name -> unknown services

  toggle.addEventListener("change", () => onToggle(toggle.checked));

  // Reads the report for the view (nothing when the toggle is off); never throws, so the graph draws whatever happens.
  async function load(view) {
    toggle.checked = view.conf === "1" && !toggle.disabled;
    if (!toggle.checked) {
      report = null;
      if (!toggle.disabled) problem = null;
      return;
    }
    try {
      // Grouped, a finding between services belongs to the edge between their namespace nodes.
      const [read, groups] = await Promise.all([
        getJson(`/conformance.json?${windowQuery(view)}`),
        view.group ? getJson(`/graph.json?${windowQuery(view)}`).then((g) => new Map(g.nodes.map((n) => [n.name, n.namespace ?? n.name]))) : null,
      ]);
      report = read;
      problem = null;
      index(groups);
    } catch (error) {
      report = null;
      problem = error.message;
      if (error.status === 404) {
        // No model stored or configured: say so on the toggle instead of failing each refresh.
        toggle.checked = false;
        toggle.disabled = true;
        toggle.title = `No declared model: ${error.message}`;
      }
    }
  }

  function index(groups) {
    const lift = (name) => groups?.get(name) ?? name;
    edges = new Map();
    nodes = new Map();
    const entry = (caller, callee) => {
      const k = key(lift(caller), lift(callee));
      if (!edges.has(k)) edges.set(k, { source: lift(caller), target: lift(callee), undeclared: [], violations: [], unused: [] });
      return edges.get(k);
    };
    for (const edge of report.undeclaredEdges) entry(edge.caller, edge.callee).undeclared.push(edge);
    for (const violation of report.violations) {
      for (const edge of violation.edges) entry(edge.caller, edge.callee).violations.push({ ...violation, edge });
    }
    for (const unused of report.unusedEdges) {
      for (const caller of unused.callerServices) for (const callee of unused.calleeServices) entry(caller, callee).unused.push(unused);
    }
    for (const service of report.unknownServices) {
      const name = lift(service.service);
      nodes.set(name, [...(nodes.get(name) ?? []), service]);
    }
  }

  // Declared edges with no calls between two drawn nodes: graph.js draws them, dashed, beside the data.
  function extraEdges(data) {
    if (!report) return [];
    const observed = new Set(data.edges.map((e) => key(e.source, e.target)));
    return [...edges.values()]
      .filter((f) => f.unused.length > 0 && f.source !== f.target && !observed.has(key(f.source, f.target)))
      .map((f) => ({ source: f.source, target: f.target, label: "declared, unused" }));
  }

  // Classes on the drawn elements (css/page.css colours them), after every drawing: a refresh keeps them.
  function paint() {
    graphBox.classList.toggle("conformance", Boolean(report));
    for (const g of graphBox.querySelectorAll("g.edge")) {
      const found = report ? edges.get(key(g.dataset.source, g.dataset.target)) : null;
      const undeclared = Boolean(found?.undeclared.length);
      const violation = Boolean(found?.violations.length);
      const unused = Boolean(report) && g.classList.contains("declared");
      g.classList.toggle("conf-undeclared", undeclared);
      g.classList.toggle("conf-violation", violation);
      g.classList.toggle("conf-unused", unused);
      const rules = [...new Set(found?.violations.map((v) => v.rule) ?? [])];
      tooltip(g, [undeclared ? "undeclared" : null, unused ? "declared, unused" : null, ...rules].filter(Boolean).join(", "));
    }
    for (const g of graphBox.querySelectorAll("g.node")) {
      const unknown = Boolean(report && nodes.has(g.dataset.name));
      g.classList.toggle("conf-unknown", unknown);
      tooltip(g, unknown ? "undeclared service" : "");
    }
    showLegend();
  }

  function tooltip(g, text) {
    g.querySelector(":scope > title.conf-title")?.remove();
    if (!text) return;
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.setAttribute("class", "conf-title");
    title.textContent = text;
    g.prepend(title);
  }

  function showLegend() {
    legend.hidden = !report && !problem;
    if (!report) {
      legend.replaceChildren(problem ? el("p", { class: "conformance-problem" }, `Conformance: ${problem}`) : "");
      return;
    }
    const row = (finding, swatch, text) => el("li", { "data-finding": finding },
      el("span", { class: `swatch swatch-${swatch}`, "aria-hidden": "true" }), `${text}: `,
      el("span", { "data-count": "" }, count(report.counts[finding])));
    legend.replaceChildren(
      el("span", { class: "conformance-model" }, `Conformance of ${report.model.name ?? "the model"} (${report.model.format})`),
      el("ul", {},
        row("undeclaredEdges", "undeclared", "undeclared edges"),
        row("unusedEdges", "unused", "declared, unused"),
        row("violations", "violation", "violations"),
        row("unknownServices", "unknown", "unknown services"),
        row("unmappedEntities", "none", "unmapped entities")),
      report.unusedNote ? el("span", { class: "conformance-note" }, report.unusedNote) : "");
  }

  function trace(traceId, template) {
    if (!traceId) return "none";
    return template
      ? el("a", { href: template.replaceAll("{traceId}", enc(traceId)), target: "_blank", rel: "noopener", "data-trace": traceId }, traceId)
      : el("code", { "data-trace": traceId }, traceId);
  }

  function finding(kind, rule, text, calls, errors, traceId, template) {
    return el("li", { "data-finding": kind, "data-rule": rule },
      el("strong", {}, rule), ` ${text}`,
      calls === undefined ? "" : ` · ${count(calls)} calls, ${count(errors)} errors · exemplar `,
      calls === undefined ? "" : trace(traceId, template));
  }

  // The findings on the selected edge or node, appended to the details panel (after details.js drew it).
  function describe(selection, section, template) {
    section.querySelector(".conformance-findings")?.remove();
    if (!report || !selection) return;
    const items = [];
    if (selection.edge) {
      const found = edges.get(key(...selection.edge));
      if (!found) return;
      for (const e of found.undeclared) items.push(finding("undeclared", "undeclared", "not in the model", e.calls, e.errors, e.exemplarTraceId, template));
      for (const v of found.violations) items.push(finding("violation", v.rule, v.message, v.edge.calls, v.edge.errors, v.edge.exemplarTraceId ?? v.exemplarTraceId, template));
      for (const u of found.unused) items.push(finding("unused", "declared, unused", `${u.from} → ${u.to} via ${u.via}; no calls in this window${report.unusedNote ? ` (${report.unusedNote})` : ""}`));
      if (found.unused.length > 0 && found.undeclared.length + found.violations.length === 0) {
        // Not in /graph.json, so details.js found nothing to show: name the edge here instead.
        section.querySelector("p.empty")?.remove();
        section.append(el("h3", { class: "name", "data-field": "name" }, `${selection.edge[0]} → ${selection.edge[1]}`));
      }
    } else {
      for (const s of nodes.get(selection.node) ?? []) {
        items.push(finding("unknown", "unknown service", `${s.service} is not declared in the model`, s.calls, s.errors, s.exemplarTraceId, template));
      }
    }
    if (items.length > 0) section.append(el("div", { class: "conformance-findings" }, el("h3", {}, "Conformance"), el("ul", {}, items)));
  }

  return { load, extraEdges, paint, describe };
}
