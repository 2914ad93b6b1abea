// The ranking beside the graph, least reliable first; choosing a row focuses that service.
import { el } from "./format.js";

export function createRankingPanel(section, { onFocus }) {
  const body = section.querySelector("tbody");
  function render(ranking) {
    body.replaceChildren(...ranking.slice(0, 100).map((r) => el("tr", {
      tabindex: "0",
      "data-service": r.service,
      title: r.explanation,
      onclick: () => onFocus(r.service),
      onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); onFocus(r.service); } },
    },
    el("td", { class: "num" }, r.rank),
    el("td", { class: "name" }, r.service),
    el("td", { class: "num" }, r.score.toFixed(2)),
    el("td", {}, el("span", { class: `health health-${r.health}` }, r.health)))));
    if (ranking.length === 0) body.replaceChildren(el("tr", {}, el("td", { colspan: "4" }, "No service in this window.")));
  }
  return { render };
}
