// Snapshots: the stored list, and "diff against…" showing the diff picture (the server's SVG, shown
// as an <img>, so nothing in it can run) with the added, removed and regressed lists.
import { getJson, enc } from "./api.js";
import { el } from "./format.js";

export function createSnapshotsPanel(section, { onDiff }) {
  const list = section.querySelector(".snapshot-list");
  const diffBox = section.querySelector(".diff");
  let snapshots = [];

  async function load() {
    try {
      snapshots = (await getJson("/snapshots?pageSize=50")).items;
    } catch (error) {
      list.replaceChildren(el("li", {}, `Snapshots unavailable: ${error.message}`));
      return;
    }
    if (snapshots.length === 0) {
      list.replaceChildren(el("li", { class: "empty" }, "No snapshots yet (hourly and daily by default; POST /snapshots takes one)."));
      return;
    }
    list.replaceChildren(...snapshots.map((s) => el("li", { "data-snapshot": s.id },
      `#${s.id} `, s.label ? el("strong", {}, s.label) : "", ` ${s.takenAt.replace("T", " ").slice(0, 16)} · ${s.nodes} nodes, ${s.edges} edges `,
      el("a", { href: s.links.svg, target: "_blank", rel: "noopener" }, "picture"), " ",
      el("label", {}, el("span", { class: "visually-hidden" }, `Diff snapshot ${s.id} against`),
        el("select", { "data-head": s.id, onchange: (event) => { if (event.target.value) onDiff(`${s.id}:${event.target.value}`); } },
          el("option", { value: "" }, "diff against…"),
          el("option", { value: "window" }, "the current window"),
          snapshots.filter((o) => o.id !== s.id).map((o) => el("option", { value: String(o.id) }, `#${o.id}${o.label ? ` ${o.label}` : ""}`)))))));
  }

  function edgeList(title, edges, describe) {
    return [el("h3", {}, `${title} (${edges.length})`),
      edges.length === 0 ? el("p", { class: "empty" }, "none") : el("ul", { class: `diff-${title.toLowerCase()}` }, edges.map((e) => el("li", {}, `${e.source} → ${e.target}`, describe ? ` (${describe(e)})` : "")))];
  }

  // diff is "head:base" with snapshot ids, base "window" for the current window against the snapshot.
  async function show(diff, lookback) {
    if (!diff) {
      diffBox.hidden = true;
      diffBox.replaceChildren();
      return;
    }
    const [head, base] = diff.split(":");
    const urls = base === "window"
      ? { json: `/graph/diff?base=${enc(head)}&head=${enc(lookback || "1h")}`, svg: `/graph/diff.svg?base=${enc(head)}&head=${enc(lookback || "1h")}`, title: `the current window against #${head}` }
      : { json: `/snapshots/${enc(head)}/diff/${enc(base)}.json`, svg: `/snapshots/${enc(head)}/diff/${enc(base)}.svg`, title: `#${head} against #${base}` };
    diffBox.hidden = false;
    diffBox.replaceChildren(el("h3", {}, `Diff: ${urls.title}`), el("p", {}, "Loading…"));
    try {
      const result = await getJson(urls.json);
      diffBox.replaceChildren(
        el("h3", {}, `Diff: ${urls.title}`),
        el("button", { type: "button", onclick: () => onDiff(null) }, "Close diff"),
        el("img", { src: urls.svg, alt: `Diff picture: ${result.summary.addedEdges} added, ${result.summary.removedEdges} removed, ${result.summary.regressedEdges} regressed edges` }),
        ...edgeList("Added", result.edges.added),
        ...edgeList("Removed", result.edges.removed),
        ...edgeList("Regressed", result.edges.common.filter((c) => c.regressed), (c) => c.reasons.join(", ")));
    } catch (error) {
      diffBox.replaceChildren(el("p", {}, `Diff unavailable: ${error.message}`));
    }
  }

  return { load, show };
}
