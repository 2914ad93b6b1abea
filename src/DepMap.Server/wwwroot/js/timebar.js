// The bar above the graph: time range (presets or from/to, in UTC), focus with depth and direction,
// minCalls, grouping, search and the live switch. It shows the view and reports changes; main.js
// owns the view.

const $ = (id) => document.getElementById(id);
const toInput = (iso) => (iso ? iso.replace(/Z$/, "").slice(0, 16) : "");
const fromInput = (value) => (value ? `${value}:00Z` : undefined);

export function createTimeBar({ onChange, onSearch, onLive }) {
  const presets = [...document.querySelectorAll("[data-lookback]")];
  for (const button of presets) {
    button.addEventListener("click", () => onChange({ lookback: button.dataset.lookback, from: undefined, to: undefined }));
  }
  $("apply-range").addEventListener("click", () => {
    const from = fromInput($("from").value);
    if (from) onChange({ from, to: fromInput($("to").value), lookback: undefined });
  });
  $("focus").addEventListener("change", () => onChange({ focus: $("focus").value.trim() || undefined }));
  $("depth").addEventListener("change", () => onChange({ depth: $("depth").value }));
  $("direction").addEventListener("change", () => onChange({ direction: $("direction").value }));
  $("min-calls").addEventListener("change", () => onChange({ minCalls: $("min-calls").value }));
  $("group").addEventListener("change", () => onChange({ group: $("group").checked ? "namespace" : undefined, focus: undefined, sel: undefined }));
  $("search").addEventListener("input", () => onSearch($("search").value));
  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); onSearch($("search").value, true); }
  });
  $("live").addEventListener("change", () => onLive($("live").checked));
  $("controls").addEventListener("submit", (event) => event.preventDefault());

  function show(view) {
    for (const button of presets) button.setAttribute("aria-pressed", String(!view.from && view.lookback === button.dataset.lookback));
    $("from").value = toInput(view.from);
    $("to").value = toInput(view.to);
    $("focus").value = view.focus ?? "";
    $("depth").value = view.depth ?? "1";
    $("direction").value = view.direction ?? "both";
    $("min-calls").value = view.minCalls ?? "0";
    $("group").checked = view.group === "namespace";
    $("search").value = view.q ?? "";
    $("live").checked = view.live !== "0";
  }

  function names(list) {
    $("service-names").replaceChildren(...list.slice(0, 2000).map((name) => Object.assign(document.createElement("option"), { value: name })));
  }

  function status(text) {
    $("status").textContent = text;
  }

  return { show, names, status };
}
