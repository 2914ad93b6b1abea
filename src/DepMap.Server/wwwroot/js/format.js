// Numbers as the panels show them. Latencies keep /graph.json's milliseconds with 3 decimals, so
// what the page shows can be checked against the API.

export const count = (n) => (n ?? 0).toLocaleString("en-US");
export const percent = (rate) => `${((rate ?? 0) * 100).toFixed(1)}%`;
export const ms = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(3)} ms`);
export const rate = (calls, seconds) => `${(calls / seconds).toFixed(calls / seconds < 10 ? 3 : 1)}/s`;

// The short duration of an edge label, as GraphText.Duration writes it in /graph.svg.
export function shortDuration(msValue) {
  if (msValue >= 1000) return `${+(msValue / 1000).toFixed(2)} s`;
  if (msValue >= 10) return `${Math.round(msValue)} ms`;
  if (msValue >= 1) return `${+msValue.toFixed(1)} ms`;
  return `${+msValue.toFixed(2)} ms`;
}

// Builds an element with text children only: names from spans are never parsed as HTML.
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}
